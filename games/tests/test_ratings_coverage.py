"""Finding 11 of the audit: the 95% intervals cover the true rating about 95% of the time, draws or not.

A seeded simulation: tournaments between players of known strength whose games end in draws at a
fixed rate; the interval of every non-anchor player is checked against its true rating (relative to
the anchor). Too-wide intervals (a draw-blind floor) cover far more than 95%, too-narrow ones less.
"""

from __future__ import annotations

import random

import pytest

from games.ratings import DRAW, LOSS, WIN, GameScore, rate

TRUE = {"anchor": 1000.0, "a": 1060.0, "b": 940.0, "c": 1120.0, "d": 1000.0}


def tournament(rng: random.Random, draw_rate: float, rounds: int) -> list[GameScore]:
    names = list(TRUE)
    games = []
    for _ in range(rounds):
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                expected = 1.0 / (1.0 + 10.0 ** ((TRUE[second] - TRUE[first]) / 400.0))
                u = rng.random()
                win = expected - draw_rate / 2.0  # keeps the expected score: P(win) + P(draw) / 2
                points = WIN if u < win else DRAW if u < win + draw_rate else LOSS
                games.append(
                    GameScore(first, second, points) if rng.random() < 0.5 else GameScore(second, first, WIN - points)
                )
    return games


def coverage(draw_rate: float, tournaments: int = 60, rounds: int = 6, seed: int = 11) -> float:
    rng = random.Random(seed)
    hits = total = 0
    for t in range(tournaments):
        ratings = rate(tournament(rng, draw_rate, rounds), anchor="anchor", resamples=100, seed=t)
        for r in ratings:
            if r.player == "anchor":
                continue
            total += 1
            hits += r.low <= TRUE[r.player] <= r.high
    return hits / total


@pytest.mark.parametrize("draw_rate", [0.14, 0.26])
def test_intervals_cover_the_true_rating_about_95_percent_of_the_time(draw_rate):
    assert 0.92 <= coverage(draw_rate) <= 0.975


def test_the_interval_floor_knows_that_draws_vary_less_than_wins_and_losses():
    drawn = [GameScore("x", "y", DRAW) for _ in range(40)]
    split = [GameScore("x", "y", WIN if k % 2 else LOSS) for k in range(40)]  # the same expected score

    def width(games: list[GameScore]) -> float:
        (x,) = [r for r in rate(games, anchor="y", resamples=50) if r.player == "x"]
        return x.high - x.low

    assert width(drawn) < 0.5 * width(split)
    # two wins out of two are still no certainty: the floor keeps that interval open
    (w,) = [r for r in rate([GameScore("x", "y", WIN)] * 2, anchor="y", resamples=50) if r.player == "x"]
    assert w.high - w.low > 400
