"""The versioned JSON API (/api/v1), its OpenAPI document and consultants' API tokens."""

from __future__ import annotations

from .views import bp

__all__ = ["bp"]
