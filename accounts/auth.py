"""Bearer-token authentication for every protected API endpoint."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts import tokens
from accounts.users import User
from duelarena.errors import Unauthorized


class AuthedRequest(HttpRequest):
    """The request of a view declared with ``auth=bearer``: ninja sets ``auth`` to what ``authenticate``
    returned (the signed-in user) before the view runs. Only an annotation: requests stay ``HttpRequest``."""

    auth: User


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            user = tokens.user_for_access(token)
        except tokens.TokenError as exc:
            raise Unauthorized(str(exc), code="invalid_token") from exc
        request.arena_user = user  # type: ignore[attr-defined]
        return user


bearer = BearerAuth()
