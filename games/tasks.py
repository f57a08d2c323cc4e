"""Where autoplay turns run: the task backend named by ``settings.TASK_BACKEND``.

One interface, ``enqueue(game_id, ply)``: "play this game's turn at this ply, and keep going while
autoplay is on". The service calls it after every change that leaves an AI seat to move.

- ``inprocess`` (default): ``games.autoplay``'s worker threads drive the game in this process
  (gunicorn locally or on a server). The ply is not needed: a worker re-reads the game every turn.
- ``sqs``: one message per turn to ``TURN_QUEUE_URL``; on Lambda the Lambda Web Adapter POSTs each
  batch to ``/events`` (``games.events``), which calls ``run_turn`` for every message. A played turn
  enqueues the next one, so a game is a chain of messages that ends when the game ends, autoplay is
  switched off (the turn being played still finishes), or a human is to move.

Exactly one move per ply, whatever SQS does
-------------------------------------------
SQS delivers at least once, Lambda retries failed records, and a manual step or a second
``start_autoplay`` can enqueue the same ply again. Two layers keep that harmless:

1. The store: a turn is one transaction conditioned on the game's version, with the move item keyed
   by its ply (``attribute_not_exists``). Two workers that both play ply N record one move; the
   loser's write fails. This alone guarantees correctness, but not economy or progress.
2. A claim per (game, ply) in the table (``TURN#<game> / PLY#<ply>``, a conditional write with a TTL),
   taken before the turn is played and marked done after the next message is sent. Why claims rather
   than only the ply check or a ledger of processed message ids:

   - *Economy*: a second delivery of a turn that is being played right now finds the claim and does
     not call the model again (the ply check alone would pay for a second provider answer and then
     lose the write).
   - *Progress*: a worker can die after the turn's write but before sending the next message. Its
     redelivery finds the ply already played, which the ply check alone would acknowledge, and the
     game would stall with autoplay on. The claim is not done, so the redelivery takes it over and
     sends the next message.
   - *Per ply, not per message id*: duplicates also come from different messages for the same ply
     (a manual step and the chain, a double ``start_autoplay``). A claim keyed by the ply collapses
     them all; only the message that holds the claim of ply N may send the message for ply N+1, so
     the chain never forks into two.

   A claim held by a live worker is honoured for ``TURN_CLAIM_SECONDS``; after that (the worker died:
   SQS redelivers only after the visibility timeout, which must be longer) anyone may take it over.
   A worker that fails with an exception releases its claim at once, so the retry need not wait.

Outcomes of ``run_turn``: ``played``; ``stale`` (the ply had already been played; the next message
was ensured); ``conflict`` (another writer won the same ply); ``idle`` (nothing to do: game over,
autoplay off, a human to move, game gone, or paused by the owner's budget, in which case the chain
stops until a step or a new ``start_autoplay``); ``duplicate`` (another delivery holds or finished this
ply). ``RetryLater`` is raised when this very message is being played by another worker right now
(a concurrent duplicate delivery): the record is reported as failed and SQS redelivers it later,
when the claim will be done (acknowledged then) or abandoned (taken over then).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from duelarena.errors import ServiceUnavailable

logger = logging.getLogger("duelarena.tasks")

INPROCESS, SQS = "inprocess", "sqs"
BACKENDS = (INPROCESS, SQS)
MESSAGE_KIND = "turn"
CLAIM_KIND = "turn_claim"
CLAIM_TTL_SECONDS = 2 * 24 * 3600  # longer than any redelivery (visibility timeout x receive count)
MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit


class MalformedMessage(ValueError):
    """A queue message that is not a turn message this code understands."""


class RetryLater(Exception):
    """This message is being played by another worker right now; let SQS deliver it again later."""


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


def enqueue(game_id: str, ply: int | None = None, *, delay_seconds: float = 0) -> None:
    """Have the game's turn at ``ply`` played in the background (the current ply when None)."""
    if backend() != SQS:
        from games import autoplay

        autoplay.enqueue(game_id)
        return
    if ply is None:
        from games import store

        game = store.get(game_id)
        if game is None:
            return
        ply = game.ply
    send_turn(TurnMessage(game_id, ply), delay_seconds=delay_seconds)


_client_lock = threading.Lock()
_clients: dict[tuple[str | None, str], Any] = {}


def _sqs() -> Any:
    """The process's SQS client, created on first use (not at import: cold start) and reused."""
    key = (getattr(settings, "SQS_ENDPOINT_URL", None), settings.AWS_REGION)
    client = _clients.get(key)
    if client is None:
        with _client_lock:
            client = _clients.get(key)
            if client is None:
                import boto3
                from botocore.config import Config

                config = Config(
                    region_name=settings.AWS_REGION,
                    retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=2,
                    read_timeout=5,
                )
                endpoint = {"endpoint_url": key[0]} if key[0] else {}
                client = boto3.session.Session().client("sqs", config=config, **endpoint)
                _clients[key] = client
    return client


def reset() -> None:
    """Forget the SQS client (tests that switch endpoints or mocks)."""
    with _client_lock:
        _clients.clear()


def send_turn(message: TurnMessage, *, delay_seconds: float = 0) -> None:
    queue_url = getattr(settings, "TURN_QUEUE_URL", "")
    if not queue_url:
        raise ServiceUnavailable("the turn queue is not configured", code="queue_unavailable")
    from botocore.exceptions import BotoCoreError, ClientError

    delay = min(MAX_DELAY_SECONDS, max(0, math.ceil(delay_seconds)))
    try:
        _sqs().send_message(QueueUrl=queue_url, MessageBody=message.to_body(), DelaySeconds=delay)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("turn not enqueued", extra={"game_id": message.game_id, "ply": message.ply, "error": str(exc)})
        raise ServiceUnavailable(
            "the turn queue is unavailable; try again", code="queue_unavailable", retry_after=5
        ) from None


# ------------------------------------------------------------------------------------------- claims


def _claim_key(message: TurnMessage) -> tuple[str, str]:
    return f"TURN#{message.game_id}", f"PLY#{message.ply:05d}"


@dataclass(frozen=True)
class Claim:
    message: TurnMessage
    token: str


def _take_claim(message: TurnMessage, message_id: str) -> Claim | None:
    """The claim on this ply for this delivery; None when another message holds or finished it."""
    pk, sk = _claim_key(message)
    lease = max(0, int(getattr(settings, "TURN_CLAIM_SECONDS", 300)))
    for _ in range(3):
        now = int(time.time())
        token = uuid.uuid4().hex
        try:
            items.update(
                pk,
                sk,
                set_values={
                    "kind": CLAIM_KIND,
                    "game_id": message.game_id,
                    "ply": message.ply,
                    "holder": message_id,
                    "token": token,
                    "claimed_at": now,
                    "done": False,
                    "expires_at": now + CLAIM_TTL_SECONDS,
                },
                condition="attribute_not_exists(pk) OR (#done = :false AND #claimed_at <= :stale)",
                condition_names={"#done": "done", "#claimed_at": "claimed_at"},
                condition_values={":false": False, ":stale": now - lease},
                must_exist=False,
            )
            return Claim(message, token)
        except ConditionFailed:
            held = items.get(pk, sk)
        if held is None:  # expired (TTL) between the two calls: try again
            continue
        if held.get("done"):
            return None
        if held.get("holder") == message_id:
            raise RetryLater(f"message {message_id} is being played by another worker")
        return None
    raise RetryLater("the claim keeps changing")


def _settle_claim(claim: Claim, *, done: bool) -> None:
    """Mark the claim done (the ply is played and its successor sent) or release it for anyone
    (nothing was played at this ply). Only while it is still ours: after a takeover, the new
    holder settles it."""
    pk, sk = _claim_key(claim.message)
    try:
        items.update(
            pk,
            sk,
            set_values={"done": True} if done else {"claimed_at": 0},
            condition="#token = :token",
            condition_names={"#token": "token"},
            condition_values={":token": claim.token},
        )
    except ConditionFailed:
        logger.info("claim was taken over", extra={"game_id": claim.message.game_id, "ply": claim.message.ply})


# -------------------------------------------------------------------------------------- run a turn


def run_turn(message: TurnMessage, message_id: str) -> str:
    """Play exactly the turn ``message`` is for (at most once, see above) and enqueue the next one."""
    from games import service, store

    claim = _take_claim(message, message_id)
    if claim is None:
        return "duplicate"
    settled = False
    try:
        outcome = service.autoplay_turn(message.game_id, ply=message.ply)
        game = store.get(message.game_id)  # fresh: autoplay may have been switched off meanwhile
        # A game paused by its owner's budget waits for a step or a new start_autoplay, which enqueue.
        if game is not None and service.autoplay_due(game) and not game.is_paused:
            advanced = game.ply != message.ply
            delay = float(getattr(settings, "AUTOPLAY_TURN_DELAY_SECONDS", 0)) if advanced else 0
            send_turn(TurnMessage(game.id, game.ply), delay_seconds=delay)
        played_past = game is not None and game.ply > message.ply
        _settle_claim(claim, done=played_past)
        settled = True
        return outcome
    finally:
        if not settled:  # failed: free the ply for the retry now instead of after the lease
            try:
                _settle_claim(claim, done=False)
            except Exception:  # the original error matters more; the lease frees the claim anyway
                logger.warning("claim not released", exc_info=True, extra={"game_id": message.game_id})
