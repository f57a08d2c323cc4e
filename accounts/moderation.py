"""Moderating users: ban/unban, grant/revoke the moderator role, change the daily budget. Admins only.

Authorization lives here, not in the views. Every change is written through ``accounts.users`` in one
transaction with its audit entry (``duelarena.audit``), conditioned on the user as it was read. Bans
and role changes bump the user's session epoch (see ``users.update``): their admin sessions and API
access tokens stop working at once, and a banned user's refresh tokens are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts import users
from accounts.users import User
from duelarena import audit
from duelarena.dynamo.errors import ConditionFailed
from duelarena.errors import BadRequest, Conflict, Forbidden, NotFound

AUDIT_KIND = audit.USER
MODERATOR = "moderator"
MAX_DAILY_BUDGET_MICROS = 1_000_000_000  # $1,000 a day: a typo guard, not a business rule
_RETRIES = 5


def _require_admin(actor: User) -> None:
    if not (actor.is_active and actor.is_admin):
        raise Forbidden("only admins may do this", code="forbidden")


def _not_yourself(actor: User, user_id: str, what: str) -> None:
    if actor.id == user_id:
        raise BadRequest(f"you cannot {what} yourself; ask another admin", code="self_moderation")


def _change(actor: User, user_id: str, action: str, decide: Callable[[User], dict[str, Any]]) -> User:
    _require_admin(actor)
    for _ in range(_RETRIES):
        user = users.get(user_id)
        if user is None:
            raise NotFound("no such user", code="not_found")
        changes = decide(user)
        before = {name: getattr(user, name) for name in changes}
        if before == changes:
            return user
        entry = audit.new(actor, action, AUDIT_KIND, user.id, object_repr=user.email, before=before, after=changes)
        try:
            return users.update(user, also=[audit.put_operation(entry)], **changes)
        except ConditionFailed:
            continue
    raise Conflict("the user keeps changing; try again", code="conflict")


def ban(actor: User, user_id: str) -> User:
    _not_yourself(actor, user_id, "ban")
    return _change(actor, user_id, "ban", lambda user: {"status": users.BANNED})


def unban(actor: User, user_id: str) -> User:
    return _change(actor, user_id, "unban", lambda user: {"status": users.ACTIVE})


def set_moderator(actor: User, user_id: str, moderator: bool) -> User:
    """Grant or revoke the moderator role (other roles stay as they are)."""
    _not_yourself(actor, user_id, "change the roles of")

    def decide(user: User) -> dict[str, Any]:
        roles = (set(user.roles) | {MODERATOR}) if moderator else (set(user.roles) - {MODERATOR})
        return {"roles": sorted(roles)}

    return _change(actor, user_id, "grant_moderator" if moderator else "revoke_moderator", decide)


def set_daily_budget(actor: User, user_id: str, micros: int | None) -> User:
    """A user's own daily spend limit in micro-dollars; ``None`` goes back to the default."""
    if micros is not None and (isinstance(micros, bool) or not 0 <= micros <= MAX_DAILY_BUDGET_MICROS):
        raise BadRequest(
            f"the daily budget must be between 0 and {MAX_DAILY_BUDGET_MICROS} micro-dollars", code="invalid_budget"
        )
    return _change(actor, user_id, "set_budget", lambda user: {"daily_budget_micros": micros})
