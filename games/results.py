"""What an ended game contributes to the leaderboard: its result item (pure: builds items, no I/O).

A *result item* (``RESULTS#<game_type> / GAME#<game_id>``) is one small item per ended game (finished or
aborted): players, result, termination, the seats' totals, and whether the game counts for ratings
(``counted``) or why not (``excluded``). ``games.store`` writes it, in the same TransactWriteItems that
ends the game with a turn or a moderator's abort, so such a game has its result item exactly when it
has ended; ``games.leaderboard`` reads them to compute the board.
"""

from __future__ import annotations

import json
from typing import Any

from duelarena.dynamo import keys
from games.records import ABORTED, FINISHED, Game
from games.vocabulary import SEATS, GameResult, PlayerKind

RESULT_KIND = "result"
RESULTS = tuple(GameResult)
USAGE = ("tokens_in", "tokens_out", "cost_micros", "latency_ms", "moves", "illegal_attempts", "truncated_attempts")

# Why an ended game does not count for ratings, in the order the first matching reason is reported.
ABORTED_REASON, HUMAN_SEAT, LEGAL_MOVES_HINT, SELF_PLAY, NO_RESULT, UNRATED = (
    "aborted",
    "human_seat",
    "legal_moves_hint",
    "self_play",
    "no_result",
    "unrated",
)


def exclusion(game: Game) -> str | None:
    """Why an ended game does not count for ratings (None: it counts)."""
    if game.status == ABORTED:
        return ABORTED_REASON
    if PlayerKind.HUMAN in (game.white, game.black):
        return HUMAN_SEAT
    if game.options.get("legal_moves_hint"):
        return LEGAL_MOVES_HINT
    if game.white == game.black:
        return SELF_PLAY
    if game.result not in RESULTS:
        return NO_RESULT
    if not game.rated:
        return UNRATED
    return None


def counts(game: Game) -> bool:
    """Whether this game, once finished, moves ratings."""
    return game.status == FINISHED and exclusion(game) is None


def result_item(game: Game) -> dict[str, Any]:
    """The result item of an ended game (what the leaderboard is computed from)."""
    if game.status not in (FINISHED, ABORTED):
        raise ValueError(f"game {game.id} has not ended ({game.status})")
    reason = exclusion(game)
    return {
        "pk": keys.results_pk(game.game_type),
        "sk": keys.result_sk(game.id),
        "kind": RESULT_KIND,
        "game_id": game.id,
        "game_type": game.game_type,
        "white": game.white,
        "black": game.black,
        "status": game.status,
        "result": game.result,
        "termination": game.termination,
        "counted": reason is None,
        "excluded": reason,
        "ended_at": game.updated_at,
        "totals": {seat: {k: int(game.totals.get(seat, {}).get(k, 0)) for k in USAGE} for seat in SEATS},
        **({"analysis": analysis_text(game.analysis)} if game.analysis else {}),
    }


def analysis_text(summary: dict[str, Any]) -> str:
    """The per-seat move-quality totals a result item carries (JSON text: accuracy sums are floats)."""
    seats = {seat: summary.get("seats", {}).get(seat) for seat in SEATS}
    return json.dumps(seats, separators=(",", ":"), sort_keys=True)
