"""``manage.py tournament`` against DynamoDB Local: schedule, strength order, resuming, budgets."""

from __future__ import annotations

import re
from io import StringIO

import chess
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import users
from accounts.limits import LimitExceeded
from games import leaderboard, service, store
from games.management.commands.tournament import OPENINGS, game_id, opening_fen, schedule

OWNER = "cup@example.com"


@pytest.fixture(autouse=True)
def quick_bootstrap(settings):
    settings.LEADERBOARD_BOOTSTRAP = 100


def run(*args: str) -> str:
    out = StringIO()
    call_command("tournament", *args, "--owner", OWNER, "--no-progress", stdout=out)
    return out.getvalue()


def tournament_games(owner_email: str = OWNER) -> list:
    owner = users.get_by_email(owner_email)
    page = store.list_by_owner(owner.id, limit=100)  # list rows (gsi1): each game is then read whole
    assert page.next_cursor is None
    return [store.get(g.id) for g in page.games]


def board_row(game_type: str, model: str) -> dict:
    return next(m for m in leaderboard.read(game_type)["models"] if m["model"] == model)


# ------------------------------------------------------------------------------------------ pure


def test_schedule_is_a_round_robin_with_colours_swapped_and_shared_openings():
    players = ["a", "b", "c"]
    pairings = schedule("chess", players, rounds=2, seed=5)
    assert len(pairings) == 2 * 3 * 2 and [p.index for p in pairings] == list(range(12))
    for round_number in (1, 2):
        games = [(p.white, p.black) for p in pairings if p.round == round_number]
        assert sorted(games) == sorted((x, y) for x in players for y in players if x != y)
    for first, second in zip(pairings[::2], pairings[1::2], strict=True):
        assert (first.white, first.black) == (second.black, second.white)
        assert first.seed == second.seed and first.start_fen == second.start_fen and first.opening
        assert chess.Board(first.start_fen).is_valid()
    assert schedule("chess", players, 2, 5) == pairings and schedule("chess", players, 2, 6) != pairings
    assert {p.start_fen for p in schedule("rps", players, 1, 5)} == {None}
    assert all(chess.Board(opening_fen(moves)).is_valid() for _, moves in OPENINGS)
    ids = {game_id("t", p.index) for p in pairings}
    assert len(ids) == 12 and all(len(i) == 32 for i in ids) and game_id("t", 0) != game_id("u", 0)


# -------------------------------------------------------------------------------- DynamoDB Local


@pytest.mark.slow
@pytest.mark.integration
def test_bots_finish_in_the_order_of_their_strength_with_shrinking_intervals(ddb_local):
    out = run("--game", "tictactoe", "--players", "builtin:perfect,builtin:random", "--rounds", "3")
    assert "results (6 of 6 games finished)" in out and "leaderboard: tictactoe (6 rated games" in out
    perfect = board_row("tictactoe", "builtin:perfect")
    assert perfect["rank"] == 1 and perfect["losses"] == 0 and perfect["rating"] > 1000

    # Near-even players (random is unexploitable), so the interval width reflects the number of games.
    rps = ("--game", "rps", "--players", "builtin:pattern,builtin:random", "--option", "rounds=1")
    run(*rps, "--rounds", "2")
    few = board_row("rps", "builtin:pattern")
    run(*rps, "--rounds", "16", "--seed", "1")  # 9x the games: the interval should be about a third as wide
    many = board_row("rps", "builtin:pattern")
    assert (few["games"], many["games"]) == (4, 36)
    assert many["ci_high"] - many["ci_low"] < (few["ci_high"] - few["ci_low"]) * 0.75

    run("--game", "chess", "--players", "builtin:searcher,builtin:random", "--option", "max_plies=80", "--seed", "1")
    searcher, random_bot = leaderboard.read("chess")["models"]
    assert searcher["model"] == "builtin:searcher" and searcher["wins"] >= 1 and searcher["losses"] == 0
    assert searcher["rating"] > random_bot["rating"] == 1000.0
    games = tournament_games()
    chess_games = [g for g in games if g.game_type == "chess"]
    assert len(chess_games) == 2 and chess_games[0].options["start_fen"] == chess_games[1].options["start_fen"]
    assert chess_games[0].seed == chess_games[1].seed and chess_games[0].options["max_plies"] == 80
    assert len(games) == 6 + 36 + 2


@pytest.mark.integration
def test_an_interrupted_tournament_resumes_without_replaying_or_duplicating(ddb_local, monkeypatch):
    args = ("--game", "rps", "--players", "builtin:pattern,builtin:random", "--rounds", "3", "--option", "rounds=3")
    real_play = service.play_until_over
    played: list[str] = []

    def crash_after_two(game_id: str, *a, **kw):
        if len(played) == 2:
            raise RuntimeError("killed")
        played.append(game_id)
        return real_play(game_id, *a, **kw)

    monkeypatch.setattr(service, "play_until_over", crash_after_two)
    with pytest.raises(RuntimeError, match="killed"):
        run(*args)
    games = tournament_games()
    finished_first = {g.id: g.version for g in games if not g.is_live}
    # Two games finished; the third was created (conditional put) when the crash came, and never played.
    assert len(games) == 3 and len(finished_first) == 2 and [g.ply for g in games if g.is_live] == [0]
    # The leaderboard was recomputed on the way out: what finished counts.
    assert leaderboard.read("rps")["rated_games"] == 2

    # The next run plays that game on, then is killed right after creating the fourth.
    real_create = service.create_game

    def create_then_crash(*a, **kw):
        real_create(*a, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "play_until_over", real_play)
    monkeypatch.setattr(service, "create_game", create_then_crash)
    with pytest.raises(CommandError, match="interrupted; run the same command again to resume"):
        run(*args)
    games = tournament_games()
    assert len(games) == 4 and sum(g.is_live for g in games) == 1

    monkeypatch.setattr(service, "create_game", real_create)
    out = run(*args)
    assert "resuming tournament" in out and "3 of 6 games already finished" in out
    games = tournament_games()
    assert len(games) == 6 and all(g.status == "finished" for g in games)
    assert {g.id: g.version for g in games if g.id in finished_first} == finished_first  # not replayed
    tid = re.search(r"^tournament ([0-9a-f]{32}):", out, re.M).group(1)
    assert {g.id for g in games} == {game_id(tid, k) for k in range(6)}
    for game in games:
        loaded, moves = store.load(game.id)
        assert [m.ply for m in moves] == list(range(loaded.ply)) and len(loaded.state["rounds"]) == 3
    assert leaderboard.read("rps")["rated_games"] == 6

    again = run(*args)  # everything done: nothing is played again
    assert "6 of 6 games already finished" in again and len(tournament_games()) == 6


@pytest.mark.integration
def test_a_used_up_budget_stops_with_a_clear_message(ddb_local, monkeypatch):
    def no_budget(game_id: str, *a, **kw):
        raise LimitExceeded("budget", "daily budget is used up", 3600)

    monkeypatch.setattr(service, "play_until_over", no_budget)
    out = StringIO()
    with pytest.raises(CommandError, match=r"budget of cup@example\.com is used up") as raised:
        call_command(
            "tournament",
            "--game",
            "rps",
            "--players",
            "builtin:pattern,builtin:random",
            "--owner",
            OWNER,
            "--no-progress",
            stdout=out,
        )
    assert "run the same command again" in str(raised.value) and "0 of 2 games are finished" in str(raised.value)
    assert "results (0 of 2 games finished)" in out.getvalue()


@pytest.mark.integration
def test_bad_arguments_are_refused_clearly(ddb_local):
    for args, message in (
        (("--game", "checkers", "--players", "a,b"), "unknown game type"),
        (("--game", "rps", "--players", "builtin:random"), "at least two"),
        (("--game", "rps", "--players", "builtin:random,builtin:nobody"), "cannot play rps"),
        (("--game", "rps", "--players", "builtin:random,human"), "'human' cannot take part"),
        (("--game", "rps", "--players", "builtin:random,builtin:pattern", "--option", "rounds=4"), "odd"),
        (("--game", "rps", "--players", "builtin:random,builtin:pattern", "--option", "seed=4"), "--seed"),
    ):
        with pytest.raises(CommandError, match=message):
            run(*args)
    run("--game", "rps", "--players", "builtin:random,builtin:pattern", "--id", "cup-1", "--option", "rounds=1")
    with pytest.raises(CommandError, match="already exists with other settings"):
        run("--game", "rps", "--players", "builtin:random,builtin:pattern", "--id", "cup-1", "--rounds", "2")
