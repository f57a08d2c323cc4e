"""Races and call counts against DynamoDB Local, which implements transactions like the real service.

(moto is not used for races: its TransactWriteItems restores a copy of the whole table when a
transaction fails, which undoes other threads' successful writes.)
"""

from __future__ import annotations

import threading

import pytest

from duelarena.api import DOMAIN_STATUS
from duelarena.domain import DomainError
from games import autoplay, service, store
from games.rules.chess_rules import san_list
from games.tests.conftest import make_player
from games.tests.helpers import assert_error, create, get, post

pytestmark = pytest.mark.integration


@pytest.fixture
def carol(ddb_local):
    return make_player("carol@example.com")


def _race(count: int, work) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            work(i)
            result = "ok"
        except DomainError as exc:
            result = f"{DOMAIN_STATUS[exc.kind]}:{exc.code}"  # what the API would answer
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_twenty_concurrent_moves_for_one_ply_store_exactly_one(carol):
    game = service.create_game(carol.user, game_type="tictactoe", white="human", black="human")
    outcomes = _race(20, lambda i: service.play_move(game.id, carol.user, text=str(i % 9 + 1), expected_ply=0))
    assert len(outcomes) == 20 and outcomes.count("ok") == 1, outcomes
    assert all(o == "409:stale_ply" for o in outcomes if o != "ok")
    loaded, moves = store.load(game.id)
    assert len(moves) == 1 and moves[0].ply == 0 and loaded.ply == 1 and loaded.version == 2
    assert loaded.moves_count == 1 and loaded.state["moves"] == [moves[0].move]
    assert loaded.state["board"].count("X") == 1 and loaded.totals["white"]["moves"] == 1


def test_concurrent_steps_record_one_turn_each(carol):
    game = service.create_game(
        carol.user, game_type="rps", white="builtin:random", black="builtin:random", options={"rounds": 3}
    )
    outcomes = _race(10, lambda i: service.step(game.id, carol.user))
    assert outcomes.count("ok") >= 1 and all(o in ("ok", "409:stale_ply", "409:game_over") for o in outcomes)
    loaded, moves = store.load(game.id)
    assert [m.ply for m in moves] == list(range(loaded.ply)) and loaded.version == outcomes.count("ok") + 1
    assert len(loaded.state["rounds"]) == outcomes.count("ok")


def test_autoplay_racing_manual_steps_stays_consistent(carol):
    game = service.create_game(
        carol.user,
        game_type="chess",
        white="builtin:random",
        black="builtin:random",
        options={"max_plies": 30, "seed": 8},
    )
    service.start_autoplay(game.id, carol.user)
    for _ in range(30):
        try:
            service.step(game.id, carol.user)
        except DomainError as exc:
            assert exc.code in ("stale_ply", "game_over")
    assert autoplay.wait_idle(60)
    loaded, moves = store.load(game.id)
    assert loaded.status == "finished"
    assert [m.ply for m in moves] == list(range(len(moves))) == list(range(loaded.ply))
    assert loaded.state["last"] == moves[-1].move and loaded.state["plies"] == len(moves)
    assert loaded.version == len(moves) + 1
    assert [m.san for m in moves] == san_list(loaded.state["start_fen"], [m.move for m in moves])


def test_autoplay_stops_when_switched_off(carol, settings):
    settings.AUTOPLAY_TURN_DELAY_SECONDS = 0.05
    game = service.create_game(carol.user, game_type="chess", white="builtin:random", black="builtin:random")
    service.start_autoplay(game.id, carol.user)
    autoplay.enqueue(game.id)  # enqueuing again while driven does not start a second driver
    service.stop_autoplay(game.id, carol.user)
    assert autoplay.wait_idle(10) and not autoplay.is_driving(game.id)
    stopped = store.get(game.id)
    assert stopped.status == "live" and stopped.autoplay is False
    assert service.play_due_turn(game.id) == "idle" and store.get(game.id).ply == stopped.ply


def test_autoplay_plays_every_game_type_to_the_end(carol):
    pairs = {
        "tictactoe": ("builtin:perfect", "builtin:random"),
        "rps": ("builtin:pattern", "builtin:random"),
        "racing": ("builtin:racer", "builtin:random"),
        "words": ("builtin:wordsmith", "builtin:random"),
        "chess": ("builtin:searcher", "builtin:random"),
    }
    options = {"words": {"rounds": 3}, "chess": {"max_plies": 16}}
    ids = []
    for game_type, (white, black) in pairs.items():
        game = service.create_game(
            carol.user, game_type=game_type, white=white, black=black, options=options.get(game_type)
        )
        service.start_autoplay(game.id, carol.user)
        ids.append(game.id)
    assert autoplay.wait_idle(120)
    for game_id in ids:
        loaded, moves = store.load(game_id)
        assert loaded.status == "finished" and loaded.result in ("first", "second", "draw"), loaded.game_type
        assert len(moves) == loaded.moves_count and loaded.termination


def test_reads_are_one_call_and_errors_keep_their_shape(client, carol, settings):
    settings.DEBUG = True
    game = create(client, carol, "racing", "human", "builtin:racer")
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "accelerate", "expected_ply": 0}, player=carol)
    assert reply.status_code == 200
    for path in (f"/api/games/{game['id']}", "/api/games", "/api/games?game_type=racing&status=live"):
        reply = get(client, path)
        assert reply.status_code == 200 and reply["X-DynamoDB-Calls"] == "1", path
    spectator = get(client, f"/api/games/{game['id']}").json()
    assert spectator["state"]["pending"] == {} and spectator["moves"][0]["hidden"] is True
    assert_error(
        post(client, f"/api/games/{game['id']}/moves", {"move": "brake", "expected_ply": 1}, player=carol),
        409,
        "not_your_turn",
    )
    assert_error(get(client, "/api/games/" + "f" * 32), 404, "not_found")
