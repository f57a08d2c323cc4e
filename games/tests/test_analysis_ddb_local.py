"""Move quality and engine-anchored chess ratings end to end on DynamoDB Local with the real Stockfish:
``analyse_game`` on played games, the game view, the PGN, the leaderboard, and the done-when tournament."""

from __future__ import annotations

import io
from io import StringIO

import chess
import chess.pgn
import pytest
from django.core.management import call_command

from accounts import users
from games import analysis, engine, leaderboard, selectors, service, store
from games.records import FINISHED

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not engine.available(), reason="no stockfish binary (apt-get install stockfish)"),
]
OWNER = "quality@example.com"


@pytest.fixture(autouse=True)
def quick(settings):
    settings.LEADERBOARD_BOOTSTRAP = 100
    settings.ANALYSIS_NODES = 3000


def play_game(white: str, black: str, game_type: str = "chess", **options) -> str:
    owner, _ = users.create(OWNER)
    game = service.create_game(owner, game_type=game_type, white=white, black=black, options={"seed": 3, **options})
    return service.play_until_over(game.id).id


def test_a_finished_game_is_analysed_once_and_shown_in_view_pgn_and_leaderboard(ddb_local):
    gid = play_game("builtin:stockfish-1350", "builtin:random", max_plies=30)
    game, moves = store.load(gid)
    assert game.status == FINISHED and game.analysis is None
    assert analysis.analyse_game(gid) is True
    assert analysis.analyse_game(gid) is False  # idempotent: already analysed
    game, moves = store.load(gid)
    assert game.analysis["nodes"] == 3000 and game.analysis["engine"].startswith("Stockfish")
    legal = [m for m in moves if m.move]
    assert all(m.analysis is not None for m in legal) and len(legal) == len(game.state["moves"])
    first = legal[0].analysis
    assert {"cp_loss", "best_uci", "best_san", "class", "accuracy", "eval_before", "eval_after"} <= set(first)
    white, black = game.analysis["seats"]["white"], game.analysis["seats"]["black"]
    assert white["moves"] + black["moves"] == len(legal)
    assert black["acpl"] > white["acpl"]  # random plays far worse than the engine

    view = selectors.get_game(gid, None)
    assert view["analysis"]["seats"]["black"]["blunders"] == black["blunders"]
    assert view["moves"][0]["analysis"] == first
    pgn = chess.pgn.read_game(io.StringIO(selectors.pgn(gid, None)))
    node = pgn.next()
    assert node.comment.startswith(f"cp_loss {first['cp_loss']}") and f"best {first['best_san']}" in node.comment

    board = leaderboard.read("chess")
    assert board["method"]["anchors"] == {"builtin:stockfish-1350": 1350.0}
    row = {m["model"]: m for m in board["models"]}
    assert row["builtin:stockfish-1350"]["rating"] == 1350.0
    assert row["builtin:random"]["analysed_moves"] == black["moves"]
    assert row["builtin:random"]["avg_cp_loss"] == pytest.approx(black["acpl"], abs=0.1)
    per_100 = 100 * black["blunders"] / black["moves"]
    assert row["builtin:random"]["blunders_per_100_moves"] == pytest.approx(per_100, abs=0.01)


def test_tictactoe_games_are_analysed_and_other_games_are_not(ddb_local):
    gid = play_game("builtin:perfect", "builtin:random", game_type="tictactoe")
    assert analysis.analyse_game(gid) is True
    game, moves = store.load(gid)
    assert game.analysis["seats"]["white"]["blunders"] == 0 and game.analysis["seats"]["white"]["acpl"] is None
    assert all(m.analysis["kept_value"] is not None for m in moves)
    rps = play_game("builtin:pattern", "builtin:random", game_type="rps", rounds=1)
    assert analysis.analyse_game(rps) is False and store.load(rps)[0].analysis is None
    assert analysis.analyse_game("0" * 32) is False


def tournament(players: str, rounds: int, seed: int) -> list:
    out = StringIO()
    call_command(
        "tournament", "--game", "chess", "--players", players, "--rounds", str(rounds), "--seed", str(seed),
        "--option", "max_plies=60", "--owner", OWNER, "--no-progress", stdout=out,
    )
    owner = users.get_by_email(OWNER)
    return [g for g in store.list_by_owner(owner.id, limit=200).games if g.game_type == "chess"]


def test_done_when_engine_levels_anchor_the_chess_board_and_blunders_agree_with_a_deeper_check(ddb_local):
    players = "builtin:stockfish-1350,builtin:stockfish-2000,builtin:searcher,builtin:random"
    games = tournament(players, rounds=1, seed=1)
    assert len(games) == 12
    for game in games:  # the turn workers will do this when a game ends
        assert analysis.analyse_game(game.id)
    few = {m["model"]: m for m in leaderboard.recompute("chess")["models"]}
    assert few["builtin:stockfish-1350"]["rating"] == 1350.0 and few["builtin:stockfish-2000"]["rating"] == 2000.0
    assert few["builtin:random"]["rating"] < few["builtin:searcher"]["rating"] < 2000
    assert few["builtin:random"]["rating"] < 1350 and few["builtin:random"]["wins"] == 0
    assert few["builtin:random"]["avg_cp_loss"] > few["builtin:stockfish-2000"]["avg_cp_loss"]
    assert few["builtin:random"]["blunders_per_100_moves"] > few["builtin:stockfish-2000"]["blunders_per_100_moves"]

    # More games, narrower intervals.
    games = tournament(players, rounds=1, seed=2)
    for game in games:
        analysis.analyse_game(game.id)
    many = {m["model"]: m for m in leaderboard.recompute("chess")["models"]}
    width = {k: v["ci_high"] - v["ci_low"] for k, v in many.items()}
    assert width["builtin:searcher"] < few["builtin:searcher"]["ci_high"] - few["builtin:searcher"]["ci_low"]

    # A sample of stored blunders checked by a deeper search (10x the nodes).
    blunders = checked = 0
    for game in games[:3]:
        _, moves = store.load(game.id)
        played = [m.move for m in store.load(game.id)[1] if m.move]
        deep = analysis.analyse_chess(game.state, nodes=30_000, moves=played)
        for move, again in zip([m for m in moves if m.move], deep, strict=True):
            if move.analysis["class"] == "blunder":
                blunders += 1
                checked += again["class"] in ("blunder", "mistake")
    assert blunders >= 2 and checked / blunders >= 0.8


