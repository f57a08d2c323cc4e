"""The leaderboard: result items written with the game's last write, recompute, the API (moto)."""

from __future__ import annotations

import json

import pytest

from duelarena.dynamo import items
from games import leaderboard, moderation, results, service, store
from games.leaderboard import Config, summarize
from games.records import FINISHED, Game, empty_totals
from games.tests.conftest import make_player
from games.tests.helpers import assert_error, get

TTT = ("builtin:perfect", "builtin:random")
RPS = ("builtin:pattern", "builtin:random")


@pytest.fixture(autouse=True)
def quick_bootstrap(settings):
    settings.LEADERBOARD_BOOTSTRAP = 50


def play(user, game_type: str, white: str, black: str, seed: int, **options) -> Game:
    game = service.create_game(user, game_type=game_type, white=white, black=black, options={"seed": seed, **options})
    return service.play_until_over(game.id)


def play_tictactoe_pairs(user, pairs: int) -> list[Game]:
    games = []
    for k in range(pairs):
        games.append(play(user, "tictactoe", *TTT, seed=k))
        games.append(play(user, "tictactoe", *reversed(TTT), seed=k))
    return games


def play_rps_pairs(user, pairs: int) -> list[Game]:
    """Quick rated games: one round of rock-paper-scissors is one write (moto transactions are slow)."""
    games = []
    for k in range(pairs):
        games.append(play(user, "rps", *RPS, seed=k, rounds=1))
        games.append(play(user, "rps", *reversed(RPS), seed=k, rounds=1))
    return games


def result_count(game_type: str) -> int:
    return len(items.query_all(leaderboard.results_pk(game_type)))


def test_a_finished_rated_game_updates_the_leaderboard_and_counts_once(alice):
    games = play_tictactoe_pairs(alice.user, 2)
    assert all(g.status == FINISHED and g.rated for g in games)
    board = leaderboard.read("tictactoe")
    assert board["rated_games"] == 4 and board["excluded_games"] == 0 and board["source_results"] == 4
    perfect, random_bot = board["models"]
    assert perfect["model"] == "builtin:perfect" and perfect["rank"] == 1 and perfect["losses"] == 0
    assert random_bot["model"] == "builtin:random" and random_bot["rating"] == 1000.0
    assert perfect["rating"] > random_bot["rating"] and perfect["ci_low"] <= perfect["rating"] <= perfect["ci_high"]
    assert perfect["games"] == random_bot["games"] == 4
    assert perfect["wins"] == random_bot["losses"] and perfect["draws"] == random_bot["draws"]
    assert perfect["attempts"] == perfect["moves"] > 0 and perfect["illegal_per_1000_attempts"] == 0.0
    assert board["method"]["anchor"] == "builtin:random" and board["method"]["anchor_present"] is True

    # Recomputing, and the result item being written again (a retried write), change nothing.
    again = leaderboard.recompute("tictactoe")
    items.put(results.result_item(games[0]))
    third = leaderboard.recompute("tictactoe")
    assert again["models"] == third["models"] == board["models"] and third["rated_games"] == 4
    assert result_count("tictactoe") == 4


def test_unrated_games_are_excluded_and_counted_by_reason(alice, moderator):
    play(alice.user, "tictactoe", *TTT, seed=1)
    play(alice.user, "tictactoe", *TTT, seed=2, legal_moves_hint=True)
    play(alice.user, "tictactoe", "builtin:random", "builtin:random", seed=3)
    human = service.create_game(alice.user, game_type="tictactoe", white="human", black="builtin:random")
    assert human.rated is False
    service.resign(human.id, alice.user)
    live = service.create_game(alice.user, game_type="tictactoe", white=TTT[0], black=TTT[1])
    assert live.rated is True
    service.abort(live.id, moderator.user)
    board = leaderboard.recompute("tictactoe")
    assert board["rated_games"] == 1 and board["excluded_games"] == 4
    assert board["excluded_by_reason"] == {"aborted": 1, "human_seat": 1, "legal_moves_hint": 1, "self_play": 1}
    assert {m["model"] for m in board["models"]} == set(TTT) and all(m["games"] == 1 for m in board["models"])
    excluded = {i["game_id"]: i["excluded"] for i in items.query_all(leaderboard.results_pk("tictactoe"))}
    assert excluded[human.id] == "human_seat" and excluded[live.id] == "aborted"


def test_the_api_is_one_getitem_and_refuses_unknown_types(client, alice, settings):
    settings.DEBUG = True
    empty = get(client, "/api/leaderboard?game_type=chess")
    assert empty.status_code == 200 and empty["X-DynamoDB-Calls"] == "1"
    assert empty.json()["models"] == [] and empty.json()["computed_at"] is None
    play_rps_pairs(alice.user, 1)
    reply = get(client, "/api/leaderboard?game_type=rps")
    assert reply.status_code == 200 and reply["X-DynamoDB-Calls"] == "1"
    body = reply.json()
    assert {m["model"] for m in body["models"]} == set(RPS) and body["rated_games"] == 2
    row = body["models"][0]
    for name in (
        "rating",
        "ci_low",
        "ci_high",
        "games",
        "wins",
        "draws",
        "losses",
        "illegal_per_1000_attempts",
        "truncated_attempts",
        "truncated_per_1000_attempts",
        "avg_tokens_per_game",
        "avg_cost_micros_per_game",
        "avg_latency_ms_per_move",
        "forfeits",
    ):
        assert name in row
    assert_error(get(client, "/api/leaderboard?game_type=checkers"), 422, "validation_error")  # an enum
    assert_error(get(client, "/api/leaderboard"), 422, "validation_error")


def _result(first: str, second: str, result: str, termination: str, **totals: dict) -> dict:
    base = empty_totals()
    return {
        "counted": True,
        "white": first,
        "black": second,
        "result": result,
        "termination": termination,
        "totals": {seat: {**base[seat], **totals.get(seat, {})} for seat in ("white", "black")},
    }


def test_per_model_statistics():
    results = [
        _result(
            "m:a",
            "m:b",
            "first",
            "checkmate",
            white={
                "moves": 10,
                "illegal_attempts": 2,
                "tokens_in": 900,
                "tokens_out": 100,
                "cost_micros": 500,
                "latency_ms": 2000,
            },
            black={"moves": 9, "tokens_in": 800, "tokens_out": 200, "cost_micros": 300, "latency_ms": 900},
        ),
        _result(
            "m:b",
            "m:a",
            "first",
            "forfeit_illegal_moves",
            white={"moves": 5},
            black={"moves": 4, "illegal_attempts": 3},
        ),
        _result("m:a", "m:b", "draw", "move_limit", white={"moves": 6}, black={"moves": 6}),
        {"counted": False, "excluded": "human_seat"},
        {"counted": False, "excluded": "aborted"},
        {"counted": False, "excluded": "aborted"},
    ]
    board = summarize("chess", results, Config(anchor="m:b", resamples=20))
    assert board["rated_games"] == 3 and board["excluded_games"] == 3
    assert board["excluded_by_reason"] == {"aborted": 2, "human_seat": 1}
    a = next(m for m in board["models"] if m["model"] == "m:a")
    assert (a["games"], a["wins"], a["draws"], a["losses"], a["score"]) == (3, 1, 1, 1, 1.5)
    assert a["kind"] == "llm" and a["forfeits"] == {"forfeit_illegal_moves": 1}
    assert a["moves"] == 20 and a["attempts"] == 25 and a["illegal_attempts"] == 5
    assert a["illegal_per_1000_attempts"] == 200.0
    assert a["avg_tokens_per_game"] == pytest.approx(1000 / 3, abs=0.1)
    assert a["avg_cost_micros_per_game"] == pytest.approx(500 / 3, abs=0.1)
    assert a["avg_latency_ms_per_move"] == 100.0 and a["avg_tokens_per_move"] == 50.0
    b = next(m for m in board["models"] if m["model"] == "m:b")
    assert b["rating"] == 1000.0 and b["forfeits"] == {} and b["ci_low"] == b["ci_high"] == 1000.0


def test_truncation_rate_next_to_the_illegal_move_rate():
    results = [
        _result(
            "m:a",
            "m:b",
            "first",
            "checkmate",
            white={"moves": 10, "illegal_attempts": 2, "truncated_attempts": 4},
            black={"moves": 9},
        ),
        _result(
            "m:b", "m:a", "first", "forfeit_truncated", white={"moves": 5}, black={"moves": 1, "truncated_attempts": 3}
        ),
    ]
    # a result item stored before truncated_attempts existed counts it as 0
    old = _result("m:a", "m:b", "draw", "move_limit", white={"moves": 3}, black={"moves": 3})
    del old["totals"]["white"]["truncated_attempts"]
    board = summarize("chess", [*results, old], Config(anchor="m:b", resamples=20))
    a = next(m for m in board["models"] if m["model"] == "m:a")
    assert (a["moves"], a["illegal_attempts"], a["truncated_attempts"], a["attempts"]) == (14, 2, 7, 23)
    assert a["illegal_per_1000_attempts"] == pytest.approx(87.0, abs=0.1)
    assert a["truncated_per_1000_attempts"] == pytest.approx(304.3, abs=0.1)
    assert a["forfeits"] == {"forfeit_truncated": 1}
    b = next(m for m in board["models"] if m["model"] == "m:b")
    assert b["truncated_attempts"] == 0 and b["truncated_per_1000_attempts"] == 0.0


def test_a_recompute_from_an_older_read_never_overwrites_a_newer_board(alice, monkeypatch):
    play_rps_pairs(alice.user, 1)
    stored = items.get(leaderboard.leaderboard_pk("rps"), leaderboard.CURRENT_SK)
    monkeypatch.setattr(leaderboard.keys, "now_iso", lambda: "2000-01-01T00:00:00.000000+00:00")
    returned = leaderboard.recompute("rps")
    after = items.get(leaderboard.leaderboard_pk("rps"), leaderboard.CURRENT_SK)
    assert after["read_at"] == stored["read_at"] and returned["computed_at"] == stored["computed_at"]
    forced = leaderboard.recompute("rps", force=True)
    assert forced["computed_at"].startswith("2000-")


def test_deleting_a_game_takes_it_off_the_board(alice):
    games = play_rps_pairs(alice.user, 2)
    admin = make_player("admin@example.com", roles=["admin"])
    moderation.delete_game(games[0].id, admin.user)
    assert result_count("rps") == 3 and leaderboard.read("rps")["rated_games"] == 3


def test_storage_never_recomputes_the_board(alice, monkeypatch):
    """The store's writes trigger nothing: the service updates the leaderboard once a write returned."""
    calls = []
    monkeypatch.setattr(leaderboard, "recompute", lambda t, **kw: calls.append(t))
    game = service.create_game(alice.user, game_type="rps", white="builtin:random", black="builtin:pattern")
    after = service.play_until_over(game.id)
    assert after.status == FINISHED and calls == ["rps"]
    calls.clear()
    store.delete_game(store.get(game.id))
    assert calls == [] and result_count("rps") == 0


def test_deferred_refresh_recomputes_once_at_the_end(alice, monkeypatch):
    calls = []
    real = leaderboard.recompute
    monkeypatch.setattr(leaderboard, "recompute", lambda t, **kw: calls.append(t) or real(t, **kw))
    with leaderboard.deferred_refresh() as pending:
        play_rps_pairs(alice.user, 2)
        play(alice.user, "tictactoe", *TTT, seed=1)
        assert calls == [] and pending == {"tictactoe", "rps"}
        assert leaderboard.read("rps")["computed_at"] is None
    assert sorted(calls) == ["rps", "tictactoe"] and leaderboard.read("rps")["rated_games"] == 4


def test_a_failing_recompute_never_fails_the_turn(alice, monkeypatch):
    def broken(game_type, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(leaderboard, "recompute", broken)
    game = play(alice.user, "rps", *RPS, seed=4, rounds=1)
    assert game.status == FINISHED and result_count("rps") == 1


def test_rebuild_backfills_result_items_from_the_games(alice):
    play_rps_pairs(alice.user, 1)
    bob = make_player("bob@example.com")
    service.resign(service.create_game(bob.user, game_type="racing", white="human", black="builtin:racer").id, bob.user)
    for item in items.query_all(leaderboard.results_pk("rps")) + items.query_all(leaderboard.results_pk("racing")):
        items.delete(item["pk"], item["sk"])
    written = leaderboard.rebuild()
    assert written == {"rps": 2, "racing": 1}
    assert leaderboard.read("rps")["rated_games"] == 2
    assert leaderboard.read("racing")["excluded_by_reason"] == {"human_seat": 1}
    stored = items.get(leaderboard.leaderboard_pk("racing"), leaderboard.CURRENT_SK)
    assert json.loads(stored["body"])["models"] == []


def test_the_leaderboard_command_recomputes_and_rebuilds(alice):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    play_rps_pairs(alice.user, 1)
    for item in items.query_all(leaderboard.results_pk("rps")):
        items.delete(item["pk"], item["sk"])
    out = StringIO()
    call_command("leaderboard", "--game", "rps", stdout=out)
    assert "rps: 0 rated games" in out.getvalue()
    call_command("leaderboard", "--game", "rps", "--rebuild", stdout=out)
    assert "rps: 2 rated games, 0 excluded, 2 models" in out.getvalue()
    with pytest.raises(CommandError, match="unknown game type"):
        call_command("leaderboard", "--game", "go")
