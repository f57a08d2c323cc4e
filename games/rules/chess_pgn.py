"""PGN export of a chess state, readable back by ``chess.pgn.read_game``.

The outcome passed in wins over the engine's own (the service may end a game by forfeit, resignation or
moderation, which the pure engine never sees); with ``outcome=None`` the engine's outcome is used, and an
unfinished game gets ``*``.
"""

from __future__ import annotations

import chess
import chess.pgn

from games.vocabulary import GameResult

from .base import Outcome
from .chess_rules import board_from_state

_OWN = {"Event", "Site", "Date", "White", "Black", "Result", "Termination", "FEN", "SetUp"}
_RESULTS = {GameResult.FIRST: "1-0", GameResult.SECOND: "0-1", GameResult.DRAW: "1/2-1/2"}


def pgn_result(outcome: Outcome | None) -> str:
    return "*" if outcome is None else _RESULTS[outcome.result]


def to_pgn(
    state: dict,
    headers: dict,
    outcome: Outcome | None = None,
    termination_override: str | None = None,
) -> str:
    board = board_from_state(state)
    game = chess.pgn.Game.from_board(board)
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
    exporter = chess.pgn.StringExporter(headers=True, variations=False, comments=False)
    return game.accept(exporter) + "\n"
