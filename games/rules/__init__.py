"""Pure rule engines for the five games, looked up by game type.

See ``base.py`` for the interface; each module documents its own interpretation choices.

The engines are imported on first use, one game type at a time: ``get_rules("rps")`` loads the
rock-paper-scissors module only, and python-chess (``chess_rules``) or the word list (``words``) are
loaded by the first request that needs that game's rules, not by importing this package (cold start:
``games.records`` and the API's read paths import ``games.rules.base``, which runs this file).
``RULES`` (every engine by game type) is built on first access and loads them all.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

from games.vocabulary import GameType

from .base import SEATS, IllegalMove, Outcome, RuleError, Rules, Seat

# game type -> (module in this package, class): the one list of the engines.
ENGINES: dict[str, tuple[str, str]] = {
    GameType.CHESS.value: ("chess_rules", "ChessRules"),
    GameType.TICTACTOE.value: ("tictactoe", "TicTacToeRules"),
    GameType.RPS.value: ("rps", "RpsRules"),
    GameType.RACING.value: ("racing", "RacingRules"),
    GameType.WORDS.value: ("words", "WordsRules"),
}

_loaded: dict[str, Rules] = {}
_lock = threading.Lock()

if TYPE_CHECKING:
    RULES: dict[str, Rules]


def _load(game_type: str) -> Rules:
    with _lock:
        rules = _loaded.get(game_type)
        if rules is None:
            module, cls = ENGINES[game_type]
            rules = getattr(importlib.import_module(f"{__name__}.{module}"), cls)()
            _loaded[game_type] = rules
        return rules


def get_rules(game_type: str) -> Rules:
    rules = _loaded.get(game_type) if isinstance(game_type, str) else None
    if rules is not None:
        return rules
    try:
        known = game_type in ENGINES
    except TypeError:  # unhashable
        known = False
    if not known:
        raise RuleError(
            "unknown_game_type",
            f"unknown game type {game_type!r}; known: {', '.join(sorted(ENGINES))}",
            {"game_type": game_type},
        )
    return _load(game_type)


def __getattr__(name: str) -> object:
    if name == "RULES":
        return {game_type: get_rules(game_type) for game_type in ENGINES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ENGINES", "RULES", "SEATS", "IllegalMove", "Outcome", "RuleError", "Rules", "Seat", "get_rules"]
