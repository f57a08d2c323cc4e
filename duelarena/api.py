"""The one NinjaAPI at /api and the handlers that give every error the same shape (and the schemas' deferred
build, for cold start)."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.params import models as params_models

from duelarena.domain import DomainError, ErrorKind
from duelarena.dynamo.errors import ConditionFailed, InvalidCursor, StoreUnavailable
from duelarena.errors import ApiError, api_error_response, error_response
from duelarena.middleware import _STATUS_CODES

logger = logging.getLogger("duelarena.api")

# Cold start: pydantic looks for plugins (a scan of every installed package's entry points, ~6 ms) when
# it builds its first validator; the service uses none. An operator who installs one sets the variable.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# Cold start: the modules that declare the routers' operations and schemas do not use ``from __future__
# import annotations``. pydantic and ninja need each annotation as an object; given strings, they evaluate
# them one by one with typing's eval (a compile() each, ~320 of them): ~10 ms of loading the API tree.
# duelarena/tests/test_api_cold_start.py keeps it so.

# Cold start: every ninja Schema declared after this line (the routers' schemas, and the wrapper models
# ninja makes for the operations' answers, shared below: ~90 models) and every model ninja makes for an
# operation's path, query and body parameters builds its pydantic validator and serializer on first use
# instead of at declaration. The first `GET /api/games` then builds the few it uses, not all of them;
# `/api/openapi.json` builds the rest and is the same document. Set here, on the bases' configs (which
# subclasses inherit), because this module is imported before any router (mount_routers below) and
# ninja derives its models from these bases.
for _base in (
    Schema,
    params_models.PathModel,
    params_models.QueryModel,
    params_models.HeaderModel,
    params_models.CookieModel,
    params_models.BodyModel,
    params_models.FormModel,
    params_models.FileModel,
):
    _base.model_config["defer_build"] = True


def _share_response_models() -> None:
    """Cold start: one ninja response wrapper per answer type instead of one per (operation, status).

    ninja wraps each documented answer of each operation in a fresh model (``NinjaResponseSchema`` with
    one field, ``response: <type>``); our operations document their error codes, so the operations made
    112 such classes for 8 distinct answer types (~11 ms of the first API request, bench/cold_start.py).
    A wrapper holds nothing but that annotation, so operations answering the same type can share one:
    validation, serialization and the OpenAPI document (which inlines the wrapped type) are unchanged.
    Types that cannot be dictionary keys get their own wrapper, as before."""
    from ninja.operation import Operation

    make = Operation._create_response_model
    made: dict[Any, Any] = {}

    def shared(self: Operation, response_param: Any) -> Any:
        try:
            return made[response_param]
        except KeyError:
            made[response_param] = model = make(self, response_param)
            return model
        except TypeError:  # unhashable
            return make(self, response_param)

    Operation._create_response_model = shared  # type: ignore[method-assign]


_share_response_models()


class BundledSwagger(Swagger):
    """Swagger UI from django-ninja's bundled files. ninja only renders those when it is listed in
    INSTALLED_APPS (else it points at a CDN); we keep it out of the apps for cold start (settings.py)
    and put its template and static folders on Django's search paths instead."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        # Bearer tokens only, no cookie auth: Swagger needs no CSRF token.
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": False}
        return render(request, self.template, context)


api = NinjaAPI(
    docs=BundledSwagger(),
    title="Duel Arena API",
    version="1",
    description="Language models, bots and people playing games against each other.",
    urls_namespace="api",
)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Keep what a client can act on; pydantic's ctx may hold exception objects.
    return [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors
    ]


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api_error_response(exc)


# The one place where the services' domain errors become HTTP statuses.
DOMAIN_STATUS = {
    ErrorKind.INVALID: 400,
    ErrorKind.NOT_ALLOWED: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.LIMIT: 429,
    ErrorKind.UNAVAILABLE: 503,
}


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(DOMAIN_STATUS[exc.kind], exc.code, exc.message, exc.details, exc.retry_after)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        422, "validation_error", "the request does not match the schema", {"errors": _validation_details(exc.errors)}
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(401, "unauthorized", "a valid bearer token is required")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(AuthorizationError)
def on_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return error_response(403, "forbidden", str(exc) or "forbidden")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) for malformed JSON bodies.
    code = _STATUS_CODES.get(exc.status_code, "error")
    if exc.status_code == 400:
        code = "malformed_request"
    return error_response(exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", "not found")


@api.exception_handler(InvalidCursor)
def on_invalid_cursor(request: HttpRequest, exc: InvalidCursor) -> HttpResponse:
    return error_response(400, "invalid_cursor", str(exc))


@api.exception_handler(ConditionFailed)
def on_condition_failed(request: HttpRequest, exc: ConditionFailed) -> HttpResponse:
    return error_response(409, "conflict", "the resource changed; reload it and try again")


@api.exception_handler(StoreUnavailable)
def on_store_unavailable(request: HttpRequest, exc: StoreUnavailable) -> HttpResponse:
    logger.warning("dynamodb unavailable", extra={"reason": str(exc)})
    return error_response(503, "service_unavailable", "storage is unavailable, try again shortly", retry_after=2)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "payload_too_large", "request body is too large")


@api.exception_handler(Exception)
def on_unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in API", exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


def mount_routers() -> None:
    """Attach the apps' routers (called once from urls.py so that import order stays explicit)."""
    from accounts.api import router as auth_router

    api.add_router("/auth", auth_router)

    from games.api import me_router as my_games_router
    from games.api import router as games_router

    api.add_router("/games", games_router)
    api.add_router("/me", my_games_router)
    api.add_router("/llm", "games.players_api.router")
    api.add_router("/leaderboard", "games.leaderboard_api.router")
