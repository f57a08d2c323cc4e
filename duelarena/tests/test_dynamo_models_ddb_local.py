"""The dynamorm models of the single-item entities, on DynamoDB Local: their reads and writes, their
conditions, their index queries, and that each costs the one call it did on the raw client."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from dynamorm.exceptions import ValidationError

from accounts import users
from duelarena import audit
from duelarena.dynamo import connection, items, keys, models, schema
from duelarena.dynamo.errors import ConditionFailed, InvalidCursor
from duelarena.dynamo.models import AuditEntry, ImportLedger, LeaderboardItem, Tournament, UserProfile
from games import leaderboard

pytestmark = pytest.mark.integration


def calls(fn, *args, **kwargs):
    """(fn's result, the DynamoDB calls it made)."""
    connection.start_counting()
    result = fn(*args, **kwargs)
    return result, connection.call_count()


# ------------------------------------------------------------------------------ the declarations


def test_model_indexes_are_the_tables_gsis():
    declared = {g: (f"{g}pk", f"{g}sk") for g in schema.GSI_NAMES}
    for model in models.MODELS:
        assert model.Table.hash_key == "pk" and model.Table.range_key == "sk"
        for name, index in model.Table.indexes.items():
            assert (index.hash_key, index.range_key) == declared[name], (model.__name__, name)
            assert schema.GSI_PROJECTIONS[name] == {"ProjectionType": "ALL"}  # full items come back
    assert models.model_indexes() == {
        "UserProfile": ["gsi6", "gsi7"],
        "LeaderboardItem": [],
        "Tournament": [],
        "ImportLedger": [],
        "AuditEntry": ["gsi6"],
    }


def test_schematics_backend_and_integers_only():
    assert UserProfile.Schema.__mro__[1].__module__ == "dynamorm.types._schematics"
    with pytest.raises(ValidationError):  # a number field refuses text: nothing reaches DynamoDB
        models.item(UserProfile, {"pk": "USER#x", "sk": "PROFILE", "id": "x", "email": "x@y", "session_epoch": "two"})


# -------------------------------------------------------------------------------------- users


def test_user_profile_get_update_and_email_index(ddb_local):
    user, created = users.create("Ada@Example.com", name="Ada")
    assert created
    stored = UserProfile.get(consistent=True, pk=keys.user_pk(user.id), sk=keys.USER_PROFILE_SK)
    assert (stored.email, stored.gsi6pk, stored.gsi7pk) == ("ada@example.com", "USERS", "EMAIL#ada@example.com")
    assert type(stored.session_epoch) is int

    got, n = calls(users.get, user.id)
    assert (got, n) == (user, 1)
    by_email, n = calls(users.get_by_email, "ada@example.com")
    assert (by_email, n) == (user, 1)  # one Query on gsi7
    assert users.get_by_email("nobody@example.com") is None

    changed, n = calls(users.update, user, roles=["player", "moderator"], name="Ada L.")
    assert n == 1  # one UpdateItem, returning the new item
    assert (changed.roles, changed.name, changed.session_epoch) == (["moderator", "player"], "Ada L.", 1)
    assert users.get(user.id) == changed

    budget = users.update(changed, daily_budget_micros=5)
    assert budget.daily_budget_micros == 5
    back = users.update(budget, daily_budget_micros=None)  # REMOVE: through the client
    assert back.daily_budget_micros is None and "daily_budget_micros" not in items.get(
        keys.user_pk(user.id), keys.USER_PROFILE_SK
    )

    revoked, n = calls(users.revoke_sessions, back)
    assert (revoked.session_epoch, n) == (back.session_epoch + 1, 1)


def test_user_update_of_a_missing_user_fails_and_creates_nothing(ddb_local):
    ghost = users.User(id=keys.new_id(), email="ghost@example.com")
    with pytest.raises(ConditionFailed):
        users.update(ghost, name="Boo")
    with pytest.raises(ConditionFailed):
        users.revoke_sessions(ghost)
    assert items.get(keys.user_pk(ghost.id), keys.USER_PROFILE_SK) is None


def test_revoke_family_is_conditioned_on_the_map_it_read(ddb_local):
    user, _ = users.create("bo@example.com")
    first = users.revoke_family(user, "fam1", until=2_000, now=1_000)
    assert first.revoked_families == {"fam1": 2_000}
    # ``user`` is stale (no map): the conditional write fails, the map is re-read and both kept.
    second, n = calls(users.revoke_family, user, "fam2", until=3_000, now=1_000)
    assert second.revoked_families == {"fam1": 2_000, "fam2": 3_000}
    assert n == 3  # the lost UpdateItem, the fresh GetItem, the UpdateItem that won
    assert users.get(user.id).revoked_families == {"fam1": 2_000, "fam2": 3_000}


def test_user_list_pages_newest_first_on_gsi6(ddb_local):
    made = [users.create(f"u{i}@example.com")[0] for i in range(5)]
    first, n = calls(users.list_page, limit=3)
    assert n == 1
    assert [i["id"] for i in first.items] == [u.id for u in reversed(made)][:3]
    rest = users.list_page(cursor=first.next_cursor, limit=3)
    assert [i["id"] for i in rest.items] == [made[1].id, made[0].id]
    # The cursor is the adapter's (same as ``items.query`` on gsi6 USERS), and bound to that query.
    same = items.query("USERS", index="gsi6", newest_first=True, limit=3, cursor=first.next_cursor)
    assert [i["id"] for i in same.items] == [i["id"] for i in rest.items]
    with pytest.raises(InvalidCursor):
        audit.recent(cursor=first.next_cursor)


# -------------------------------------------------------------------------------- leaderboard


def test_leaderboard_item_read_and_conditional_write(ddb_local, settings):
    settings.LEADERBOARD_BOOTSTRAP = 10
    empty, n = calls(leaderboard.read, "chess")
    assert (empty["computed_at"], empty["models"], n) == (None, [], 1)

    stored, n = calls(leaderboard.recompute, "chess")
    assert n == 2  # the results Query (client) and the board's UpdateItem (model)
    item = LeaderboardItem.get(pk="LEADERBOARD#chess", sk="CURRENT")
    assert (item.kind, item.game_type, item.source_results) == ("leaderboard", "chess", 0)
    assert leaderboard.read("chess") == stored

    # A board computed from a later read is never overwritten by an older recompute...
    LeaderboardItem.update_item(pk="LEADERBOARD#chess", sk="CURRENT", read_at="9999", body=json.dumps(empty))
    assert leaderboard.recompute("chess")["computed_at"] == item.computed_at
    assert LeaderboardItem.get(pk="LEADERBOARD#chess", sk="CURRENT").read_at == "9999"
    # ...unless forced.
    forced = leaderboard.recompute("chess", force=True)
    assert LeaderboardItem.get(pk="LEADERBOARD#chess", sk="CURRENT").read_at < "9999"
    assert leaderboard.read("chess") == forced


# --------------------------------------------------------------------------------- tournament


def test_tournament_put_unique_and_get(ddb_local):
    from django.core.management.base import CommandError

    from games.management.commands.tournament import Command

    spec = {"game_type": "tictactoe", "players": ["builtin:random", "builtin:searcher"], "rounds": 1, "seed": 3}
    command = Command()
    created, n = calls(command._load_or_store, "cup", spec)
    assert n == 1  # one conditional PutItem
    stored = Tournament.get(consistent=True, pk="TOURNAMENT#cup", sk="META")
    assert (stored.kind, json.loads(stored.spec)) == ("tournament", spec)
    resumed, n = calls(command._load_or_store, "cup", spec)
    assert (resumed, n) == (created, 2)  # the put that lost, the GetItem
    with pytest.raises(ConditionFailed):
        Tournament.put_unique(
            models.item(Tournament, {"pk": "TOURNAMENT#cup", "sk": "META", "id": "cup", "spec": "{}", "schedule": "[]"})
        )
    with pytest.raises(CommandError, match="other settings"):
        command._load_or_store("cup", dict(spec, rounds=2))


# ------------------------------------------------------------------------------ import ledger


def test_import_ledger_batch_and_query(ddb_local):
    from games import legacy_import

    entries = [legacy_import._ledger_item("GAME", str(i), f"{i:032x}") for i in range(30)]  # two batches
    legacy_import._write_ledger(entries)
    found, n = calls(lambda: list(ImportLedger.query(pk="IMPORT#legacy-sqlite").consistent().recursive()))
    assert n == 1
    assert {(e.sk, e.target, e.kind) for e in found} == {(f"GAME#{i}", f"{i:032x}", "import") for i in range(30)}
    with pytest.raises(ValidationError):  # a ledger item without its keys is refused before any write
        ImportLedger.put_batch({"target": "x"})


# ------------------------------------------------------------------------------------- audit


def _entry(i: int, object_id: str = "g1") -> audit.Entry:
    actor = SimpleNamespace(id="u1", email="mod@example.com")
    entry = audit.new(actor, "change", audit.GAME, object_id, before={"flagged": False}, after={"flagged": True})
    return audit.Entry(**{**entry.__dict__, "at": f"2026-01-01T00:00:{i:02d}.000000+00:00"})


def test_audit_record_history_and_feed(ddb_local):
    entries = [_entry(i) for i in range(4)] + [_entry(9, object_id="g2")]
    for entry in entries:
        _, n = calls(audit.record, entry)
        assert n == 1
    with pytest.raises(ConditionFailed):  # an entry is written once
        audit.record(entries[0])

    first, n = calls(audit.history, audit.GAME, "g1", limit=3)
    assert n == 1
    assert [e.id for e in first.entries] == [e.id for e in reversed(entries[:4])][:3]
    assert first.entries[0] == entries[3]  # before/after back from their JSON text
    rest = audit.history(audit.GAME, "g1", cursor=first.next_cursor, limit=3)
    assert [e.id for e in rest.entries] == [entries[0].id] and rest.next_cursor is None

    feed, n = calls(audit.recent, limit=10)
    assert n == 1
    assert [e.id for e in feed.entries] == [e.id for e in sorted(entries, key=lambda e: e.at, reverse=True)]


def test_audit_put_operation_is_the_models_item_in_a_transaction(ddb_local):
    user, _ = users.create("mod@example.com")
    entry = audit.new(user, "change", audit.USER, user.id, before={"name": ""}, after={"name": "M"})
    operation = audit.put_operation(entry)
    assert operation["Put"]["Item"] == models.item(AuditEntry, operation["Put"]["Item"])
    users.update(user, also=[operation], name="M")
    assert audit.history(audit.USER, user.id).entries == [entry]
