"""Typed domain errors: a stable ``code``, an Indonesian ``message``, an HTTP status.

Services raise these; views show ``message`` on the form, the API returns
``{"code", "message", "detail"}`` with ``status`` (DESIGN.md §9).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request (409 unless a subclass says otherwise)."""

    status = 409
    code = "business_rule"
    message = "Permintaan ditolak oleh aturan usaha."

    def __init__(
        self, message: str | None = None, *, code: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.detail = detail or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationError(DomainError):
    """Input is malformed or incomplete; ``detail`` maps field name to messages."""

    status = 422
    code = "invalid"
    message = "Data tidak valid."

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str = "invalid") -> ValidationError:
        return cls(message, code=code, detail={field: [message]})


class NotFound(DomainError):
    """The object does not exist, or belongs to another cooperative (never say which)."""

    status = 404
    code = "not_found"
    message = "Data tidak ditemukan."


class PermissionDenied(DomainError):
    """The user's role does not allow this action."""

    status = 403
    code = "forbidden"
    message = "Peran Anda tidak diizinkan melakukan tindakan ini."


class AuthenticationFailed(DomainError):
    """Missing or wrong credentials."""

    status = 401
    code = "unauthenticated"
    message = "Silakan masuk terlebih dahulu."


class Conflict(DomainError):
    """The write clashes with existing data (duplicate, closed period, wrong state)."""

    status = 409
    code = "conflict"
    message = "Data bertentangan dengan data yang sudah ada."
