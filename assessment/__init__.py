"""CRM implementation methodology and maturity assessment."""

__version__ = "0.1.0"
