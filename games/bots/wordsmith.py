"""``builtin:wordsmith``: valid unused words that visibly relate to the previous word.

Without a model there is no meaning to work with, so it prefers form: a word sharing the longest possible
prefix with the previous word (3, 2, then 1 letters), ordinary length (3..10 letters), falling back to a
word sharing any letter, then any valid unused word. It never answers a used word or a plural of one.
"""

from __future__ import annotations

import random

from games.rules.base import Rules, Seat
from games.rules.words import clash, pick_word, previous_word, used_words, words_with_prefix


def choose_wordsmith(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
    previous = previous_word(state)
    used = used_words(state)
    for size in (3, 2, 1):
        if len(previous) < size:
            continue
        pool = [w for w in words_with_prefix(previous[:size]) if 3 <= len(w) <= 10]
        rng.shuffle(pool)
        for word in pool[:400]:
            if clash(word, used) is None:
                return word
    letters = set(previous)
    return pick_word(state, rng, prefer=lambda w: bool(letters & set(w)))
