"""``builtin:stockfish-<elo>``: Stockfish with its strength limited to a nominal Elo (chess only).

Stockfish 15.1 maps ``UCI_Elo`` (1350..2850) to a fractional skill level
``level = ((elo - 1346.6) / 143.4) ** (1 / 0.806)`` and, at search depth ``1 + int(level)``, picks a move
among its four best lines with a deliberate, randomised handicap; deeper iterations do not change that
choice. So a search limited to that depth plays exactly as the strength limit intends, at whatever clock
the calibration used: each move is searched to ``1 + int(level)`` plies, capped by ``MOVE_NODES`` so a
turn stays well under a second on Lambda (measured on a shared 2-core machine: 1350/1600 ~5 ms, 2000
~30 ms, 2400 ~0.3 s at the cap). At 2400 the cap usually stops the search before depth 12, where the
pick then happens at the depth reached: that level plays somewhat below its nominal strength.

The process is shared and managed by ``games.engine``. The bot's ``rng`` is not used: Stockfish draws its
handicap from its own clock-seeded generator, so the same position may give another move next time
(stored games replay exactly from their moves; see ``games.engine``).
"""

from __future__ import annotations

import random

from games.rules.base import Rules, Seat
from games.rules.chess_rules import board_from_state

from .base import Strategy

LEVELS = (1350, 1600, 2000, 2400)
MOVE_NODES = 100_000


def skill_level(elo: int) -> float:
    """Stockfish 15.1's skill level for ``UCI_Elo`` (0..20)."""
    return min(20.0, max(0.0, ((elo - 1346.6) / 143.4) ** (1 / 0.806)))


def search_depth(elo: int) -> int:
    """The depth at which Stockfish makes its limited-strength choice (``1 + int(level)``)."""
    return 1 + int(skill_level(elo))


def strategy(elo: int) -> Strategy:
    def choose_stockfish(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
        from games.engine import engine

        board = board_from_state(state)
        return engine().play(board, elo=elo, depth=search_depth(elo), nodes=MOVE_NODES).uci()

    choose_stockfish.__name__ = f"choose_stockfish_{elo}"
    return choose_stockfish


def available() -> bool:
    from games.engine import available as engine_available

    return engine_available()
