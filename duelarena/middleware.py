"""Request context: request id, DynamoDB calls and capacity units, body size limit, JSON errors for the API.

Runs first so that everything after it (logs, error bodies) sees the request id.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from duelarena.dynamo import connection
from duelarena.dynamo.errors import StoreUnavailable
from duelarena.errors import error_response
from duelarena.logs import request_id_var

logger = logging.getLogger("duelarena.request")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
# Paths whose errors must use the API's error shape (the admin keeps Django's HTML pages).
JSON_PATH_PREFIXES = ("/api/", "/health", "/events", "/auth/login/", "/auth/complete/")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def wants_json_errors(path: str) -> bool:
    return path == "/api" or path.startswith(JSON_PATH_PREFIXES)


def _incoming_request_id(request: HttpRequest) -> str:
    candidate = request.headers.get("X-Request-ID", "")
    if _SAFE_REQUEST_ID.match(candidate):
        return candidate
    # On Lambda, LWA forwards API Gateway's request context; its requestId ties logs together.
    context = request.headers.get("x-amzn-request-context", "")
    if context and context != "null":
        try:
            rid = json.loads(context).get("requestId", "")
        except (ValueError, AttributeError):
            rid = ""
        if isinstance(rid, str) and _SAFE_REQUEST_ID.match(rid):
            return rid
    return uuid.uuid4().hex


class HealthCheckMiddleware:
    """``GET /health`` before anything else: LWA's readiness check arrives with Host 127.0.0.1:PORT,
    which production ALLOWED_HOSTS rightly refuses, and must never touch DynamoDB or redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/health" and request.method in ("GET", "HEAD"):
            return JsonResponse({"status": "ok"})
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _incoming_request_id(request)
        token = request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        connection.start_counting()
        exempt = request.path_info in settings.DYNAMODB_BUDGET_EXEMPT_PATHS
        budget = connection.start_budget(None if exempt else settings.DYNAMODB_REQUEST_BUDGET_SECONDS)
        started = time.perf_counter()
        try:
            response = self._too_large(request) or self.get_response(request)
            if wants_json_errors(request.path_info) and response.status_code >= 400:
                response = self._as_error_shape(response)
            used = connection.usage()
            response["X-Request-ID"] = request_id
            if settings.DEBUG:
                response["X-DynamoDB-Calls"] = str(used.calls)
                response["X-DynamoDB-RCU"] = f"{used.read_units:g}"
                response["X-DynamoDB-WCU"] = f"{used.write_units:g}"
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path_info,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "dynamodb_calls": used.calls,
                    "dynamodb_rcu": used.read_units,
                    "dynamodb_wcu": used.write_units,
                },
            )
            return response
        finally:
            connection.end_budget(budget)
            request_id_var.reset(token)

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "bad_request", "Content-Length is not a number")
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return error_response(
                413, "payload_too_large", f"request body is larger than {limit} bytes", {"limit": limit}
            )
        return None

    @staticmethod
    def _as_error_shape(response: HttpResponse) -> HttpResponse:
        """Rewrite non-JSON error answers (Django's 404/405/CSRF pages) into the API's error shape."""
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        code = _STATUS_CODES.get(status, "error")
        messages = {
            404: "no such endpoint",
            405: "method not allowed on this endpoint",
            403: "forbidden",
        }
        rewritten = error_response(status, code, messages.get(status, code.replace("_", " ")))
        for header in ("Allow", "Retry-After"):
            if header in response:
                rewritten[header] = response[header]
        return rewritten

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Unhandled errors outside ninja (ninja has its own handlers): 500 in the error shape.
        DynamoDB unavailable (or the request's DynamoDB budget spent) is a 503 with Retry-After on every
        path, the admin's included, instead of a 500 page."""
        if isinstance(exception, StoreUnavailable):
            logger.warning("dynamodb unavailable", extra={"reason": str(exception)})
            return error_response(
                503, "service_unavailable", "storage is unavailable, try again shortly", retry_after=2
            )
        if not wants_json_errors(request.path_info):
            return None
        from social_core.exceptions import AuthPolicyError, SocialAuthBaseException

        if isinstance(exception, SocialAuthBaseException):
            # Forged or replayed state, cancelled consent, unverified email, banned user...
            # public_metadata() holds social-core's non-identifying error fields only.
            reason = {"reason": exception.code}
            logger.warning("sign-in refused", extra=reason)
            if isinstance(exception, AuthPolicyError):
                return error_response(403, "sign_in_forbidden", "this account may not sign in", reason)
            return error_response(400, "sign_in_failed", "sign-in failed; start again", reason)
        logger.exception("unhandled error", exc_info=exception)
        return error_response(500, "internal_error", "internal server error")
