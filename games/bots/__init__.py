"""Built-in bot players (``builtin:<name>``): pure, seeded move choosers.

``BOTS[name].choose(rules, state, seat, rng)`` returns move text that ``rules.parse_move`` accepts.
``stockfish-<elo>`` bots run the Stockfish binary (``games.engine``) and are offered only where it exists
(``Bot.available``).
"""

from __future__ import annotations

from .base import Bot
from .pattern import choose_pattern
from .perfect import choose_perfect
from .racer import choose_racer
from .random_bot import choose_random
from .searcher import choose_searcher
from .stockfish import LEVELS as STOCKFISH_LEVELS
from .stockfish import available as stockfish_available
from .stockfish import strategy as stockfish_strategy
from .wordsmith import choose_wordsmith

ALL_GAMES = frozenset({"chess", "tictactoe", "rps", "racing", "words"})

BOTS: dict[str, Bot] = {
    bot.name: bot
    for bot in (
        Bot("random", ALL_GAMES, choose_random),
        Bot("perfect", frozenset({"tictactoe"}), choose_perfect),
        Bot("pattern", frozenset({"rps"}), choose_pattern),
        Bot("racer", frozenset({"racing"}), choose_racer),
        Bot("searcher", frozenset({"chess"}), choose_searcher),
        Bot("wordsmith", frozenset({"words"}), choose_wordsmith),
        *(
            Bot(f"stockfish-{elo}", frozenset({"chess"}), stockfish_strategy(elo), stockfish_available)
            for elo in STOCKFISH_LEVELS
        ),
    )
}

__all__ = ["ALL_GAMES", "BOTS", "Bot"]
