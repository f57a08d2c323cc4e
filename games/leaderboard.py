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
  (ratings are floats, which DynamoDB's number type would refuse through boto3). It is the dynamorm
  model ``duelarena.dynamo.models.LeaderboardItem``: its GetItem and its conditional UpdateItem go
  through the model; the result items (written in the game's transactions) and their Query use the
  raw client (``items``).

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

Chess is anchored to a real engine: as soon as any ``builtin:stockfish-<elo>`` level has a counted game,
every level that played is fixed at its nominal Elo (``ratings.rate(anchors=...)``) and
``LEADERBOARD_ANCHOR`` is not used for chess (``LEADERBOARD_ENGINE_ANCHORS=0`` turns this off). The
``method`` of such a board lists ``anchors`` instead of ``anchor``/``anchor_rating``.

Move quality: a result item gets the game's per-seat analysis (``games.analysis``) when it is analysed;
each model's row then shows ``analysed_moves``, ``avg_cp_loss`` (chess), ``accuracy`` and blunders,
mistakes and inaccuracies per 100 analysed moves (None before any analysis). Still the one Query.

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
_USAGE = USAGE
# Move-quality sums per seat in a result item's ``analysis`` (``games.analysis.summarize_seat``).
_QUALITY = ("moves", "cp_moves", "cp_loss_total", "accuracy_total", "blunders", "mistakes", "inaccuracies")

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
    engine_anchors: bool = True

    def anchors_for(self, game_type: str) -> dict[str, float]:
        """Players fixed at their nominal Elo: for chess the Stockfish levels (``builtin:stockfish-<elo>``),
        used as soon as any of them has played; none for other games (they keep ``anchor``)."""
        if game_type != "chess" or not self.engine_anchors:
            return {}
        from games.bots.stockfish import LEVELS

        return {f"builtin:stockfish-{elo}": float(elo) for elo in LEVELS}

    @classmethod
    def from_settings(cls) -> Config:
        return cls(
            anchor=str(getattr(settings, "LEADERBOARD_ANCHOR", cls.anchor)),
            anchor_rating=float(getattr(settings, "LEADERBOARD_ANCHOR_RATING", cls.anchor_rating)),
            resamples=int(getattr(settings, "LEADERBOARD_BOOTSTRAP", cls.resamples)),
            confidence=float(getattr(settings, "LEADERBOARD_CONFIDENCE", cls.confidence)),
            seed=int(getattr(settings, "LEADERBOARD_SEED", cls.seed)),
            prior_games=float(getattr(settings, "LEADERBOARD_PRIOR_GAMES", cls.prior_games)),
            engine_anchors=bool(getattr(settings, "LEADERBOARD_ENGINE_ANCHORS", cls.engine_anchors)),
        )


class _Tally:
    """One model's record over the counted games."""

    def __init__(self) -> None:
        self.games = self.wins = self.draws = self.losses = 0
        self.usage = dict.fromkeys(USAGE, 0)
        self.forfeits: Counter[str] = Counter()
        self.quality = dict.fromkeys(_QUALITY, 0.0)

    def add_quality(self, seat_summary: dict[str, Any] | None) -> None:
        for name in _QUALITY:
            self.quality[name] += float((seat_summary or {}).get(name) or 0)

    def quality_view(self) -> dict[str, Any]:
        q = self.quality
        moves, cp_moves = int(q["moves"]), int(q["cp_moves"])
        return {
            "analysed_moves": moves,
            "avg_cp_loss": _round(q["cp_loss_total"] / cp_moves, 1) if cp_moves else None,
            "accuracy": _round(q["accuracy_total"] / moves, 1) if moves else None,
            "blunders_per_100_moves": _round(100 * q["blunders"] / moves, 2) if moves else None,
            "mistakes_per_100_moves": _round(100 * q["mistakes"] / moves, 2) if moves else None,
            "inaccuracies_per_100_moves": _round(100 * q["inaccuracies"] / moves, 2) if moves else None,
        }

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
            **self.quality_view(),
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


def game_scores(results: Iterable[dict[str, Any]]) -> list[ratings.GameScore]:
    """The counted games among result items, as the rating fit sees them (white first)."""
    return [ratings.GameScore(r["white"], r["black"], _POINTS[r["result"]][0]) for r in results if r.get("counted")]


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
            if result.get("analysis"):
                tallies[players[k]].add_quality(json.loads(result["analysis"]).get(seat))
    anchors = config.anchors_for(game_type)
    present = sorted(name for name in anchors if name in tallies)
    rated = ratings.rate(
        scores,
        anchor=config.anchor,
        anchor_rating=config.anchor_rating,
        resamples=config.resamples,
        seed=config.seed,
        confidence=config.confidence,
        prior_games=config.prior_games,
        anchors={name: anchors[name] for name in present},
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
            **(
                {"anchors": {name: anchors[name] for name in present}, "anchor_present": True}
                if present
                else {
                    "anchor": config.anchor,
                    "anchor_rating": config.anchor_rating,
                    "anchor_present": any(m["model"] == config.anchor for m in models),
                }
            ),
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
    view: dict[str, Any] = json.loads(item["body"])
    view.update(computed_at=item["computed_at"], source_results=int(item.get("source_results", 0)))
    return view


def recompute(game_type: str, *, force: bool = False) -> dict[str, Any]:
    """Read every result of ``game_type`` (one consistent Query, paged past 1 MB), fit, store. Returns
    the leaderboard as stored. ``force`` overwrites even a board computed from a later read."""
    read_at = keys.now_iso()
    results = items.query_all(results_pk(game_type))
    view = summarize(game_type, results, Config.from_settings())
    computed_at = keys.now_iso()
    board = {
        "kind": LEADERBOARD_KIND,
        "game_type": game_type,
        "read_at": read_at,
        "computed_at": computed_at,
        "source_results": len(results),
        "rated_games": view["rated_games"],
        "excluded_games": view["excluded_games"],
        "body": json.dumps(view, separators=(",", ":"), sort_keys=True),
    }
    from boto3.dynamodb.conditions import Attr

    from duelarena.dynamo.models import LeaderboardItem

    stored_read_at = Attr("read_at")
    try:
        LeaderboardItem.update_item(
            # Upsert (no existence condition); only over a board computed from an earlier read.
            conditions=None if force else stored_read_at.not_exists() | stored_read_at.lte(read_at),
            pk=leaderboard_pk(game_type),
            sk=CURRENT_SK,
            **board,
        )
    except ConditionFailed:
        logger.info("a newer leaderboard is already stored", extra={"game_type": game_type})
        return read(game_type)
    view.update(computed_at=computed_at, source_results=len(results))
    return view


def read(game_type: str) -> dict[str, Any]:
    """The stored leaderboard of a known game type: one GetItem (an empty board before any result)."""
    from duelarena.dynamo.models import LeaderboardItem, values

    board = LeaderboardItem.get(pk=leaderboard_pk(game_type), sk=CURRENT_SK)  # eventually consistent
    return _view_from_item(values(board)) if board else _empty(game_type, Config.from_settings())


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
