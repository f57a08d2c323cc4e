"""Move quality: how good each move of a finished chess or tic-tac-toe game was.

The pure part (no I/O) turns evaluations into lichess's documented numbers:

- ``win_percent(cp) = 50 + 50 * (2 / (1 + exp(-0.00368208 * cp)) - 1)``: the mover's winning chances
  from a centipawn evaluation (mates and evaluations beyond +-1000 are capped at +-1000 first, as lichess
  does for its accuracy).
- ``move_accuracy = 103.1668 * exp(-0.04354 * (win_before - win_after)) - 3.1669``, clipped to 0..100.
- ``cp_loss``: how many centipawns the move lost against the engine's best move (capped evaluations,
  never negative; 0 when the move played *is* the best move).
- The class (``MoveClass``) is decided by the *drop in win percentage*, with lichess's thresholds
  (winning-chances drops of 0.1/0.2/0.3, i.e. 5/10/15 win-percentage points: inaccuracy, mistake,
  blunder), not by centipawn thresholds (50/100/300): losing 300 cp when already +900 or -900 changes
  nothing, while losing 100 cp in a level position matters; win percentage measures what a move does to
  the result, and mates need no special case.
- A seat's summary: moves analysed, average centipawn loss, the mean of its move accuracies (a plain
  mean, not lichess's volatility-weighted game accuracy), and its counts per class.

Chess: every position of the game is searched once by Stockfish at full strength with a fixed node
budget (``ANALYSIS_NODES``, default 20,000), hash cleared per position, so the same game always gets the
same analysis; a position the game ended in is scored by the rules (mate, or a draw the arena claimed).

Tic-tac-toe: the perfect player's minimax gives each position's game value for the mover (win, draw,
loss; win% 100/50/0); a move that lowers it is a blunder and its best move is the first of the
best-valued cells. The stored shape is the same as for chess (``cp_loss`` is None).

``analyse_game(game_id)`` reads the finished game with its moves (``games.store.load``), analyses it and
stores the per-move analysis (in one item beside the moves, read back onto each move by the store) and
a per-seat summary on the game item (and its leaderboard result item) in one transaction, through
``games.store.record_analysis``. It is idempotent: a game that already
has an analysis is skipped. The turn workers call it after a chess or tic-tac-toe game ends.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from games.records import ANALYSED_GAME_TYPES

ANALYSED_GAMES = ANALYSED_GAME_TYPES
DEFAULT_NODES = 20_000
CP_CAP = 1000
MATE_CP = 100_000


class MoveClass(StrEnum):
    INACCURACY = "inaccuracy"
    MISTAKE = "mistake"
    BLUNDER = "blunder"


# Drops in win percentage, checked worst first (lichess: winning-chances drops of 0.3/0.2/0.1).
CLASS_THRESHOLDS: tuple[tuple[float, MoveClass], ...] = (
    (15.0, MoveClass.BLUNDER),
    (10.0, MoveClass.MISTAKE),
    (5.0, MoveClass.INACCURACY),
)


# ------------------------------------------------------------------------------------------ pure


def capped(cp: int) -> int:
    return max(-CP_CAP, min(CP_CAP, int(cp)))


def win_percent(cp: int) -> float:
    """The mover's win percentage for an evaluation in centipawns from the mover's point of view."""
    return 50.0 + 50.0 * (2.0 / (1.0 + math.exp(-0.00368208 * capped(cp))) - 1.0)


def move_accuracy(win_before: float, win_after: float) -> float:
    """Lichess's accuracy of one move from the mover's win percentage before and after it (0..100)."""
    value = 103.1668 * math.exp(-0.04354 * (win_before - win_after)) - 3.1669
    return max(0.0, min(100.0, value))


def classify(win_drop: float) -> MoveClass | None:
    for threshold, move_class in CLASS_THRESHOLDS:
        if win_drop >= threshold:
            return move_class
    return None


@dataclass(frozen=True)
class Judgement:
    """One move judged from the mover's evaluations before and after it (centipawns, mover's view)."""

    cp_before: int
    cp_after: int
    best: bool = False  # the move played is the engine's best move

    @property
    def win_before(self) -> float:
        return win_percent(self.cp_before)

    @property
    def win_after(self) -> float:
        return win_percent(self.cp_after)

    @property
    def cp_loss(self) -> int:
        return 0 if self.best else max(0, capped(self.cp_before) - capped(self.cp_after))

    @property
    def win_drop(self) -> float:
        return 0.0 if self.best else max(0.0, self.win_before - self.win_after)

    @property
    def move_class(self) -> MoveClass | None:
        return classify(self.win_drop)

    @property
    def accuracy(self) -> float:
        return move_accuracy(self.win_drop, 0.0)


def summarize_seat(analyses: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A seat's totals from its moves' analyses (stored per seat on the game and its result item)."""
    moves = cp_moves = cp_total = 0
    accuracy_total = 0.0
    per_class = dict.fromkeys(MoveClass, 0)
    for a in analyses:
        moves += 1
        accuracy_total += float(a["accuracy"])
        if a.get("cp_loss") is not None:
            cp_moves += 1
            cp_total += int(a["cp_loss"])
        if a.get("class"):
            per_class[MoveClass(a["class"])] += 1
    return {
        "moves": moves,
        "cp_moves": cp_moves,
        "cp_loss_total": cp_total,
        "accuracy_total": round(accuracy_total, 2),
        "acpl": round(cp_total / cp_moves, 1) if cp_moves else None,
        "accuracy": round(accuracy_total / moves, 1) if moves else None,
        "inaccuracies": per_class[MoveClass.INACCURACY],
        "mistakes": per_class[MoveClass.MISTAKE],
        "blunders": per_class[MoveClass.BLUNDER],
    }


def _record(
    judgement: Judgement, *, eval_before: dict, eval_after: dict, best_uci: str | None, best_san: str | None
) -> dict[str, Any]:
    return {
        "eval_before": eval_before,
        "eval_after": eval_after,
        "win_before": round(judgement.win_before, 1),
        "win_after": round(judgement.win_after, 1),
        "cp_loss": judgement.cp_loss,
        "best_uci": best_uci,
        "best_san": best_san,
        "class": judgement.move_class.value if judgement.move_class else None,
        "accuracy": round(judgement.accuracy, 1),
    }


# ---------------------------------------------------------------------------------------- chess


def _white_eval(score: Any) -> dict[str, int]:
    """A python-chess ``PovScore`` as stored: white's point of view, ``{"cp": n}`` or ``{"mate": n}``."""
    white = score.white()
    mate = white.mate()
    return {"mate": mate} if mate is not None else {"cp": int(white.score())}


def _mover_cp(white_eval: dict[str, int], mover_is_white: bool) -> int:
    if "mate" in white_eval:
        mate = white_eval["mate"]
        cp = MATE_CP if mate > 0 else -MATE_CP
    else:
        cp = white_eval["cp"]
    return cp if mover_is_white else -cp


def _terminal_eval(board: Any) -> dict[str, int] | None:
    """The evaluation of a position the game ended in (None: the engine should search it)."""
    import chess

    if board.is_checkmate():  # the side to move is mated
        return {"checkmate": 1, "cp": MATE_CP if board.turn == chess.BLACK else -MATE_CP}
    if board.is_stalemate() or board.is_insufficient_material() or board.is_repetition(3):
        return {"cp": 0}
    if board.halfmove_clock >= 100 or board.is_fivefold_repetition() or board.is_seventyfive_moves():
        return {"cp": 0}
    return None


@dataclass(frozen=True)
class _Position:
    eval: dict[str, int]  # white's point of view
    best: Any  # chess.Move | None


def analyse_chess(state: dict, nodes: int, search: Any = None, moves: list[str] | None = None) -> list[dict[str, Any]]:
    """Per-move analysis of a chess game (``state`` from ``games.rules.chess_rules``), ply order.

    ``moves``: the game's moves (UCI, ply order) from its move items; the state keeps only its
    repetition window (a state of the old shape, or an imported game, brings its own).
    ``search(board, nodes) -> Evaluation`` defaults to the shared Stockfish (``games.engine``)."""
    import chess

    if search is None:
        from games.engine import engine

        def search(board: chess.Board, nodes: int) -> Any:
            return engine().evaluate(board, nodes=nodes)

    board = chess.Board(state["start_fen"])
    played = state["moves"] if "moves" in state else moves
    if played is None:
        raise ValueError("the moves of the game are needed: the state keeps only its repetition window")
    parsed = [chess.Move.from_uci(m) for m in played]
    positions: list[_Position] = []
    for k in range(len(parsed) + 1):
        terminal = _terminal_eval(board) if k == len(parsed) or board.is_game_over() else None
        if terminal is not None:
            positions.append(_Position(terminal, None))
        else:
            found = search(board, nodes)
            positions.append(_Position(_white_eval(found.score), found.best))
        if k < len(parsed):
            board.push(parsed[k])
    board = chess.Board(state["start_fen"])
    result = []
    for k, move in enumerate(parsed):
        mover_is_white = board.turn == chess.WHITE
        before, after = positions[k], positions[k + 1]
        best = before.best
        judgement = Judgement(
            _mover_cp(before.eval, mover_is_white), _mover_cp(after.eval, mover_is_white), best == move
        )
        result.append(
            _record(
                judgement,
                eval_before=before.eval,
                eval_after=after.eval,
                best_uci=best.uci() if best else None,
                best_san=board.san(best) if best else None,
            )
        )
        board.push(move)
    return result


# ---------------------------------------------------------------------------------- tic-tac-toe

_VALUE_CP = {"win": CP_CAP, "draw": 0, "loss": -CP_CAP}


def _value(score: int) -> str:
    return "win" if score > 0 else "loss" if score < 0 else "draw"


def analyse_tictactoe(state: dict) -> list[dict[str, Any]]:
    """Per-move analysis of a tic-tac-toe game from the perfect player's minimax."""
    from games.bots.perfect import _score
    from games.rules.tictactoe import winner_mark

    board = [""] * 9
    result = []
    for k, cell in enumerate(state["moves"]):
        mark = "X" if k % 2 == 0 else "O"
        scored = {}
        for i in range(9):
            if not board[i]:
                after = (*board[:i], mark, *board[i + 1 :])
                scored[i + 1] = -_score(after)  # value for the mover
        best_score = max(scored.values())
        best_cell = min(c for c, v in scored.items() if v == best_score)
        played = int(cell)
        before_value, after_value = _value(best_score), _value(scored[played])
        judgement = Judgement(_VALUE_CP[before_value], _VALUE_CP[after_value], scored[played] == best_score)
        record = _record(
            judgement,
            eval_before={"value": before_value},
            eval_after={"value": after_value},
            best_uci=str(best_cell),
            best_san=str(best_cell),
        )
        record["win_before"], record["win_after"] = (
            {"win": 100.0, "draw": 50.0, "loss": 0.0}[before_value],
            {
                "win": 100.0,
                "draw": 50.0,
                "loss": 0.0,
            }[after_value],
        )
        record["cp_loss"] = None
        record["class"] = None if after_value == before_value else MoveClass.BLUNDER.value
        record["accuracy"] = round(move_accuracy(record["win_before"], record["win_after"]), 1)
        record["kept_value"] = after_value == before_value
        result.append(record)
        board[played - 1] = mark
        if winner_mark(board):
            break
    return result


# ------------------------------------------------------------------------------------- the job


def nodes_setting() -> int:
    from django.conf import settings

    return int(getattr(settings, "ANALYSIS_NODES", DEFAULT_NODES))


def seats_of(analyses: Sequence[dict[str, Any]], first_seat_moves_first: Sequence[str]) -> dict[str, Any]:
    by_seat: dict[str, list[dict[str, Any]]] = {seat: [] for seat in ("white", "black")}
    for analysis, seat in zip(analyses, first_seat_moves_first, strict=False):
        by_seat[seat].append(analysis)
    return {seat: summarize_seat(found) for seat, found in by_seat.items()}


def analyse_game(game_id: str) -> bool:
    """Analyse a finished chess or tic-tac-toe game and store the result. Returns whether it did;
    False for an unknown, live, already analysed or other-typed game, or chess without Stockfish."""
    from games import store
    from games.engine import available

    found = store.load(game_id)
    if found is None:
        return False
    game, moves = found
    if game.is_live or game.analysis is not None or game.game_type not in ANALYSED_GAMES:
        return False
    started = time.perf_counter()
    if game.game_type == "chess":
        if not available():
            return False
        from games.engine import engine

        nodes = nodes_setting()
        analyses = analyse_chess(game.state, nodes, moves=[m.move for m in moves if m.move])
        source = {"engine": engine().name, "nodes": nodes}
    else:
        analyses = analyse_tictactoe(game.state)
        source = {"engine": "builtin:perfect (minimax)", "nodes": None}
    seat_by_ply = {m.ply: m.seat for m in moves}
    seats = seats_of(analyses, [seat_by_ply.get(k, "") for k in range(len(analyses))])
    summary = {**source, "seconds": round(time.perf_counter() - started, 3), "seats": seats}
    per_ply = {k: a for k, a in enumerate(analyses) if k in seat_by_ply}
    if not store.record_analysis(game, per_ply, summary):
        return False
    from dataclasses import replace

    from games import leaderboard

    leaderboard.game_ended(replace(game, analysis=summary))  # the board's move-quality columns
    return True
