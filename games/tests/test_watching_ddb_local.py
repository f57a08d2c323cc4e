"""Cheap watching on DynamoDB Local: ETag/304 and moves?after, with the capacity DynamoDB reports."""

from __future__ import annotations

import random
import string

import pytest

from duelarena.dynamo import items, keys
from games import moderation, store
from games.records import Attempt, Game, Move, empty_totals
from games.rules import get_rules
from games.tests.conftest import make_player
from games.tests.helpers import assert_error, get

pytestmark = pytest.mark.integration
PLIES = 300
# ~2 KB of random letters, like a model's prompt with the move list: stored compressed (store.ATTEMPTS_BLOB),
# a repeated sentence would shrink to nothing, random letters only to about 1.5 KB.
PROMPT = "".join(random.Random(7).choices(string.ascii_letters + " ", k=2000))


def _long_model_game(plies: int = PLIES) -> Game:
    """A chess game between two models at ply 300: a game item whose state holds 300 UCI and SAN
    moves (as a real one does), and 300 move items, each with a model attempt and its prompt."""
    rules = get_rules("chess")
    options = rules.validate_options({"max_plies": 1000})
    state = rules.initial_state(options, 7)
    cycle_uci, cycle_san = ["g1f3", "g8f6", "f3g1", "f6g8"], ["Nf3", "Nf6", "Ng1", "Ng8"]
    state["moves"], state["san"] = (cycle_uci * plies)[:plies], (cycle_san * plies)[:plies]
    now = keys.now_iso()
    game = Game(
        id=keys.new_id(),
        game_type="chess",
        white="openai:gpt-4.1-mini",
        black="openai:gpt-4.1-nano",
        owner_id="owner",
        seed=7,
        options=options,
        state=state,
        created_at=now,
        updated_at=now,
        ply=plies,
        moves_count=plies,
        totals=empty_totals(),
        version=plies + 1,
    )
    store.create(game)
    moves = [
        Move(
            game.id,
            ply,
            "white" if ply % 2 == 0 else "black",
            cycle_uci[ply % 4],
            f"MOVE: {cycle_san[ply % 4]}",
            [
                Attempt(
                    1,
                    prompt=PROMPT,
                    answer=f"MOVE: {cycle_san[ply % 4]}",
                    parsed=cycle_uci[ply % 4],
                    tokens_in=900,
                    tokens_out=40,
                    cost_micros=400,
                    latency_ms=800,
                )
            ],
            now,
        )
        for ply in range(plies)
    ]
    items.batch_put([store.move_item(m) for m in moves])
    return game


def _units(reply) -> tuple[int, float, float]:
    return int(reply["X-DynamoDB-Calls"]), float(reply["X-DynamoDB-RCU"]), float(reply["X-DynamoDB-WCU"])


def test_an_unchanged_game_at_ply_300_is_a_304_for_one_getitem_and_at_most_one_read_unit(client, ddb_local, settings):
    settings.DEBUG = True
    game = _long_model_game()
    full = get(client, f"/api/games/{game.id}")
    assert full.status_code == 200 and len(full.json()["moves"]) == PLIES
    calls, full_rcu, _ = _units(full)
    assert calls == 1 and full_rcu > 50  # the whole partition, every prompt (what polling cost before)
    tag = full["ETag"]
    assert tag == f'W/"{PLIES + 1}.000"'  # version, autoplay off, not hidden, not analysed

    again = client.get(f"/api/games/{game.id}", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    calls, rcu, wcu = _units(again)
    print(f"ply {PLIES}: full view {full_rcu} RCU, 304 {rcu} RCU")
    assert calls == 1 and 0 < rcu <= 1 and wcu == 0, (calls, rcu)

    nothing_new = get(client, f"/api/games/{game.id}/moves?after={PLIES - 1}")
    assert nothing_new.status_code == 200 and nothing_new.json()["moves"] == []
    assert nothing_new.json()["ply"] == PLIES and nothing_new.json()["etag"] == tag
    calls, rcu, _ = _units(nothing_new)
    assert calls == 1 and rcu <= 1  # the game item only: no Query when nothing is newer


def test_a_changed_game_gets_the_full_view_and_moves_after_reads_only_new_moves(client, ddb_local, settings):
    settings.DEBUG = True
    game = _long_model_game(40)
    tag = get(client, f"/api/games/{game.id}")["ETag"]
    store.set_autoplay(game.id, True)  # not versioned, but part of the view: the tag changes
    changed = client.get(f"/api/games/{game.id}", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed.json()["autoplay"] is True and changed["ETag"] != tag
    assert _units(changed)[0] == 2  # the GetItem that found a new tag, then the full Query

    newer = get(client, f"/api/games/{game.id}/moves?after=35")
    assert [m["ply"] for m in newer.json()["moves"]] == [36, 37, 38, 39]
    calls, rcu, _ = _units(newer)
    everything = get(client, f"/api/games/{game.id}/moves")
    assert len(everything.json()["moves"]) == 40
    assert calls == 2 and rcu < _units(everything)[1] / 4  # the Query read 4 moves, not 40


def test_hidden_games_stay_hidden_to_conditional_reads(client, ddb_local):
    game = _long_model_game(2)
    moderation.set_hidden(game.id, make_player("mod@example.com", roles=["moderator"]).user, True)
    stranger = make_player("stranger@example.com")
    for path in (f"/api/games/{game.id}", f"/api/games/{game.id}/moves?after=0"):
        assert_error(client.get(path, HTTP_IF_NONE_MATCH="*"), 404, "not_found")
        reply = client.get(path, HTTP_IF_NONE_MATCH="*", HTTP_AUTHORIZATION=f"Bearer {stranger.token}")
        assert_error(reply, 404, "not_found")


def test_a_seated_players_tag_differs_from_a_spectators(client, ddb_local):
    player = make_player("seated@example.com")
    rules = get_rules("rps")
    state = rules.initial_state(rules.validate_options({}), 1)
    now = keys.now_iso()
    game = Game(
        id=keys.new_id(),
        game_type="rps",
        white="human",
        black="builtin:random",
        owner_id=player.user.id,
        white_user_id=player.user.id,
        seed=1,
        options=state["options"],
        state=state,
        created_at=now,
        updated_at=now,
    )
    store.create(game)
    spectator = get(client, f"/api/games/{game.id}")["ETag"]
    seated = client.get(f"/api/games/{game.id}", HTTP_AUTHORIZATION=f"Bearer {player.token}")
    assert seated["ETag"] != spectator and "Authorization" in seated["Vary"]
    auth = f"Bearer {player.token}"
    mine = client.get(f"/api/games/{game.id}", HTTP_IF_NONE_MATCH=spectator, HTTP_AUTHORIZATION=auth)
    assert mine.status_code == 200 and mine.json()["legal_moves"]
