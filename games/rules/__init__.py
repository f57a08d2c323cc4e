"""Pure rule engines for the five games, looked up by game type.

See ``base.py`` for the interface; each module documents its own interpretation choices.
"""

from __future__ import annotations

from .base import SEATS, IllegalMove, Outcome, RuleError, Rules, Seat
from .chess_rules import ChessRules
from .racing import RacingRules
from .rps import RpsRules
from .tictactoe import TicTacToeRules
from .words import WordsRules

RULES: dict[str, Rules] = {
    rules.game_type: rules for rules in (ChessRules(), TicTacToeRules(), RpsRules(), RacingRules(), WordsRules())
}


def get_rules(game_type: str) -> Rules:
    try:
        return RULES[game_type]
    except (KeyError, TypeError):
        raise RuleError(
            "unknown_game_type",
            f"unknown game type {game_type!r}; known: {', '.join(sorted(RULES))}",
            {"game_type": game_type},
        ) from None


__all__ = ["RULES", "SEATS", "IllegalMove", "Outcome", "RuleError", "Rules", "Seat", "get_rules"]
