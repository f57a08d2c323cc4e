"""``manage.py backfill_indexes`` on DynamoDB Local: items stored in the shapes before this round's index
changes (users and audit entries on gsi1/gsi2, ended games without ``ended_*`` copies) are found by every
read again after one run; a second run writes nothing; ``--dry-run`` writes nothing."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from accounts import users
from duelarena import audit
from duelarena.dynamo import items, keys
from games import selectors, service, store
from games.tests.conftest import make_player

pytestmark = pytest.mark.integration


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("backfill_indexes", *args, stdout=out)
    return out.getvalue().strip()


def old_user(email: str) -> users.User:
    """A user as stored before users moved to gsi6/gsi7: the USERS feed on gsi1, the email on gsi2."""
    user, _ = users.create(email)
    item = items.get(keys.user_pk(user.id), keys.USER_PROFILE_SK)
    items.update(
        item["pk"],
        item["sk"],
        set_values={"gsi1pk": "USERS", "gsi1sk": item["gsi6sk"], "gsi2pk": item["gsi7pk"], "gsi2sk": "USER"},
        remove=["gsi6pk", "gsi6sk", "gsi7pk", "gsi7sk"],
    )
    return user


def old_audit_entry() -> audit.Entry:
    actor = SimpleNamespace(id="admin-1", email="root@example.com")
    entry = audit.record(audit.new(actor, "hide", "game", "g" * 32, before={"hidden": False}, after={"hidden": True}))
    pk, sk = audit.object_partition("game", "g" * 32), keys.timeline_key(entry.at, entry.id)
    items.update(pk, sk, set_values={"gsi1pk": audit.FEED, "gsi1sk": sk}, remove=["gsi6pk", "gsi6sk"])
    return entry


def test_old_users_audit_entries_and_ended_games_are_found_again_after_one_run(ddb_local):
    alice = old_user("alice@example.com")
    entry = old_audit_entry()
    owner = make_player("owner@example.com")
    ended = service.play_until_over(
        service.create_game(owner.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random").id
    )
    items.update(keys.game_pk(ended.id), keys.GAME_META_SK, remove=list(store.ENDED_ATTRIBUTES))
    live = service.create_game(owner.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    live_item = items.get(keys.game_pk(live.id), keys.GAME_META_SK)

    # What these old shapes break: sign-in by email, the admin's user list, the recent actions, the list
    # rows of an ended game (no progress shown).
    assert users.get_by_email("alice@example.com") is None
    assert alice.id not in {u.id for u in map(users.from_item, users.list_page().items)}
    assert entry.id not in {e.id for e in audit.recent(limit=50).entries}
    row = next(r for r in selectors.list_mine(owner.user, cursor=None, limit=10)["items"] if r["id"] == ended.id)
    assert row["ply"] is None

    assert (
        backfill("--dry-run")
        == "user: 1 would write of 2 read, audit: 1 would write of 1 read, game: 1 would write of 2 read"
    )
    assert users.get_by_email("alice@example.com") is None  # a dry run writes nothing

    assert backfill() == "user: 1 written of 2 read, audit: 1 written of 1 read, game: 1 written of 2 read"
    assert users.get_by_email("alice@example.com").id == alice.id
    assert alice.id in {u.id for u in map(users.from_item, users.list_page().items)}
    assert entry.id in {e.id for e in audit.recent(limit=50).entries}
    row = next(r for r in selectors.list_mine(owner.user, cursor=None, limit=10)["items"] if r["id"] == ended.id)
    assert row == selectors.game_summary(store.get(ended.id))  # the whole row again, progress included
    # Out of the game indexes it was in; a live game untouched.
    user_item = items.get(keys.user_pk(alice.id), keys.USER_PROFILE_SK)
    assert not {"gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"} & set(user_item)
    assert items.get(keys.game_pk(live.id), keys.GAME_META_SK) == live_item

    assert backfill() == "user: 0 written of 2 read, audit: 0 written of 1 read, game: 0 written of 2 read"


def test_a_game_that_changed_since_the_scan_is_left_to_its_writer(ddb_local):
    owner = make_player("owner@example.com")
    ended = service.play_until_over(
        service.create_game(owner.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random").id
    )
    items.update(keys.game_pk(ended.id), keys.GAME_META_SK, remove=list(store.ENDED_ATTRIBUTES))
    scanned = items.get(keys.game_pk(ended.id), keys.GAME_META_SK)
    items.update(keys.game_pk(ended.id), keys.GAME_META_SK, add_values={"version": 1})  # a write in between
    assert store.backfill_list_progress(scanned) is False
    assert "ended_ply" not in items.get(keys.game_pk(ended.id), keys.GAME_META_SK)
