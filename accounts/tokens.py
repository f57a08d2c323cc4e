"""Access tokens (JWT), rotating refresh tokens and one-time login codes.

- Access: PyJWT, HS256 with its own key (JWT_SIGNING_KEY), exp/iat/sub/aud/iss required, the user's
  session epoch in ``sep`` (banning, role changes and admin logout bump it, so old tokens die at once)
  and the refresh family of the sign-in in ``fam``: ``POST /api/auth/logout`` lists that family on the
  user item until its access tokens expire. The bearer auth reads the user on every request anyway (to
  see bans), so both revocations cost no extra call.
- Refresh: ``<family>.<token>.<secret>``, opaque. Items ``REFRESH#<family>`` / ``FAMILY`` and
  ``REFRESH#<family>`` / ``TOKEN#<token>`` (sha256 of the secret). Each token works once (a
  conditional update marks it used); presenting a used one revokes the whole family (theft signal).
- Login code: the callback's one-time code, ``LOGINCODE#<sha256>``; exchanged by a conditional
  delete that returns the item, so two racing exchanges cannot both win.
All of them expire on their own through the table's TTL attribute.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accounts import users
from accounts.users import User
from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from duelarena.dynamo.schema import TTL_ATTRIBUTE


class TokenError(Exception):
    """A token or code that is invalid, expired, reused or revoked. The message is safe to show."""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- access tokens -----------------------------------------------------------------------------------


def issue_access(user: User, ttl_seconds: int | None = None, family: str | None = None) -> str:
    """A signed access token; ``ttl_seconds`` defaults to JWT_ACCESS_TTL_SECONDS; ``family`` (the refresh
    family of the sign-in) lets logout revoke it."""
    import jwt

    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user.id,
        "iat": now,
        "nbf": now,
        "exp": now + (ttl_seconds or settings.JWT_ACCESS_TTL_SECONDS),
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sep": user.session_epoch,
        "jti": secrets.token_hex(8),
    }
    if family:
        claims["fam"] = family
    return jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=settings.JWT_ALGORITHM)


def decode_access(token: str) -> dict[str, Any]:
    import jwt

    if not token or len(token) > 4096:
        raise TokenError("malformed token")
    try:
        return jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[settings.JWT_ALGORITHM],  # explicit: "none" and other algorithms are refused
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("invalid token") from exc


def user_for_access(token: str) -> User:
    claims = decode_access(token)
    user = users.get(str(claims["sub"]))
    if user is None or not user.is_active:
        raise TokenError("user is not allowed")
    if claims.get("sep") != user.session_epoch:
        raise TokenError("token revoked")
    family = claims.get("fam")
    if family and family in (user.revoked_families or {}):  # its sign-in was logged out
        raise TokenError("token revoked")
    return user


# --- refresh tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int


def _expiry(seconds: int) -> int:
    return int(time.time()) + seconds


def _new_refresh(family: str, user: User) -> str:
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    items.put(
        {
            "pk": keys.refresh_family_pk(family),
            "sk": keys.refresh_token_sk(token_id),
            "user_id": user.id,
            "hash": _sha256(secret),
            "used": False,
            TTL_ATTRIBUTE: _expiry(settings.REFRESH_TTL_SECONDS),
        },
        must_not_exist=True,
    )
    return f"{family}.{token_id}.{secret}"


def issue_pair(user: User, access_ttl_seconds: int | None = None) -> TokenPair:
    family = secrets.token_hex(12)
    items.put(
        {
            "pk": keys.refresh_family_pk(family),
            "sk": keys.REFRESH_FAMILY_SK,
            "user_id": user.id,
            "revoked": False,
            # Bans, role changes and "logout everywhere" bump the epoch: the family dies with it.
            "session_epoch": user.session_epoch,
            TTL_ATTRIBUTE: _expiry(settings.REFRESH_TTL_SECONDS),
        },
        must_not_exist=True,
    )
    ttl = access_ttl_seconds or settings.JWT_ACCESS_TTL_SECONDS
    return TokenPair(issue_access(user, ttl, family), _new_refresh(family, user), ttl)


def _split(refresh: str) -> tuple[str, str, str]:
    parts = (refresh or "").split(".")
    if len(parts) != 3 or not all(parts) or len(refresh) > 256:
        raise TokenError("invalid refresh token")
    return parts[0], parts[1], parts[2]


def _revoke_family(family: str) -> None:
    try:
        items.update(keys.refresh_family_pk(family), keys.REFRESH_FAMILY_SK, set_values={"revoked": True})
    except ConditionFailed:
        pass


def rotate(refresh: str) -> TokenPair:
    """Exchange a refresh token for a new pair. Each token works once; reuse revokes the family."""
    family, token_id, secret = _split(refresh)
    token = items.get(keys.refresh_family_pk(family), keys.refresh_token_sk(token_id))
    if token is None or not hmac.compare_digest(token["hash"], _sha256(secret)):
        raise TokenError("invalid refresh token")
    if token.get(TTL_ATTRIBUTE, 0) < time.time():
        raise TokenError("refresh token expired")
    fam = items.get(keys.refresh_family_pk(family), keys.REFRESH_FAMILY_SK)
    if fam is None or fam.get("revoked"):
        raise TokenError("refresh token revoked")
    try:
        items.update(
            keys.refresh_family_pk(family),
            keys.refresh_token_sk(token_id),
            set_values={"used": True},
            condition="#u = :false",
            condition_names={"#u": "used"},
            condition_values={":false": False},
        )
    except ConditionFailed:
        _revoke_family(family)  # a used token came back: someone else holds a copy
        raise TokenError("refresh token was already used; every session of this sign-in is revoked") from None
    user = users.get(token["user_id"])
    if user is None or not user.is_active or fam.get("session_epoch") != user.session_epoch:
        _revoke_family(family)
        raise TokenError("user is not allowed")
    return TokenPair(issue_access(user, family=family), _new_refresh(family, user), settings.JWT_ACCESS_TTL_SECONDS)


def revoke(refresh: str, user: User) -> None:
    """Logout of one sign-in: its refresh family dies, and so do the access tokens issued to it (the
    family id is in their ``fam`` claim and the user item lists it until they have all expired)."""
    family, _, _ = _split(refresh)
    fam = items.get(keys.refresh_family_pk(family), keys.REFRESH_FAMILY_SK)
    if fam is None or fam["user_id"] != user.id:
        raise TokenError("invalid refresh token")
    _revoke_family(family)
    users.revoke_family(user, family, int(time.time()) + settings.JWT_ACCESS_TTL_SECONDS + 60)


# --- one-time login codes ------------------------------------------------------------------------------


def issue_login_code(user: User) -> str:
    code = secrets.token_urlsafe(32)
    items.put(
        {
            "pk": keys.login_code_pk(_sha256(code)),
            "sk": keys.LOGIN_CODE_SK,
            "user_id": user.id,
            TTL_ATTRIBUTE: _expiry(settings.LOGIN_CODE_TTL_SECONDS),
        },
        must_not_exist=True,
    )
    return code


def redeem_login_code(code: str) -> User:
    if not code or len(code) > 128:
        raise TokenError("invalid code")
    item = items.take(keys.login_code_pk(_sha256(code)), keys.LOGIN_CODE_SK)  # exactly one exchange wins the code
    if item is None:
        raise TokenError("invalid or already used code")
    if item.get(TTL_ATTRIBUTE, 0) < time.time():  # TTL deletion lags: check the time ourselves
        raise TokenError("code expired")
    user = users.get(item["user_id"])
    if user is None or not user.is_active:
        raise TokenError("user is not allowed")
    return user
