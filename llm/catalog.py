"""Which players this deployment can seat, per game type.

The catalog is the single gate for player names at game creation: a name that is not listed here is
refused, so a typo never becomes a game that cannot be played. It lists ``human``, the built-in bots
for the games they play, and the provider models configured in settings (``LLM_MODELS``, a list of
``provider:model`` names, filled in by the LLM work; empty until then, and never invented here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

HUMAN = "human"
BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class Player:
    """A seatable player: ``kind`` is ``human``, ``builtin`` or ``llm``."""

    name: str
    kind: str
    games: frozenset[str]
    prices: dict[str, int] = field(default_factory=dict)  # micro-dollars per million tokens, when known

    def plays(self, game_type: str) -> bool:
        return game_type in self.games


def _game_types() -> frozenset[str]:
    from games.rules import RULES

    return frozenset(RULES)


def _configured_models() -> list[str]:
    names = getattr(settings, "LLM_MODELS", ()) or ()
    return [n for n in names if isinstance(n, str) and ":" in n and not n.startswith(BUILTIN_PREFIX)]


def available_players(game_type: str | None = None) -> list[Player]:
    """Every seatable player (for one game type when given), humans first, then bots, then models."""
    from llm.bots import BOTS

    games = _game_types()
    players = [Player(HUMAN, "human", games)]
    players += [Player(BUILTIN_PREFIX + name, "builtin", bot.games & games) for name, bot in sorted(BOTS.items())]
    players += [Player(name, "llm", games) for name in _configured_models()]
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
