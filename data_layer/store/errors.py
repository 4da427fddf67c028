"""The store's refusals, the same on both backends whatever the driver raised."""

from __future__ import annotations

from data_layer.core.errors import ConflictError, DatabaseBusyError


class UniqueViolation(ConflictError):
    """A write met a key that another write saved first (a unique or primary-key constraint)."""


class DatabaseUnreachable(DatabaseBusyError):
    """The database server did not accept a connection; `path` names it without its password."""
