"""`/api/leaderboard`: the ranked models of one game type (one GetItem of the stored leaderboard).

No auth: the leaderboard is public. The work (fit, bootstrap) happens when rated games finish
(``games.leaderboard``), never here. The service module is imported inside the view (cold start).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from duelarena.api_docs import errors
from games.vocabulary import GameType, PlayerKind

router = Router(tags=["leaderboard"])


class MethodOut(Schema):
    model: str = Field(..., description="bradley-terry: one maximum-likelihood fit over all counted games")
    scale: str
    draws: str
    anchor: str | None = Field(None, description="the player whose rating is fixed (without engine anchors)")
    anchor_rating: float | None = None
    anchors: dict[str, float] | None = Field(
        None,
        description="chess with Stockfish levels that played: each level fixed at its nominal Elo (then "
        "`anchor` is not used)",
    )
    anchor_present: bool = Field(..., description="whether the anchor has counted games of this type")
    interval: str
    confidence: float
    bootstrap_resamples: int
    seed: int
    prior_games: float


class ModelRatingOut(Schema):
    rank: int
    model: str = Field(..., description="the player name, e.g. openai:gpt-4.1-mini or builtin:random")
    kind: PlayerKind
    rating: float = Field(..., description="Elo-scale Bradley-Terry rating")
    ci_low: float = Field(..., description="lower end of the bootstrap confidence interval")
    ci_high: float = Field(..., description="upper end of the bootstrap confidence interval")
    games: int
    wins: int
    draws: int
    losses: int
    score: float
    score_rate: float | None
    moves: int
    attempts: int = Field(..., description="answers given: legal moves plus illegal and truncated attempts")
    illegal_attempts: int
    illegal_per_1000_attempts: float | None
    truncated_attempts: int = Field(
        0, description="answers cut off at the model's output limit before a playable move (not illegal)"
    )
    truncated_per_1000_attempts: float | None = Field(None, description="the truncation rate")
    forfeits: dict[str, int] = Field(..., description="games lost by forfeit, by reason")
    tokens_in: int
    tokens_out: int
    cost_micros: int
    avg_tokens_per_game: float | None
    avg_cost_micros_per_game: float | None
    avg_tokens_per_move: float | None
    avg_cost_micros_per_move: float | None
    avg_latency_ms_per_move: float | None
    analysed_moves: int = Field(0, description="moves with a move-quality analysis (chess, tic-tac-toe)")
    avg_cp_loss: float | None = Field(None, description="chess: average centipawn loss per analysed move")
    accuracy: float | None = Field(None, description="average move accuracy (lichess's formula), 0-100")
    blunders_per_100_moves: float | None = None
    mistakes_per_100_moves: float | None = None
    inaccuracies_per_100_moves: float | None = None


class LeaderboardOut(Schema):
    game_type: GameType
    computed_at: str | None = Field(..., description="when it was last recomputed (null: no game has ended)")
    method: MethodOut
    rated_games: int = Field(..., description="finished games that count for ratings")
    excluded_games: int = Field(..., description="ended games that do not count (see excluded_by_reason)")
    excluded_by_reason: dict[str, int] = Field(
        ..., description="aborted, human_seat, legal_moves_hint, self_play, no_result, unrated"
    )
    source_results: int
    models: list[ModelRatingOut]


_errors, _extra = errors({}, optional_token=True)


@router.get(
    "",
    response={200: LeaderboardOut, **_errors},
    summary="Models ranked by rating for one game type",
    operation_id="getLeaderboard",
    openapi_extra=_extra,
)
def leaderboard(request: HttpRequest, game_type: GameType) -> dict[str, Any]:
    from games import leaderboard as boards
    from games.api import optional_user

    optional_user(request)  # a token, when sent, must be valid (as on every public read)
    return boards.for_api(game_type)
