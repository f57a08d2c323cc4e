"""What a built-in bot is: a named, seeded, pure move chooser for some game types."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from games.rules.base import RuleError, Rules, Seat

Strategy = Callable[[Rules, dict, Seat, random.Random], str]


@dataclass(frozen=True)
class Bot:
    """``choose`` returns move text the rules accept for ``seat``.

    Strategies only ever see ``rules.public_view(state, seat)``, so a bot cannot peek at an opponent's
    hidden simultaneous choice. All randomness comes from the ``rng`` passed in.
    """

    name: str
    games: frozenset[str]
    strategy: Strategy
    # Whether this deployment can run the bot (an engine binary may be missing); the catalog offers a
    # bot only when this answers True. Called when players are listed, never at import time.
    available: Callable[[], bool] = lambda: True

    def choose(self, rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
        if rules.game_type not in self.games:
            raise RuleError(
                "unsupported_game",
                f"bot {self.name!r} does not play {rules.game_type}",
                {"bot": self.name, "game_type": rules.game_type},
            )
        if seat not in rules.to_move(state):
            raise RuleError("not_your_turn", f"{seat} has nothing to choose now")
        return self.strategy(rules, rules.public_view(state, seat), seat, rng)
