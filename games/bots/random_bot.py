"""``builtin:random``: a uniformly random legal move (words: a random valid unused word)."""

from __future__ import annotations

import random

from games.rules.base import Rules, Seat
from games.rules.words import pick_word


def choose_random(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
    if rules.game_type == "words":
        # legal_moves is only a sample for words; draw from the whole list instead.
        return pick_word(state, rng)
    return rng.choice(rules.legal_moves(state, seat))
