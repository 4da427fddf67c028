"""Errors the data layer raises; each carries a translation key, never prose."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class FieldError:
    """One rejected field: which field, why (a message key) and the values the message needs."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class JesrError(Exception):
    """A refusal the user can act on; `code` is a key in the message catalog."""

    code = "error.generic"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class ValidationError(JesrError):
    code = "error.validation"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(self.code)
        self.args = ("; ".join(f"{e.field}: {e.code} {e.params}" for e in errors),)


class ConflictError(JesrError):
    """Someone else changed the same rows first: reload and try again."""

    code = "error.conflict"

    def __init__(self, detail: str = "") -> None:
        super().__init__(self.code)
        self.detail = detail


class DatabaseBusyError(JesrError):
    """Another process (usually the running app) holds the database file."""

    code = "error.database_busy"

    def __init__(self, path: str) -> None:
        super().__init__(self.code, path=path)


class PermissionDenied(JesrError):
    code = "error.permission_denied"


class NotFound(JesrError):
    code = "error.not_found"
