"""PGN export of a chess state, readable back by ``chess.pgn.read_game``.

The outcome passed in wins over the engine's own (the service may end a game by forfeit, resignation or
moderation, which the pure engine never sees); with ``outcome=None`` the engine's outcome is used, and an
unfinished game gets ``*``. Move analysis goes in as comments (``{cp_loss 35, inaccuracy, best Nf3}``).

The moves come from the game's move items (``moves``: UCI, ply order): the state keeps only the
position and its repetition window. A state of the old shape or an imported game (every move in
``state["moves"]``) brings its own.
"""

from __future__ import annotations

import chess
import chess.pgn

from games.vocabulary import GameResult

from .base import Outcome
from .chess_rules import replay

_OWN = {"Event", "Site", "Date", "White", "Black", "Result", "Termination", "FEN", "SetUp"}
_RESULTS = {GameResult.FIRST: "1-0", GameResult.SECOND: "0-1", GameResult.DRAW: "1/2-1/2"}


def pgn_result(outcome: Outcome | None) -> str:
    return "*" if outcome is None else _RESULTS[outcome.result]


def analysis_comment(analysis: dict) -> str:
    """A move's analysis (``games.analysis``) as PGN comment text: ``cp_loss 35, inaccuracy, best Nf3``."""
    parts = []
    if analysis.get("cp_loss") is not None:
        parts.append(f"cp_loss {analysis['cp_loss']}")
    if analysis.get("class"):
        parts.append(str(analysis["class"]))
    if analysis.get("accuracy") is not None:
        parts.append(f"accuracy {analysis['accuracy']}")
    if analysis.get("best_san"):
        parts.append(f"best {analysis['best_san']}")
    return ", ".join(parts).replace("{", "(").replace("}", ")")


def to_pgn(
    state: dict,
    headers: dict,
    outcome: Outcome | None = None,
    termination_override: str | None = None,
    moves: list[str] | None = None,
    comments: dict[int, str] | None = None,
) -> str:
    """``comments[ply]`` is put after the move of that ply (0 = the first move of the game)."""
    if "moves" in state:  # the old shape (and imported games) keep the whole game in the state
        moves = state["moves"]
    if moves is None:
        raise ValueError("the moves of the game are needed: the state keeps only its repetition window")
    board = replay(state["start_fen"], moves)
    game = chess.pgn.Game.from_board(board)
    node: chess.pgn.GameNode = game
    for ply in range(len(moves)):
        node = node.variations[0]
        if comments and comments.get(ply):
            node.comment = comments[ply]
    if outcome is None:
        outcome = Outcome.from_dict(state.get("outcome"))
    game.headers["Event"] = str(headers.get("Event", "Duel Arena game"))
    game.headers["Site"] = str(headers.get("Site", "Duel Arena"))
    game.headers["Date"] = str(headers.get("Date", "????.??.??"))
    game.headers["White"] = str(headers.get("White", "?"))
    game.headers["Black"] = str(headers.get("Black", "?"))
    game.headers["Result"] = pgn_result(outcome)
    termination = termination_override or (outcome.termination if outcome else None)
    game.headers["Termination"] = termination or "unterminated"
    for key, value in headers.items():
        if key not in _OWN and value is not None:
            game.headers[str(key)] = str(value)
    exporter = chess.pgn.StringExporter(headers=True, variations=False, comments=bool(comments))
    return game.accept(exporter) + "\n"
