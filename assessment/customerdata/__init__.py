"""Measuring a client's customer data: identification, the customer pyramid, RFM and a
measured data level, from the CSV or XLSX files the client brings (issue 20).

The core of the tool (no Flask, no SQLAlchemy): `profile_files` is the one entry point,
`recognise` proposes which column plays which role. Only aggregates leave this package.
"""

from __future__ import annotations

from .columns import ROLES, ColumnMapping, recognise
from .profile import Profile, profile_files
from .reading import DataFileError, read_table

__all__ = ["ROLES", "ColumnMapping", "DataFileError", "Profile", "profile_files",
           "read_table", "recognise"]
