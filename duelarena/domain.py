"""The domain errors services raise: what was refused and why, not how HTTP says it.

Services (``games.service``, ``games.moderation``, ``games.selectors``, ``accounts.moderation``,
``accounts.limits``...) raise these; they never raise the HTTP-shaped ``duelarena.errors.ApiError``
classes. The API edge (``duelarena.api``'s exception handlers) maps each ``ErrorKind`` to a status and
renders the one error shape; the admin base (``duelarena.dynadmin``) shows the message, and turns
``NOT_ALLOWED`` into a 403. ``code`` is the stable machine-readable reason a client sees.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    INVALID = "invalid"  # the values asked for are refused (an option, a player, a move)
    NOT_ALLOWED = "not_allowed"  # this user may not do this
    NOT_FOUND = "not_found"  # no such thing (or one this user may not see)
    CONFLICT = "conflict"  # the thing is not in a state that allows it, or it changed meanwhile
    LIMIT = "limit"  # a budget or rate limit is used up (``retry_after``)
    UNAVAILABLE = "unavailable"  # a dependency or a cause that will pass (``retry_after``)


class DomainError(Exception):
    kind = ErrorKind.INVALID
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.details = details or {}
        self.retry_after = retry_after


class InvalidInput(DomainError):
    kind, code = ErrorKind.INVALID, "bad_request"


class InvalidMove(InvalidInput):
    kind, code = ErrorKind.INVALID, "illegal_move"


class NotAllowed(DomainError):
    kind, code = ErrorKind.NOT_ALLOWED, "forbidden"


class NotFound(DomainError):
    kind, code = ErrorKind.NOT_FOUND, "not_found"


class WrongState(DomainError):
    """Not now: the game is over, it is not your turn, a human is to move..."""

    kind, code = ErrorKind.CONFLICT, "conflict"


class StaleGame(WrongState):
    """The game changed since it was read (a stale ``expected_ply``, a lost race)."""

    kind, code = ErrorKind.CONFLICT, "stale_ply"


class OverLimit(DomainError):
    kind, code = ErrorKind.LIMIT, "rate_limited"


class Unavailable(DomainError):
    kind, code = ErrorKind.UNAVAILABLE, "service_unavailable"
