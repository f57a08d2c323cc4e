"""Game list indexes carry only list rows (gsi1-gsi4: ``schema.GAME_LIST_ATTRIBUTES``/
``GAME_ADMIN_ATTRIBUTES``), on DynamoDB Local.

Every list read still gives what its page shows (the API's rows equal rows built from the whole game
item; the admin's columns and filters work, on gsi4 and on an owner's gsi1), and the writes a turn
makes no longer copy the game's state into those indexes: a turn's claim (the lease) writes no index
at all, and no game write touches the user/audit indexes (gsi6/gsi7).
"""

from __future__ import annotations

import pytest

from duelarena.dynamo import connection, items
from duelarena.dynamo.schema import (
    GAME_ADMIN_ATTRIBUTES,
    GAME_LIST_ATTRIBUTES,
    GSI_PROJECTIONS,
    PROJECTED_ATTRIBUTES_CAP,
)
from games import selectors, service, store
from games.tests.conftest import make_player

pytestmark = pytest.mark.integration


@pytest.fixture
def dora(ddb_local):
    return make_player("dora@example.com")


def _game_with_history(player):
    game = service.create_game(player.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    for _ in range(3):
        service.step(game.id, player.user)
    store.set_driving(store.get(game.id), autoplay=True, due_at=None)
    return store.get(game.id)


def _rows(player, game_type: str = "tictactoe", status: str | None = None) -> list[dict]:
    by_type = selectors.list_public(game_type=game_type, status=status, cursor=None, limit=10)["items"]
    feed = selectors.list_public(game_type=None, status=status, cursor=None, limit=10)["items"]
    mine = selectors.list_mine(player.user, cursor=None, limit=10)["items"]
    assert by_type == feed == mine
    return by_type


def test_a_live_games_list_row_is_its_whole_row_without_its_progress(dora):
    game = _game_with_history(dora)
    whole = selectors.game_summary(store.get(game.id))
    assert whole["ply"] == 3 and whole["moves_count"] == 3 and whole["autoplay"] is True
    unknown = {"ply": None, "moves_count": None, "updated_at": None}
    assert _rows(dora, status="live") == [{**whole, **unknown}]


def test_an_ended_games_list_row_equals_the_row_of_the_whole_item(dora):
    game = _game_with_history(dora)
    ended = service.play_until_over(game.id)
    assert ended.status == "finished"
    whole = selectors.game_summary(store.get(game.id))
    assert _rows(dora, status="finished") == [whole]
    assert whole["ply"] == ended.ply and whole["moves_count"] == ended.moves_count
    assert whole["updated_at"] == ended.updated_at


def test_admin_list_has_its_columns_and_filters(dora):
    game = _game_with_history(dora)
    full = store.get(game.id)
    page = store.list_for_moderation(game_type="tictactoe", status="live", hidden=False)
    [row] = page.games
    assert (row.id, row.white, row.black, row.owner_id, row.status) == (
        full.id,
        full.white,
        full.black,
        full.owner_id,
        full.status,
    )
    assert row.flagged == full.flagged and row.created_at == full.created_at
    assert row.progress_known is False  # a live game's progress is not in the list rows
    assert store.list_for_moderation(game_type="chess").games == []
    assert store.list_for_moderation(status="finished").games == []
    ended = service.play_until_over(game.id)
    [row] = store.list_for_moderation(game_type="tictactoe", status="finished").games
    assert row.progress_known and (row.moves_count, row.ply, row.totals) == (ended.moves_count, ended.ply, ended.totals)


def test_admin_owner_filter_pages_gsi1_with_its_columns(dora):
    game = _game_with_history(dora)
    ended = service.play_until_over(game.id)
    [row] = store.list_for_moderation(owner_id=dora.user.id, game_type="tictactoe", hidden=False).games
    assert row.totals == ended.totals and row.flagged == ended.flagged and row.moves_count == ended.moves_count
    assert row.state == {} and row.bot_secret is None  # a list row, not the game item
    assert store.list_for_moderation(owner_id=dora.user.id, flagged=True).games == []


def test_a_turn_that_leaves_the_status_as_it_was_writes_no_list_row(dora, no_turn_backend):
    """A turn's write changes the game's progress, which the list rows no longer carry: DynamoDB Local
    reports no write to gsi1-gsi4 for it; the write that ends the game rewrites them (its status).
    No turn backend: the test plays every turn itself (the in-process runner would race it)."""
    game = service.create_game(dora.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    service.start_autoplay(game.id, dora.user)  # in the due index, as an autoplaying game stays
    seen: list[dict] = []
    connection.observe_calls(lambda op, params, parsed: seen.extend(_consumed(parsed)))
    try:
        assert service.play_due_turn(game.id, 0) == service.TurnOutcome.PLAYED
    finally:
        connection.observe_calls(None)
    written = {name for c in seen for name in (c.get("GlobalSecondaryIndexes") or {})}
    assert store.get(game.id).ply == 1 and "gsi5" in written  # the report is per index
    assert not {"gsi1", "gsi2", "gsi3", "gsi4"} & written
    seen.clear()
    connection.observe_calls(lambda op, params, parsed: seen.extend(_consumed(parsed)))
    try:
        service.play_until_over(game.id)
    finally:
        connection.observe_calls(None)
    written = {name for c in seen for name in (c.get("GlobalSecondaryIndexes") or {})}
    assert {"gsi1", "gsi2", "gsi3", "gsi4"} <= written


def test_game_list_entries_carry_no_state(dora):
    game = _game_with_history(dora)
    for index, partition in (("gsi1", f"OWNER#{dora.user.id}"), ("gsi2", "FEED"), ("gsi3", "FEED#tictactoe")):
        [entry] = items.query(partition, index=index, limit=5).items
        assert entry["id"] == game.id and not {"state", "options", "bot_secret", "lease_until"} & set(entry)


def test_game_indexes_project_list_rows_not_state():
    for name, attributes in (
        ("gsi1", GAME_ADMIN_ATTRIBUTES),
        ("gsi2", GAME_LIST_ATTRIBUTES),
        ("gsi3", GAME_LIST_ATTRIBUTES),
        ("gsi4", GAME_ADMIN_ATTRIBUTES),
    ):
        projection = GSI_PROJECTIONS[name]
        assert projection["ProjectionType"] == "INCLUDE"
        assert set(projection["NonKeyAttributes"]) == set(attributes)
        assert not {"state", "options", "bot_secret", "lease_until", "lease_token", "due_at"} & set(attributes)
    total = sum(len(p.get("NonKeyAttributes", [])) for p in GSI_PROJECTIONS.values())
    assert total <= PROJECTED_ATTRIBUTES_CAP == 100  # DynamoDB's cap, summed over all indexes


def test_a_claim_writes_no_index_entry(dora):
    """What DynamoDB Local reports per index for the claim's UpdateItem: only the table. Before, the due
    index too (the claim moved the game's due time to the lease's end, two index writes; the sweeper
    now does that, only for a turn still running after the grace period), and before the list levers
    gsi1/gsi2 (ALL), and before them gsi3/gsi4, were rewritten whole too."""
    game = service.create_game(dora.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    game = store.set_driving(game, autoplay=True, due_at=100)
    seen: list[dict] = []
    connection.observe_calls(lambda op, params, parsed: seen.append(parsed.get("ConsumedCapacity") or {}))
    try:
        store.claim_turn(game, token="t" * 32, until=200, now=150)
    finally:
        connection.observe_calls(None)
    [consumed] = seen
    assert consumed["Table"]["CapacityUnits"] > 0 and not consumed.get("GlobalSecondaryIndexes")
    assert store.get(game.id).due_at == 100  # still due when it was (the lease says a worker is on it)


def test_a_turn_writes_no_user_or_audit_index(dora):
    game = service.create_game(dora.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    seen: list[dict] = []
    connection.observe_calls(lambda op, params, parsed: seen.extend(_consumed(parsed)))
    try:
        service.step(game.id, dora.user)
    finally:
        connection.observe_calls(None)
    written = {name for c in seen for name in (c.get("GlobalSecondaryIndexes") or {})}
    assert {"gsi1", "gsi2"} <= written and not {"gsi6", "gsi7"} & written


def _consumed(parsed: dict) -> list[dict]:
    found = parsed.get("ConsumedCapacity") or []
    return found if isinstance(found, list) else [found]
