"""The users admin over DynamoDB (``accounts.users``).

DynamoDB calls per page (besides the session user's GetItem):
- list: ONE Query on gsi6 ``USERS``, newest first;
- detail: GetItem (the user) + GetItem (today's spend counter) + what other apps' sections read (games:
  one Query on gsi1 ``OWNER#<id>``, their newest games, see ``games.admin``);
- search: an email is one Query on gsi7 ``EMAIL#<email>``, an id one GetItem.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts import limits, moderation, users
from accounts.models import AdminRequest, ArenaUser
from accounts.users import User
from duelarena.dynadmin import Column, DynamoModelAdmin, Page, micro_dollars, record_action
from duelarena.dynamo import keys
from duelarena.errors import BadRequest

# Other apps add to a user's admin page (games: the user's newest games) by appending a function of
# (request, user) returning template context: accounts imports none of them. The site's look is
# configured by the project (``duelarena/admin.py``).
UserPageSection = Callable[[HttpRequest, User], dict[str, Any]]
user_page_sections: list[UserPageSection] = []


def _when(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _budget(user: User) -> str:
    shown = micro_dollars(user.budget_micros)
    return shown if user.daily_budget_micros is not None else f"{shown} (default)"


def parse_dollars(raw: str) -> int | None:
    """ "2.50" -> 2500000 micro-dollars; empty -> None (the default budget)."""
    text = (raw or "").strip().lstrip("$").replace(",", "")
    if not text:
        return None
    try:
        micros = (Decimal(text) * 1_000_000).to_integral_value()
    except InvalidOperation:
        raise BadRequest(f"{raw!r} is not an amount of dollars", code="invalid_budget") from None
    if not micros.is_finite():
        raise BadRequest(f"{raw!r} is not an amount of dollars", code="invalid_budget")
    return int(micros)


@admin.register(ArenaUser)
class ArenaUserAdmin(DynamoModelAdmin):
    audit_kind = moderation.AUDIT_KIND
    change_form_template = "admin/accounts/arenauser/detail.html"
    search_help_text = "An email or a user id opens that user."
    columns = (
        Column("email", "Email", lambda u: u.email),
        Column("name", "Name", lambda u: u.name),
        Column("roles", "Roles", lambda u: ", ".join(u.roles)),
        Column("status", "Status", lambda u: u.status),
        Column("budget", "Daily budget", _budget),
        Column("created", "Created", lambda u: _when(u.created_at)),
        Column("last_login", "Last sign-in", lambda u: _when(u.last_login_at)),
    )
    detail_fields = (
        Column("id", "ID", lambda u: u.id),
        Column("email", "Email", lambda u: u.email),
        Column("name", "Name", lambda u: u.name),
        Column("roles", "Roles", lambda u: ", ".join(u.roles)),
        Column("status", "Status", lambda u: u.status),
        Column("active", "Active", lambda u: u.is_active, boolean=True),
        Column("budget", "Daily budget", _budget),
        Column("created", "Created", lambda u: _when(u.created_at)),
        Column("last_login", "Last sign-in", lambda u: _when(u.last_login_at)),
        Column("epoch", "Session epoch", lambda u: u.session_epoch),
        Column("password", "Admin password", lambda u: u.password_hash != "", boolean=True),
    )
    record_actions = ("ban", "unban", "grant_moderator", "revoke_moderator", "set_budget")

    # ------------------------------------------------------------------------------------- reads

    def fetch_page(self, request: HttpRequest, filters: dict[str, str], cursor: str | None, limit: int) -> Page:
        page = users.list_page(cursor=cursor, limit=limit)
        return Page([users.from_item(i) for i in page.items], page.next_cursor)

    def get_record(self, request: HttpRequest, object_id: str) -> User | None:
        return users.get(object_id)

    def to_shim(self, record: User) -> ArenaUser:
        return ArenaUser.from_user(record)

    def search(self, request: HttpRequest, term: str) -> str | None:
        user = users.get_by_email(term) if "@" in term else users.get(term) if keys.is_id(term.lower()) else None
        return self.detail_url(user.id) if user else None

    def detail_context(self, request: HttpRequest, record: User) -> dict[str, Any]:
        spent = limits.spent_today(record)
        context: dict[str, Any] = {"spent_today": spent, "budget_left": max(0, record.budget_micros - spent)}
        for section in user_page_sections:
            context.update(section(request, record))
        return context

    # ----------------------------------------------------------------------------------- actions

    @record_action(
        label="Ban",
        permission="ban",
        applies=lambda u: u.is_active,
        confirm="Ban this user? Their admin sessions and API tokens stop working at once.",
        danger=True,
    )
    def ban(self, request: AdminRequest, user: User) -> str:
        moderation.ban(request.user.record, user.id)
        return f"Banned {user.email}; their sessions and tokens are revoked."

    @record_action(label="Unban", permission="ban", applies=lambda u: not u.is_active)
    def unban(self, request: AdminRequest, user: User) -> str:
        moderation.unban(request.user.record, user.id)
        return f"Unbanned {user.email}."

    @record_action(label="Grant moderator", permission="roles", applies=lambda u: moderation.MODERATOR not in u.roles)
    def grant_moderator(self, request: AdminRequest, user: User) -> str:
        moderation.set_moderator(request.user.record, user.id, True)
        return f"{user.email} is a moderator now."

    @record_action(label="Revoke moderator", permission="roles", applies=lambda u: moderation.MODERATOR in u.roles)
    def revoke_moderator(self, request: AdminRequest, user: User) -> str:
        moderation.set_moderator(request.user.record, user.id, False)
        return f"{user.email} is no longer a moderator."

    @record_action(
        label="Set daily budget",
        permission="change",
        bulk=False,
        input_name="daily_budget",
        input_label="Dollars a day (empty: the default)",
    )
    def set_budget(self, request: AdminRequest, user: User) -> str:
        micros = parse_dollars(request.POST.get("daily_budget", ""))
        changed = moderation.set_daily_budget(request.user.record, user.id, micros)
        return f"The daily budget of {user.email} is {_budget(changed)}."
