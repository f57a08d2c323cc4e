"""Reads of games, shaped for a given viewer: one DynamoDB call per read.

Everything a reader gets passes through ``game_view``/``game_summary``, which is where hidden
information is removed:
- the rules' ``public_view`` for the viewer's seat (another seat's pending rps/racing choice is gone);
- move items of the current unresolved round are redacted for everyone but the seat that made them;
- the seed and the bots' secret while the game is live (with both, a built-in bot's next random choice
  could be computed; the secret alone is enough to keep it hidden, since a creator may pick the seed).
  Once the game is over both are shown, so anyone can replay it exactly.
"""

from __future__ import annotations

from typing import Any

from accounts.users import User
from duelarena.domain import InvalidInput
from games import access, catalog, store
from games.records import Game, Move
from games.rules import SEATS, Outcome, get_rules
from games.rules.base import Seat


def _players(game: Game) -> dict[str, dict[str, Any]]:
    return {
        seat: {"name": game.player(seat), "kind": catalog.kind_of(game.player(seat)), "user_id": game.user_id(seat)}
        for seat in SEATS
    }


def game_summary(game: Game) -> dict[str, Any]:
    """A list row: who plays what, and how it stands; no state, no moves. Read from a list index, a game
    that has not ended has no ply, moves_count or updated_at there (None: see ``Game.progress_known``)."""
    known = game.progress_known
    return {
        "id": game.id,
        "game_type": game.game_type,
        "white": game.white,
        "black": game.black,
        "players": _players(game),
        "owner_id": game.owner_id,
        "status": game.status,
        "pause_reason": game.pause_reason,
        "result": game.result,
        "winner": game.winner,
        "termination": game.termination,
        "ply": game.ply if known else None,
        "moves_count": game.moves_count if known else None,
        "rated": game.rated,
        "autoplay": game.autoplay,
        "step_requested": game.step_requested,
        "turn_pending": game.status == "live" and (game.autoplay or game.step_requested) and game.due_at is not None,
        "last_error": game.last_error if game.turn_failures else None,
        "hidden": game.hidden,
        "created_at": game.created_at,
        "updated_at": game.updated_at if known else None,
    }


def _pending_plies(game: Game) -> range:
    """Plies of moves that are choices of the current, unresolved simultaneous round."""
    pending = game.state.get("pending") or {}
    return range(game.ply - len(pending), game.ply)


def _move_view(move: Move, redact: bool) -> dict[str, Any]:
    if redact:
        return {
            "ply": move.ply,
            "seat": move.seat,
            "move": None,
            "raw": None,
            "attempts": [],
            "created_at": move.created_at,
            "hidden": True,
        }
    return {
        "ply": move.ply,
        "seat": move.seat,
        "move": move.move or None,
        "raw": move.raw,
        "attempts": [a.to_dict() for a in move.attempts],
        "created_at": move.created_at,
        "hidden": False,
        "analysis": move.analysis,
    }


def _chess_history(state: dict[str, Any], moves: list[Move]) -> dict[str, list[str]]:
    """The game's move list (UCI and SAN), rebuilt from its move items: the chess state keeps only the
    position and its repetition window. Moves stored without their SAN are replayed from the start."""
    from games.rules.chess_rules import san_list

    played = [m for m in moves if m.move]  # forfeits hold no move
    uci = [m.move for m in played]
    sans = [m.san for m in played]
    if any(s is None for s in sans):
        return {"moves": uci, "san": san_list(state["start_fen"], uci)}
    return {"moves": uci, "san": [s or "" for s in sans]}


def game_view(game: Game, moves: list[Move], user: User | None) -> dict[str, Any]:
    rules = get_rules(game.game_type)
    seat: Seat | None = access.viewer_seat(game, user)
    if game.is_live:  # live or paused: the other seat's pending choice and the seed stay secret
        state = rules.public_view(game.state, seat)
        state.pop("seed", None)
        pending = _pending_plies(game) if rules.simultaneous else range(0)
    else:  # over (even mid-round, by forfeit or abort): nothing left to hide
        state = dict(game.state)
        pending = range(0)
    if game.game_type == "chess" and "moves" not in state:
        state = {**state, **_chess_history(state, moves)}
    return {
        **game_summary(game),
        "seed": None if game.is_live else game.seed,
        "bot_secret": None if game.is_live else game.bot_secret,
        "options": game.options,
        "version": game.version,
        "to_move": list(rules.to_move(game.state)),
        "viewer_seats": game.seats_of(user.id) if user else [],
        # Offered to the viewer for the seats they hold and that are to move (nobody else can play them).
        "legal_moves": [
            {"seat": s, **choice}
            for s in rules.to_move(game.state)
            if user is not None and s in game.seats_of(user.id)
            for choice in rules.move_choices(game.state, s)
        ],
        "state": state,
        "totals": game.totals,
        "analysis": None if game.is_live else game.analysis,
        "moves": [_move_view(m, redact=m.ply in pending and m.seat != seat) for m in moves],
    }


def etag(game: Game, user: User | None) -> str:
    """The game view's entity tag, weak (``W/"..."``): equal tags mean the same view, not the same bytes.

    Its parts are the game's ``version`` (every move, resignation, pause or end increments it), what
    changes without a version bump (``autoplay``, ``hidden``, and the move analysis stored after the
    end), and the viewer's seats (a seated player sees their own pending choice; other viewers do not).
    """
    seats = "".join(s[0] for s in game.seats_of(user.id)) if user else ""
    flags = f"{int(game.autoplay)}{int(game.hidden)}{int(game.analysis is not None)}"
    return f'W/"{game.version}.{flags}{"." + seats if seats else ""}"'


def etag_matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 weak comparison of an ``If-None-Match`` list (or ``*``) with our tag."""
    wanted = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def current_etag(game_id: str, user: User | None) -> str:
    """The tag the game's view has now for this viewer, from one eventually consistent GetItem of
    the game's version and visibility fields (never the moves); 404 as ``get_game``."""
    access.check_id(game_id)
    item = store.watch_fields(game_id)
    game = store.game_from_watch_fields(item) if item else None
    if game is None or not access.can_see(game, user):
        raise access.not_found()
    return etag(game, user)


def get_game(game_id: str, user: User | None) -> dict[str, Any]:
    """The game with its moves for this viewer (one Query); 404 for unknown, malformed or invisible ids."""
    access.check_id(game_id)
    found = store.load(game_id)
    if found is None or not access.can_see(found[0], user):
        raise access.not_found()
    return {**game_view(*found, user), "etag": etag(found[0], user)}


def moves_after(game_id: str, user: User | None, after: int) -> dict[str, Any]:
    """The moves after ply ``after`` with the game's version, ply and status: one eventually
    consistent GetItem of the game, then one Query starting after that ply. Moves the game item does
    not count yet (a read racing a turn's write) are left for the next poll, so a pending simultaneous
    choice is always redacted against the game it belongs to."""
    access.check_id(game_id)
    game = store.get_recent(game_id)
    if game is None or not access.can_see(game, user):
        raise access.not_found()
    moves = [m for m in store.moves_after(game_id, after) if m.ply < game.ply] if after + 1 < game.ply else []
    rules = get_rules(game.game_type)
    seat = access.viewer_seat(game, user)
    pending = _pending_plies(game) if game.is_live and rules.simultaneous else range(0)
    return {
        "id": game.id,
        "version": game.version,
        "ply": game.ply,
        "status": game.status,
        "etag": etag(game, user),
        "moves": [_move_view(m, redact=m.ply in pending and m.seat != seat) for m in moves],
    }


def _listing(page: store.GamePage) -> dict[str, Any]:
    return {"items": [game_summary(g) for g in page.games], "next_cursor": page.next_cursor}


def list_public(*, game_type: str | None, status: str | None, cursor: str | None, limit: int) -> dict[str, Any]:
    if game_type is not None:
        access.rules_for(game_type)  # 400 unknown_game_type
    return _listing(store.list_public(game_type=game_type, status=status, cursor=cursor, limit=limit))


def list_mine(user: User, *, cursor: str | None, limit: int) -> dict[str, Any]:
    return _listing(store.list_by_owner(user.id, cursor=cursor, limit=limit))


def pgn(game_id: str, user: User | None) -> str:
    """PGN of a chess game (standard headers, our result/termination, readable by python-chess), each
    analysed move followed by its analysis as a comment (one Query: the game with its moves)."""
    access.check_id(game_id)
    loaded = store.load(game_id)  # the game with its moves: one Query
    if loaded is None or not access.can_see(loaded[0], user):
        raise access.not_found()
    game, moves = loaded
    if game.game_type != "chess":
        raise InvalidInput("PGN exists for chess games only", code="not_chess", details={"game_type": game.game_type})
    from games.rules.chess_pgn import analysis_comment, to_pgn  # python-chess: only PGN requests load it

    outcome = Outcome(game.result, game.termination or "") if game.result else None  # type: ignore[arg-type]
    headers = {
        "Event": "Duel Arena chess",
        "Site": "Duel Arena",
        "Date": game.created_at[:10].replace("-", "."),
        "White": game.white,
        "Black": game.black,
        "GameId": game.id,
    }
    played = [m.move for m in moves if m.move]  # forfeits hold no move
    comments = {m.ply: analysis_comment(m.analysis) for m in moves if m.analysis}
    return to_pgn(game.state, headers, outcome, termination_override=game.termination, moves=played, comments=comments)
