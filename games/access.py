"""Who may see and who may drive a game. One place, so reads and writes agree.

- See: a game that is not hidden is public; a hidden one only to its owner, its seated users and staff.
  A game someone may not see is reported as not found (its existence is not revealed).
- Drive (step, autoplay): the owner, a seated user, or staff. Moving and resigning need a human seat.
- Hidden information: the seat a viewer "is" for ``rules.public_view`` is the one human seat they hold.
  Someone holding both seats (hot-seat play) is a spectator for hidden choices, so the two people at
  one screen do not see each other's pending choice.
"""

from __future__ import annotations

from accounts.users import User
from duelarena.domain import InvalidInput, NotFound
from duelarena.dynamo import keys
from games.records import Game
from games.rules import RuleError, Rules, Seat, get_rules


def rules_for(game_type: object) -> Rules:
    """The rules of a game type a caller named (400 ``unknown_game_type`` for any other value)."""
    try:
        return get_rules(game_type)  # type: ignore[arg-type]
    except RuleError as exc:
        raise InvalidInput(exc.message, code="unknown_game_type", details=exc.details) from None


def check_id(game_id: str) -> str:
    if not keys.is_id(game_id):
        raise NotFound("no such game", code="not_found")
    return game_id


def not_found() -> NotFound:
    return NotFound("no such game", code="not_found")


def can_see(game: Game, user: User | None) -> bool:
    if not game.hidden:
        return True
    return user is not None and (user.is_staff or user.id == game.owner_id or bool(game.seats_of(user.id)))


def can_drive(game: Game, user: User | None) -> bool:
    return user is not None and (user.is_staff or user.id == game.owner_id or bool(game.seats_of(user.id)))


def viewer_seat(game: Game, user: User | None) -> Seat | None:
    seats = game.seats_of(user.id) if user else []
    return seats[0] if len(seats) == 1 else None
