"""The store's refusals, the same on both backends whatever the driver raised."""

from __future__ import annotations

from data_layer.core.errors import ConflictError, DatabaseBusyError


class UniqueViolation(ConflictError):
    """A write met a key that another write saved first (a unique or primary-key constraint)."""


class DatabaseUnreachable(DatabaseBusyError):
    """The database server did not accept a connection, or dropped it; `path` names it without
    its password.

    `saved` tells the user what became of a write the loss interrupted: False, nothing of it was
    saved (the server rolls back an unfinished transaction); None, the connection went while
    COMMIT was on its way, so only a reload shows whether it was saved.
    """

    code = "error.database_unreachable"

    def __init__(self, path: str, *, saved: bool | None = False) -> None:
        super().__init__(path)
        self.saved = saved
        if saved is None:
            self.code = "error.database_lost_at_commit"
