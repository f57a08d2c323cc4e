"""What a stored game and a stored move are, as plain typed records (no I/O).

``store`` turns these into DynamoDB items and back; the service changes them; selectors shape them for
readers. Numbers are ints only (tokens, micro-dollars, milliseconds): DynamoDB stores them exactly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from games.rules.base import SEATS, Seat

LIVE, PAUSED, FINISHED, ABORTED = "live", "paused", "finished", "aborted"
STATUSES = (LIVE, PAUSED, FINISHED, ABORTED)
# A paused game is not over: a turn could not be played yet (``pause_reason``, e.g. ``budget``).
OPEN_STATUSES = (LIVE, PAUSED)
PAUSE_BUDGET = "budget"
TOTAL_FIELDS = ("tokens_in", "tokens_out", "cost_micros", "latency_ms", "moves", "illegal_attempts")
# Totals rows: one per seat (the player's own calls), ``judge`` (the word-association judge's calls) and
# ``game`` (everything the game cost: both seats plus the judge; moves/illegal attempts of the seats).
JUDGE_ROW, GAME_ROW = "judge", "game"
TOTAL_ROWS = (*SEATS, JUDGE_ROW, GAME_ROW)
_USAGE_FIELDS = ("tokens_in", "tokens_out", "cost_micros", "latency_ms")


def empty_totals() -> dict[str, dict[str, int]]:
    return {row: dict.fromkeys(TOTAL_FIELDS, 0) for row in TOTAL_ROWS}


def complete_totals(found: dict | None) -> dict[str, dict[str, int]]:
    """Stored totals with every row and field present (games stored before a row existed lack it)."""
    totals = empty_totals()
    for row, values in (found or {}).items():
        if row in totals and isinstance(values, dict):
            totals[row].update({k: int(v) for k, v in values.items() if k in TOTAL_FIELDS})
    return totals


@dataclass
class Attempt:
    """One try of a player at one turn (a model may need several; bots usually one)."""

    attempt: int
    prompt: str = ""
    answer: str = ""
    parsed: str | None = None
    reasoning: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_micros: int = 0
    latency_ms: int = 0
    error: str | None = None
    # The word-association judge's ruling on this answer, when one was asked (``llm.judge.Verdict``
    # fields: judge, associated, prompt, answer, reason, tokens_in, tokens_out, cost_micros, latency_ms,
    # calls, error). Its cost is the judge's, not the player's: it goes to the ``judge`` totals row.
    judge: dict[str, Any] | None = None

    @property
    def illegal(self) -> bool:
        """A refused answer; provider errors are not the player's illegal moves (as in the harness)."""
        return self.error is not None and not self.error.startswith("provider_")

    @property
    def charged_micros(self) -> int:
        """What this attempt cost the game's owner: the player's call plus the judge's calls."""
        return int(self.cost_micros) + int((self.judge or {}).get("cost_micros", 0))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attempt:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class Move:
    """A recorded move: ``ply`` is the game's ply *before* it, so each ply holds at most one move."""

    game_id: str
    ply: int
    seat: Seat
    move: str
    raw: str
    attempts: list[Attempt] = field(default_factory=list)
    created_at: str = ""
    # Move quality once the game is analysed (``games.analysis``): cp_loss, best move, class, accuracy...
    analysis: dict[str, Any] | None = None


@dataclass
class Game:
    id: str
    game_type: str
    white: str
    black: str
    owner_id: str
    seed: int
    options: dict[str, Any]
    state: dict[str, Any]
    created_at: str
    updated_at: str
    white_user_id: str | None = None
    black_user_id: str | None = None
    status: str = LIVE
    result: str | None = None
    winner: Seat | None = None
    termination: str | None = None
    ply: int = 0
    version: int = 1
    hidden: bool = False
    flagged: bool = False
    totals: dict[str, dict[str, int]] = field(default_factory=empty_totals)
    moves_count: int = 0
    rated: bool = True
    autoplay: bool = False
    pause_reason: str | None = None  # set while status is ``paused``
    # Attempts that were paid for but belong to no move: a turn stopped by the budget before it found a
    # move. Each entry: ``{"seat", "ply", "attempts": [Attempt dicts]}``. Counted in the totals.
    interrupted: list[dict[str, Any]] = field(default_factory=list)
    # Per-seat move quality once analysed (``games.analysis``): engine, nodes, seconds, seats.
    analysis: dict[str, Any] | None = None

    def player(self, seat: Seat) -> str:
        return self.white if seat == "white" else self.black

    def user_id(self, seat: Seat) -> str | None:
        return self.white_user_id if seat == "white" else self.black_user_id

    def seats_of(self, user_id: str | None) -> list[Seat]:
        """The human seats this user holds (both, when one person plays both sides)."""
        if not user_id:
            return []
        return [seat for seat in SEATS if self.player(seat) == "human" and self.user_id(seat) == user_id]

    @property
    def is_live(self) -> bool:
        """Not over: playing, or paused until a turn can be played (moves are still accepted)."""
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == PAUSED

    def copy(self) -> Game:
        return copy.deepcopy(self)
