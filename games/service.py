"""The game service: the only code that changes a game (create, move, step, resign, abort, autoplay).

Every change reads the game item, checks authorization and the rules here (views stay thin), and writes
through ``games.store`` conditioned on the version it read. A write that loses a race surfaces as 409;
nothing is ever half-written, and a turn replayed twice records one move.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import replace

from accounts.users import User
from duelarena.dynamo import keys
from duelarena.dynamo.errors import ConditionFailed
from duelarena.errors import BadRequest, Conflict, Forbidden, ServiceUnavailable
from games import access, store
from games.records import ABORTED, FINISHED, Attempt, Game, Move, empty_totals
from games.rules import SEATS, IllegalMove, Outcome, RuleError, Rules, Seat, get_rules
from games.rules.base import other, winner_result
from games.turns import PlayerUnavailable, Turn, play_turn
from llm import catalog

logger = logging.getLogger("duelarena.games")

MAX_SEED = 2**53 - 1  # exact in JSON clients (JavaScript numbers)
RESIGNATION, ABORTED_BY_MODERATOR = "resignation", "aborted_by_moderator"
_END_RETRIES = 5
_WINNER_BY_RESULT: dict[str, Seat] = {"first": "white", "second": "black"}


# ------------------------------------------------------------------------------------------- create


def rules_for(game_type: object) -> Rules:
    try:
        return get_rules(game_type)  # type: ignore[arg-type]
    except RuleError as exc:
        raise BadRequest(exc.message, code="unknown_game_type", details=exc.details) from None


def _check_player(name: str, game_type: str, seat: Seat) -> None:
    if catalog.find_player(name, game_type) is None:
        known = [p.name for p in catalog.available_players(game_type)]
        raise BadRequest(
            f"{name!r} cannot play {game_type} here; available: {', '.join(known)}",
            code="unknown_player",
            details={"seat": seat, "player": name, "available": known},
        )


def _split_seed(options: dict | None) -> tuple[dict, int]:
    """The seed travels in ``options`` for callers (replays, tournaments) but is not a rules option."""
    options = dict(options or {})
    seed = options.pop("seed", None)
    if seed is None:
        return options, random.SystemRandom().randint(0, MAX_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise BadRequest(
            f"seed must be an integer between 0 and {MAX_SEED}", code="invalid_options", details={"option": "seed"}
        )
    return options, seed


def create_game(
    user: User,
    *,
    game_type: str,
    white: str,
    black: str,
    options: dict | None = None,
    game_id: str | None = None,
) -> Game:
    rules = rules_for(game_type)
    _check_player(white, game_type, "white")
    _check_player(black, game_type, "black")
    raw_options, seed = _split_seed(options)
    try:
        clean = rules.validate_options(raw_options)
        state = rules.initial_state(clean, seed)
    except RuleError as exc:
        raise BadRequest(exc.message, code=exc.code, details=exc.details) from None
    now = keys.now_iso()
    humans = catalog.HUMAN in (white, black)
    game = Game(
        id=game_id or keys.new_id(),
        game_type=game_type,
        white=white,
        black=black,
        owner_id=user.id,
        white_user_id=user.id if white == catalog.HUMAN else None,
        black_user_id=user.id if black == catalog.HUMAN else None,
        seed=seed,
        options=clean,
        state=state,
        created_at=now,
        updated_at=now,
        ply=rules.ply(state),
        totals=empty_totals(),
        rated=not humans and not clean.get("legal_moves_hint", False),
    )
    store.create(game)
    return game


# ------------------------------------------------------------------------------------------ helpers


def _load(game_id: str, user: User | None) -> Game:
    access.check_id(game_id)
    game = store.get(game_id)
    if game is None or not access.can_see(game, user):
        raise access.not_found()
    return game


def _require_live(game: Game) -> None:
    if not game.is_live:
        raise Conflict(f"the game is {game.status}; no more moves are accepted", code="game_over")


def _require_driver(game: Game, user: User | None) -> None:
    if not access.can_drive(game, user):
        raise Forbidden("only the game's owner, its players or staff may do this", code="forbidden")


def _ended(game: Game, outcome: Outcome | None) -> Game:
    """The game with status/result/winner/termination set from an outcome (None: still live)."""
    if outcome is None:
        return game
    winner = _WINNER_BY_RESULT.get(outcome.result)
    return replace(game, status=FINISHED, result=outcome.result, winner=winner, termination=outcome.termination)


def _after_turns(game: Game, rules: Rules, turns: list[Turn]) -> tuple[Game, list[Move]]:
    """The next version of the game and the move items for a list of turns played in order."""
    after = game.copy()
    now = keys.now_iso()
    moves: list[Move] = []
    ply = game.ply
    for turn in turns:
        moves.append(Move(game.id, ply, turn.seat, turn.move or "", turn.raw, turn.attempts, now))
        totals = after.totals[turn.seat]
        for attempt in turn.attempts:
            for name in ("tokens_in", "tokens_out", "cost_micros", "latency_ms"):
                totals[name] += int(getattr(attempt, name))
            totals["illegal_attempts"] += attempt.error is not None
        if turn.forfeit:
            after = _ended(after, Outcome(winner_result(other(turn.seat)), turn.forfeit))
            break
        totals["moves"] += 1
        after.state = turn.state
        ply = rules.ply(turn.state)
    after.ply = rules.ply(after.state)
    after.moves_count = game.moves_count + len(moves)
    after.version = game.version + 1
    after.updated_at = now
    if after.is_live:
        after = _ended(after, rules.outcome(after.state))
    return after, moves


def _write(game: Game, after: Game, moves: list[Move]) -> Game:
    try:
        store.record_turn(game, after, moves)
    except ConditionFailed:
        raise Conflict(
            "the game changed while this turn was being played; reload it and try again",
            code="stale_ply",
            details={"expected_version": game.version},
        ) from None
    return after


def _ai_seats(game: Game, rules: Rules) -> list[Seat]:
    return [seat for seat in rules.to_move(game.state) if game.player(seat) != catalog.HUMAN]


def _schedule(game: Game, rules: Rules) -> None:
    if game.autoplay and game.is_live and _ai_seats(game, rules):
        from games import autoplay

        autoplay.enqueue(game.id)


# ---------------------------------------------------------------------------------------- human move


def _check_expected_ply(game: Game, rules: Rules, expected_ply: int) -> None:
    """Sequential games: expected_ply must be the current ply. Simultaneous games: any ply of the
    current round, because the other seat's (hidden) choice must not make this request stale."""
    current = game.ply
    earliest = current - len(game.state.get("pending", {})) if rules.simultaneous else current
    if not earliest <= expected_ply <= current:
        raise Conflict(
            f"expected_ply {expected_ply} is stale: the game is at ply {current}; reload it",
            code="stale_ply",
            details={"expected_ply": expected_ply, "ply": current},
        )


def _moving_seat(game: Game, rules: Rules, user: User, seat: Seat | None) -> Seat:
    held = game.seats_of(user.id)
    if not held:
        raise Forbidden("you do not hold a seat in this game", code="not_a_player")
    if seat is not None and seat not in held:
        raise Forbidden(f"you do not hold the {seat} seat", code="not_a_player")
    candidates = [seat] if seat else held
    movable = [s for s in rules.to_move(game.state) if s in candidates]
    if not movable:
        to_move = list(rules.to_move(game.state))
        raise Conflict("it is not your turn", code="not_your_turn", details={"to_move": to_move})
    return movable[0]


def play_move(game_id: str, user: User, *, text: str, expected_ply: int, seat: Seat | None = None) -> Game:
    game = _load(game_id, user)
    rules = get_rules(game.game_type)
    if not game.seats_of(user.id):
        raise Forbidden("you do not hold a seat in this game", code="not_a_player")
    _require_live(game)
    moving = _moving_seat(game, rules, user, seat)
    _check_expected_ply(game, rules, expected_ply)
    try:
        move = rules.parse_move(game.state, moving, text)
        state = rules.apply(game.state, moving, move)
    except IllegalMove as exc:
        if exc.code in ("game_over", "not_your_turn"):
            raise Conflict(exc.message, code=exc.code) from None
        raise BadRequest(exc.message, code="illegal_move", details={"reason": exc.code, **exc.details}) from None
    turn = Turn(moving, move, text, state, [Attempt(1, answer=text, parsed=move)])
    after, moves = _after_turns(game, rules, [turn])
    after = _write(game, after, moves)
    _schedule(after, rules)
    return after


# -------------------------------------------------------------------------------------------- AI step


def _play_ai_turns(game: Game) -> Game:
    """Play every AI seat that must choose now (one seat, or both in a simultaneous round), one write."""
    rules = get_rules(game.game_type)
    _require_live(game)
    seats = _ai_seats(game, rules)
    if not seats:
        raise Conflict(
            "the seat to move is a human player",
            code="waiting_for_human",
            details={"to_move": list(rules.to_move(game.state))},
        )
    turns: list[Turn] = []
    state = game.state
    for seat in seats:
        try:
            turn = play_turn(rules, state, seat, game.player(seat), game.seed)
        except PlayerUnavailable as exc:
            raise ServiceUnavailable(str(exc), code="player_unavailable", retry_after=60) from None
        turns.append(turn)
        if turn.forfeit:
            break
        state = turn.state
    after, moves = _after_turns(game, rules, turns)
    return _write(game, after, moves)


def step(game_id: str, user: User) -> Game:
    game = _load(game_id, user)
    _require_driver(game, user)
    after = _play_ai_turns(game)
    _schedule(after, get_rules(after.game_type))
    return after


def autoplay_turn(game_id: str) -> str:
    """One background turn (the autoplay worker): ``played``; ``conflict`` when another writer won the
    race (look again); ``idle`` when there is nothing to do: gone, over, autoplay off, a human to move."""
    game = store.get(game_id)
    if game is None or not game.is_live or not game.autoplay:
        return "idle"
    if not _ai_seats(game, get_rules(game.game_type)):
        return "idle"
    try:
        _play_ai_turns(game)
    except Conflict:
        return "conflict"
    return "played"


def play_until_over(game_id: str, max_turns: int = 2000) -> Game:
    """Step a game between non-human players to its end (management commands, tests)."""
    game = store.get(game_id)
    assert game is not None
    for _ in range(max_turns):
        if not game.is_live:
            break
        game = _play_ai_turns(game)
    return game


# ----------------------------------------------------------------------------- resign, abort, autoplay


def _end(game_id: str, user: User, decide: Callable[[Game], Game]) -> Game:
    """Apply a status change with no move, re-reading on a lost race (the caller's intent does not
    depend on the ply, unlike a move)."""
    for _ in range(_END_RETRIES):
        game = _load(game_id, user)
        after = decide(game)
        try:
            return store.end_without_move(game, after)
        except ConditionFailed:
            continue
    raise Conflict("the game keeps changing; try again", code="conflict")


def resign(game_id: str, user: User) -> Game:
    def decide(game: Game) -> Game:
        held = game.seats_of(user.id)
        if not held:
            raise Forbidden("you do not hold a seat in this game", code="not_a_player")
        _require_live(game)
        to_move = get_rules(game.game_type).to_move(game.state)
        seat = next((s for s in to_move if s in held), held[0])
        winner = other(seat)
        return replace(
            game,
            status=FINISHED,
            result=winner_result(winner),
            winner=winner,
            termination=RESIGNATION,
            updated_at=keys.now_iso(),
        )

    return _end(game_id, user, decide)


def abort(game_id: str, user: User) -> Game:
    """Moderators and admins stop a live game without a result."""

    def decide(game: Game) -> Game:
        if not user.is_staff:
            raise Forbidden("only moderators and admins may abort a game", code="forbidden")
        _require_live(game)
        return replace(
            game,
            status=ABORTED,
            result=None,
            winner=None,
            termination=ABORTED_BY_MODERATOR,
            updated_at=keys.now_iso(),
        )

    return _end(game_id, user, decide)


def start_autoplay(game_id: str, user: User) -> Game:
    game = _load(game_id, user)
    _require_driver(game, user)
    _require_live(game)
    if all(game.player(seat) == catalog.HUMAN for seat in SEATS):
        raise BadRequest("both seats are human; there is nothing to play automatically", code="no_ai_player")
    game = store.set_autoplay(game.id, True)
    _schedule(game, get_rules(game.game_type))
    return game


def stop_autoplay(game_id: str, user: User) -> Game:
    game = _load(game_id, user)
    _require_driver(game, user)
    return store.set_autoplay(game.id, False)
