"""What a stored game and a stored move are, as plain typed records (no I/O).

``store`` turns these into DynamoDB items and back; the service changes them; selectors shape them for
readers. Numbers are ints only (tokens, micro-dollars, milliseconds): DynamoDB stores them exactly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from games.rules.base import SEATS, Seat
from games.vocabulary import GameStatus, PauseReason

LIVE, PAUSED, FINISHED, ABORTED = GameStatus.LIVE, GameStatus.PAUSED, GameStatus.FINISHED, GameStatus.ABORTED
STATUSES = (LIVE, PAUSED, FINISHED, ABORTED)
# A paused game is not over: a turn could not be played yet (``pause_reason``, e.g. ``budget``).
OPEN_STATUSES = (LIVE, PAUSED)
# Why a game is paused (``pause_reason``, see ``PauseReason``); a turn that stays due is retried instead.
PAUSE_BUDGET = PauseReason.BUDGET
PAUSE_PLAYER_UNAVAILABLE = PauseReason.PLAYER_UNAVAILABLE
PAUSE_OWNER_UNAVAILABLE = PauseReason.OWNER_UNAVAILABLE
PAUSE_TURN_FAILED = PauseReason.TURN_FAILED
TOTAL_FIELDS = (
    "tokens_in",
    "tokens_out",
    "cost_micros",
    "latency_ms",
    "moves",
    "illegal_attempts",
    "truncated_attempts",
)
# Totals rows: one per seat (the player's own calls), ``judge`` (the word-association judge's calls) and
# ``game`` (everything the game cost: both seats plus the judge; moves/illegal/truncated attempts of the
# seats). ``truncated_attempts`` counts answers cut off at the output limit that held no playable move:
# they are not illegal attempts (games stored before the field read it as 0).
JUDGE_ROW, GAME_ROW = "judge", "game"
ANALYSED_GAME_TYPES = frozenset({"chess", "tictactoe"})  # move quality once a game is over
ENGINE_ANALYSED_GAME_TYPES = frozenset({"chess"})  # analysed by Stockfish (tic-tac-toe by minimax)
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
    # How the provider ended the answer (``llm.providers.FinishReason``: stop, length, content_filter,
    # tool_calls, other; None for bots and failed calls); ``truncated``: cut off at the output limit;
    # ``reasoning_tokens``: the provider's count of reasoning tokens within ``tokens_out`` (None: not
    # reported); ``ttft_ms``: time to the first token (None: the call did not stream). Moves stored before
    # these fields existed load with the defaults.
    finish_reason: str | None = None
    truncated: bool = False
    reasoning_tokens: int | None = None
    ttft_ms: int | None = None
    # The word-association judge's ruling on this answer, when one was asked (``llm.judge.Verdict``
    # fields: judge, associated, prompt, answer, reason, tokens_in, tokens_out, cost_micros, latency_ms,
    # calls, error). Its cost is the judge's, not the player's: it goes to the ``judge`` totals row.
    judge: dict[str, Any] | None = None

    @property
    def illegal(self) -> bool:
        """A refused answer; provider errors, answers cut off at the output limit and an answer left
        unjudged because the budget stopped the turn are not the player's illegal moves."""
        return self.error is not None and not self.error.startswith(("provider_", "budget:")) and not self.truncated

    @property
    def truncated_failure(self) -> bool:
        """An answer cut off at the output limit that held no playable move."""
        return self.truncated and self.error is not None

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
    san: str | None = None  # chess: the move in SAN (the game item keeps no move list)


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
    # Turn scheduling (see ``games.tasks``). ``due_at``: epoch seconds after which the sweeper drives the
    # game's next AI turn again; None when no AI turn is due (over, paused, a human to move, autoplay off
    # and no step asked). ``step_requested``: one AI turn was asked for with POST .../step.
    # ``lease_until``/``lease_token``: a worker holds the current turn until then. ``turn_failures`` and
    # ``last_error``: consecutive failed tries of the current turn (reset by every recorded turn).
    due_at: int | None = None
    step_requested: bool = False
    lease_until: int | None = None
    lease_token: str | None = None
    turn_failures: int = 0
    last_error: str | None = None
    # Where built-in bots draw their randomness from, with the seed and the ply: secret while the game is
    # open (with it, a bot's hidden choice could be computed), shown once it is over so replays stay exact.
    # None for games stored before it existed (their bots used the seed alone).
    bot_secret: int | None = None
    # Per-seat move quality once analysed (``games.analysis``): engine, nodes, seconds, seats.
    analysis: dict[str, Any] | None = None
    # False only on a list row (``store.game_from_list_item``) of a game that has not ended: the list
    # indexes carry a game's ply, moves_count, updated_at and totals only once it has ended (a turn must
    # not rewrite every list entry), so those fields are unknown there, not zero.
    progress_known: bool = True

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

    @property
    def awaits_analysis(self) -> bool:
        """Over with moves to judge, of a game type with move analysis (``games.analysis``), and not
        analysed yet: its analysis is due on the turn workers like an AI turn."""
        return (
            self.status == FINISHED
            and self.game_type in ANALYSED_GAME_TYPES
            and self.analysis is None
            and self.moves_count > 0
        )

    def copy(self) -> Game:
        return copy.deepcopy(self)
