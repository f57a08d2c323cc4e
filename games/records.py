"""What a stored game and a stored move are, as plain typed records (no I/O).

``store`` turns these into DynamoDB items and back; the service changes them; selectors shape them for
readers. Numbers are ints only (tokens, micro-dollars, milliseconds): DynamoDB stores them exactly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from games.rules.base import SEATS, Seat

LIVE, FINISHED, ABORTED = "live", "finished", "aborted"
STATUSES = (LIVE, FINISHED, ABORTED)
TOTAL_FIELDS = ("tokens_in", "tokens_out", "cost_micros", "latency_ms", "moves", "illegal_attempts")


def empty_totals() -> dict[str, dict[str, int]]:
    return {seat: dict.fromkeys(TOTAL_FIELDS, 0) for seat in SEATS}


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
        return self.status == LIVE

    def copy(self) -> Game:
        return copy.deepcopy(self)
