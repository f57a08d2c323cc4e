"""Which players this deployment can seat, per game type.

The catalog is the single gate for player names at game creation (players and the word-association
judge): a name that is not listed here is refused, so a typo never becomes a game that cannot be played.
It lists ``human``, the built-in bots for the games they play (a bot that needs a binary this machine
lacks, like ``builtin:stockfish-<elo>`` without Stockfish, is left out), and the provider models this deployment
can really call (``llm.pricing.configured_models()``: a provider key, region, or endpoint is configured),
each with its price in USD per million input/output tokens when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

HUMAN = "human"
BUILTIN_PREFIX = "builtin:"
ENGINE_BOT_PREFIX = BUILTIN_PREFIX + "stockfish-"  # the built-in bots that run Stockfish (games.bots.stockfish)


@dataclass(frozen=True)
class Player:
    """A seatable player: ``kind`` is ``human``, ``builtin`` or ``llm``. Models have a ``provider`` and
    ``model``, and prices in USD per million tokens (None when unknown)."""

    name: str
    kind: str
    games: frozenset[str]
    provider: str | None = None
    model: str | None = None
    price_in: Decimal | None = None
    price_out: Decimal | None = None

    def plays(self, game_type: str) -> bool:
        return game_type in self.games


def _game_types() -> frozenset[str]:
    from games.rules import RULES

    return frozenset(RULES)


def _models(games: frozenset[str]) -> list[Player]:
    from llm.pricing import configured_models

    return [
        Player(
            m["name"],
            "llm",
            games,
            provider=m["provider"],
            model=m["model"],
            price_in=m["price_in"],
            price_out=m["price_out"],
        )
        for m in configured_models()
        if kind_of(m["name"]) == "llm"
    ]


def available_players(game_type: str | None = None) -> list[Player]:
    """Every seatable player (for one game type when given), humans first, then bots, then models."""
    from games.bots import BOTS

    games = _game_types()
    players = [Player(HUMAN, "human", games)]
    players += [
        Player(BUILTIN_PREFIX + name, "builtin", bot.games & games)
        for name, bot in sorted(BOTS.items())
        if bot.available()
    ]
    players += _models(games)
    if game_type is not None:
        players = [p for p in players if p.plays(game_type)]
    return players


def find_player(name: str, game_type: str) -> Player | None:
    """The catalog entry for ``name`` if it can sit at a ``game_type`` game."""
    for player in available_players(game_type):
        if player.name == name:
            return player
    return None


def kind_of(name: str) -> str:
    """``human``, ``builtin`` or ``llm`` from the name alone (for stored games, whatever the catalog says now)."""
    if name == HUMAN:
        return "human"
    if name.startswith(BUILTIN_PREFIX):
        return "builtin"
    return "llm"


def uses_engine(name: str) -> bool:
    """Whether the player ``name`` runs the Stockfish engine to choose its moves (``builtin:stockfish-<elo>``),
    from the name alone: such a seat's turn is engine work (``games.service.needs_engine``)."""
    return name.startswith(ENGINE_BOT_PREFIX)
