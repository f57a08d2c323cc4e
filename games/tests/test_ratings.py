"""The Bradley-Terry fit and its bootstrap intervals (pure: no DynamoDB)."""

from __future__ import annotations

import math
import random
import time

import pytest

from games.ratings import DRAW, LOSS, WIN, GameScore, expected_score, fit, rate


def games_between(a: str, b: str, wins: int, draws: int, losses: int) -> list[GameScore]:
    """``a``'s record against ``b``, alternating colours."""
    out = []
    for k, points in enumerate([WIN] * wins + [DRAW] * draws + [LOSS] * losses):
        out.append(GameScore(a, b, points) if k % 2 == 0 else GameScore(b, a, 2 - points))
    return out


def simulate(strengths: dict[str, float], n: int, seed: int, draw_share: float = 0.1) -> list[GameScore]:
    rng = random.Random(seed)
    players = sorted(strengths)
    out = []
    for _ in range(n):
        a, b = rng.sample(players, 2)
        expected = expected_score(strengths[a], strengths[b])
        u = rng.random()
        if u < draw_share:
            out.append(GameScore(a, b, DRAW))
        else:
            out.append(GameScore(a, b, WIN if rng.random() < expected else LOSS))
    return out


def mm_reference(games: list[GameScore], prior: float, anchor: str) -> dict[str, float]:
    """Hunter's MM algorithm with the same prior (independent check of the Newton solver)."""
    players = sorted({g.first for g in games} | {g.second for g in games})
    gamma = dict.fromkeys(players, 1.0)
    score = dict.fromkeys(players, 0.0)
    for g in games:
        score[g.first] += g.points / 2
        score[g.second] += 1 - g.points / 2
    met: dict[tuple[str, str], int] = {}
    for g in games:
        met[(g.first, g.second)] = met.get((g.first, g.second), 0) + 1
        met[(g.second, g.first)] = met.get((g.second, g.first), 0) + 1
    for _ in range(20000):
        new = {}
        for p in players:
            denominator = prior / (gamma[p] + 1.0)
            for q in players:
                denominator += met.get((p, q), 0) / (gamma[p] + gamma[q])
            new[p] = (score[p] + prior / 2) / denominator
        if max(abs(math.log(new[p] / gamma[p])) for p in players) < 1e-12:
            gamma = new
            break
        gamma = new
    scale = 400 / math.log(10)
    base = scale * math.log(gamma[anchor])
    return {p: 1000 + scale * math.log(gamma[p]) - base for p in players}


def test_two_players_match_the_elo_formula():
    games = games_between("A", "B", wins=6, draws=0, losses=2)
    ratings = fit(games, anchor="B", prior_games=1e-9)
    assert ratings["B"] == pytest.approx(1000)
    assert ratings["A"] - ratings["B"] == pytest.approx(400 * math.log10(3), abs=1e-4)  # 75 % = 3:1 odds


def test_draws_count_as_half_a_win_each():
    all_draws = fit(games_between("A", "B", 0, 10, 0), anchor="A")
    assert all_draws["A"] == pytest.approx(all_draws["B"])
    # 2 wins + 2 draws + 0 losses is the same score as 3 wins and 1 loss
    assert fit(games_between("A", "B", 2, 2, 0), anchor="B", prior_games=1e-9)["A"] == pytest.approx(
        fit(games_between("A", "B", 3, 0, 1), anchor="B", prior_games=1e-9)["A"], abs=1e-6
    )


def test_matches_an_independent_mm_solver():
    games = simulate({"a": 1000, "b": 1200, "c": 1350, "d": 900}, 300, seed=3)
    newton = fit(games, anchor="a", prior_games=1.0)
    reference = mm_reference(games, 1.0, "a")
    for player, value in reference.items():
        assert newton[player] == pytest.approx(value, abs=1e-4)


def test_anchor_is_fixed_and_configurable():
    games = simulate({"builtin:random": 1000, "x": 1300, "y": 1500}, 400, seed=1)
    default = fit(games, anchor="builtin:random")
    assert default["builtin:random"] == pytest.approx(1000)
    shifted = fit(games, anchor="builtin:random", anchor_rating=1500)
    assert all(shifted[p] - default[p] == pytest.approx(500) for p in default)
    by_other = fit(games, anchor="x", anchor_rating=2000)
    assert by_other["x"] == pytest.approx(2000)
    assert by_other["y"] - by_other["x"] == pytest.approx(default["y"] - default["x"])
    # Without the anchor among the players the virtual prior opponent sits at the anchor rating.
    absent = fit(games, anchor="nobody")
    assert min(absent.values()) < 1000 < max(absent.values())


def test_recovers_true_strength_order_and_gaps():
    truth = {"p0": 1000, "p1": 1100, "p2": 1250, "p3": 1450}
    ratings = fit(simulate(truth, 4000, seed=7, draw_share=0), anchor="p0")
    assert sorted(ratings, key=ratings.get) == ["p0", "p1", "p2", "p3"]
    for player, value in truth.items():
        assert ratings[player] == pytest.approx(value, abs=40)


def test_order_of_games_does_not_matter():
    games = simulate({"a": 1000, "b": 1100, "c": 1200}, 200, seed=5)
    shuffled = games[:]
    random.Random(1).shuffle(shuffled)
    assert rate(games, anchor="a", resamples=50, seed=9) == rate(shuffled, anchor="a", resamples=50, seed=9)


def test_finite_for_unbeaten_players_and_separate_groups():
    games = games_between("perfect", "random", 10, 0, 0) + games_between("c", "d", 3, 0, 1)
    ratings = fit(games, anchor="random")
    assert all(math.isfinite(v) for v in ratings.values())
    assert ratings["perfect"] > ratings["random"] + 300
    assert ratings["c"] > ratings["d"]


def test_self_play_is_ignored():
    games = games_between("a", "b", 3, 0, 1)
    assert fit(games + [GameScore("a", "a", WIN)] * 5, anchor="b") == fit(games, anchor="b")
    assert rate([GameScore("a", "a", DRAW)]) == []


def test_bootstrap_is_seeded_and_intervals_contain_the_rating():
    games = simulate({"a": 1000, "b": 1150, "c": 1300}, 300, seed=2)
    first = rate(games, anchor="a", resamples=100, seed=4)
    assert first == rate(games, anchor="a", resamples=100, seed=4)
    assert [r.player for r in first] == ["c", "b", "a"]
    for r in first:
        assert r.low <= r.rating <= r.high and r.games > 0
    anchor = next(r for r in first if r.player == "a")
    assert anchor.rating == pytest.approx(1000) and anchor.high - anchor.low == pytest.approx(0, abs=1e-6)


def test_unanimous_results_still_get_an_honest_interval():
    """Two wins out of two: every bootstrap resample is the same, yet the rating is far from certain."""
    (winner, loser) = rate(games_between("s", "r", 2, 0, 0), anchor="r", seed=1)
    assert winner.low < 1000 < winner.rating < winner.high and winner.high - winner.low > 800
    assert loser.low == loser.rating == loser.high == pytest.approx(1000)


def test_intervals_shrink_with_more_games():
    few = games_between("strong", "weak", 6, 2, 2)
    many = few * 10  # same proportions, ten times the evidence
    narrow = next(r for r in rate(many, anchor="weak", seed=1) if r.player == "strong")
    wide = next(r for r in rate(few, anchor="weak", seed=1) if r.player == "strong")
    assert narrow.high - narrow.low < (wide.high - wide.low) / 2


def test_zero_resamples_give_point_intervals_and_bad_arguments_are_refused():
    (a, b) = rate(games_between("a", "b", 2, 0, 1), resamples=0)
    assert a.low == a.rating == a.high and b.low == b.high
    with pytest.raises(ValueError):
        GameScore("a", "b", 3)
    with pytest.raises(ValueError):
        fit([], prior_games=0)
    with pytest.raises(ValueError):
        rate([], confidence=1.5)


def test_thousands_of_games_are_fast():
    strengths = {f"model-{k}": 900 + 40 * k for k in range(12)}
    games = simulate(strengths, 5000, seed=11)
    started = time.perf_counter()
    ranked = rate(games, anchor="model-0", resamples=200, seed=0)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    assert ranked[0].player in ("model-11", "model-10") and ranked[-1].player in ("model-0", "model-1")
