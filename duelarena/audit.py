"""The audit log: who changed what, when, and from what to what. The only module that builds audit items.

Items (see the access-pattern table in ``duelarena/dynamo/schema.py``):

- ``AUDIT#<object kind>#<object id>`` / ``<at ISO-8601>#<entry id>``: one change of one object. The
  object's history is one Query on its partition, newest first.
- gsi6 = ``AUDIT`` / ``<at>#<entry id>``: the feed of every change, newest first (the admin index's
  "Recent actions"). gsi6 holds only users (``USERS``) and audit entries, so ``AUDIT`` cannot collide
  with another partition and no game write is ever copied there.

A change and its audit item are written together: the module that owns the object puts
``put_operation(entry)`` into the same TransactWriteItems as the change, so neither can exist without
the other. ``record`` writes an entry on its own, for events that change nothing else.
``before``/``after`` are stored as JSON text: any shape, exact numbers, no DynamoDB type surprises.

Storage: the dynamorm model ``duelarena.dynamo.models.AuditEntry`` declares the item (and its gsi6
feed); ``record`` puts through it (conditioned on the entry not existing), ``history`` and ``recent``
query through it. ``put_operation`` hands the same validated item to the owner's transaction, which
goes through the raw client (dynamorm has no transactions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed

# ``duelarena.dynamo.models`` (dynamorm, schematics, boto3) is imported on first use, not at start-up.

KIND = "audit"
FEED = "AUDIT"
MAX_REPR = 200
# Kinds of audited objects (the ``<kind>`` of ``AUDIT#<kind>#<id>``).
GAME, USER = "game", "user"


class Actor(Protocol):
    """Who acts: anything with an id and an email (``accounts.users.User``); only read here."""

    @property
    def id(self) -> str: ...

    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class Entry:
    id: str
    at: str
    actor_id: str
    actor_email: str
    action: str
    object_kind: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None

    @property
    def at_datetime(self) -> datetime:
        return datetime.fromisoformat(self.at)

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """``(field, before, after)`` for dict-shaped before/after; empty for other shapes."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        return [(name, before.get(name), after.get(name)) for name in sorted(set(before) | set(after))]

    @property
    def summary(self) -> str:
        """One line for people: ``flagged: False -> True; hidden: ...``."""
        if self.changes:
            return "; ".join(f"{name}: {old!r} -> {new!r}" for name, old, new in self.changes)
        if self.after is None and self.before is not None:
            return "deleted"
        return ""


def object_partition(object_kind: str, object_id: str) -> str:
    return f"AUDIT#{object_kind}#{object_id}"


def new(
    actor: Actor,
    action: str,
    object_kind: str,
    object_id: str,
    *,
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
) -> Entry:
    return Entry(
        id=keys.new_id(),
        at=keys.now_iso(),
        actor_id=actor.id,
        actor_email=actor.email,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        object_repr=(object_repr or object_id)[:MAX_REPR],
        before=before,
        after=after,
    )


def _item(entry: Entry) -> dict[str, Any]:
    from duelarena.dynamo.models import AuditEntry, item

    timeline = keys.timeline_key(entry.at, entry.id)
    return item(
        AuditEntry,
        {
            "pk": object_partition(entry.object_kind, entry.object_id),
            "sk": timeline,
            "kind": KIND,
            "id": entry.id,
            "at": entry.at,
            "actor_id": entry.actor_id,
            "actor_email": entry.actor_email,
            "action": entry.action,
            "object_kind": entry.object_kind,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "before": json.dumps(entry.before, sort_keys=True, default=str),
            "after": json.dumps(entry.after, sort_keys=True, default=str),
            "gsi6pk": FEED,
            "gsi6sk": timeline,
        },
    )


def _entry(item: dict[str, Any]) -> Entry:
    return Entry(
        id=item["id"],
        at=item["at"],
        actor_id=item["actor_id"],
        actor_email=item.get("actor_email", ""),
        action=item["action"],
        object_kind=item["object_kind"],
        object_id=item["object_id"],
        object_repr=item.get("object_repr", ""),
        before=json.loads(item.get("before") or "null"),
        after=json.loads(item.get("after") or "null"),
    )


def put_operation(entry: Entry) -> dict[str, Any]:
    """The Put for a TransactWriteItems that also holds the change itself."""
    return {"Put": {"Item": _item(entry), "ConditionExpression": "attribute_not_exists(pk)"}}


def record(entry: Entry) -> Entry:
    """Write an entry on its own (no other item changes with it)."""
    from duelarena.dynamo.models import AuditEntry

    AuditEntry.put_unique(_item(entry))
    return entry


@dataclass(frozen=True)
class AuditPage:
    entries: list[Entry]
    next_cursor: str | None


def backfill_index_keys(item: dict[str, Any], *, write: bool = True) -> bool:
    """An entry stored before the feed moved to gsi6 (``manage.py backfill_indexes``): put it in the
    ``AUDIT`` feed on gsi6 and take it out of gsi1. Whether it needed that (and, with ``write``, got it):
    False when it is there already or is gone."""
    if item.get("gsi6pk") or item.get("kind") != KIND:
        return False
    if not write:
        return True
    stale = [name for name in ("gsi1pk", "gsi1sk") if name in item]
    try:
        items.update(
            item["pk"],
            item["sk"],
            set_values={"gsi6pk": FEED, "gsi6sk": item["sk"]},
            remove=stale or None,
            expected_values={"gsi6pk": None},
        )
    except ConditionFailed:
        return False
    return True


def history(object_kind: str, object_id: str, *, cursor: str | None = None, limit: int = 50) -> AuditPage:
    """One object's changes, newest first: one Query on its partition."""
    from duelarena.dynamo.models import AuditEntry, page, values

    partition = object_partition(object_kind, object_id)
    found, next_cursor = page(
        AuditEntry.query(pk=partition), partition=partition, index=None, newest_first=True, limit=limit, cursor=cursor
    )
    return AuditPage([_entry(values(e)) for e in found], next_cursor)


def recent(*, cursor: str | None = None, limit: int = 10) -> AuditPage:
    """Every change, newest first: one Query on gsi6 (``AUDIT``)."""
    from duelarena.dynamo.models import AuditEntry, page, values

    found, next_cursor = page(
        AuditEntry.Feed.query(gsi6pk=FEED), partition=FEED, index="gsi6", newest_first=True, limit=limit, cursor=cursor
    )
    return AuditPage([_entry(values(e)) for e in found], next_cursor)
