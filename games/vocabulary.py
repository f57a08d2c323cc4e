"""The closed vocabularies of the games domain, in one place.

Rules, records, the service and the API schemas all use these; the OpenAPI schema publishes them as
enums, so a generated client gets the same names. Each is a ``StrEnum``: a member *is* its string
(``GameStatus.LIVE == "live"``), so stored items and rule states keep plain strings.

Pure: no imports beyond the standard library (the rule engines import it).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, overload

# A seat forfeits the game after this many failed attempts (illegal, unreadable or truncated answers)
# in one turn (shared/GAMES.md, the product's game rules): the harness, the prompts and the bots' turns.
MAX_FAILED_ATTEMPTS = 3

Seat = Literal["white", "black"]
SEATS: tuple[Seat, Seat] = ("white", "black")


class SeatName(StrEnum):
    """The two seats of every game: ``white`` moves first (chess white, X, player 1)."""

    WHITE = "white"
    BLACK = "black"


class GameType(StrEnum):
    CHESS = "chess"
    TICTACTOE = "tictactoe"
    RPS = "rps"
    RACING = "racing"
    WORDS = "words"


class GameStatus(StrEnum):
    """``paused`` is not over: a turn could not be played yet (see ``pause_reason``)."""

    LIVE = "live"
    PAUSED = "paused"
    FINISHED = "finished"
    ABORTED = "aborted"


class PauseReason(StrEnum):
    """Why a game is paused: causes that will not pass by themselves (a step or a new autoplay resumes
    it). Faults that do pass (storage down, a killed worker, a slow model) never pause a game."""

    BUDGET = "budget"  # the owner's daily budget cannot cover the next model call
    PLAYER_UNAVAILABLE = "player_unavailable"  # a seat's model or bot is not offered by this deployment
    OWNER_UNAVAILABLE = "owner_unavailable"  # the owner's account is gone: model turns cannot be charged
    TURN_FAILED = "turn_failed"  # the turn failed too many times in a row (the game's ``last_error``)


class GameResult(StrEnum):
    """``first``: the white seat won; ``second``: the black seat won."""

    FIRST = "first"
    SECOND = "second"
    DRAW = "draw"


class PlayerKind(StrEnum):
    HUMAN = "human"
    BUILTIN = "builtin"
    LLM = "llm"


class Termination(StrEnum):
    """Why a game ended. Rules end games by their own reasons; the harness, a resignation, a moderator
    or the legacy import end them by the others. ``other``: a reason stored by an older version that
    is not in this list (the API reports it as ``other`` rather than a free string)."""

    # chess (python-chess's Termination names, lower case, plus the arena's own limits)
    CHECKMATE = "checkmate"
    STALEMATE = "stalemate"
    INSUFFICIENT_MATERIAL = "insufficient_material"
    SEVENTYFIVE_MOVES = "seventyfive_moves"
    FIVEFOLD_REPETITION = "fivefold_repetition"
    FIFTY_MOVES = "fifty_moves"
    THREEFOLD_REPETITION = "threefold_repetition"
    MOVE_LIMIT = "move_limit"
    # tic-tac-toe
    THREE_IN_A_ROW = "three_in_a_row"
    BOARD_FULL = "board_full"
    # rock-paper-scissors and words
    ROUNDS_COMPLETE = "rounds_complete"
    # racing
    FINISH_LINE = "finish_line"
    TURN_LIMIT = "turn_limit"
    # any game
    FORFEIT_ILLEGAL_MOVES = "forfeit_illegal_moves"
    FORFEIT_TIMEOUT = "forfeit_timeout"
    FORFEIT_PROVIDER_ERROR = "forfeit_provider_error"
    FORFEIT_TRUNCATED = "forfeit_truncated"  # every failed answer of the turn was cut off at the output limit
    RESIGNATION = "resignation"
    ABORTED_BY_MODERATOR = "aborted_by_moderator"
    # legacy import (games played by the earlier version)
    IMPORTED = "imported"
    IMPORTED_UNFINISHED = "imported_unfinished"
    OTHER = "other"

    @property
    def is_forfeit(self) -> bool:
        """The seat that lost gave up its turn (illegal moves, time, provider errors, truncation)."""
        return self in _FORFEITS


_FORFEITS = frozenset(
    {
        Termination.FORFEIT_ILLEGAL_MOVES,
        Termination.FORFEIT_TIMEOUT,
        Termination.FORFEIT_PROVIDER_ERROR,
        Termination.FORFEIT_TRUNCATED,
    }
)


@overload
def termination_name(value: str) -> Termination: ...
@overload
def termination_name(value: None) -> None: ...
def termination_name(value: str | None) -> Termination | None:
    """A stored termination as a member of the vocabulary (unknown strings become ``other``)."""
    if value is None:
        return None
    try:
        return Termination(value)
    except ValueError:
        return Termination.OTHER
