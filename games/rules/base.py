"""The shared interface of the pure rule engines, plus small helpers they all use.

Every engine is a stateless object whose methods take and return plain JSON-serializable dicts (ints,
strs, bools, lists, dicts; no floats). Nothing here does I/O, touches Django or uses global randomness:
the only randomness comes from the integer seed handed to ``initial_state``. That keeps a game
replayable from (options, seed, moves) and lets the service store states verbatim.

Seats are named ``white``/``black`` for every game; ``white`` is always the first seat (chess white, X in
tic-tac-toe, player1 elsewhere). ``Outcome.result`` is ``first`` when ``white`` wins, ``second`` when
``black`` wins.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Protocol, TypedDict, TypeVar, runtime_checkable

from games.vocabulary import SEATS, GameResult, Seat  # the one definition of the seats

_T = TypeVar("_T")


class RuleError(Exception):
    """A request the rules refuse (bad options, unknown game type...). ``code`` is machine readable."""

    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class IllegalMove(RuleError):
    """A move the rules refuse. ``message`` is written to be shown to the player (including models)."""


@dataclass(frozen=True)
class Outcome:
    result: GameResult
    termination: str

    def to_dict(self) -> dict[str, str]:
        return {"result": self.result, "termination": self.termination}

    @classmethod
    def from_dict(cls, data: dict | None) -> Outcome | None:
        if not data:
            return None
        return cls(result=GameResult(data["result"]), termination=data["termination"])


class MoveChoice(TypedDict):
    """A legal move offered to a client: ``move`` is what to send back; ``san`` only for chess."""

    move: str
    san: str | None


def plain_choices(moves: list[str]) -> list[MoveChoice]:
    return [{"move": m, "san": None} for m in moves]


@runtime_checkable
class Rules(Protocol):
    game_type: str
    simultaneous: bool

    def validate_options(self, options: dict) -> dict: ...

    def initial_state(self, options: dict, seed: int) -> dict: ...

    def to_move(self, state: dict) -> tuple[Seat, ...]: ...

    def parse_move(self, state: dict, seat: Seat, text: str) -> str: ...

    def apply(self, state: dict, seat: Seat, move: str) -> dict: ...

    def outcome(self, state: dict) -> Outcome | None: ...

    def legal_moves(self, state: dict, seat: Seat) -> list[str]: ...

    def move_choices(self, state: dict, seat: Seat) -> list[MoveChoice]: ...

    def render(self, state: dict, seat: Seat | None) -> str: ...

    def public_view(self, state: dict, viewer: Seat | None) -> dict: ...

    def ply(self, state: dict) -> int: ...


# ---------------------------------------------------------------------------------------------- seats


def other(seat: Seat) -> Seat:
    return "black" if seat == "white" else "white"


def check_seat(seat: object) -> Seat:
    if seat not in SEATS:
        raise RuleError("invalid_seat", f"unknown seat {seat!r}; seats are 'white' and 'black'")
    return seat


def winner_result(seat: Seat) -> GameResult:
    return GameResult.FIRST if seat == "white" else GameResult.SECOND


def require_turn(rules: Rules, state: dict, seat: Seat) -> None:
    """Raise the right IllegalMove when ``seat`` may not move now (game over, not its turn)."""
    check_seat(seat)
    if rules.outcome(state) is not None:
        raise IllegalMove("game_over", "the game is already over; no more moves are accepted")
    if seat not in rules.to_move(state):
        if rules.simultaneous:
            raise IllegalMove("not_your_turn", f"{seat} has already chosen this turn; wait for the other seat")
        raise IllegalMove("not_your_turn", f"it is not {seat}'s turn")


# -------------------------------------------------------------------------------------------- options


def check_option_keys(options: object, allowed: set[str]) -> dict:
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise RuleError("invalid_options", "options must be an object")
    unknown = sorted(str(k) for k in options if k not in allowed)
    if unknown:
        raise RuleError(
            "invalid_options",
            f"unknown option(s): {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            {"unknown": unknown},
        )
    return options


def int_option(options: dict, key: str, default: int, lo: int, hi: int, *, odd: bool = False) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError("invalid_options", f"{key} must be an integer", {"option": key})
    if not lo <= value <= hi:
        raise RuleError("invalid_options", f"{key} must be between {lo} and {hi}", {"option": key})
    if odd and value % 2 == 0:
        raise RuleError("invalid_options", f"{key} must be odd", {"option": key})
    return value


def bool_option(options: dict, key: str, default: bool) -> bool:
    value = options.get(key, default)
    if not isinstance(value, bool):
        raise RuleError("invalid_options", f"{key} must be true or false", {"option": key})
    return value


def check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise RuleError("invalid_seed", "seed must be an integer")
    return seed


# ---------------------------------------------------------------------------------------- move text

_WRAPPERS = "\"'`*_()[]{}<>\u201c\u201d\u2018\u2019\u00ab\u00bb"
_TRAILING = ".,;:!?"
_PREFIX = re.compile(r"^\s*(?:final\s+)?move\s*[:=]\s*", re.IGNORECASE)


def clean_text(text: object) -> str:
    """Strip what is form, not meaning: whitespace, quotes, backticks, markdown emphasis, brackets,
    trailing sentence punctuation and a leading ``MOVE:``. Raises ``unreadable_move`` if nothing is left."""
    if not isinstance(text, str):
        raise IllegalMove("unreadable_move", "the move must be given as text")
    s = _PREFIX.sub("", text)
    previous = None
    while s != previous:
        previous = s
        s = s.strip().strip(_WRAPPERS).rstrip(_TRAILING)
    if not s:
        raise IllegalMove("unreadable_move", "no move found in the answer (it is empty)")
    return s


def fresh(state: _T) -> _T:
    """A deep copy, so engines never mutate the state they were given."""
    return copy.deepcopy(state)


def hide_pending(state: dict, viewer: Seat | None) -> dict:
    """Public view of a simultaneous game: other seats' pending choices are removed and replaced by
    ``chosen`` booleans; the viewer still sees its own pending choice."""
    view = fresh(state)
    pending = view.pop("pending", {})
    view["chosen"] = {seat: seat in pending for seat in SEATS}
    view["pending"] = {viewer: pending[viewer]} if viewer in pending else {}
    return view
