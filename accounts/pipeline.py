"""Our social-auth pipeline steps (see SOCIAL_AUTH_PIPELINE in settings).

The pipeline ends in one of two ways:
- API sign-in (the default): ``finish`` redirects to FRONTEND_URL with a one-time ``code`` that
  ``POST /api/auth/token`` exchanges for tokens. No Django session is created.
- Admin sign-in (``next`` starts with ``/admin/``): the pipeline returns normally and social-auth
  logs the user into a (signed-cookie) admin session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from social_core.exceptions import AuthPolicyError

from accounts import tokens, users
from accounts.models import ArenaUser
from duelarena.dynamo import keys


def require_verified_email(backend: Any, response: dict[str, Any], details: dict[str, Any], **kwargs: Any) -> None:
    # Google's backend checks this too; a second look here keeps the rule ours, not a library default.
    if response.get("email_verified") is not True or not details.get("email"):
        raise AuthPolicyError(backend, code="email_verification_rejected", stage="pipeline")


def find_or_create_user(
    backend: Any, details: dict[str, Any], response: dict[str, Any], user: ArenaUser | None = None, **kwargs: Any
) -> dict[str, Any]:
    """The user linked to this Google account, else the user with this (verified) email, else a new one."""
    if user is not None:
        return {"is_new": False}
    record, created = users.create(
        details["email"], name=(details.get("fullname") or "")[:200], picture=str(response.get("picture") or "")
    )
    return {"user": ArenaUser.from_user(record), "is_new": created}


def refuse_banned(backend: Any, user: ArenaUser, **kwargs: Any) -> None:
    if not user.record.is_active:
        raise AuthPolicyError(backend, code="authentication_disallowed", stage="pipeline")


def update_profile(user: ArenaUser, details: dict[str, Any], response: dict[str, Any], **kwargs: Any) -> dict:
    changes: dict[str, Any] = {"last_login_at": keys.now_iso()}
    if details.get("fullname"):
        changes["name"] = details["fullname"][:200]
    if response.get("picture"):
        changes["picture"] = str(response["picture"])[:2000]
    record = users.update(user.record, **changes)
    return {"user": ArenaUser.from_user(record)}


def finish(strategy: Any, user: ArenaUser, **kwargs: Any) -> Any:
    if str(strategy.session_get("next") or "").startswith("/admin/"):
        return None  # social-auth goes on to log the user into an admin session
    code = tokens.issue_login_code(user.record)
    return strategy.redirect(f"{settings.FRONTEND_URL}?{urlencode({'code': code})}")
