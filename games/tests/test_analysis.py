"""Move quality (games/analysis.py), the Stockfish players (games/bots/stockfish.py, games/engine.py),
PGN comments and engine anchors. The engine tests use the real Stockfish and skip without it."""

from __future__ import annotations

import io
import os
import random
import signal

import chess
import chess.pgn
import pytest

from games import analysis, catalog, engine, ratings
from games.analysis import Judgement, MoveClass, classify, move_accuracy, win_percent
from games.bots import BOTS
from games.bots.stockfish import search_depth
from games.rules import get_rules
from games.rules.chess_pgn import analysis_comment, to_pgn

needs_stockfish = pytest.mark.skipif(
    not engine.available(), reason="no stockfish binary (apt-get install stockfish, or set STOCKFISH_PATH)"
)


def play(game_type: str, moves: list[str], **options) -> dict:
    return play_with_moves(game_type, moves, **options)[0]


def play_with_moves(game_type: str, moves: list[str], **options) -> tuple[dict, list[str]]:
    """The state after ``moves`` and the canonical moves played (what the move items keep)."""
    rules = get_rules(game_type)
    state = rules.initial_state(options, 1)
    played = []
    for move in moves:
        seat = rules.to_move(state)[0]
        played.append(rules.parse_move(state, seat, move))
        state = rules.apply(state, seat, played[-1])
    return state, played


# ------------------------------------------------------------------------------------------ pure


def test_lichess_formulas_and_classes_by_win_percentage_drop():
    assert win_percent(0) == 50.0
    assert win_percent(100) == pytest.approx(59.1, abs=0.1) and win_percent(-100) == pytest.approx(40.9, abs=0.1)
    assert win_percent(5000) == win_percent(1000)  # capped like lichess
    assert move_accuracy(60, 60) == pytest.approx(100.0, abs=0.01)
    assert move_accuracy(60, 50) == pytest.approx(103.1668 * 2.718281828 ** (-0.4354) - 3.1669, abs=1e-6)
    assert move_accuracy(100, 0) == 0.0
    assert [classify(d) for d in (4.9, 5, 10, 15, 40)] == [
        None,
        MoveClass.INACCURACY,
        MoveClass.MISTAKE,
        MoveClass.BLUNDER,
        MoveClass.BLUNDER,
    ]
    # The same 300 cp loss: a blunder in a level position, nothing when already winning big.
    assert Judgement(0, -300).move_class == MoveClass.BLUNDER
    assert Judgement(1000, 700).move_class is None and Judgement(1000, 700).cp_loss == 300
    best = Judgement(30, -20, best=True)
    assert best.cp_loss == 0 and best.accuracy == pytest.approx(100, abs=0.01)


def test_tictactoe_moves_are_judged_by_the_perfect_players_game_value():
    # X centre, O edge (loses by force), X corner, O blocks, X forks, O blocks one, X wins.
    state = play("tictactoe", ["5", "2", "1", "9", "7", "3", "4"])
    found = analysis.analyse_tictactoe(state)
    assert len(found) == 7
    assert found[0]["eval_before"] == {"value": "draw"} and found[0]["class"] is None
    assert found[1]["class"] == "blunder" and found[1]["eval_after"] == {"value": "loss"}
    assert found[1]["best_uci"] in {"1", "3", "7", "9"} and found[1]["accuracy"] < 10
    assert all(a["cp_loss"] is None for a in found)
    assert all(a["class"] is None for a in found[2::2])  # X kept its win every time
    seats = analysis.seats_of(found, ["white", "black"] * 4)
    assert seats["black"]["blunders"] >= 1 and seats["white"]["blunders"] == 0 and seats["white"]["accuracy"] == 100.0


def test_pgn_carries_the_analysis_as_comments_python_chess_reads_back():
    state, moves = play_with_moves("chess", ["e4", "e5", "Qh5", "Nc6", "Bc4", "Nf6", "Qxf7"])
    comment = analysis_comment({"cp_loss": 700, "class": "blunder", "accuracy": 3.2, "best_san": "g6"})
    assert comment == "cp_loss 700, blunder, accuracy 3.2, best g6"
    text = to_pgn(state, {"White": "a", "Black": "b"}, moves=moves, comments={5: comment})
    game = chess.pgn.read_game(io.StringIO(text))
    nodes = list(game.mainline())
    assert nodes[5].comment == comment and nodes[5].san() == "Nf6" and nodes[-1].board().is_checkmate()
    assert "{" not in to_pgn(state, {}, moves=moves)


def test_several_anchors_are_fixed_and_the_others_fitted_between_them():
    games = [ratings.GameScore("low", "high", ratings.LOSS)] * 9 + [ratings.GameScore("low", "high", ratings.WIN)]
    games += [ratings.GameScore("x", "low", ratings.WIN)] * 5 + [ratings.GameScore("x", "high", ratings.LOSS)] * 5
    rated = {r.player: r for r in ratings.rate(games, anchors={"low": 1400, "high": 2000, "absent": 3000}, seed=1)}
    assert rated["low"].rating == rated["low"].low == rated["low"].high == 1400
    assert rated["high"].rating == 2000 and set(rated) == {"low", "high", "x"}
    assert 1450 < rated["x"].rating < 1950 and rated["x"].low < rated["x"].rating < rated["x"].high
    assert ratings.fit(games, anchors={"low": 1400, "high": 2000})["x"] == pytest.approx(rated["x"].rating)


# ----------------------------------------------------------------------------------- real engine


@needs_stockfish
def test_chess_analysis_finds_the_blunder_and_the_best_move():
    # 1.e4 e5 2.Qh5 Nc6 3.Bc4 Nf6?? 4.Qxf7#
    state, moves = play_with_moves("chess", ["e4", "e5", "Qh5", "Nc6", "Bc4", "Nf6", "Qxf7"])
    found = analysis.analyse_chess(state, nodes=5000, moves=moves)
    assert len(found) == 7
    blunder = found[5]
    assert blunder["class"] == "blunder" and blunder["cp_loss"] >= 900 and blunder["accuracy"] < 10
    assert blunder["best_san"] in {"g6", "Qe7", "Qf6"} and chess.Move.from_uci(blunder["best_uci"])
    mate = found[6]
    assert mate["eval_after"]["checkmate"] == 1 and mate["cp_loss"] == 0 and mate["class"] is None
    assert found[0]["eval_before"].keys() == {"cp"} and abs(found[0]["eval_before"]["cp"]) < 100
    assert analysis.analyse_chess(state, nodes=5000, moves=moves) == found  # same nodes, same analysis


@needs_stockfish
def test_stockfish_players_are_offered_and_play_legal_moves_from_one_shared_process():
    names = [p.name for p in catalog.available_players("chess")]
    assert [n for n in names if "stockfish" in n] == [f"builtin:stockfish-{e}" for e in (1350, 1600, 2000, 2400)]
    assert not any("stockfish" in p.name for p in catalog.available_players("tictactoe"))
    assert [search_depth(e) for e in (1350, 1600, 2000, 2400)] == [1, 3, 7, 12]
    rules = get_rules("chess")
    state = play("chess", ["e4", "e5", "Nf3"])
    shared = engine.engine()
    for name in ("stockfish-1350", "stockfish-2000"):
        move = BOTS[name].choose(rules, state, "black", random.Random(1))
        assert move in rules.legal_moves(state, "black")
    pid = shared.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # the engine dies: the next search starts a new one
    move = BOTS["stockfish-1600"].choose(rules, state, "black", random.Random(1))
    assert move in rules.legal_moves(state, "black") and shared.pid not in (None, pid)


def test_without_a_binary_the_stockfish_players_are_not_offered(monkeypatch):
    monkeypatch.setattr(engine, "_configured", "/nonexistent/stockfish")  # settings.STOCKFISH_PATH, at start
    assert not engine.available()
    assert not any("stockfish" in p.name for p in catalog.available_players("chess"))
    assert catalog.find_player("builtin:searcher", "chess") is not None
    with pytest.raises(engine.EngineUnavailable, match="no stockfish binary"):
        engine.Engine().evaluate(chess.Board(), nodes=100)
