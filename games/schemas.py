"""Request and response schemas of the games API (they validate input and document the OpenAPI spec).

Deliberately free of rules imports: the API module is loaded at startup, the rule engines (python-chess,
the word list) only when a game request needs them, which keeps cold starts short.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

SeatName = Literal["white", "black"]
GameStatus = Literal["live", "paused", "finished", "aborted"]


class CreateGameIn(Schema):
    model_config = ConfigDict(extra="forbid")

    game_type: str = Field(..., min_length=1, max_length=32)
    white_model: str = Field(..., min_length=1, max_length=200, description="a player name, e.g. builtin:random")
    black_model: str = Field(..., min_length=1, max_length=200)
    options: dict[str, Any] | None = Field(None, description="rules options; `seed` (int) fixes the seed")


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    move: str = Field(..., min_length=1, max_length=200)
    expected_ply: int = Field(..., ge=0, le=1_000_000)
    seat: SeatName | None = Field(None, description="only needed when you hold both seats")


class PlayerOut(Schema):
    name: str
    kind: str
    user_id: str | None


class GameSummaryOut(Schema):
    id: str
    game_type: str
    white: str
    black: str
    players: dict[str, PlayerOut]
    owner_id: str
    status: GameStatus
    pause_reason: str | None = Field(
        None,
        description="why a paused game waits: budget (the owner's daily budget), player_unavailable, "
        "owner_unavailable or turn_failed; a step or autoplay resumes it",
    )
    result: str | None
    winner: str | None
    termination: str | None
    ply: int
    moves_count: int
    rated: bool
    autoplay: bool
    step_requested: bool = Field(False, description="one AI turn was asked for (POST .../step) and is pending")
    turn_pending: bool = Field(
        False, description="an AI turn is due and will be played in the background (autoplay or a step)"
    )
    last_error: str | None = Field(
        None, description="why the pending turn's last try failed (it is retried with backoff), if it did"
    )
    hidden: bool
    created_at: str
    updated_at: str


class JudgeOut(Schema):
    """The word-association judge's ruling on an answer (``associated`` null: no ruling, see ``error``)."""

    judge: str
    associated: bool | None
    prompt: str
    answer: str
    reason: str
    tokens_in: int
    tokens_out: int
    cost_micros: int
    latency_ms: int
    calls: int
    priced: bool
    error: str | None


class AttemptOut(Schema):
    attempt: int
    prompt: str
    answer: str
    parsed: str | None
    reasoning: str
    tokens_in: int
    tokens_out: int
    cost_micros: int
    latency_ms: int
    error: str | None
    finish_reason: str | None = Field(
        None, description="how the provider ended the answer: stop, length, content_filter, tool_calls, other"
    )
    truncated: bool = Field(False, description="cut off at the model's output limit")
    reasoning_tokens: int | None = Field(None, description="reasoning tokens within tokens_out, when reported")
    ttft_ms: int | None = Field(None, description="time to first token; null unless the call streamed")
    judge: JudgeOut | None = None


class MoveOut(Schema):
    ply: int
    seat: SeatName
    move: str | None
    raw: str | None
    attempts: list[AttemptOut]
    created_at: str
    hidden: bool = Field(..., description="true for another seat's choice in the current simultaneous round")


class GameOut(GameSummaryOut):
    seed: int | None = Field(..., description="revealed when the game is over")
    bot_secret: int | None = Field(
        None, description="where built-in bots drew their randomness from; revealed when the game is over"
    )
    options: dict[str, Any]
    version: int
    to_move: list[SeatName]
    viewer_seats: list[SeatName]
    state: dict[str, Any]
    totals: dict[str, dict[str, int]] = Field(
        ...,
        description="rows white, black (each seat's own calls), judge, and game (everything the game cost); "
        "fields tokens_in, tokens_out, cost_micros, latency_ms, moves, illegal_attempts, truncated_attempts",
    )
    moves: list[MoveOut]


class GameListOut(Schema):
    items: list[GameSummaryOut]
    next_cursor: str | None
