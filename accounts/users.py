"""Users in DynamoDB: the one module that writes user items.

Items:
- ``USER#<id> / PROFILE``: the user (gsi6 = USERS feed, gsi7 = EMAIL#<email> lookup), the dynamorm
  model ``duelarena.dynamo.models.UserProfile``: reads, the admin's list and the updates that need no
  transaction go through it. Creating a user (with its email guard) and a change written with its
  audit entry are transactions, and an update that removes an attribute needs ``REMOVE``, which
  dynamorm cannot write: those go through ``items`` (the raw client), with items built by the model.
- ``EMAIL#<email> / EMAIL``: a guard item that makes emails unique (created in the same transaction
  as the user, conditioned on not existing), so two concurrent sign-ins create exactly one user.

Emails are normalized (strip + lower-case) before they are stored or looked up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed

if TYPE_CHECKING:
    from duelarena.dynamo.models import UserProfile

# The dynamorm models (and schematics, dynamorm, boto3 with them) are imported on first use, not at
# start-up: a cold start that serves only public reads never loads them.

ROLES = ("player", "moderator", "admin")
ACTIVE, BANNED = "active", "banned"
USERS_FEED = "USERS"  # gsi6 partition of every user (the admin's list)


class UserError(Exception):
    pass


def normalize_email(email: str) -> str:
    value = (email or "").strip().lower()
    if "@" not in value or len(value) > 254 or any(c.isspace() for c in value):
        raise UserError("not a valid email address")
    return value


@dataclass
class User:
    id: str
    email: str
    name: str = ""
    picture: str = ""
    roles: list[str] = field(default_factory=lambda: ["player"])
    status: str = ACTIVE
    created_at: str = ""
    last_login_at: str = ""
    session_epoch: int = 0
    password_hash: str = ""
    daily_budget_micros: int | None = None  # None: the settings default
    # Refresh families signed out (``POST /api/auth/logout``) -> until when their access tokens could
    # still be valid (epoch seconds). The bearer check reads the user anyway, so this costs no call.
    revoked_families: dict[str, int] = field(default_factory=dict)

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    @property
    def is_staff(self) -> bool:
        return "moderator" in self.roles or "admin" in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def budget_micros(self) -> int:
        return settings.DAILY_BUDGET_MICROS if self.daily_budget_micros is None else self.daily_budget_micros

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "name": self.name, "picture": self.picture, "roles": self.roles}


_FIELDS = {f for f in User.__dataclass_fields__}


def _from_item(item: dict[str, Any]) -> User:
    return User(**{k: v for k, v in item.items() if k in _FIELDS})


def _from_model(profile: UserProfile) -> User:
    from duelarena.dynamo.models import values

    return _from_item(values(profile))


def _to_item(user: User) -> dict[str, Any]:
    """The user's item, validated by ``UserProfile``'s schema (for the transaction that creates it)."""
    from duelarena.dynamo.models import UserProfile
    from duelarena.dynamo.models import item as model_item

    item = {k: v for k, v in asdict(user).items() if v is not None}
    item.update(
        pk=keys.user_pk(user.id),
        sk=keys.USER_PROFILE_SK,
        kind="user",
        gsi6pk=USERS_FEED,
        gsi6sk=keys.timeline_key(user.created_at, user.id),
        gsi7pk=keys.email_key(user.email),
        gsi7sk="USER",
    )
    return model_item(UserProfile, item)


def backfill_index_keys(item: dict[str, Any], *, write: bool = True) -> bool:
    """A user stored before the users moved to gsi6/gsi7 (``manage.py backfill_indexes``): give it its
    ``USERS`` feed and email lookup keys, and take it out of gsi1/gsi2 (``USERS``, ``EMAIL#``), where the
    game lists live now. Without it the admin's user list misses the user and sign-in by email does not
    find it. Whether it needed them (and, with ``write``, got them): False when the user has the keys
    already or is gone."""
    if item.get("gsi7pk") or item.get("sk") != keys.USER_PROFILE_SK:
        return False
    if not write:
        return True
    stale = [name for name in ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk") if name in item]
    try:
        items.update(
            item["pk"],
            item["sk"],
            set_values={
                "gsi6pk": USERS_FEED,
                "gsi6sk": keys.timeline_key(item["created_at"], item["id"]),
                "gsi7pk": keys.email_key(item["email"]),
                "gsi7sk": "USER",
            },
            remove=stale or None,
            expected_values={"gsi7pk": None},
        )
    except ConditionFailed:
        return False
    return True


def get(user_id: str) -> User | None:
    from duelarena.dynamo.models import UserProfile

    if not user_id or len(user_id) > 64:
        return None
    profile = UserProfile.get(consistent=True, pk=keys.user_pk(user_id), sk=keys.USER_PROFILE_SK)
    return _from_model(profile) if profile else None


def get_by_email(email: str) -> User | None:
    """One Query on gsi7 (EMAIL#<email>)."""
    from duelarena.dynamo.models import UserProfile

    try:
        normalized = normalize_email(email)
    except UserError:
        return None
    found = next(iter(UserProfile.ByEmail.query(gsi7pk=keys.email_key(normalized)).limit(1)), None)
    return _from_model(found) if found else None


def _get_by_email_consistent(normalized: str) -> User | None:
    """Through the guard item: strongly consistent, for the create race (a GSI lags behind)."""
    guard = items.get(keys.email_key(normalized), "EMAIL")
    return get(guard["user_id"]) if guard else None


def create(
    email: str,
    *,
    name: str = "",
    picture: str = "",
    roles: list[str] | None = None,
    user_id: str | None = None,
    password_hash: str = "",
) -> tuple[User, bool]:
    """Create a user, or return the existing one with that email. Returns (user, created)."""
    normalized = normalize_email(email)
    now = keys.now_iso()
    user = User(
        id=user_id or keys.new_id(),
        email=normalized,
        name=name[:200],
        picture=picture[:2000],
        roles=sorted(set(roles or ["player"])),
        created_at=now,
        password_hash=password_hash,
    )
    try:
        items.transact_write(
            [
                {
                    "Put": {
                        "Item": {"pk": keys.email_key(normalized), "sk": "EMAIL", "user_id": user.id},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"Item": _to_item(user), "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )
    except ConditionFailed:
        existing = _get_by_email_consistent(normalized)
        if existing is None:  # the id was taken, not the email: never silently reuse
            raise
        return existing, False
    return user, True


def update(user: User, *, also: Sequence[dict[str, Any]] | None = None, **changes: Any) -> User:
    """Change profile fields. Changing roles or status also bumps the session epoch, which revokes
    every admin session and access token issued before.

    With ``also`` (e.g. an audit item's Put), the change and those operations are one
    TransactWriteItems, conditioned on ``user`` being current (same session epoch, same values of the
    changed scalar fields): ``ConditionFailed`` when it changed since it was read."""
    unknown = set(changes) - (_FIELDS - {"id", "email", "created_at"})
    if unknown:
        raise UserError(f"cannot change {sorted(unknown)}")
    if "roles" in changes:
        roles = sorted(set(changes["roles"]))
        if not set(roles) <= set(ROLES):
            raise UserError(f"roles must be among {ROLES}")
        changes["roles"] = roles
    if "status" in changes and changes["status"] not in (ACTIVE, BANNED):
        raise UserError("status must be active or banned")
    add = {}
    if {"roles", "status"} & set(changes) and "session_epoch" not in changes:
        add["session_epoch"] = 1
    remove = [k for k, v in changes.items() if v is None]
    if also is not None:
        items.transact_write([_guarded_update(user, changes, add, remove), *also])
        found = get(user.id)
        if found is None:  # pragma: no cover - the transaction required the user to exist
            raise UserError("the user is gone")
        return found
    if remove:  # dynamorm's update_item writes SET only: a REMOVE goes through the client
        new = items.update(
            keys.user_pk(user.id),
            keys.USER_PROFILE_SK,
            set_values={k: v for k, v in changes.items() if v is not None} or None,
            add_values=add or None,
            remove=remove,
        )
        return _from_item(new)
    return _update_profile(user.id, **changes, **{f"{name}__plus": n for name, n in add.items()})


def _update_profile(user_id: str, *, conditions: Any = None, **updates: Any) -> User:
    """One UpdateItem through ``UserProfile`` (SET, ``name__plus`` for counters), on an existing user
    and under ``conditions`` (boto3 ``Attr`` conditions). Returns the user as stored after it.

    ``session_epoch__plus`` is ``SET session_epoch = session_epoch + n``, which (unlike the client's
    ``ADD``) needs the attribute: every user item has it (``create`` stores 0)."""
    from boto3.dynamodb.conditions import Attr

    from duelarena.dynamo.models import UserProfile

    exists = Attr("pk").exists()
    response = UserProfile.update_item(
        conditions=exists if conditions is None else exists & conditions,
        update_item_kwargs={"ReturnValues": "ALL_NEW"},
        pk=keys.user_pk(user_id),
        sk=keys.USER_PROFILE_SK,
        **updates,
    )
    return _from_model(UserProfile.new_from_raw(response["Attributes"]))


def _guarded_update(user: User, changes: dict[str, Any], add: dict[str, int], remove: list[str]) -> dict[str, Any]:
    """The UpdateItem of ``update`` as a transaction operation, conditioned on ``user`` being current
    (same session epoch, same values of the changed scalar fields)."""
    expected: dict[str, Any] = {"session_epoch": user.session_epoch}
    for name in changes:
        was = getattr(user, name)
        if was is None or isinstance(was, str | int | bool):
            expected[name] = was
    return {
        "Update": items.update_operation(
            keys.user_pk(user.id),
            keys.USER_PROFILE_SK,
            set_values={k: v for k, v in changes.items() if v is not None} or None,
            add_values=add or None,
            remove=remove or None,
            expected_values=expected,
        )
    }


def revoke_sessions(user: User) -> User:
    """Logout everywhere: bump the epoch mixed into session hashes and access tokens."""
    return _update_profile(user.id, session_epoch__plus=1)


MAX_REVOKED_FAMILIES = 50


def revoke_family(user: User, family: str, until: int, *, now: float | None = None) -> User:
    """Refuse the access tokens of one refresh family (one sign-in) until ``until``: logout.

    Entries whose access tokens have all expired are dropped on the way, so the map stays small. The
    write is conditioned on the map read with ``user`` (a concurrent logout is retried on a fresh read);
    a user with more live entries than ``MAX_REVOKED_FAMILIES`` is logged out everywhere instead (the
    session epoch), which revokes the same tokens and more."""
    from boto3.dynamodb.conditions import Attr

    current = time.time() if now is None else now
    for _ in range(5):
        kept = {f: t for f, t in (user.revoked_families or {}).items() if t > current}
        if len(kept) >= MAX_REVOKED_FAMILIES:  # every token of the old epoch dies: the list can go
            # REMOVE, which dynamorm cannot write: through the client.
            new = items.update(
                keys.user_pk(user.id),
                keys.USER_PROFILE_SK,
                add_values={"session_epoch": 1},
                remove=["revoked_families"],
            )
            return _from_item(new)
        kept[family] = max(until, kept.get(family, 0))
        stored = user.revoked_families if user.revoked_families else None
        rf = Attr("revoked_families")
        try:
            return _update_profile(
                user.id,
                revoked_families=kept,
                conditions=(rf.not_exists() | rf.size().eq(0)) if stored is None else rf.eq(stored),
            )
        except ConditionFailed:
            fresh = get(user.id)
            if fresh is None:
                raise UserError("the user is gone") from None
            user = fresh
    raise ConditionFailed("the user changed too often to record the logout")


def list_page(cursor: str | None = None, limit: int = 50) -> items.Page:
    """The admin's user list, newest first: one Query on gsi6 (``USERS``) through ``UserProfile``."""
    from duelarena.dynamo.models import UserProfile, page, values

    found, next_cursor = page(
        UserProfile.ByCreated.query(gsi6pk=USERS_FEED),
        partition=USERS_FEED,
        index="gsi6",
        newest_first=True,
        limit=limit,
        cursor=cursor,
    )
    return items.Page(items=[values(p) for p in found], next_cursor=next_cursor)


def from_item(item: dict[str, Any]) -> User:
    return _from_item(item)
