"""The API's one error shape and the exceptions that map onto it.

Every error answer is ``{"error": {"code", "message", "details"}, "request_id"}`` (see shared/API.md).
Services raise ``ApiError`` subclasses; the NinjaAPI handlers and the middleware render them.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from duelarena.logs import request_id_var


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status: int | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.details = details or {}
        self.status = status or self.status
        self.retry_after = retry_after


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class Unprocessable(ApiError):
    status, code = 422, "validation_error"


class TooManyRequests(ApiError):
    status, code = 429, "rate_limited"


class ServiceUnavailable(ApiError):
    status, code = 503, "service_unavailable"


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    retry_after: int | None = None,
) -> JsonResponse:
    body = {
        "error": {"code": code, "message": message, "details": details or {}},
        "request_id": request_id_var.get(),
    }
    response = JsonResponse(body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(int(retry_after))
    return response


def api_error_response(exc: ApiError) -> JsonResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.retry_after)
