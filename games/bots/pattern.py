"""``builtin:pattern``: rock-paper-scissors that exploits the opponent's habits.

Several simple predictors of the opponent's next choice (most frequent choice, repeat of the last one,
what usually follows their last choice, what usually answers our last choice, beating our last choice,
cycling) are scored on the rounds played so far; the best one, if it beats chance, is countered.
Otherwise the bot plays uniformly at random, which cannot be exploited.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

from games.rules.base import Rules, Seat, other
from games.rules.rps import BEATS, CHOICES

BEATEN_BY = {loser: winner for winner, loser in BEATS.items()}  # rock -> paper
NEXT = {"rock": "paper", "paper": "scissors", "scissors": "rock"}

Predictor = Callable[[list[str], list[str]], str | None]


def _most_common(items: list[str]) -> str | None:
    if not items:
        return None
    counts = Counter(items)
    best = max(counts.values())
    return next(c for c in CHOICES if counts[c] == best)


def _after(seq: list[str], follow: list[str]) -> str | None:
    """Most common ``follow[i+1]`` after ``seq[i] == seq[-1]``."""
    if not seq:
        return None
    return _most_common([follow[i + 1] for i in range(len(seq) - 1) if seq[i] == seq[-1]])


PREDICTORS: tuple[Predictor, ...] = (
    lambda mine, theirs: _most_common(theirs),
    lambda mine, theirs: theirs[-1] if theirs else None,
    lambda mine, theirs: _after(theirs, theirs),
    lambda mine, theirs: _after(mine, theirs),
    lambda mine, theirs: BEATEN_BY[mine[-1]] if mine else None,
    lambda mine, theirs: NEXT[theirs[-1]] if theirs else None,
    lambda mine, theirs: NEXT[NEXT[theirs[-1]]] if theirs else None,
)


def predict(mine: list[str], theirs: list[str]) -> str | None:
    """The best-scoring predictor's guess, if it has been right clearly more often than chance."""
    best_score, best_guess = 0.5, None  # the bar: half a hit better than guessing
    tries = len(theirs) - 1
    for predictor in PREDICTORS:
        hits = sum(predictor(mine[:i], theirs[:i]) == theirs[i] for i in range(1, len(theirs)))
        score = hits - tries / 3
        guess = predictor(mine, theirs)
        if guess is not None and score > best_score:
            best_score, best_guess = score, guess
    return best_guess


def choose_pattern(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
    mine = [r[seat] for r in state["rounds"]]
    theirs = [r[other(seat)] for r in state["rounds"]]
    guess = predict(mine, theirs)
    return BEATEN_BY[guess] if guess else rng.choice(list(CHOICES))
