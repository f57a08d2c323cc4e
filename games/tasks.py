"""Where AI turns run: the task backend named by ``settings.TASK_BACKEND``, and the sweeper.

The lifecycle of a turn (ARCHITECTURE.md, "Turns"):

1. *Due.* Every write that leaves a live game with an AI seat to move puts it in the due index (gsi5,
   sharded, see ``duelarena.dynamo.keys``) with the time after which it counts as overdue. The game is
   *driven* when autoplay is on or a step was asked for; the service then asks a backend to play the
   turn (``games.scheduling.enqueue`` -> ``enqueue`` here). That request is best effort: the due time
   is what guarantees progress.
2. *Played.* A worker (``service.play_due_turn``) reads the game, takes the turn's lease with one
   conditional write (only if no lease is running and the game is at the version read; the lease lasts
   the slowest seat's turn deadline plus a margin; the due time stays as it was), plays the turn,
   and records it in one transaction conditioned on the game's version, which also ends the lease,
   clears a step request and sets the next due time. A second delivery of the same turn finds the
   lease (``busy``) or the ply played (``stale``): the model is called once and one move is recorded.
3. *Swept.* ``sweep`` finds the games whose due time has passed (one Query per shard), pushes their
   due time on by the grace period and enqueues them again; one whose lease still runs is made due at
   the lease's end instead, and not sent. So a message that was lost, a queue that
   was down, a worker killed mid-turn (its lease runs out), a storage outage or a restart only delays
   a game. A turn that raised is retried after a backoff (``service.retry_delay_seconds``) and pauses
   the game (``turn_failed``) after ``service.MAX_TURN_FAILURES`` tries in a row; causes that will not
   pass (a model no longer offered, the owner gone, the budget) pause it at once with their reason.

Backends:

- ``inprocess`` (default; gunicorn locally or on a server): ``games.autoplay`` worker threads drive
  games in this process, and a sweeper thread runs at worker start and every ``TURN_SWEEP_SECONDS``.
- ``sqs`` (AWS): one message per turn to ``TURN_QUEUE_URL``; the Lambda Web Adapter POSTs each batch to
  ``/events`` (``games.events``), which calls ``run_turn`` for every record. An EventBridge schedule
  (every minute) invokes the same function, LWA forwards that event to ``/events`` too, and it runs
  ``sweep``.

Engine work (``games.service.needs_engine``: a finished chess game's move analysis, a
``builtin:stockfish-<elo>`` seat's turn) has its own queue when ``ENGINE_QUEUE_URL`` is set
(template.yaml ``EngineQueue``, consumed by ``EngineFunction``, the same image with more memory and
``ENGINE_WORKER`` on), so that the turn function, which mostly waits for models, is sized without
Stockfish. Same message format on both queues. Routing:

- ``enqueue`` (the service's scheduling port) knows the game: engine work goes to the engine queue,
  the rest to the turn queue.
- ``sweep`` knows only the game id and ply (the due index): it sends everything to the turn queue, and
  a turn worker that is not the engine worker (``forwards_engine_work``) reads the game and, when the
  due work needs the engine, sends the same message on to the engine queue and acknowledges its own
  (``service.play_due_turn``, outcome ``forwarded``). A send that fails leaves the message
  unacknowledged (redelivered); a message forwarded twice is still played once (the analysis lease,
  the version-checked write of a bot's move).
- The engine worker plays whatever it receives.

Without ``ENGINE_QUEUE_URL`` (locally, and the in-process backend) everything runs where it did.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from duelarena import aws
from duelarena.domain import Unavailable
from duelarena.dynamo import keys

logger = logging.getLogger("duelarena.tasks")

INPROCESS, SQS = "inprocess", "sqs"
BACKENDS = (INPROCESS, SQS)
MESSAGE_KIND = "turn"
MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit


class MalformedMessage(ValueError):
    """A queue message that is not a turn message this code understands."""


@dataclass(frozen=True)
class TurnMessage:
    """The turn of ``game_id`` that was to be played when the game stood at ``ply``."""

    game_id: str
    ply: int

    def to_body(self) -> str:
        return json.dumps({"kind": MESSAGE_KIND, "game_id": self.game_id, "ply": self.ply}, separators=(",", ":"))

    @classmethod
    def from_body(cls, body: object) -> TurnMessage:
        if not isinstance(body, str):
            raise MalformedMessage("the message body is not a string")
        try:
            data = json.loads(body)
        except ValueError:
            raise MalformedMessage("the message body is not JSON") from None
        if not isinstance(data, dict) or data.get("kind") != MESSAGE_KIND:
            raise MalformedMessage("the message is not a turn message")
        game_id, ply = data.get("game_id"), data.get("ply")
        if not isinstance(game_id, str) or not keys.is_id(game_id):
            raise MalformedMessage("game_id is not a game id")
        if isinstance(ply, bool) or not isinstance(ply, int) or ply < 0:
            raise MalformedMessage("ply is not a non-negative integer")
        return cls(game_id, ply)


# ------------------------------------------------------------------------------------------ enqueue


def backend() -> str:
    return getattr(settings, "TASK_BACKEND", INPROCESS)


def enqueue(game_id: str, ply: int, delay_seconds: float = 0, engine: bool = False) -> None:
    """Have the game's turn at ``ply`` played in the background (``engine``: the work runs Stockfish,
    and goes to the engine queue when there is one). Raises when the queue cannot take it (the caller,
    ``games.scheduling``, logs that; the sweeper sends the turn again)."""
    if backend() != SQS:
        from games import autoplay

        autoplay.enqueue(game_id)
        return
    send_turn(TurnMessage(game_id, ply), delay_seconds=delay_seconds, queue_url=engine_queue_url() if engine else "")


def engine_queue_url() -> str:
    """The engine queue (``ENGINE_QUEUE_URL``), or "" when engine work runs with the turns."""
    return str(getattr(settings, "ENGINE_QUEUE_URL", "") or "") if backend() == SQS else ""


def forwards_engine_work() -> bool:
    """Whether this process's turn worker sends engine work on to the engine queue rather than playing
    it: an engine queue exists and this is not the engine worker (``ENGINE_WORKER``)."""
    return bool(engine_queue_url()) and not getattr(settings, "ENGINE_WORKER", False)


def _sqs() -> Any:
    """The process's SQS client, built on first use (not at import: cold start) by the one AWS client
    factory (``duelarena.aws``) and reused."""
    return aws.client(
        "sqs",
        region=settings.AWS_REGION,
        endpoint_url=getattr(settings, "SQS_ENDPOINT_URL", None) or None,
        # A queue that is down must not hold up the request that recorded a move: the turn is due in
        # the table, and the sweeper sends it again.
        max_attempts=2,
        connect_timeout=1,
        read_timeout=3,
    )


def reset() -> None:
    """Forget the SQS client (tests that switch endpoints or mocks)."""
    aws.reset("sqs")


def send_turn(message: TurnMessage, *, delay_seconds: float = 0, queue_url: str = "") -> None:
    """Send ``message`` to ``queue_url`` (default: the turn queue); raises ``Unavailable`` when it
    could not be sent."""
    queue_url = queue_url or getattr(settings, "TURN_QUEUE_URL", "")
    if not queue_url:
        raise Unavailable("the turn queue is not configured", code="queue_unavailable")
    from botocore.exceptions import BotoCoreError, ClientError

    delay = min(MAX_DELAY_SECONDS, max(0, math.ceil(delay_seconds)))
    try:
        _sqs().send_message(QueueUrl=queue_url, MessageBody=message.to_body(), DelaySeconds=delay)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("turn not enqueued", extra={"game_id": message.game_id, "ply": message.ply, "error": str(exc)})
        raise Unavailable("the turn queue is unavailable; try again", code="queue_unavailable", retry_after=5) from None


# -------------------------------------------------------------------------------------- run a turn


def run_turn(message: TurnMessage, message_id: str) -> str:
    """Play the turn ``message`` is for, if it is still due (see the module docstring): the outcome's
    name (``played``, ``stale``, ``idle``, ``busy``, ``conflict``, ``paused``, ``analysed``, or
    ``forwarded`` when engine work was sent on to the engine queue). Raises when the try failed (a
    forward that could not be sent included); the game's due time brings it back."""
    from games import service

    forward = forward_to_engine if forwards_engine_work() else None
    return service.play_due_turn(message.game_id, ply=message.ply, forward_engine_work=forward).value


def forward_to_engine(game_id: str, ply: int) -> None:
    """Send the game's due engine work to the engine queue (raises ``Unavailable`` when it cannot)."""
    send_turn(TurnMessage(game_id, ply), queue_url=engine_queue_url())


# ------------------------------------------------------------------------------------------- sweep


def sweep(now: float | None = None) -> int:
    """Enqueue every game whose AI turn is overdue, pushing its due time on by the grace period first
    (so the next sweep does not send it again unless it still has not progressed). A game whose turn a
    worker holds (its lease runs) is not sent: it is due again when the lease ends. Returns how many
    were enqueued."""
    from games import store

    now_s = int(time.time() if now is None else now)
    grace = int(settings.TURN_GRACE_SECONDS)
    sent = 0
    for turn in store.overdue(now_s):
        if store.postpone_due(turn.game_id, turn.sort_key, now_s + grace, now=now_s) != store.Postponed.SEND:
            continue  # the game moved on since the Query, or a worker is on the turn (its lease's end is due)
        try:
            enqueue(turn.game_id, turn.ply)
        except Exception as exc:  # the next sweep tries again
            logger.warning("sweep could not enqueue a turn", extra={"game_id": turn.game_id, "error": str(exc)})
            continue
        sent += 1
    if sent:
        logger.info("sweep enqueued overdue turns", extra={"count": sent})
    return sent
