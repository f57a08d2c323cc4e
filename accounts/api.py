"""`/api/auth`: exchange the sign-in code for tokens, refresh, logout, me.

The spending limits and the throttle (and the LLM budget and pricing modules behind them) are imported
inside the views that use them, as games/api.py does with its services: loading the API tree for a
first game list does not load them (cold start).
"""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts import tokens
from accounts.auth import AuthedRequest, bearer
from accounts.users import User
from duelarena.api_docs import errors
from duelarena.errors import BadRequest, Unauthorized

router = Router(tags=["auth"])


class CodeIn(Schema):
    code: str = Field(..., min_length=1, max_length=128)


class RefreshIn(Schema):
    refresh: str = Field(..., min_length=1, max_length=256)


class BudgetOut(Schema):
    daily_micros: int = Field(..., description="the daily model spend allowed, USD millionths")
    used_micros: int = Field(..., description="spent today (UTC)")
    left_micros: int


class UserOut(Schema):
    id: str
    email: str
    name: str
    picture: str
    roles: list[str]
    budget: BudgetOut


class TokensOut(Schema):
    access: str
    refresh: str
    expires_in: int
    user: UserOut


def user_out(user: User) -> dict:
    from accounts import limits

    spent = limits.spent_today(user)
    return {
        **user.public(),
        "budget": {
            "daily_micros": user.budget_micros,
            "used_micros": spent,
            "left_micros": max(0, user.budget_micros - spent),
        },
    }


def _pair_out(pair: tokens.TokenPair, user: User) -> dict:
    return {"access": pair.access, "refresh": pair.refresh, "expires_in": pair.expires_in, "user": user_out(user)}


_token_errors, _token_extra = errors({400: ("invalid_code",)})


@router.post(
    "/token",
    response={200: TokensOut, **_token_errors},
    auth=None,
    operation_id="issueToken",
    openapi_extra=_token_extra,
)
def token(request: HttpRequest, body: CodeIn) -> dict:
    """Throttled per client address (429 ``too_many_attempts`` with Retry-After)."""
    from accounts import throttle

    try:
        with throttle.attempt(throttle.subjects(request), tokens.TokenError):
            user = tokens.redeem_login_code(body.code)
    except tokens.TokenError as exc:
        raise BadRequest(str(exc), code="invalid_code") from exc
    return _pair_out(tokens.issue_pair(user), user)


_refresh_errors, _refresh_extra = errors({401: ("invalid_refresh_token",)})


@router.post(
    "/refresh",
    response={200: TokensOut, **_refresh_errors},
    auth=None,
    operation_id="refreshToken",
    openapi_extra=_refresh_extra,
)
def refresh(request: HttpRequest, body: RefreshIn) -> dict:
    """Throttled per client address and per refresh family (429 ``too_many_attempts``)."""
    from accounts import throttle

    family = body.refresh.split(".", 1)[0] if body.refresh.count(".") == 2 else None
    try:
        with throttle.attempt(throttle.subjects(request, f"family:{family}" if family else None), tokens.TokenError):
            pair = tokens.rotate(body.refresh)
    except tokens.TokenError as exc:
        raise Unauthorized(str(exc), code="invalid_refresh_token") from exc
    return _pair_out(pair, tokens.user_for_access(pair.access))


_logout_errors, _logout_extra = errors({400: ("invalid_refresh_token",)}, token=True)


@router.post(
    "/logout", response={204: None, **_logout_errors}, auth=bearer, operation_id="logout", openapi_extra=_logout_extra
)
def logout(request: AuthedRequest, body: RefreshIn) -> Status:
    try:
        tokens.revoke(body.refresh, request.auth)
    except tokens.TokenError as exc:
        raise BadRequest(str(exc), code="invalid_refresh_token") from exc
    return Status(204, None)


_me_errors, _me_extra = errors({}, token=True)


@router.get("/me", response={200: UserOut, **_me_errors}, auth=bearer, operation_id="getMe", openapi_extra=_me_extra)
def me(request: AuthedRequest) -> dict:
    return user_out(request.auth)
