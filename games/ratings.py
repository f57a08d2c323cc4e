"""Bradley-Terry ratings on the Elo scale with bootstrap confidence intervals. Pure: no I/O, no Django.

The model: player ``i`` has a strength ``theta_i`` and beats ``j`` with probability
``1 / (1 + exp(theta_j - theta_i))``. On the Elo scale a rating is ``400 / ln(10) * theta`` plus an
offset, so 400 points of difference mean 10:1 odds. A draw counts as half a win for each side (the usual
Bradley-Terry treatment of draws, which is also what Elo does).

The fit is the maximum of the likelihood of every game at once (not a sequence of per-game updates, so
the order games were played in does not matter). A small prior keeps it finite and unique when a player
won or lost every game or when the players form separate groups that never met: every player is given
``prior_games`` virtual games, half won and half lost, against a virtual opponent of strength 0. The
prior pulls a player with few games towards that virtual opponent and fades as real games accumulate.

The maximum is found with Newton's method on the (strictly concave) log-posterior: the gradient and the
Hessian come from the games aggregated per pair of players, so one iteration costs O(pairs + players^3)
whatever the number of games, and 5-10 iterations reach machine precision. A backtracking line search
makes every step an improvement.

Anchoring: ratings are shifted so the anchor player (e.g. ``builtin:random``) has ``anchor_rating``
(e.g. 1000). Without the anchor among the players, the virtual prior opponent sits at ``anchor_rating``,
which centres the scale on a typical player.

Several anchors (``anchors={player: rating}``, used for chess with the Stockfish levels at their nominal
Elo): every anchor that played is *fixed* at its rating and only the other players are fitted, so the
anchors' results against each other do not move them (the tournament test checks they agree with their
nominal gaps). The virtual prior opponent then sits at the mean rating of the anchors present. Without
any anchor among the players the single ``anchor`` rule above applies.

Confidence intervals: a percentile bootstrap. Games are resampled with replacement (as many as there
were), the model refitted (warm-started from the full fit), and the interval is the central ``confidence``
share of the resampled ratings. Each resample draws games uniformly with a seeded generator and counts
them by distinct (white, black, score) outcome, so the refit costs the same however many games there are.
With the seed, the same games always give the same intervals. The bootstrap alone sees no uncertainty where every game
of a player had the same outcome (each resample is then the same data: two wins out of two would give a
zero-width interval), so an interval is never narrower than the normal approximation from the
curvature of the fit at its optimum, and always contains the point rating. That floor is draw-aware (see
``_standard_errors``): a drawn game carries less variance than a decided one, and a floor that ignored
it made the intervals too wide whenever games were drawn (coverage of 98-99% instead of 95%). Ratings and intervals are
relative to the anchor, whose interval is therefore a single point.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import mul
from statistics import NormalDist

ELO_SCALE = 400.0 / math.log(10.0)
WIN, DRAW, LOSS = 2, 1, 0  # the first player's points, in half-points (exact, no floats to round)

_MAX_ITERATIONS = 100
_TOLERANCE = 1e-8  # on the natural-log scale: about 2e-6 Elo points


@dataclass(frozen=True)
class GameScore:
    """One game: ``points`` is what ``first`` scored, in half-points (2 win, 1 draw, 0 loss)."""

    first: str
    second: str
    points: int

    def __post_init__(self) -> None:
        if self.points not in (WIN, DRAW, LOSS):
            raise ValueError(f"points must be 0, 1 or 2 (half-points), not {self.points!r}")


@dataclass(frozen=True)
class Rating:
    player: str
    rating: float
    low: float
    high: float
    games: int


@dataclass(frozen=True)
class _Pair:
    """Games between players ``i`` and ``j`` (indices, i < j): ``n`` games, ``i`` scored ``score``."""

    i: int
    j: int
    n: float
    score: float


# ------------------------------------------------------------------------------------------ the fit


def _log_sigmoid(x: float) -> float:
    if x >= 0:
        return -math.log1p(math.exp(-x))
    return x - math.log1p(math.exp(x))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _objective(theta: list[float], pairs: Sequence[_Pair], prior: float) -> float:
    """The log-posterior. Uses log(sigmoid(-d)) = log(sigmoid(d)) - d: one logarithm per pair."""
    total = 0.0
    for p in pairs:
        d = theta[p.i] - theta[p.j]
        total += p.n * _log_sigmoid(d) - (p.n - p.score) * d
    half = prior / 2.0
    for t in theta:
        total += half * (2.0 * _log_sigmoid(t) - t)
    return total


def _cholesky(matrix: list[list[float]]) -> list[list[float]]:
    """The lower Cholesky factor of a symmetric positive definite matrix (pure Python)."""
    n = len(matrix)
    lower = [[0.0] * n for _ in range(n)]
    for i in range(n):
        row_i = lower[i]
        for j in range(i + 1):
            row_j = lower[j]
            s = matrix[i][j] - sum(map(mul, row_i[:j], row_j[:j]))
            if i == j:
                row_i[i] = math.sqrt(max(s, 1e-300))
            else:
                row_i[j] = s / row_j[j]
    return lower


def _solve(lower: list[list[float]], rhs: Sequence[float]) -> list[float]:
    """Solve ``L @ L.T @ x = rhs`` given the Cholesky factor ``L``."""
    n = len(rhs)
    y = [0.0] * n
    for i in range(n):
        y[i] = (rhs[i] - sum(map(mul, lower[i][:i], y[:i]))) / lower[i][i]
    upper = [list(column) for column in zip(*lower, strict=True)]  # L transposed, row by row
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (y[i] - sum(map(mul, upper[i][i + 1 :], x[i + 1 :]))) / upper[i][i]
    return x


def _derivatives(theta: Sequence[float], pairs: Sequence[_Pair], prior: float) -> tuple[list[float], list[list[float]]]:
    """The gradient of the log-posterior and its curvature (minus the Hessian: positive definite
    thanks to the prior)."""
    n = len(theta)
    gradient = [prior * (0.5 - _sigmoid(t)) for t in theta]
    curvature = [[0.0] * n for _ in range(n)]
    for i, t in enumerate(theta):
        s = _sigmoid(t)
        curvature[i][i] = prior * s * (1.0 - s)
    for p in pairs:
        win = _sigmoid(theta[p.i] - theta[p.j])
        excess = p.score - p.n * win
        gradient[p.i] += excess
        gradient[p.j] -= excess
        w = p.n * win * (1.0 - win)
        curvature[p.i][p.i] += w
        curvature[p.j][p.j] += w
        curvature[p.i][p.j] -= w
        curvature[p.j][p.i] -= w
    return gradient, curvature


def _restrict(
    gradient: Sequence[float], curvature: Sequence[Sequence[float]], free: Sequence[int]
) -> tuple[list[float], list[list[float]]]:
    return [gradient[i] for i in free], [[curvature[i][j] for j in free] for i in free]


def _newton(
    n_players: int,
    pairs: Sequence[_Pair],
    prior: float,
    start: Sequence[float] | None = None,
    fixed: Mapping[int, float] | None = None,
) -> list[float]:
    """The maximum a posteriori strengths (natural-log scale) by damped Newton iterations; players in
    ``fixed`` keep the given strength."""
    fixed = fixed or {}
    theta = list(start) if start is not None else [0.0] * n_players
    for i, value in fixed.items():
        theta[i] = value
    free = [i for i in range(n_players) if i not in fixed]
    if not free:
        return theta
    current = _objective(theta, pairs, prior)
    for _ in range(_MAX_ITERATIONS):
        gradient, curvature = _restrict(*_derivatives(theta, pairs, prior), free)
        free_step = _solve(_cholesky(curvature), gradient)
        step = [0.0] * n_players
        for k, i in enumerate(free):
            step[i] = free_step[k]
        size = 1.0
        while True:
            candidate = [t + size * s for t, s in zip(theta, step, strict=True)]
            value = _objective(candidate, pairs, prior)
            if value >= current - 1e-12:
                break
            size /= 2.0
            if size < 1e-6:  # no ascent left in this direction: at the optimum up to rounding
                return theta
        theta, current = candidate, value
        if max((abs(s) * size for s in step), default=0.0) < _TOLERANCE:
            break
    return theta


def _standard_errors(
    theta: Sequence[float],
    pairs: Sequence[_Pair],
    prior: float,
    anchor: int | None,
    fixed: Mapping[int, float] | None = None,
    draws: dict[tuple[int, int], float] | None = None,
) -> list[float]:
    """Standard errors on the Elo scale of each rating relative to the anchor (or to the virtual prior
    opponent without one; with fixed anchors, of the free players: the fixed ones have none), from the
    curvature ``H`` at the optimum, made draw-aware.

    Without draws this is the Laplace approximation ``H^-1``. A game scored 1, 1/2 or 0 varies less than
    a win-or-loss game with the same expectation ``p``: its variance is ``p(1-p) - P(draw)/4``. The
    sandwich ``H^-1 J H^-1`` uses that variance per pair in ``J`` (with the pair's observed draw share),
    so draws narrow the floor exactly as much as they narrow the real spread of the estimate. With fixed
    anchors both matrices are restricted to the free players."""
    gradient, curvature = _derivatives(theta, pairs, prior)
    spread = [row[:] for row in curvature]  # J: H minus the variance draws take away
    for p in pairs:
        drawn = (draws or {}).get((p.i, p.j), 0.0)
        if not drawn:
            continue
        win = _sigmoid(theta[p.i] - theta[p.j])
        cut = min(drawn / 4.0, p.n * win * (1.0 - win))
        spread[p.i][p.i] -= cut
        spread[p.j][p.j] -= cut
        spread[p.i][p.j] += cut
        spread[p.j][p.i] += cut
    n = len(theta)
    free = [i for i in range(n) if i not in (fixed or {})]
    errors = [0.0] * n
    if not free:
        return errors
    lower = _cholesky(_restrict(gradient, curvature, free)[1])
    spread = _restrict(gradient, spread, free)[1]
    m = len(free)
    for k, i in enumerate(free):
        direction = [0.0] * m
        direction[k] += 1.0
        if anchor is not None and not fixed:
            direction[free.index(anchor)] -= 1.0
        if not any(direction):
            continue
        x = _solve(lower, direction)
        variance = sum(x[a] * spread[a][b] * x[b] for a in range(m) for b in range(m) if spread[a][b])
        errors[i] = ELO_SCALE * math.sqrt(max(variance, 0.0))
    return errors


def _pairs_from(tally: dict[tuple[int, int], list[float]]) -> list[_Pair]:
    return [_Pair(i, j, n, score) for (i, j), (n, score) in sorted(tally.items())]


def _anchored(theta: Sequence[float], players: Sequence[str], anchor: str | None, anchor_rating: float) -> list[float]:
    ratings = [ELO_SCALE * t for t in theta]
    offset = anchor_rating
    if anchor is not None and anchor in players:
        offset -= ratings[players.index(anchor)]
    return [r + offset for r in ratings]


@dataclass(frozen=True)
class _Fixed:
    """Anchors that played, as fixed strengths around ``centre`` (the Elo the strength 0 stands for)."""

    strengths: dict[int, float]
    centre: float

    @classmethod
    def of(cls, players: Sequence[str], anchors: Mapping[str, float] | None) -> _Fixed | None:
        present = {players.index(name): float(r) for name, r in (anchors or {}).items() if name in players}
        if not present:
            return None
        centre = sum(present.values()) / len(present)
        return cls({i: (r - centre) / ELO_SCALE for i, r in present.items()}, centre)

    def ratings(self, theta: Sequence[float]) -> list[float]:
        return [ELO_SCALE * t + self.centre for t in theta]


@dataclass(frozen=True)
class _Data:
    players: list[str]
    games: dict[str, int]
    categories: list[tuple[int, int, float]]  # (i, j, i's score in this game) with i < j
    counts: list[int]


def _prepare(games: Iterable[GameScore]) -> _Data:
    """Index players by name and group games into distinct outcomes. Self-play games are ignored: they
    carry no information about relative strength."""
    kept = [g for g in games if g.first != g.second]
    players = sorted({g.first for g in kept} | {g.second for g in kept})
    index = {name: k for k, name in enumerate(players)}
    played: Counter[str] = Counter()
    outcomes: Counter[tuple[int, int, float]] = Counter()
    for g in kept:
        played[g.first] += 1
        played[g.second] += 1
        i, j = index[g.first], index[g.second]
        score = g.points / 2.0
        outcomes[(i, j, score) if i < j else (j, i, 1.0 - score)] += 1
    categories = sorted(outcomes)
    return _Data(players, dict(played), categories, [outcomes[c] for c in categories])


def _tally(categories: Sequence[tuple[int, int, float]], counts: Iterable[tuple[int, int]]) -> list[_Pair]:
    tally: dict[tuple[int, int], list[float]] = {}
    for k, count in counts:
        i, j, score = categories[k]
        entry = tally.setdefault((i, j), [0.0, 0.0])
        entry[0] += count
        entry[1] += count * score
    return _pairs_from(tally)


def fit(
    games: Iterable[GameScore],
    *,
    anchor: str | None = None,
    anchor_rating: float = 1000.0,
    prior_games: float = 1.0,
    anchors: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Point ratings of every player that played another player, anchored, on the Elo scale."""
    if prior_games <= 0:
        raise ValueError("prior_games must be positive (it keeps the fit finite)")
    data = _prepare(games)
    pairs = _tally(data.categories, enumerate(data.counts))
    fixed = _Fixed.of(data.players, anchors)
    theta = _newton(len(data.players), pairs, prior_games, fixed=fixed.strengths if fixed else None)
    values = fixed.ratings(theta) if fixed else _anchored(theta, data.players, anchor, anchor_rating)
    return dict(zip(data.players, values, strict=True))


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (the default of numpy.quantile)."""
    if not sorted_values:
        return math.nan
    position = q * (len(sorted_values) - 1)
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    fraction = position - below
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * fraction


def rate(
    games: Iterable[GameScore],
    *,
    anchor: str | None = None,
    anchor_rating: float = 1000.0,
    resamples: int = 200,
    seed: int = 0,
    confidence: float = 0.95,
    prior_games: float = 1.0,
    anchors: Mapping[str, float] | None = None,
) -> list[Rating]:
    """Ratings with bootstrap intervals, best first (ties by name). ``resamples=0`` gives point intervals.
    ``anchors`` (when any of them played) fixes those players at their ratings instead of ``anchor``."""
    if prior_games <= 0:
        raise ValueError("prior_games must be positive (it keeps the fit finite)")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    data = _prepare(games)
    n = len(data.players)
    if n == 0:
        return []
    pairs = _tally(data.categories, enumerate(data.counts))
    fixed = _Fixed.of(data.players, anchors)
    strengths = fixed.strengths if fixed else None

    def on_scale(values: Sequence[float]) -> list[float]:
        return fixed.ratings(values) if fixed else _anchored(values, data.players, anchor, anchor_rating)

    theta = _newton(n, pairs, prior_games, fixed=strengths)
    point = on_scale(theta)
    samples: list[list[float]] = [[] for _ in range(n)]
    total = sum(data.counts)
    if resamples > 0 and total > 0:
        rng = random.Random(seed)
        # One entry per game, naming its outcome: drawing games uniformly (the fastest stdlib draw).
        population = [k for k, count in enumerate(data.counts) for _ in range(count)]
        for _ in range(resamples):
            drawn = Counter(rng.choices(population, k=total))
            resampled = _newton(n, _tally(data.categories, drawn.items()), prior_games, start=theta, fixed=strengths)
            for k, r in enumerate(on_scale(resampled)):
                samples[k].append(r)
    tail = (1.0 - confidence) / 2.0
    z = NormalDist().inv_cdf(1.0 - tail)
    anchor_index = data.players.index(anchor) if anchor in data.players and not fixed else None
    draws: dict[tuple[int, int], float] = {}
    for (i, j, score), count in zip(data.categories, data.counts, strict=True):
        if score == 0.5:
            draws[(i, j)] = draws.get((i, j), 0.0) + count
    errors = _standard_errors(theta, pairs, prior_games, anchor_index, strengths or {}, draws)
    ratings = []
    for k, name in enumerate(data.players):
        values = sorted(samples[k])
        low = _quantile(values, tail) if values else point[k]
        high = _quantile(values, 1.0 - tail) if values else point[k]
        if resamples > 0:  # never narrower than the normal approximation (see the module docstring)
            low, high = min(low, point[k] - z * errors[k]), max(high, point[k] + z * errors[k])
        ratings.append(Rating(name, point[k], min(low, point[k]), max(high, point[k]), data.games.get(name, 0)))
    ratings.sort(key=lambda r: (-r.rating, r.player))
    return ratings


def expected_score(rating: float, opponent: float) -> float:
    """The Elo expectation of a player rated ``rating`` against ``opponent`` (0..1)."""
    return 1.0 / (1.0 + 10.0 ** ((opponent - rating) / 400.0))
