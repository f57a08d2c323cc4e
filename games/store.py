"""Game storage: the one writer of game, move and result items (through ``duelarena.dynamo.items``).

Layout (see the access-pattern table in ``duelarena/dynamo/schema.py``):

- ``GAME#<id> / META``: the game. ``state`` and ``options`` are JSON strings (the rules' state, its
  per-turn records packed as arrays by ``games.stored_state``; numbers stay ints); ``version`` is the
  optimistic lock every state change is conditioned on.
  Index attributes: gsi1 ``OWNER#<owner>`` (a user's games), gsi2 ``FEED`` and gsi3 ``FEED#<type>``
  (the public feeds; both removed while the game is hidden), gsi4 ``GAMES`` (admin, every game). All
  sort keys are ``<created_at>#<id>``, so Query with ScanIndexForward=False is newest first.
  gsi5 ``DUE#<shard>`` / ``<due_at>#<id>`` (sparse): only while the game is live with an AI seat to
  move; the turn sweeper's index (``games.tasks``).
- ``GAME#<id> / HISTORY`` (chess): the game's moves in SAN, appended by each turn's transaction, so a
  model's prompt gives the whole move list (GAMES.md) while the game item stays small; read together
  with the game item by ``get_for_turn`` (one Query from HISTORY to META). No index attributes.
- ``GAME#<id> / MOVE#<ply:05d>``: one move (with every attempt, as compressed JSON in ``attempts_z``;
  chess also its SAN), keyed by the ply it was played at, so a retried or duplicated write of the same
  turn can never store a second move.
- ``analysis`` (JSON text, on a finished chess or tic-tac-toe game's META): the game's move-quality
  summary, written once by ``record_analysis`` (see ``games.analysis``); turns never touch it.
- ``GAME#<id> / MOVE#~analysis`` (``keys.MOVES_ANALYSIS_SK``): every move's quality, as zlib-compressed
  JSON in ``analysis_z``, written with the summary. It sorts after the moves, so ``load`` and
  ``moves_after`` read it in their one Query and hand each move its ``analysis``. Games analysed before
  hold it on each move item (``analysis``) and still load.
- ``RESULTS#<type> / GAME#<id>``: an ended game's result item (``games.results``), written with the
  change that ends the game and deleted with the game; ``games.leaderboard`` computes the board from them.

Keys are spelled in ``duelarena.dynamo.keys``. Storage triggers nothing: after a write that ended or
deleted a game, the service calls the leaderboard (``games.leaderboard.game_ended``).

A turn is ONE TransactWriteItems: Put each move (``attribute_not_exists(pk)``) + Update the game
(``version = :expected``). Of two racing writers exactly one wins; the other gets ``ConditionFailed``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from games import results, stored_state
from games.records import ABORTED, FINISHED, Attempt, Game, Move, complete_totals

GAME_KIND, MOVE_KIND, ANALYSIS_KIND = "game", "move", "analysis"
FEED, ALL_GAMES = keys.FEED, keys.ALL_GAMES
MAX_PLY = 99_999  # move sort keys are zero-padded to 5 digits (keys.move_sk)

# Attributes a turn (or a resignation/abort) may change; everything else is fixed at creation.
_MUTABLE = (
    "state",
    "ply",
    "status",
    "result",
    "winner",
    "termination",
    "totals",
    "moves_count",
    "updated_at",
    "pause_reason",
    "interrupted",
    "step_requested",
    "turn_failures",
    "last_error",
)
# A game's progress as the list indexes carry it (``schema.GAME_LIST_ATTRIBUTES``): copies written only
# while the game has ended (by the write that ends it), so that a turn rewrites no list entry.
ENDED_ATTRIBUTES = ("ended_ply", "ended_moves_count", "ended_at", "ended_totals")
# Scheduling attributes that are absent rather than null when unset (gsi5's keys must be strings).
_DUE_KEYS = ("gsi5pk", "gsi5sk", "due_at")
_LEASE = ("lease_until", "lease_token")


@dataclass(frozen=True)
class GamePage:
    games: list[Game]
    next_cursor: str | None


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _timeline(game: Game) -> str:
    return keys.timeline_key(game.created_at, game.id)


def _feed_attributes(game: Game) -> dict[str, str]:
    return {
        "gsi2pk": FEED,
        "gsi2sk": _timeline(game),
        "gsi3pk": keys.type_feed(game.game_type),
        "gsi3sk": _timeline(game),
    }


def _mutable_values(game: Game) -> dict[str, Any]:
    values = {name: getattr(game, name) for name in _MUTABLE}
    values["state"] = _dumps(stored_state.pack(game.state))
    values["totals"] = _totals_text(game.totals)
    values.update(_ended_values(game))
    values.update(_due_values(game.id, _due_at(game)))
    if game.lease_until is not None:
        values.update(lease_until=game.lease_until, lease_token=game.lease_token)
    return values


def _ended_values(game: Game) -> dict[str, Any]:
    """An ended game's progress for its list rows (``ENDED_ATTRIBUTES``); nothing while it is open."""
    if game.status not in (FINISHED, ABORTED):
        return {}
    return dict(
        zip(ENDED_ATTRIBUTES, (game.ply, game.moves_count, game.updated_at, _totals_text(game.totals)), strict=True),
    )


def _totals_text(totals: dict[str, dict[str, int]]) -> str:
    """The totals as the game item stores them: JSON text of the non-zero fields only (a map of every row
    and field was 0.7 KB of a 2.3 KB chess item, and every write of the item is charged per started KB)."""
    return _dumps(
        {row: nonzero for row, fields in totals.items() if (nonzero := {k: v for k, v in fields.items() if v})}
    )


def _totals(stored: Any) -> dict[str, dict[str, int]]:
    """Totals from ``_totals_text`` (or the map items stored before it hold), every row and field present."""
    return complete_totals(json.loads(stored) if isinstance(stored, str) else stored)


def _due_values(game_id: str, due_at: int | None) -> dict[str, Any]:
    if due_at is None:
        return {}
    return {
        "gsi5pk": keys.due_partition(game_id),
        "gsi5sk": keys.due_sort_key(due_at, game_id),
        "due_at": due_at,
    }


def _due_at(game: Game) -> int | None:
    """A live game's next AI turn, or an ended game's move analysis, can be due (a paused game, or an
    ended one with nothing left to do, leaves the index)."""
    return game.due_at if game.status == "live" or game.awaits_analysis else None


def _absent(game: Game) -> list[str]:
    """The scheduling attributes a write of ``game`` removes (it has no value for them)."""
    gone = list(_DUE_KEYS) if _due_at(game) is None else []
    return gone + (list(_LEASE) if game.lease_until is None else [])


def game_item(game: Game) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.game_pk(game.id),
        "sk": keys.GAME_META_SK,
        "kind": GAME_KIND,
        "id": game.id,
        "game_type": game.game_type,
        "white": game.white,
        "black": game.black,
        "white_user_id": game.white_user_id,
        "black_user_id": game.black_user_id,
        "owner_id": game.owner_id,
        "seed": game.seed,
        "options": _dumps(game.options),
        "created_at": game.created_at,
        "version": game.version,
        "hidden": game.hidden,
        "flagged": game.flagged,
        "rated": game.rated,
        "autoplay": game.autoplay,
        "bot_secret": game.bot_secret,
        "gsi1pk": keys.owner_feed(game.owner_id),
        "gsi1sk": _timeline(game),
        "gsi4pk": ALL_GAMES,
        "gsi4sk": _timeline(game),
        **_mutable_values(game),
    }
    if not game.hidden:
        item.update(_feed_attributes(game))
    if game.analysis is not None:
        item["analysis"] = _dumps(game.analysis)
    return item


def _row_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The Game fields a game item and a list index entry both carry (who plays, how it stands, its flags)."""
    return dict(
        id=item["id"],
        game_type=item["game_type"],
        white=item["white"],
        black=item["black"],
        owner_id=item["owner_id"],
        created_at=item["created_at"],
        white_user_id=item.get("white_user_id"),
        black_user_id=item.get("black_user_id"),
        status=item["status"],
        result=item.get("result"),
        winner=item.get("winner"),
        termination=item.get("termination"),
        hidden=bool(item.get("hidden", False)),
        flagged=bool(item.get("flagged", False)),
        rated=bool(item.get("rated", False)),
        autoplay=bool(item.get("autoplay", False)),
        pause_reason=item.get("pause_reason"),
        step_requested=bool(item.get("step_requested", False)),
        turn_failures=int(item.get("turn_failures") or 0),
        last_error=item.get("last_error"),
    )


def game_from_item(item: dict[str, Any]) -> Game:
    return Game(
        **_row_fields(item),
        seed=int(item["seed"]),
        options=json.loads(item["options"]),
        state=stored_state.unpack(json.loads(item["state"])),
        updated_at=item["updated_at"],
        ply=int(item["ply"]),
        version=int(item["version"]),
        totals=_totals(item.get("totals")),
        moves_count=int(item.get("moves_count", 0)),
        interrupted=list(item.get("interrupted") or []),
        due_at=_int_or_none(item.get("due_at")),
        lease_until=_int_or_none(item.get("lease_until")),
        lease_token=item.get("lease_token"),
        bot_secret=_int_or_none(item.get("bot_secret")),
        analysis=json.loads(item["analysis"]) if item.get("analysis") else None,
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


# A move's attempts (prompt, answer, reasoning, usage of every try) as zlib-compressed JSON: a model's
# chess prompt carries the move list and grows with the game, and the answer is kept three times over
# (raw, answer, reasoning), so the list was most of a chess turn's write units. Move items stored
# before hold the list as ``attempts`` and still load.
ATTEMPTS_BLOB = "attempts_z"


def _attempts_blob(attempts: list[Attempt]) -> bytes:
    return zlib.compress(_dumps([a.to_dict() for a in attempts]).encode(), 6)


def _attempts_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    blob = item.get(ATTEMPTS_BLOB)
    if blob is None:
        return list(item.get("attempts") or [])
    return list(json.loads(_unzip(blob)))


def move_item(move: Move) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.game_pk(move.game_id),
        "sk": keys.move_sk(move.ply),
        "kind": MOVE_KIND,
        "game_id": move.game_id,
        "ply": move.ply,
        "seat": move.seat,
        "move": move.move,
        "raw": move.raw,
        ATTEMPTS_BLOB: _attempts_blob(move.attempts),
        "created_at": move.created_at,
    }
    if move.analysis is not None:
        item["analysis"] = _dumps(move.analysis)
    if move.san:
        item["san"] = move.san
    return item


def _moves_of(found: list[dict[str, Any]]) -> list[Move]:
    """The move items among ``found`` (items of one game's partition) as Moves in ply order, each with its
    analysis from the moves' analysis item when ``found`` holds it."""
    moves = sorted((move_from_item(i) for i in found if keys.is_move_sk(i["sk"])), key=lambda m: m.ply)
    analysed = next((i for i in found if i["sk"] == keys.MOVES_ANALYSIS_SK), None)
    if analysed is None:
        return moves
    per_ply = {int(ply): analysis for ply, analysis in json.loads(_unzip(analysed[ANALYSIS_BLOB]))}
    return [replace(m, analysis=per_ply[m.ply]) if m.ply in per_ply else m for m in moves]


def _unzip(blob: bytes) -> str:
    """A zlib-compressed text attribute (the adapter hands binary attributes as bytes)."""
    return zlib.decompress(blob).decode()


def move_from_item(item: dict[str, Any]) -> Move:
    return Move(
        game_id=item["game_id"],
        ply=int(item["ply"]),
        seat=item["seat"],
        move=item["move"],
        raw=item.get("raw", ""),
        attempts=[Attempt.from_dict(a) for a in _attempts_of(item)],
        created_at=item.get("created_at", ""),
        analysis=json.loads(item["analysis"]) if item.get("analysis") else None,
        san=item.get("san"),
    )


# ------------------------------------------------------------------------------------------- writes
# The write that ends a game (finished or aborted) also puts the game's result item (``games.results``),
# in the same transaction where there is one, so a game counts once and is never lost.


def _result_operations(before: Game, after: Game) -> list[dict[str, Any]]:
    if not before.is_live or after.is_live:
        return []
    return [{"Put": {"Item": results.result_item(after)}}]


def _result_delete(game: Game) -> dict[str, Any]:
    return {"Delete": {"Key": {"pk": keys.results_pk(game.game_type), "sk": keys.result_sk(game.id)}}}


def create(game: Game) -> None:
    """Store a new game; ``ConditionFailed`` if the id is taken (fixed ids make seeding idempotent)."""
    items.put(game_item(game), must_not_exist=True)


def _versioned_update(before: Game, after: Game) -> dict[str, Any]:
    """The game's new mutable values as a transaction operation, only if its version is still
    ``before.version`` (the version is incremented)."""
    return {
        "Update": items.update_operation(
            keys.game_pk(before.id),
            keys.GAME_META_SK,
            set_values=_mutable_values(after),
            remove=_absent(after) or None,
            expected_version=before.version,
        )
    }


def record_turn(before: Game, after: Game, moves: list[Move]) -> None:
    """The moves and the game's new state, all or nothing, only if nobody changed the game since
    ``before`` was read. ``after.version`` must be ``before.version + 1``."""
    assert after.version == before.version + 1
    update = _versioned_update(before, after)
    puts = [{"Put": {"Item": move_item(m), "ConditionExpression": "attribute_not_exists(pk)"}} for m in moves]
    history = _history_append(before.id, [m.san for m in moves if m.san])
    items.transact_write([*puts, update, *history, *_result_operations(before, after)])


def _history_append(game_id: str, sans: list[str]) -> list[dict[str, Any]]:
    if not sans:
        return []
    return [
        {
            "Update": {
                "Key": {"pk": keys.game_pk(game_id), "sk": keys.GAME_HISTORY_SK},
                "UpdateExpression": "SET #san = list_append(if_not_exists(#san, :empty), :new)",
                "ExpressionAttributeNames": {"#san": "san"},
                "ExpressionAttributeValues": {":empty": [], ":new": sans},
            }
        }
    ]


def backfill_list_progress(item: dict[str, Any], *, write: bool = True) -> bool:
    """An ended game stored before its list rows carried an ended game's progress: write its
    ``ENDED_ATTRIBUTES`` copies (``manage.py backfill_indexes``), only while the game is at the version
    read and has none. Whether it needed them (and, with ``write``, got them): False when it is not
    over, has them already, or changed meanwhile."""
    game = game_from_item(item)
    values = _ended_values(game)
    if not values or "ended_ply" in item:
        return False
    if not write:
        return True
    try:
        items.update(
            keys.game_pk(game.id),
            keys.GAME_META_SK,
            set_values=values,
            expected_values={"version": game.version, "ended_ply": None},
        )
    except ConditionFailed:
        return False
    return True


def end_without_move(before: Game, after: Game) -> Game:
    """A change of status with no move (resignation, moderator abort), version-checked like a turn."""
    changed = items.update(
        keys.game_pk(before.id),
        keys.GAME_META_SK,
        set_values=_mutable_values(after),
        remove=_absent(after) or None,
        expected_version=before.version,
    )
    for operation in _result_operations(before, after):  # idempotent put, right after the change
        items.put(operation["Put"]["Item"])
    return game_from_item(changed)


def set_autoplay(game_id: str, on: bool) -> Game:
    """Switch autoplay (off, here: ``set_driving`` switches it on). Not versioned, so flipping it never
    makes a concurrent move fail, and a turn's write never overwrites it (turns only SET their own
    fields). The game stays in the due index: the worker that finds it no longer driven takes it out
    (``clear_due``)."""
    changed = items.update(keys.game_pk(game_id), keys.GAME_META_SK, set_values={"autoplay": on})
    return game_from_item(changed)


def set_driving(game: Game, *, autoplay: bool | None = None, step: bool = False, due_at: int | None) -> Game:
    """Have the game's AI turns played: autoplay on and/or one step asked for, due at ``due_at`` (None:
    no AI seat to move now), resuming it if it was paused. Only while the game is at the version read
    (``ConditionFailed`` otherwise); the version is not incremented, so a turn being written right now
    still lands. Returns the game as stored."""
    values: dict[str, Any] = {"status": "live", "pause_reason": None, "turn_failures": 0, "last_error": None}
    if autoplay is not None:
        values["autoplay"] = autoplay
    if step:
        values["step_requested"] = True
    values.update(_due_values(game.id, due_at))
    changed = items.update(
        keys.game_pk(game.id),
        keys.GAME_META_SK,
        set_values=values,
        expected_values={"version": game.version},
    )
    return game_from_item(changed)


def claim_turn(game: Game, *, token: str, until: int, now: int) -> Game:
    """Take the lease on the game's current turn until ``until`` (epoch seconds): only while the game
    is at the version read and no other lease is running. The game stays in the due index at its due
    time (moving the key would cost two index writes a turn): a sweep that finds it there while the
    lease runs moves it to the lease's end instead of sending it (``postpone_due``), so a worker that
    dies holding the lease is noticed once the lease is over. ``ConditionFailed`` when another worker
    holds it or the game changed."""
    values = {"lease_until": until, "lease_token": token}
    changed = items.update(
        keys.game_pk(game.id),
        keys.GAME_META_SK,
        set_values=values,
        condition="#version = :version AND (attribute_not_exists(#lease) OR #lease <= :now)",
        condition_names={"#version": "version", "#lease": "lease_until"},
        condition_values={":version": game.version, ":now": now},
    )
    return game_from_item(changed)


def release_turn(game: Game, *, due_at: int | None, error: str, pause_reason: str | None = None) -> bool:
    """A failed try of the turn whose lease ``game.lease_token`` holds: count it, keep the error, and
    make the turn due again at ``due_at`` (a backoff), or pause the game with ``pause_reason``.
    False when the lease is no longer ours (another worker took over: it decides)."""
    values: dict[str, Any] = {"last_error": error[:500]}
    remove = list(_LEASE)
    if pause_reason is not None:
        values.update(status="paused", pause_reason=pause_reason, updated_at=keys.now_iso())
        remove += list(_DUE_KEYS)
    elif due_at is not None:
        values.update(_due_values(game.id, due_at))
    try:
        items.update(
            keys.game_pk(game.id),
            keys.GAME_META_SK,
            set_values=values,
            add_values={"turn_failures": 1},
            remove=remove,
            expected_values={"lease_token": game.lease_token, "version": game.version},
        )
    except ConditionFailed:
        return False
    return True


def pause(game: Game, reason: str) -> Game:
    """Pause a live game (no move) for a cause that will not pass by itself, version-checked like a
    turn; it leaves the due index. ``ConditionFailed`` when the game changed since it was read."""
    after = replace(
        game,
        status="paused",
        pause_reason=reason,
        due_at=None,
        lease_until=None,
        lease_token=None,
        step_requested=False,
        updated_at=keys.now_iso(),
        version=game.version + 1,
    )
    items.update(
        keys.game_pk(game.id),
        keys.GAME_META_SK,
        set_values=_mutable_values(after),
        remove=_absent(after),
        expected_version=game.version,
    )
    return after


def finish_due(game: Game) -> bool:
    """Take an ended game out of the due index (its analysis is done, or cannot be done here), as long
    as it is still at the version read."""
    try:
        items.update(
            keys.game_pk(game.id),
            keys.GAME_META_SK,
            remove=[*_DUE_KEYS, *_LEASE],
            expected_values={"version": game.version},
        )
    except ConditionFailed:
        return False
    return True


def clear_due(game: Game) -> bool:
    """Take a game out of the due index when nothing drives it (autoplay off and no step asked), as
    long as that is still so and the game is at the version read. False when that changed."""
    try:
        items.update(
            keys.game_pk(game.id),
            keys.GAME_META_SK,
            remove=[*_DUE_KEYS, *_LEASE],
            expected_values={"version": game.version},
            condition="#autoplay = :false AND (attribute_not_exists(#step) OR #step = :false)",
            condition_names={"#autoplay": "autoplay", "#step": "step_requested"},
            condition_values={":false": False},
        )
    except ConditionFailed:
        return False
    return True


class Postponed(StrEnum):
    """What ``postpone_due`` did with an overdue game."""

    SEND = "send"  # due again after the grace period: the sweeper sends the turn now
    LEASED = "leased"  # a worker holds the turn's lease: due again when it ends, nothing sent
    MOVED_ON = "moved_on"  # the game changed since the sweep read it: whoever changed it scheduled it


def postpone_due(game_id: str, seen_sort_key: str, due_at: int, *, now: int) -> Postponed:
    """The sweeper found this game overdue at ``seen_sort_key``: make it due again at ``due_at`` so
    that the next sweep does not send it again unless it still has not progressed (``SEND``); or, while
    a worker holds the turn's lease (claims leave the due time as it was), at the lease's end, and the
    turn is not sent (``LEASED``); or nothing, when the game moved on since the sweep read it."""
    pk = keys.game_pk(game_id)
    try:
        items.update(
            pk,
            keys.GAME_META_SK,
            set_values={"gsi5sk": keys.due_sort_key(due_at, game_id), "due_at": due_at},
            expected_values={"gsi5sk": seen_sort_key},
            condition="attribute_not_exists(#lease) OR #lease <= :now",
            condition_names={"#lease": "lease_until"},
            condition_values={":now": now},
        )
        return Postponed.SEND
    except ConditionFailed:
        pass
    held = items.get(pk, keys.GAME_META_SK, attributes=("gsi5sk", "lease_until"))
    if not held or held.get("gsi5sk") != seen_sort_key or int(held.get("lease_until") or 0) <= now:
        return Postponed.MOVED_ON  # (a lease that ended just now: the next sweep sends the turn)
    until = int(held["lease_until"])
    try:
        items.update(
            pk,
            keys.GAME_META_SK,
            set_values={"gsi5sk": keys.due_sort_key(until, game_id), "due_at": until},
            expected_values={"gsi5sk": seen_sort_key, "lease_until": until},
        )
    except ConditionFailed:
        return Postponed.MOVED_ON
    return Postponed.LEASED


@dataclass(frozen=True)
class DueTurn:
    game_id: str
    ply: int
    sort_key: str


def overdue(now: int, *, limit: int = 100) -> list[DueTurn]:
    """Games whose AI turn was due by ``now`` and has not progressed: one Query per shard of gsi5."""
    found: list[DueTurn] = []
    for partition in keys.due_partitions():
        page = items.query_range(partition, index="gsi5", sk_at_most=keys.due_sort_key(now, "~"), limit=limit)
        for item in page:
            found.append(DueTurn(keys.game_id_of(item["pk"]), int(item.get("ply", 0)), item["gsi5sk"]))
    return found


# Every move's quality in one item (``keys.MOVES_ANALYSIS_SK``) rather than on each move item: updating
# a move item is charged by its whole size (a model's, with its compressed prompts, is 2-3 KB), so a
# 300-ply chess game's analysis wrote ~1,000 WRU in transactions; as one compressed item it writes a few.
ANALYSIS_BLOB = "analysis_z"


def analysis_item(game_id: str, per_ply: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "pk": keys.game_pk(game_id),
        "sk": keys.MOVES_ANALYSIS_SK,
        "kind": ANALYSIS_KIND,
        "game_id": game_id,
        ANALYSIS_BLOB: zlib.compress(_dumps(sorted(per_ply.items())).encode(), 6),
    }


def record_analysis(game: Game, per_ply: dict[int, dict[str, Any]], summary: dict[str, Any]) -> bool:
    """Store a finished game's move quality: ``per_ply[ply]`` in the moves' analysis item, ``summary`` on
    the game item and on its leaderboard result item (when it has one). Returns False, writing nothing,
    when the game already has an analysis (a second analyser lost the race) or is gone.

    One TransactWriteItems: the game's ``analysis`` is set only while it is absent and the game has
    ended (so a game is summarised once, and a deleted game gets no analysis item), with the moves'
    analysis item and the result item's copy.
    """
    operations: list[dict[str, Any]] = [
        {
            "Update": items.update_operation(
                keys.game_pk(game.id),
                keys.GAME_META_SK,
                set_values={"analysis": _dumps(summary)},
                remove=[*_DUE_KEYS, *_LEASE],  # nothing is due for this game any more
                expected_values={"analysis": None},
                condition="#status <> :live AND #status <> :paused",
                condition_names={"#status": "status"},
                condition_values={":live": "live", ":paused": "paused"},
            )
        },
        {"Put": {"Item": analysis_item(game.id, per_ply)}},
    ]
    result_key = (keys.results_pk(game.game_type), keys.result_sk(game.id))
    if items.get(*result_key) is not None:  # games imported from the earlier version have none
        operations.append(
            {"Update": items.update_operation(*result_key, set_values={"analysis": results.analysis_text(summary)})}
        )
    try:
        items.transact_write(operations)
    except ConditionFailed:
        return False
    return True  # the caller updates the leaderboard (storage triggers nothing)


# ------------------------------------------------------------------------------------- moderation
# Each moderation write is one TransactWriteItems holding the change and the operations the caller
# passes in ``also`` (the audit item, built by ``duelarena.audit``): a change is never stored without
# its audit entry, nor the reverse. Each is conditioned on what the caller read, so the audit's
# before/after are exact; a lost race raises ConditionFailed and the service reads again.


def _meta_key(game_id: str) -> dict[str, str]:
    return {"pk": keys.game_pk(game_id), "sk": keys.GAME_META_SK}


def moderate(
    before: Game, *, hidden: bool | None = None, flagged: bool | None = None, also: Sequence[dict[str, Any]] = ()
) -> Game:
    """Flag/unflag and hide/unhide (hidden games leave the public feeds gsi2/gsi3), only if the game's
    flags are still those of ``before``. Returns the game as it now is."""
    after = replace(
        before,
        hidden=before.hidden if hidden is None else hidden,
        flagged=before.flagged if flagged is None else flagged,
    )
    set_values: dict[str, Any] = {"flagged": after.flagged, "hidden": after.hidden}
    remove = None
    if after.hidden and not before.hidden:
        remove = ["gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"]
    elif before.hidden and not after.hidden:
        set_values.update(_feed_attributes(before))
    update = {
        "Update": items.update_operation(
            keys.game_pk(before.id),
            keys.GAME_META_SK,
            set_values=set_values,
            remove=remove,
            expected_values={"flagged": before.flagged, "hidden": before.hidden},
        )
    }
    items.transact_write([update, *also])
    return after


def end_by_moderator(before: Game, after: Game, *, also: Sequence[dict[str, Any]] = ()) -> Game:
    """Like ``end_without_move`` (version-checked, no move), together with ``also``."""
    update = _versioned_update(before, after)
    items.transact_write([update, *also, *_result_operations(before, after)])
    return replace(after, version=before.version + 1)


def delete_game(before: Game, *, also: Sequence[dict[str, Any]] = ()) -> int:
    """Delete a game with every move. Returns how many items were deleted.

    First the META item, in one transaction with ``also`` and conditioned on the version read: from
    then on no writer can add to the game (every game write requires META to exist) and no read finds
    it. Then the move items, in batches. Should that second step fail, ``delete_leftovers`` finishes it.
    """
    delete = {
        "Delete": {
            "Key": _meta_key(before.id),
            "ConditionExpression": "attribute_exists(pk) AND #version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": before.version},
        }
    }
    items.transact_write([delete, *also, _result_delete(before)])
    return 1 + delete_leftovers(before.id)


def delete_leftovers(game_id: str) -> int:
    """Delete whatever is left under a game's partition key (moves of a game whose META is gone)."""
    return items.delete_partition(keys.game_pk(game_id))


# ------------------------------------------------------------------------------------- maintenance


def put_imported(game_items: Sequence[dict[str, Any]]) -> None:
    """Store games imported from the earlier version (``games.legacy_import``): items built by
    ``game_item`` plus the import's own fields (``imported`` set). Batched; such games have no moves
    and no result item (they were never played here)."""
    for item in game_items:
        if not item.get("imported") or item.get("kind") != GAME_KIND:
            raise ValueError("put_imported stores imported game items only")
    items.batch_put(list(game_items))


def backfill_results(game_types: set[str]) -> dict[str, int]:
    """Put the result item of every ended game of ``game_types`` (games that ended before result items
    existed, or after a restore; imported games stay off the board). Walks every game through gsi4 and
    reads each ended one (maintenance only, never on a request path); idempotent: result items are keyed by game id.
    Returns how many were written per type."""
    written: dict[str, int] = {}
    cursor: str | None = None
    while True:
        page = items.query(ALL_GAMES, index="gsi4", limit=100, cursor=cursor)
        batch = []
        for row in page.items:  # gsi4 projects the list row only: an ended game is read in full
            if row.get("game_type") not in game_types or row.get("status") not in (FINISHED, ABORTED):
                continue
            item = items.get(row["pk"], row["sk"])
            if item is None or item.get("imported"):
                continue
            batch.append(results.result_item(game_from_item(item)))
            written[item["game_type"]] = written.get(item["game_type"], 0) + 1
        if batch:
            items.batch_put(batch)
        cursor = page.next_cursor
        if not cursor:
            break
    return written


def list_for_moderation(
    *,
    owner_id: str | None = None,
    game_type: str | None = None,
    status: str | None = None,
    flagged: bool | None = None,
    hidden: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> GamePage:
    """Games for the admin, hidden ones included, newest first - always ONE Query:

    - with ``owner_id``: gsi1 ``OWNER#<owner_id>`` (the owner's games);
    - otherwise: gsi4 ``GAMES`` (every game).
    ``game_type``, ``status``, ``flagged`` and ``hidden`` are FilterExpressions on that Query (gsi3 holds
    public games only, so it cannot serve an admin's type filter). DynamoDB filters after ``Limit``: a
    filtered page may hold fewer games than ``limit``; its cursor goes on where the read stopped.
    """
    filters: dict[str, Any] = {}
    for name, value in (("game_type", game_type), ("status", status), ("flagged", flagged), ("hidden", hidden)):
        if value is not None:
            filters[name] = value
    partition, index = (keys.owner_feed(owner_id), "gsi1") if owner_id else (ALL_GAMES, "gsi4")
    page = items.query(partition, index=index, newest_first=True, limit=limit, cursor=cursor, filters=filters or None)
    return _page(page)


# -------------------------------------------------------------------------------------------- reads


def get_for_turn(game_id: str) -> tuple[Game, list[str] | None] | None:
    """The game item and, for chess, its move list in SAN (None when the game has no history item:
    another game type, a game stored before it existed, or an imported one): one consistent Query
    from HISTORY to META."""
    found = items.query_between(keys.game_pk(game_id), keys.GAME_HISTORY_SK, keys.GAME_META_SK)
    meta = next((i for i in found if i["sk"] == keys.GAME_META_SK), None)
    if meta is None:
        return None
    history = next((list(i.get("san") or []) for i in found if i["sk"] == keys.GAME_HISTORY_SK), None)
    return game_from_item(meta), history


def get(game_id: str) -> Game | None:
    """The game item alone (one consistent GetItem): what a write needs to check its turn."""
    item = items.get(keys.game_pk(game_id), keys.GAME_META_SK)
    return game_from_item(item) if item else None


def load(game_id: str) -> tuple[Game, list[Move]] | None:
    """The game with every move, ply order (one consistent Query on the game's partition)."""
    found = items.query_all(keys.game_pk(game_id))
    meta = next((i for i in found if i["sk"] == keys.GAME_META_SK), None)
    if meta is None:
        return None
    return game_from_item(meta), _moves_of(found)


# What a conditional read of a game needs: the ETag's inputs and who may see it (no state, no totals).
WATCH_ATTRIBUTES = (
    "id",
    "version",
    "autoplay",
    "hidden",
    "status",
    "owner_id",
    "white",
    "black",
    "white_user_id",
    "black_user_id",
    "analysis",
)


def watch_fields(game_id: str) -> dict[str, Any] | None:
    """The game item's version and visibility fields (one eventually consistent GetItem with a
    projection): enough to answer a conditional GET without reading the moves."""
    return items.get(keys.game_pk(game_id), keys.GAME_META_SK, consistent=False, attributes=WATCH_ATTRIBUTES)


def game_from_watch_fields(item: dict[str, Any]) -> Game:
    """A partial Game from ``watch_fields``: only those fields are real (no state, options, totals);
    enough for ``games.access`` and the ETag, nothing else."""
    return Game(
        id=item["id"],
        game_type="",
        white=item["white"],
        black=item["black"],
        owner_id=item["owner_id"],
        seed=0,
        options={},
        state={},
        created_at="",
        updated_at="",
        white_user_id=item.get("white_user_id"),
        black_user_id=item.get("black_user_id"),
        status=item["status"],
        version=int(item["version"]),
        hidden=bool(item.get("hidden", False)),
        autoplay=bool(item.get("autoplay", False)),
        analysis={"stored": True} if item.get("analysis") else None,  # presence only (the ETag)
    )


def get_recent(game_id: str) -> Game | None:
    """The game item alone, eventually consistent (half the read units of ``get``): for readers only."""
    item = items.get(keys.game_pk(game_id), keys.GAME_META_SK, consistent=False)
    return game_from_item(item) if item else None


def moves_after(game_id: str, after: int, limit: int | None = None) -> list[Move]:
    """Moves with ``ply > after``, ply order: one eventually consistent Query whose sort-key condition
    starts after that ply, so it reads (and is charged for) only those moves, and the moves' analysis
    item when the game has one. ``after=-1``: all. With ``limit``, a cut page may lack the analysis."""
    lo, hi = keys.move_sk(after + 1), keys.MOVES_ANALYSIS_SK
    page = items.query(keys.game_pk(game_id), sk_between=(lo, hi), limit=limit)
    return _moves_of(page.items)


def game_from_list_item(item: dict[str, Any]) -> Game:
    """A Game from a list index entry: gsi1-gsi4 carry only the list row (``schema.GAME_LIST_ATTRIBUTES``,
    gsi1/gsi4 also flags and an ended game's totals), so the rules' state, options,
    seed, version and secret are absent (empty/zero), and a due turn shows as ``due_at=0``. A game's
    progress (ply, moves_count, updated_at, totals) is there only once it has ended (``ENDED_ATTRIBUTES``):
    otherwise ``progress_known`` is False and those fields are placeholders (0, created_at, zeros). Enough
    for ``selectors.game_summary`` and the admin's list columns; never for a write (writes read the game)."""
    if "state" in item:
        return game_from_item(item)
    return Game(
        **_row_fields(item),
        seed=0,
        options={},
        state={},
        updated_at=item.get("ended_at") or item["created_at"],
        ply=int(item.get("ended_ply", 0)),
        version=0,
        totals=_totals(item.get("ended_totals")),
        moves_count=int(item.get("ended_moves_count", 0)),
        due_at=0 if "gsi5pk" in item else None,
        progress_known="ended_ply" in item,
    )


def _page(page: items.Page) -> GamePage:
    return GamePage([game_from_list_item(i) for i in page.items], page.next_cursor)


def list_by_owner(owner_id: str, *, cursor: str | None = None, limit: int = 20) -> GamePage:
    """A user's games, newest first (one Query on gsi1)."""
    return _page(items.query(keys.owner_feed(owner_id), index="gsi1", newest_first=True, limit=limit, cursor=cursor))


def list_public(
    *, game_type: str | None = None, status: str | None = None, cursor: str | None = None, limit: int = 20
) -> GamePage:
    """Visible games, newest first: one Query on gsi2 (all types) or gsi3 (one type); status filtered."""
    index, partition = ("gsi3", keys.type_feed(game_type)) if game_type else ("gsi2", FEED)
    filters = {"status": status} if status else None
    return _page(items.query(partition, index=index, newest_first=True, limit=limit, cursor=cursor, filters=filters))


def list_all(*, status: str | None = None, cursor: str | None = None, limit: int = 50) -> GamePage:
    """Every game including hidden ones (admin), newest first: one Query on gsi4."""
    filters = {"status": status} if status else None
    return _page(items.query(ALL_GAMES, index="gsi4", newest_first=True, limit=limit, cursor=cursor, filters=filters))
