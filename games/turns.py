"""How a non-human seat plays one turn: ask the player, check the answer with the rules, record attempts.

Built-in bots are played here. Their randomness comes from ``random.Random`` seeded with the game's seed
and the ply, so replaying a game from (seed, moves) chooses the same moves. Provider models (the LLM
harness: prompts, retries with feedback, budgets) plug in through ``play_turn`` too; until they exist
a seated model raises ``PlayerUnavailable`` instead of being faked.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from games.records import Attempt
from games.rules import IllegalMove, RuleError, Rules, Seat
from llm.catalog import BUILTIN_PREFIX, kind_of

MAX_ATTEMPTS = 3  # GAMES.md: after 3 failed attempts in one turn the seat forfeits
FORFEIT_ILLEGAL = "forfeit_illegal_moves"


class PlayerUnavailable(Exception):
    """The seat's player cannot be played by this deployment (e.g. a model whose provider is not wired)."""


@dataclass
class Turn:
    """The result of one seat's turn: a canonical move and the state after it, or a forfeit."""

    seat: Seat
    move: str | None
    raw: str
    state: dict
    attempts: list[Attempt] = field(default_factory=list)
    forfeit: str | None = None


def bot_rng(seed: int, ply: int) -> random.Random:
    """The bot's randomness for one turn: a pure function of the game's seed and the ply."""
    return random.Random(f"{seed}:{ply}")


def play_turn(rules: Rules, state: dict, seat: Seat, player: str, seed: int) -> Turn:
    if kind_of(player) == "builtin":
        return _play_bot(rules, state, seat, player.removeprefix(BUILTIN_PREFIX), seed)
    raise PlayerUnavailable(f"{player} cannot be played by this deployment yet")


def _play_bot(rules: Rules, state: dict, seat: Seat, name: str, seed: int) -> Turn:
    from llm.bots import BOTS

    bot = BOTS.get(name)
    if bot is None:
        raise PlayerUnavailable(f"there is no built-in bot named {name!r}")
    rng = bot_rng(seed, rules.ply(state))
    attempts: list[Attempt] = []
    raw = ""
    for number in range(1, MAX_ATTEMPTS + 1):
        started = time.perf_counter()
        try:
            raw = bot.choose(rules, state, seat, rng)
            move = rules.parse_move(state, seat, raw)
            after = rules.apply(state, seat, move)
        except (IllegalMove, RuleError) as exc:
            attempts.append(Attempt(number, answer=raw, error=f"{exc.code}: {exc.message}", latency_ms=_ms(started)))
            continue
        attempts.append(Attempt(number, answer=raw, parsed=move, latency_ms=_ms(started)))
        return Turn(seat, move, raw, after, attempts)
    return Turn(seat, None, raw, state, attempts, forfeit=FORFEIT_ILLEGAL)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
