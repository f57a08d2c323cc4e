"""The game service: where every change to a game is decided (create, move, step, resign, autoplay;
moderation in ``games.moderation``, abort included).

Every change reads the game item, checks authorization and the rules here (views stay thin), and writes
through ``games.store`` (the one writer of game, move and result items) conditioned on the version it
read; once a write that ended a game has returned, the service updates the leaderboard
(``games.leaderboard.game_ended``), and it asks for background turns through the ``games.scheduling``
port. Refusals are domain errors (``duelarena.domain``; the API edge maps them to statuses): a
write that loses a race surfaces as ``StaleGame`` (409);
nothing is ever half-written, and a turn replayed twice records one move.

Turns that call a model (a model seat, or the word-association judge) never run inside an API request
(a step answers at once and a turn worker plays it, see ``games.tasks``), and they are bounded by the
owner's daily budget: nothing is played when it is used up (the game is ``paused`` with
``pause_reason="budget"``; a step or autoplay start is refused with 429 and Retry-After). During the
turn every provider call first reserves its worst case with one conditional write and then settles to
its exact recorded cost (``accounts.limits.OwnerBudget``, ``llm.budget``), so concurrent turns never
spend more than the budget together; a reservation that does not fit stops the turn and pauses the
game (what was played and paid for is recorded). Step and autoplay-start requests that involve a model
count against the caller's per-minute rate limit.
"""

from __future__ import annotations

import enum
import logging
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from django.conf import settings

from accounts import limits, users
from accounts.limits import LimitExceeded
from accounts.users import User
from duelarena.domain import InvalidInput, InvalidMove, NotAllowed, StaleGame, Unavailable, WrongState
from duelarena.dynamo import keys
from duelarena.dynamo.errors import ConditionFailed, StoreUnavailable
from games import access, catalog, scheduling, store
from games.access import rules_for
from games.catalog import kind_of
from games.records import (
    ENGINE_ANALYSED_GAME_TYPES,
    FINISHED,
    GAME_ROW,
    JUDGE_ROW,
    LIVE,
    PAUSE_BUDGET,
    PAUSE_OWNER_UNAVAILABLE,
    PAUSE_PLAYER_UNAVAILABLE,
    PAUSE_TURN_FAILED,
    PAUSED,
    Attempt,
    Game,
    Move,
    empty_totals,
)
from games.rules import SEATS, IllegalMove, Outcome, RuleError, Rules, Seat, get_rules
from games.rules.base import other, winner_result
from games.turns import PlayerUnavailable, Turn, calls_a_model, play_turn
from games.vocabulary import GameResult, SeatName, Termination

logger = logging.getLogger("duelarena.games")

MAX_SEED = 2**53 - 1  # exact in JSON clients (JavaScript numbers)
RESIGNATION, ABORTED_BY_MODERATOR = Termination.RESIGNATION, Termination.ABORTED_BY_MODERATOR
_END_RETRIES = 5
_WINNER_BY_RESULT: dict[str, Seat] = {GameResult.FIRST: "white", GameResult.SECOND: "black"}


# ------------------------------------------------------------------------------------------- create


def _check_player(name: str, game_type: str, seat: Seat) -> None:
    if catalog.find_player(name, game_type) is None:
        known = [p.name for p in catalog.available_players(game_type)]
        raise InvalidInput(
            f"{name!r} cannot play {game_type} here; available: {', '.join(known)}",
            code="unknown_player",
            details={"seat": seat, "player": name, "available": known},
        )


def _check_judge(judge: object, game_type: str) -> None:
    """A judge must be a model this deployment can call (word association's ``judge_model``)."""
    if not judge:
        return
    found = catalog.find_player(str(judge), game_type)
    if found is None or found.kind != "llm":
        known = [p.name for p in catalog.available_players(game_type) if p.kind == "llm"]
        raise InvalidInput(
            f"judge_model {judge!r} is not a model this deployment can call; available: {', '.join(known) or 'none'}",
            code="invalid_options",
            details={"option": "judge_model", "available": known},
        )


def _split_seed(options: dict | None) -> tuple[dict, int]:
    """The seed travels in ``options`` for callers (replays, tournaments) but is not a rules option."""
    options = dict(options or {})
    seed = options.pop("seed", None)
    if seed is None:
        return options, random.SystemRandom().randint(0, MAX_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput(
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
        raise InvalidInput(exc.message, code=exc.code, details=exc.details) from None
    _check_judge(clean.get("judge_model"), game_type)
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
        bot_secret=random.SystemRandom().randint(0, MAX_SEED),
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
        raise WrongState(f"the game is {game.status}; no more moves are accepted", code="game_over")


def _require_driver(game: Game, user: User | None) -> None:
    if not access.can_drive(game, user):
        raise NotAllowed("only the game's owner, its players or staff may do this", code="forbidden")


def _ended(game: Game, outcome: Outcome | None) -> Game:
    """The game with status/result/winner/termination set from an outcome (None: still live)."""
    if outcome is None:
        return game
    winner = _WINNER_BY_RESULT.get(outcome.result)
    return replace(
        game,
        status=FINISHED,
        result=outcome.result,
        winner=winner,
        termination=outcome.termination,
        pause_reason=None,
    )


_USAGE = ("tokens_in", "tokens_out", "cost_micros", "latency_ms")


def _count(totals: dict[str, dict[str, int]], seat: Seat, attempts: list[Attempt]) -> None:
    """Add a turn's attempts to the seat's, the judge's and the game's totals."""
    mine, judge, game = totals[seat], totals[JUDGE_ROW], totals[GAME_ROW]
    for attempt in attempts:
        for name in _USAGE:
            value = int(getattr(attempt, name))
            mine[name] += value
            game[name] += value
        mine["illegal_attempts"] += attempt.illegal
        game["illegal_attempts"] += attempt.illegal
        mine["truncated_attempts"] += attempt.truncated_failure
        game["truncated_attempts"] += attempt.truncated_failure
        if attempt.judge:
            for name in _USAGE:
                value = int(attempt.judge.get(name, 0))
                judge[name] += value
                game[name] += value
            judge["moves"] += attempt.judge.get("associated") is not None  # rulings given
            judge["illegal_attempts"] += attempt.judge.get("associated") is False  # answers refused


def _after_turns(game: Game, rules: Rules, turns: list[Turn], *, ai: bool = True) -> tuple[Game, list[Move]]:
    """The next version of the game and the items to write for the turns of one step.

    ``turns`` are in play order, each ``turn.state`` following the previous move's. Moves are recorded
    first, then forfeits (a forfeit item takes the next ply key, the state does not change); a turn the
    budget stopped records no move: its attempts are kept in ``interrupted`` and the game is paused. One
    forfeit ends the game for the other seat; both seats forfeiting in one simultaneous round is a draw.
    """
    after = game.copy()
    now = keys.now_iso()
    moves: list[Move] = []
    forfeits: list[Turn] = []
    paused = False
    ply = game.ply
    for turn in sorted(turns, key=lambda t: t.move is None):  # stable: moves keep their order
        _count(after.totals, turn.seat, turn.attempts)
        if turn.paused:
            after.interrupted.append({"seat": turn.seat, "ply": ply, "attempts": [a.to_dict() for a in turn.attempts]})
            paused = True
            continue
        san = turn.state.get("last_san") if turn.move and not turn.forfeit else None
        moves.append(Move(game.id, ply, turn.seat, turn.move or "", turn.raw, turn.attempts, now, san=san))
        if turn.forfeit:
            forfeits.append(turn)
            ply += 1
            continue
        after.totals[turn.seat]["moves"] += 1
        after.totals[GAME_ROW]["moves"] += 1
        after.state = turn.state
        ply = rules.ply(turn.state)
    if len(forfeits) == 1:
        after = _ended(after, Outcome(winner_result(other(forfeits[0].seat)), forfeits[0].forfeit or ""))
    elif forfeits:
        after = _ended(after, Outcome(GameResult.DRAW, forfeits[0].forfeit or ""))
    after.ply = rules.ply(after.state)
    after.moves_count = game.moves_count + len(moves)
    after.version = game.version + 1
    after.updated_at = now
    if after.is_live:
        after = _ended(after, rules.outcome(after.state))
    if after.is_live:
        after.status, after.pause_reason = (PAUSED, PAUSE_BUDGET) if paused else (LIVE, None)
    if ai:  # the AI turn that was asked for is played (or paused): its lease and failures end with it
        after.step_requested = False
        after.lease_until = after.lease_token = None
        after.turn_failures, after.last_error = 0, None
    after.due_at = _next_due(after, rules)
    return after, moves


def _now() -> int:
    return int(time.time())


def _next_due(game: Game, rules: Rules) -> int | None:
    """When the sweeper should look at the game's next turn: None when no AI seat is to move in a live
    game. The game is in the due index whether or not autoplay is on (a worker that finds it not driven
    takes it out, conditioned on autoplay still being off), so switching autoplay on while a turn is
    being written can never leave a driven game outside the index."""
    if game.awaits_analysis:
        return _now()  # the game is over: its move analysis is the turn workers' next job
    if game.status != LIVE or not _ai_seats(game, rules):
        return None
    delay = float(getattr(settings, "AUTOPLAY_TURN_DELAY_SECONDS", 0)) if game.autoplay else 0
    return _now() + int(delay) + int(settings.TURN_GRACE_SECONDS)


def _write(game: Game, after: Game, moves: list[Move]) -> Game:
    try:
        store.record_turn(game, after, moves)
    except ConditionFailed:
        raise StaleGame(
            "the game changed while this turn was being played; reload it and try again",
            code="stale_ply",
            details={"expected_version": game.version},
        ) from None
    _after_write(game, after)
    return after


def _after_write(before: Game, after: Game) -> None:
    """Once a write has returned: a game it ended updates the leaderboard (the store triggers nothing).
    Imported here, not at the top: most requests end no game (cold start)."""
    if before.is_live and not after.is_live:
        from games import leaderboard

        leaderboard.game_ended(after)


def _ai_seats(game: Game, rules: Rules) -> list[Seat]:
    return [seat for seat in rules.to_move(game.state) if game.player(seat) != catalog.HUMAN]


def _seats_to_play(game: Game, rules: Rules) -> list[Seat]:
    """The AI seats that must choose now in a live game; WrongState when a human is to move."""
    _require_live(game)
    seats = _ai_seats(game, rules)
    if not seats:
        raise WrongState(
            "the seat to move is a human player",
            code="waiting_for_human",
            details={"to_move": list(rules.to_move(game.state))},
        )
    return seats


def is_driven(game: Game) -> bool:
    """An AI turn of this game should be played now: live (not paused), an AI seat to move, and
    autoplay on or a step asked for."""
    return (
        game.status == LIVE
        and (game.autoplay or game.step_requested)
        and bool(_ai_seats(game, get_rules(game.game_type)))
    )


def needs_engine(game: Game) -> bool:
    """Whether the game's due background work runs the Stockfish engine: a finished chess game awaiting
    its move analysis (``Game.awaits_analysis``; tic-tac-toe's is minimax), or a driven live game with a
    ``builtin:stockfish-<elo>`` seat to move. Pure (the game item alone). The task backend uses it to
    send that work to the engine queue, and a turn worker that forwards engine work (``play_due_turn``)
    to recognise it; model and other bot turns never need the engine."""
    if game.awaits_analysis:
        return game.game_type in ENGINE_ANALYSED_GAME_TYPES
    return is_driven(game) and any(
        catalog.uses_engine(game.player(seat)) for seat in _ai_seats(game, get_rules(game.game_type))
    )


def _schedule(game: Game) -> None:
    """Have the next AI turn played in the background when the game is driven (best effort: the turn
    is already due in the table, see ``games.scheduling``)."""
    if is_driven(game):
        delay = float(getattr(settings, "AUTOPLAY_TURN_DELAY_SECONDS", 0)) if game.autoplay else 0
        scheduling.enqueue(game.id, game.ply, delay_seconds=delay, engine=needs_engine(game))
    elif game.awaits_analysis:
        scheduling.enqueue(game.id, game.ply, engine=needs_engine(game))


# ---------------------------------------------------------------------------------------- human move


def _check_expected_ply(game: Game, rules: Rules, expected_ply: int) -> None:
    """Sequential games: expected_ply must be the current ply. Simultaneous games: any ply of the
    current round, because the other seat's (hidden) choice must not make this request stale."""
    current = game.ply
    earliest = current - len(game.state.get("pending", {})) if rules.simultaneous else current
    if not earliest <= expected_ply <= current:
        raise StaleGame(
            f"expected_ply {expected_ply} is stale: the game is at ply {current}; reload it",
            code="stale_ply",
            details={"expected_ply": expected_ply, "ply": current},
        )


def _moving_seat(game: Game, rules: Rules, user: User, seat: Seat | SeatName | None) -> Seat:
    held = game.seats_of(user.id)
    if not held:
        raise NotAllowed("you do not hold a seat in this game", code="not_a_player")
    if seat is not None and seat not in held:
        raise NotAllowed(f"you do not hold the {seat} seat", code="not_a_player")
    candidates = [seat] if seat else held
    movable = [s for s in rules.to_move(game.state) if s in candidates]
    if not movable:
        to_move = list(rules.to_move(game.state))
        raise WrongState("it is not your turn", code="not_your_turn", details={"to_move": to_move})
    return movable[0]


def play_move(
    game_id: str, user: User, *, text: str, expected_ply: int, seat: Seat | SeatName | None = None
) -> tuple[Game, list[Move]]:
    """A human seat's move. Two DynamoDB round trips: one Query (the game with its moves, which the
    answer needs anyway) and one transaction. Returns the game and all its moves after the turn."""
    access.check_id(game_id)
    found = store.load(game_id)
    if found is None or not access.can_see(found[0], user):
        raise access.not_found()
    game, moves_before = found
    rules = get_rules(game.game_type)
    if not game.seats_of(user.id):
        raise NotAllowed("you do not hold a seat in this game", code="not_a_player")
    _require_live(game)
    moving = _moving_seat(game, rules, user, seat)
    _check_expected_ply(game, rules, expected_ply)
    try:
        move = rules.parse_move(game.state, moving, text)
        state = rules.apply(game.state, moving, move)
    except IllegalMove as exc:
        if exc.code in ("game_over", "not_your_turn"):
            raise WrongState(exc.message, code=exc.code) from None
        raise InvalidMove(exc.message, code="illegal_move", details={"reason": exc.code, **exc.details}) from None
    turn = Turn(moving, move, text, state, [Attempt(1, answer=text, parsed=move)])
    after, moves = _after_turns(game, rules, [turn], ai=False)
    after = _write(game, after, moves)
    _schedule(after)
    return after, [*moves_before, *moves]


# -------------------------------------------------------------------------------------------- AI step


def _play_ai_turns(
    game: Game, history: list[str] | None = None, *, bot_reply: bool = False, engine_reply: bool = True
) -> Game:
    """Play every AI seat that must choose now (one seat, or both in a simultaneous round), one write.
    With ``bot_reply``, a model's move that leaves a built-in bot to move is written together with the
    bot's reply (``_bot_reply``): two plies, one write; not a Stockfish bot's reply unless
    ``engine_reply`` (a worker that forwards engine work runs no engine).

    Raises LimitExceeded (429) when the owner's budget is used up before the turn (nothing is played;
    the game is paused). A reservation refused during the turn records what was played and paid for
    and leaves the game paused with ``pause_reason="budget"`` (returned, not raised).
    """
    rules = get_rules(game.game_type)
    seats = _seats_to_play(game, rules)
    calling = _calling_seats(game, seats)
    budget: limits.OwnerBudget | None = None
    if calling:
        owner = _owner(game)
        _ensure_budget_left(game, owner)
        budget = limits.OwnerBudget(owner)  # each model call reserves its worst case, then settles
    turns = _play_seats(game, rules, seats, budget, history)
    if bot_reply:
        turns += _bot_reply(game, rules, turns, engine=engine_reply)
    after, moves = _after_turns(game, rules, turns)
    return _write(game, after, moves)


def _bot_reply(game: Game, rules: Rules, turns: list[Turn], *, engine: bool = True) -> list[Turn]:
    """The built-in bot's reply to a model's move, played at once so that both plies are recorded in the
    model turn's one write (one game-item write, one set of index rewrites, one message for two plies):
    only in a sequential game, after a model seat's move (not a forfeit, not a turn the budget stopped)
    that leaves the game live with a built-in bot to move whose turn calls no model (no word-association
    judge). At most one ply is chained: a bot-vs-bot game still plays one ply per turn, and a human seat
    is never played for. A bot that fails here costs nothing: the model's move is written alone and the
    bot's turn is played as its own turn, as without the chain. The bot's randomness depends on the ply,
    not on when it is played, so a chained game replays exactly like an unchained one. Without
    ``engine`` a Stockfish bot's reply is not chained either: it is engine work, played on the engine
    function (``needs_engine``)."""
    if rules.simultaneous or len(turns) != 1:
        return []
    played = turns[0]
    if played.move is None or played.forfeit or played.paused or kind_of(game.player(played.seat)) != "llm":
        return []
    if rules.outcome(played.state) is not None:
        return []  # the model's move ended the game
    to_move = rules.to_move(played.state)
    if len(to_move) != 1:
        return []
    seat = to_move[0]
    player = game.player(seat)
    if player == catalog.HUMAN or calls_a_model(player, game.options) or (not engine and catalog.uses_engine(player)):
        return []
    try:
        reply = play_turn(
            rules, played.state, seat, player, game.seed, bot_secret=game.bot_secret, options=game.options
        )
    except Exception as exc:  # the model's move (paid for) is still recorded; the bot plays next turn
        logger.warning("bot reply not chained", extra={"game_id": game.id, "error": f"{type(exc).__name__}: {exc}"})
        return []
    return [reply] if reply.move is not None and not reply.forfeit else []


def _calling_seats(game: Game, seats: list[Seat]) -> list[Seat]:
    """The seats among ``seats`` whose turn may call a provider (their model, or the game's judge)."""
    return [seat for seat in seats if calls_a_model(game.player(seat), game.options)]


class Unplayable(Exception):
    """The AI turn cannot be played for a cause that will not pass by itself (``reason`` is the game's
    ``pause_reason``): background play pauses the game; a step answers 503 (``Unavailable``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _owner(game: Game) -> User:
    owner = users.get(game.owner_id)
    if owner is None:
        raise Unplayable(PAUSE_OWNER_UNAVAILABLE, "the game's owner is unknown, so its model turns cannot be charged")
    return owner


def _pause(game: Game, reason: str) -> None:
    """Mark the game paused (no move; version-checked). Losing a race is fine: the next turn re-checks."""
    if game.is_paused and game.pause_reason == reason:
        return
    try:
        store.pause(game, reason)
    except ConditionFailed:
        logger.info("pause lost a race", extra={"game_id": game.id})


def _ensure_budget_left(game: Game, owner: User) -> None:
    """Before a model turn: when the owner's budget is used up, pause the game and raise 429."""
    try:
        limits.ensure_budget_left(owner)
    except LimitExceeded:
        _pause(game, PAUSE_BUDGET)
        raise


def _play_seats(
    game: Game, rules: Rules, seats: list[Seat], budget: limits.OwnerBudget | None, history: list[str] | None
) -> list[Turn]:
    """Each seat's turn from the current state. Seats choosing at once (rps, racing) are asked
    concurrently, each from the state before the round, and their moves then applied in seat order.
    ``history``: a chess game's moves in SAN, for a model's prompt."""

    def play(seat: Seat) -> Turn:
        calling = calls_a_model(game.player(seat), game.options)
        try:
            return play_turn(
                rules,
                game.state,
                seat,
                game.player(seat),
                game.seed,
                bot_secret=game.bot_secret,
                options=game.options,
                budget=budget if calling else None,
                history=history,
            )
        except PlayerUnavailable as exc:
            raise Unplayable(PAUSE_PLAYER_UNAVAILABLE, str(exc)) from None

    if len(seats) == 1:
        return [play(seats[0])]
    with ThreadPoolExecutor(max_workers=len(seats), thread_name_prefix="turn") as pool:
        turns = list(pool.map(play, seats))
    state = game.state
    for turn in turns:
        if turn.move is not None:
            turn.state = state = rules.apply(state, turn.seat, turn.move)
    return turns


def _rate_limit(game: Game, user: User, seats: list[Seat]) -> None:
    """One model-calling request of ``user`` (429 over the per-minute limit, before anything is played)."""
    if _calling_seats(game, seats):
        limits.hit_rate_limit(user)


def step(game_id: str, user: User) -> Game:
    """Play one AI turn. A turn of built-in bots only is played now: the game after it. A turn that
    calls a model (a model seat or the judge) never runs inside the request: it is marked due and
    queued, and the game is returned at once with ``step_requested`` set (the API's 202); a worker
    plays it. Asking again while that turn is pending queues nothing more."""
    for _ in range(_END_RETRIES):
        game = _load(game_id, user)
        _require_driver(game, user)
        rules = get_rules(game.game_type)
        seats = _seats_to_play(game, rules)
        if not _calling_seats(game, seats):
            try:
                after = _play_ai_turns(game)
            except Unplayable as exc:
                raise Unavailable(exc.message, code=exc.reason, retry_after=60) from None
            _schedule(after)
            return after
        if game.step_requested or (game.lease_until or 0) > _now():
            return replace(game, step_requested=True)  # a turn is already pending: this step is it
        limits.hit_rate_limit(user)
        _ensure_budget_left(game, _owner_or_503(game))  # used up: 429, and the game shows it is paused
        try:
            game = store.set_driving(game, step=True, due_at=_now())
        except ConditionFailed:
            continue  # the game changed under us: look again
        _schedule(game)
        return game
    raise StaleGame("the game keeps changing; try again", code="conflict")


def _owner_or_503(game: Game) -> User:
    try:
        return _owner(game)
    except Unplayable as exc:
        raise Unavailable(exc.message, code=exc.reason, retry_after=60) from None


class TurnOutcome(enum.StrEnum):
    """What a background worker's try of a game's due turn came to."""

    PLAYED = "played"  # the turn was recorded (and the next one scheduled when the game is driven)
    STALE = "stale"  # the game is already past the ply the message was for
    IDLE = "idle"  # nothing to play: gone, over, paused, a human to move, or not driven any more
    BUSY = "busy"  # another worker holds the turn's lease right now
    CONFLICT = "conflict"  # another writer changed the game first; its write scheduled what follows
    PAUSED = "paused"  # the turn cannot be played for a lasting cause: the game is paused with it
    ANALYSED = "analysed"  # the game is over and its moves were analysed (or cannot be, here)
    FORWARDED = "forwarded"  # engine work, sent on to the engine queue to be played there


MAX_TURN_FAILURES = 6  # consecutive failed tries of one turn before the game pauses (turn_failed)


def retry_delay_seconds(failures: int) -> int:
    """Backoff before the next try of a turn that failed ``failures`` times in a row: 5 s, doubling,
    at most 5 minutes."""
    return int(min(300, 5 * 2 ** max(0, failures - 1)))


def _lease_seconds(game: Game, seats: list[Seat]) -> int:
    """How long a worker may hold the turn: the slowest seat's turn deadline (with the judge's, for
    word association) plus a margin for the write; a bot's turn is short."""
    from llm.limits import turn_lease_seconds

    longest = float(settings.BOT_TURN_LEASE_SECONDS)
    for seat in seats:
        if calls_a_model(game.player(seat), game.options):
            names = [game.player(seat)] if kind_of(game.player(seat)) == "llm" else []
            judge = game.options.get("judge_model")
            names += [judge] if judge else []
            longest = max([longest, *(turn_lease_seconds(n) for n in names)])
    return int(longest)


def _needs_lease(game: Game, seats: list[Seat]) -> bool:
    """Whether the turn is claimed first: only when a seat's turn may call a model (its own, or the
    word-association judge). A lease is what keeps a second worker from calling (and paying for) the
    model again; a built-in bot answers in milliseconds and calls nothing, so its turn skips the claim
    (one UpdateItem less): a duplicate delivery just plays the same move and loses the version-checked
    write (``Conflict``), and a worker that dies mid-turn leaves the game due for the sweeper as a
    lapsed lease would."""
    return any(calls_a_model(game.player(seat), game.options) for seat in seats)


def _chains_bot_reply(game: Game) -> bool:
    """Whether this background turn may write a built-in bot's reply with a model's move (``_bot_reply``):
    under autoplay with no pause between turns. A step asks for one AI turn and gets one; with
    ``AUTOPLAY_TURN_DELAY_SECONDS`` set, watchers are meant to see each ply on its own."""
    return game.autoplay and float(getattr(settings, "AUTOPLAY_TURN_DELAY_SECONDS", 0)) <= 0


ForwardEngineWork = Callable[[str, int], None]  # game id, ply; raises when the work could not be sent


def play_due_turn(
    game_id: str, ply: int | None = None, *, forward_engine_work: ForwardEngineWork | None = None
) -> TurnOutcome:
    """A background worker's try of the game's due AI turn (both task backends; ``ply``: the turn the
    queued message is for). Takes the turn's lease when a seat calls a model (``_needs_lease``), plays
    it (under autoplay with a built-in bot's reply to a model's move, ``_bot_reply``), records it in one
    write and schedules the next. A fault (storage down, a bug) leaves the turn
    due: it is tried again after a backoff, or after the lease when the worker died, and only a cause
    that will not pass pauses the game.

    With ``forward_engine_work`` (the turn function when an engine queue exists, ``games.tasks``), due
    engine work (``needs_engine``) is not played here: it is handed to that callable (one SendMessage)
    and the outcome is ``forwarded``; the callable raises when it could not send, so the message is not
    acknowledged. Nothing is written: the game stays due, and whichever worker plays it is the one that
    takes the lease (analysis) or wins the version-checked write (a bot's turn), so a work item sent
    twice is still played once. Nor is a Stockfish bot's reply chained to a model's move here."""
    found = store.get_for_turn(game_id)  # the game item, and a chess game's move list for the prompt
    if found is None:
        return TurnOutcome.IDLE
    game, history = found
    if ply is not None and game.ply != ply:
        return TurnOutcome.STALE
    if forward_engine_work is not None and needs_engine(game):
        if (game.lease_until or 0) > _now():
            return TurnOutcome.BUSY  # a worker is on it (the engine function): nothing to forward
        forward_engine_work(game.id, game.ply)
        return TurnOutcome.FORWARDED
    if game.awaits_analysis:
        return _analyse(game)
    rules = get_rules(game.game_type)
    seats = _ai_seats(game, rules) if game.status == LIVE else []
    if not seats or not (game.autoplay or game.step_requested):
        if game.due_at is not None and not game.autoplay and not game.step_requested:
            store.clear_due(game)
        return TurnOutcome.IDLE
    now = _now()
    if (game.lease_until or 0) > now:
        return TurnOutcome.BUSY
    if _needs_lease(game, seats):
        try:
            game = store.claim_turn(game, token=uuid.uuid4().hex, until=now + _lease_seconds(game, seats), now=now)
        except ConditionFailed:
            return TurnOutcome.CONFLICT
    try:
        after = _play_ai_turns(
            game, history, bot_reply=_chains_bot_reply(game), engine_reply=forward_engine_work is None
        )
    except LimitExceeded:
        return TurnOutcome.PAUSED  # paused by the budget (see _ensure_budget_left)
    except Unplayable as exc:
        logger.warning("turn cannot be played; game paused", extra={"game_id": game.id, "reason": exc.reason})
        _pause(game, exc.reason)
        return TurnOutcome.PAUSED
    except WrongState:  # a stale game included
        return TurnOutcome.CONFLICT
    except StoreUnavailable:
        raise  # nothing can be written now: the lease runs out and the sweeper sends the turn again
    except Exception as exc:
        failures = game.turn_failures + 1
        error = f"{type(exc).__name__}: {exc}"
        if failures >= MAX_TURN_FAILURES:
            store.release_turn(game, due_at=None, error=error, pause_reason=PAUSE_TURN_FAILED)
        else:
            store.release_turn(game, due_at=_now() + retry_delay_seconds(failures), error=error)
        raise
    _schedule(after)
    return TurnOutcome.PAUSED if after.is_paused else TurnOutcome.PLAYED


ANALYSIS_LEASE_SECONDS = 300  # a 300-ply chess game at the default node budget takes about 20 s here


def _analyse(game: Game) -> TurnOutcome:
    """An ended game's move analysis (``games.analysis``) on the turn workers, under a lease like a turn:
    idempotent (stored once), retried with backoff when it fails, dropped after too many failures (a
    game that is over never pauses)."""
    now = _now()
    if (game.lease_until or 0) > now:
        return TurnOutcome.BUSY
    try:
        game = store.claim_turn(game, token=uuid.uuid4().hex, until=now + ANALYSIS_LEASE_SECONDS, now=now)
    except ConditionFailed:
        return TurnOutcome.CONFLICT
    from games import analysis

    try:
        if not analysis.analyse_game(game.id):  # already analysed, or no engine here
            store.finish_due(game)
    except StoreUnavailable:
        raise
    except Exception as exc:
        failures = game.turn_failures + 1
        logger.warning("analysis failed", extra={"game_id": game.id, "error": f"{type(exc).__name__}: {exc}"})
        if failures >= MAX_TURN_FAILURES:
            store.finish_due(game)
        else:
            store.release_turn(game, due_at=_now() + retry_delay_seconds(failures), error=f"analysis: {exc}")
        raise
    return TurnOutcome.ANALYSED


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
            ended = store.end_without_move(game, after)
        except ConditionFailed:
            continue
        _after_write(game, ended)
        return ended
    raise StaleGame("the game keeps changing; try again", code="conflict")


def resign(game_id: str, user: User) -> Game:
    def decide(game: Game) -> Game:
        held = game.seats_of(user.id)
        if not held:
            raise NotAllowed("you do not hold a seat in this game", code="not_a_player")
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
            pause_reason=None,
            updated_at=keys.now_iso(),
            due_at=_now(),  # the move analysis, when the game type has one (see _next_due)
        )

    after = _end(game_id, user, decide)
    _schedule(after)
    return after


def abort(game_id: str, user: User) -> Game:
    """Moderators and admins stop a game in progress without a result (audited: see games.moderation)."""
    from games import moderation  # moderators only: not loaded by every request (cold start)

    return moderation.abort(game_id, user)


def start_autoplay(game_id: str, user: User) -> Game:
    """Switch autoplay on (resuming a paused game) and have its next AI turn played in the background.
    The turn is recorded as due before it is queued, so a queue that is down only delays it."""
    for _ in range(_END_RETRIES):
        game = _load(game_id, user)
        _require_driver(game, user)
        _require_live(game)
        if all(game.player(seat) == catalog.HUMAN for seat in SEATS):
            raise InvalidInput("both seats are human; there is nothing to play automatically", code="no_ai_player")
        if _calling_seats(game, [seat for seat in SEATS if game.player(seat) != catalog.HUMAN]):
            limits.hit_rate_limit(user)
            limits.ensure_budget_left(_owner_or_503(game))  # 429 now rather than a game that pauses at once
        rules = get_rules(game.game_type)
        due = _now() if _ai_seats(game, rules) else None
        try:
            game = store.set_driving(game, autoplay=True, due_at=due)
        except ConditionFailed:
            continue
        _schedule(game)
        return game
    raise StaleGame("the game keeps changing; try again", code="conflict")


def stop_autoplay(game_id: str, user: User) -> Game:
    game = _load(game_id, user)
    _require_driver(game, user)
    return store.set_autoplay(game.id, False)
