"""What every operation of the API documents: its error answers (the one error shape) and optional auth.

``errors(...)`` returns the ``response=`` entries and the ``openapi_extra`` of an operation: every error
status it can give, each with the ``ErrorOut`` shape and the machine-readable codes in its description.
The standard answers every operation can give (422 schema validation, 500, 503 storage unavailable, and
401 for operations that take a token) are added to those the operation names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ninja import Field, Schema


class ErrorBody(Schema):
    code: str = Field(..., description="machine readable, e.g. illegal_move; listed per status on each operation")
    message: str = Field(..., description="for people; never internals or a stack trace")
    details: dict[str, Any] = Field(..., description="what a client can act on (option, limit, ply...)")


class ErrorOut(Schema):
    """Every error answer, whatever raised it (validation, auth, rules, throttling, a bug)."""

    error: ErrorBody
    request_id: str


STANDARD = {
    422: ("validation_error",),
    500: ("internal_error",),
    503: ("service_unavailable",),
}
TOKEN = {401: ("unauthorized", "invalid_token")}
# A public read: no token needed; a token, when sent, must be valid (else 401, as on every public read).
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{"BearerAuth": []}, {}]


def errors(
    codes: Mapping[int, tuple[str, ...]], *, token: bool = False, optional_token: bool = False
) -> tuple[dict[int, Any], dict[str, Any]]:
    """``(responses, openapi_extra)`` for an operation that can answer ``codes`` (status -> codes)."""
    merged: dict[int, tuple[str, ...]] = {**STANDARD}
    if token or optional_token:
        merged.update(TOKEN)
    for status, names in codes.items():
        merged[status] = tuple(dict.fromkeys((*merged.get(status, ()), *names)))
    responses: dict[int, Any] = dict.fromkeys(merged, ErrorOut)
    extra: dict[str, Any] = {
        "responses": {
            status: {"description": "Error codes: " + ", ".join(f"`{n}`" for n in names)}
            for status, names in sorted(merged.items())
        }
    }
    if optional_token:
        extra["security"] = OPTIONAL_BEARER
    return responses, extra
