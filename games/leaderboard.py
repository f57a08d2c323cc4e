"""The leaderboard: one item per game type, recomputed from the results of ended games.

Items (see the access-pattern table in ``duelarena/dynamo/schema.py``):

- ``RESULTS#<game_type> / GAME#<game_id>``: one small *result item* per ended game (finished or
  aborted; built by ``games.results``): players, result, termination, the seats' totals, and whether the
  game counts for ratings (``counted``) or why not (``excluded``). ``games.store`` puts it in the same
  TransactWriteItems that ends the game with a turn or a moderator's abort, so such a game has its result item
  exactly when it has ended; a resignation (only possible with a human seat, so never rated) puts it
  right after its update. The key (the game id) makes a game count once however often anything is
  retried or recomputed. Deleting a game deletes its result item in the same transaction.
- ``LEADERBOARD#<game_type> / CURRENT``: the leaderboard, written only by ``recompute`` in this module.
  ``GET /api/leaderboard?game_type=`` is one GetItem of it. The ranked models are stored as JSON text
  (ratings are floats, which DynamoDB's number type would refuse through boto3).

Recomputing is a pure function of the result items (one consistent Query of ``RESULTS#<type>``), so it is
idempotent: recomputing twice, or after a crash, gives the same leaderboard (the bootstrap is seeded). A
recompute only overwrites a leaderboard computed from an *earlier* read (``read_at``, a condition on the
write): of two racing recomputes the one that read later wins, so the stored board never goes back to
an older set of results.

When it runs: right after the write that finishes a rated game, in the same process (``game_ended``,
called by the game service once the store's write has returned: storage never triggers it), not later
on a read: a read stays one GetItem and never pays for a fit, and no marker or queue is needed.
The cost is one Query (a page holds ~2,000 result items) plus the fit, measured at ~30 ms for 100
games, ~45 ms for 1,000 and ~0.12 s for 5,000 among six models, and about a
second among 40 models (200 resamples; the fit works on pairs of players, so its cost grows with the
number of models, not of games). It is paid once per rated game by the turn that ended it, usually an
autoplay worker rather than a person waiting; a turn that does not end a rated game pays nothing.
Failures there are logged, never raised: the game's result item is already stored, and the next
recompute includes it. Bulk writers (tournaments) wrap their work in ``deferred_refresh()`` and
recompute each touched game type once at the end.

Unrated games (human seats, ``legal_moves_hint``, aborted, self-play) do not change ratings; the
leaderboard counts them by reason the next time it is recomputed. Games imported from the earlier
version (``manage.py import_sqlite``) have no result items: they were never played here and stay off
the board.

Settings (read with defaults): ``LEADERBOARD_ANCHOR`` (``builtin:random``) and
``LEADERBOARD_ANCHOR_RATING`` (1000): the player whose rating is fixed; ``LEADERBOARD_BOOTSTRAP`` (200
resamples), ``LEADERBOARD_CONFIDENCE`` (0.95), ``LEADERBOARD_SEED`` (0), ``LEADERBOARD_PRIOR_GAMES`` (1.0).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from games import ratings, store
from games.records import Game
from games.results import UNRATED, USAGE, counts
from games.vocabulary import SEATS, GameResult, termination_name

logger = logging.getLogger("duelarena.leaderboard")

LEADERBOARD_KIND = "leaderboard"
CURRENT_SK = keys.LEADERBOARD_SK
results_pk, leaderboard_pk = keys.results_pk, keys.leaderboard_pk
_POINTS = {
    GameResult.FIRST: (ratings.WIN, ratings.LOSS),
    GameResult.SECOND: (ratings.LOSS, ratings.WIN),
    GameResult.DRAW: (ratings.DRAW,) * 2,
}

_deferred: ContextVar[set[str] | None] = ContextVar("leaderboard_deferred", default=None)


# --------------------------------------------------------------------------------- the computation


@dataclass(frozen=True)
class Config:
    anchor: str = "builtin:random"
    anchor_rating: float = 1000.0
    resamples: int = 200
    confidence: float = 0.95
    seed: int = 0
    prior_games: float = 1.0

    @classmethod
    def from_settings(cls) -> Config:
        return cls(
            anchor=str(getattr(settings, "LEADERBOARD_ANCHOR", cls.anchor)),
            anchor_rating=float(getattr(settings, "LEADERBOARD_ANCHOR_RATING", cls.anchor_rating)),
            resamples=int(getattr(settings, "LEADERBOARD_BOOTSTRAP", cls.resamples)),
            confidence=float(getattr(settings, "LEADERBOARD_CONFIDENCE", cls.confidence)),
            seed=int(getattr(settings, "LEADERBOARD_SEED", cls.seed)),
            prior_games=float(getattr(settings, "LEADERBOARD_PRIOR_GAMES", cls.prior_games)),
        )


class _Tally:
    """One model's record over the counted games."""

    def __init__(self) -> None:
        self.games = self.wins = self.draws = self.losses = 0
        self.usage = dict.fromkeys(USAGE, 0)
        self.forfeits: Counter[str] = Counter()

    def add(self, points: int, totals: dict[str, Any], forfeit: str | None) -> None:
        self.games += 1
        self.wins += points == ratings.WIN
        self.draws += points == ratings.DRAW
        self.losses += points == ratings.LOSS
        for name in USAGE:
            self.usage[name] += int(totals.get(name, 0))
        if forfeit:
            self.forfeits[forfeit] += 1

    def view(self) -> dict[str, Any]:
        u = self.usage
        # Every answer is a move, an illegal attempt or a truncated one (cut off with no playable move).
        attempts = u["moves"] + u["illegal_attempts"] + u["truncated_attempts"]
        tokens = u["tokens_in"] + u["tokens_out"]
        return {
            "games": self.games,
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "score": _round(self.wins + self.draws / 2, 1),
            "score_rate": _round((self.wins + self.draws / 2) / self.games, 4) if self.games else None,
            "moves": u["moves"],
            "attempts": attempts,
            "illegal_attempts": u["illegal_attempts"],
            "illegal_per_1000_attempts": _per_1000(u["illegal_attempts"], attempts),
            "truncated_attempts": u["truncated_attempts"],
            "truncated_per_1000_attempts": _per_1000(u["truncated_attempts"], attempts),
            "forfeits": dict(sorted(self.forfeits.items())),
            "tokens_in": u["tokens_in"],
            "tokens_out": u["tokens_out"],
            "cost_micros": u["cost_micros"],
            "avg_tokens_per_game": _per(tokens, self.games),
            "avg_cost_micros_per_game": _per(u["cost_micros"], self.games),
            "avg_tokens_per_move": _per(tokens, u["moves"]),
            "avg_cost_micros_per_move": _per(u["cost_micros"], u["moves"]),
            "avg_latency_ms_per_move": _per(u["latency_ms"], u["moves"]),
        }


def _round(value: float, digits: int) -> float:
    return round(float(value), digits)


def _per_1000(count: int, attempts: int) -> float | None:
    return _round(1000 * count / attempts, 1) if attempts else None


def _per(total: int, count: int) -> float | None:
    return _round(total / count, 1) if count else None


def _kind(name: str) -> str:
    if name == "human":
        return "human"
    return "builtin" if name.startswith("builtin:") else "llm"


def summarize(game_type: str, results: Iterable[dict[str, Any]], config: Config) -> dict[str, Any]:
    """The leaderboard of one game type from its result items (pure: no I/O)."""
    scores: list[ratings.GameScore] = []
    tallies: dict[str, _Tally] = {}
    excluded: Counter[str] = Counter()
    for result in results:
        if not result.get("counted"):
            excluded[result.get("excluded") or UNRATED] += 1
            continue
        points = _POINTS[result["result"]]
        players = (result["white"], result["black"])
        scores.append(ratings.GameScore(players[0], players[1], points[0]))
        termination = result.get("termination") or ""
        for k, seat in enumerate(SEATS):
            lost = points[k] == ratings.LOSS
            forfeit = termination if lost and termination_name(termination).is_forfeit else None
            totals = (result.get("totals") or {}).get(seat) or {}
            tallies.setdefault(players[k], _Tally()).add(points[k], totals, forfeit)
    rated = ratings.rate(
        scores,
        anchor=config.anchor,
        anchor_rating=config.anchor_rating,
        resamples=config.resamples,
        seed=config.seed,
        confidence=config.confidence,
        prior_games=config.prior_games,
    )
    models = []
    for rank, r in enumerate(rated, start=1):
        models.append(
            {
                "rank": rank,
                "model": r.player,
                "kind": _kind(r.player),
                "rating": _round(r.rating, 1),
                "ci_low": _round(r.low, 1),
                "ci_high": _round(r.high, 1),
                **tallies[r.player].view(),
            }
        )
    return {
        "game_type": game_type,
        "method": {
            "model": "bradley-terry",
            "scale": "elo",
            "draws": "half a win for each side",
            "anchor": config.anchor,
            "anchor_rating": config.anchor_rating,
            "anchor_present": any(m["model"] == config.anchor for m in models),
            "interval": f"{config.confidence:.0%} percentile bootstrap over games",
            "confidence": config.confidence,
            "bootstrap_resamples": config.resamples,
            "seed": config.seed,
            "prior_games": config.prior_games,
        },
        "rated_games": len(scores),
        "excluded_games": sum(excluded.values()),
        "excluded_by_reason": dict(sorted(excluded.items())),
        "models": models,
    }


# ---------------------------------------------------------------------------------- storage and API


def _empty(game_type: str, config: Config) -> dict[str, Any]:
    view = summarize(game_type, [], config)
    view.update(computed_at=None, source_results=0)
    return view


def _view_from_item(item: dict[str, Any]) -> dict[str, Any]:
    view = json.loads(item["body"])
    view.update(computed_at=item["computed_at"], source_results=int(item.get("source_results", 0)))
    return view


def recompute(game_type: str, *, force: bool = False) -> dict[str, Any]:
    """Read every result of ``game_type`` (one consistent Query, paged past 1 MB), fit, store. Returns
    the leaderboard as stored. ``force`` overwrites even a board computed from a later read."""
    read_at = keys.now_iso()
    results = items.query_all(results_pk(game_type))
    view = summarize(game_type, results, Config.from_settings())
    computed_at = keys.now_iso()
    values = {
        "kind": LEADERBOARD_KIND,
        "game_type": game_type,
        "read_at": read_at,
        "computed_at": computed_at,
        "source_results": len(results),
        "rated_games": view["rated_games"],
        "excluded_games": view["excluded_games"],
        "body": json.dumps(view, separators=(",", ":"), sort_keys=True),
    }
    try:
        items.update(
            leaderboard_pk(game_type),
            CURRENT_SK,
            set_values=values,
            must_exist=False,
            condition=None if force else "attribute_not_exists(#read_at) OR #read_at <= :read_at",
            condition_names=None if force else {"#read_at": "read_at"},
            condition_values=None if force else {":read_at": read_at},
        )
    except ConditionFailed:
        logger.info("a newer leaderboard is already stored", extra={"game_type": game_type})
        return read(game_type)
    view.update(computed_at=computed_at, source_results=len(results))
    return view


def read(game_type: str) -> dict[str, Any]:
    """The stored leaderboard of a known game type: one GetItem (an empty board before any result)."""
    item = items.get(leaderboard_pk(game_type), CURRENT_SK, consistent=False)
    return _view_from_item(item) if item else _empty(game_type, Config.from_settings())


def for_api(game_type: object) -> dict[str, Any]:
    """``read`` for the API: an unknown game type is a 400 ``unknown_game_type``."""
    from duelarena.domain import InvalidInput
    from games.rules import RuleError, get_rules

    try:
        rules = get_rules(game_type)  # type: ignore[arg-type]
    except RuleError as exc:
        raise InvalidInput(exc.message, code="unknown_game_type", details=exc.details) from None
    return read(rules.game_type)


# --------------------------------------------------------------------------------------- triggers


def _refresh(game_type: str) -> None:
    try:
        recompute(game_type)
    except Exception:  # the result item is stored; the next recompute includes it
        logger.exception("leaderboard recompute failed", extra={"game_type": game_type})


def game_ended(game: Game) -> None:
    """Called by the game service once the store's write that ended ``game`` returned: a finished rated
    game updates its type's leaderboard now (or when the enclosing ``deferred_refresh`` block ends)."""
    if not counts(game):
        return
    pending = _deferred.get()
    if pending is not None:
        pending.add(game.game_type)
        return
    _refresh(game.game_type)


def game_removed(game: Game) -> None:
    """Called by the game service after the store deleted ``game`` (and its result item): a counted game leaves
    the board now (or when the enclosing ``deferred_refresh`` block ends)."""
    game_ended(game)


@contextmanager
def deferred_refresh() -> Iterator[set[str]]:
    """Within the block, games that end only note their type; each noted type is recomputed once when
    the block exits (also on an exception or Ctrl-C, so whatever finished is on the board)."""
    pending: set[str] = set()
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)
        for game_type in sorted(pending):
            _refresh(game_type)


def rebuild(game_types: Iterable[str] | None = None) -> dict[str, int]:
    """Backfill result items from the games themselves (games that ended before result items existed,
    or after a restore), then recompute. Games imported from the earlier version are not arena games
    and stay off the board. Walks every game through gsi4 (admin/maintenance only, never
    on a request path); idempotent: result items are keyed by game id. Returns result items per type."""
    from games.rules import RULES

    wanted = set(game_types) if game_types is not None else set(RULES)
    written = store.backfill_results(wanted)
    for game_type in sorted(wanted):
        recompute(game_type, force=True)
    return dict(written)
