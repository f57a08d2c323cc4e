"""Moderating games: flag, hide, abort, delete. Part of the game service (see ``games.service``).

Authorization lives here, not in the views: moderators and admins may flag, hide and abort; only admins
may delete. Every change is written in one transaction with its audit entry (``duelarena.audit``), and
conditioned on the game as it was read, so the entry's before/after are exactly what changed. A lost
race (a turn landed in between) reads the game again; a no-op (flagging a flagged game) writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from accounts.users import User
from duelarena import audit
from duelarena.domain import NotAllowed, NotFound, StaleGame, WrongState
from duelarena.dynamo import keys
from duelarena.dynamo.errors import ConditionFailed
from games import access, leaderboard, store
from games.records import ABORTED, Game
from games.vocabulary import Termination

AUDIT_KIND = audit.GAME
_RETRIES = 5


def describe(game: Game) -> str:
    """How a game is named in the audit log and the admin."""
    return f"{game.game_type}: {game.white} vs {game.black} ({game.id[:8]})"


def _require_staff(actor: User) -> None:
    if not (actor.is_active and actor.is_staff):
        raise NotAllowed("only moderators and admins may do this", code="forbidden")


def _require_admin(actor: User) -> None:
    if not (actor.is_active and actor.is_admin):
        raise NotAllowed("only admins may do this", code="forbidden")


def _read(game_id: str) -> Game:
    access.check_id(game_id)
    game = store.get(game_id)
    if game is None:
        raise access.not_found()
    return game


def _entry(actor: User, action: str, game: Game, before: Any, after: Any) -> audit.Entry:
    return audit.new(actor, action, AUDIT_KIND, game.id, object_repr=describe(game), before=before, after=after)


def _retrying(work: Callable[[], Game]) -> Game:
    for _ in range(_RETRIES):
        try:
            return work()
        except ConditionFailed:
            continue
    raise StaleGame("the game keeps changing; try again", code="conflict")


def _set_flag(game_id: str, actor: User, field: str, value: bool, action: str) -> Game:
    _require_staff(actor)

    def attempt() -> Game:
        game = _read(game_id)
        if getattr(game, field) == value:
            return game
        entry = _entry(actor, action, game, {field: not value}, {field: value})
        return store.moderate(game, **{field: value}, also=[audit.put_operation(entry)])

    return _retrying(attempt)


def set_flagged(game_id: str, actor: User, flagged: bool) -> Game:
    """Flag a game for review (or clear the flag). Moderators and admins."""
    return _set_flag(game_id, actor, "flagged", flagged, "flag" if flagged else "unflag")


def set_hidden(game_id: str, actor: User, hidden: bool) -> Game:
    """Hide a game from the public lists (or show it again). Moderators and admins."""
    return _set_flag(game_id, actor, "hidden", hidden, "hide" if hidden else "unhide")


def abort(game_id: str, actor: User) -> Game:
    """Stop a game that is not over, without a result. Moderators and admins."""
    _require_staff(actor)

    def attempt() -> Game:
        game = _read(game_id)
        if not game.is_live:
            raise WrongState(f"the game is {game.status}; only a game in progress can be aborted", code="game_over")
        after = replace(
            game,
            status=ABORTED,
            result=None,
            winner=None,
            termination=Termination.ABORTED_BY_MODERATOR,
            pause_reason=None,
            updated_at=keys.now_iso(),
        )
        entry = _entry(
            actor,
            "abort",
            game,
            {"status": game.status, "termination": game.termination},
            {"status": after.status, "termination": after.termination},
        )
        return store.end_by_moderator(game, after, also=[audit.put_operation(entry)])

    aborted = _retrying(attempt)
    leaderboard.game_ended(aborted)  # after the write: an aborted game only counts as excluded
    return aborted


def delete_game(game_id: str, actor: User) -> int:
    """Delete a game and every move it had. Admins only. Returns the number of items deleted.

    If an earlier delete removed the game but failed on its moves, this removes what is left."""
    _require_admin(actor)
    access.check_id(game_id)
    for _ in range(_RETRIES):
        game = store.get(game_id)
        if game is None:
            leftovers = store.delete_leftovers(game_id)
            if leftovers:
                return leftovers
            raise NotFound("no such game", code="not_found")
        before = {
            "game_type": game.game_type,
            "white": game.white,
            "black": game.black,
            "owner_id": game.owner_id,
            "status": game.status,
            "moves_count": game.moves_count,
            "created_at": game.created_at,
        }
        entry = _entry(actor, "delete", game, before, None)
        try:
            deleted = store.delete_game(game, also=[audit.put_operation(entry)])
        except ConditionFailed:
            continue
        leaderboard.game_removed(game)  # after the write: a counted game leaves the board
        return deleted
    raise StaleGame("the game keeps changing; try again", code="conflict")
