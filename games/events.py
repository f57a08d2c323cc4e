"""``POST /events``: queued turns and scheduled sweeps, as the Lambda Web Adapter delivers them.

On Lambda, LWA POSTs every non-HTTP event as raw JSON to its pass-through path,
``/events``, with the header ``x-amzn-request-context: null``; on every HTTP request it sets that
header to the API Gateway request context instead, so a request from the internet can never carry
``null`` (and template.yaml routes only the public paths to the function). The endpoint therefore:

- is off (404) unless ``TASK_BACKEND`` is ``sqs``;
- answers 403 unless ``x-amzn-request-context`` is exactly ``null``;
- dispatches by event source:
  - an SQS batch (``Records`` from ``aws:sqs``): plays each record's turn through
    ``games.tasks.run_turn`` (idempotent per ply, see there; on a turn function with an engine queue,
    engine work is forwarded there instead, and the record acknowledged once it is sent) and answers
    ``{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}`` naming only the records that
    failed (malformed body, storage unavailable, unexpected errors), so that SQS redelivers those
    alone; one bad record never fails the batch. LWA ignores the HTTP status. A failed turn is also
    brought back by the sweep once its backoff or lease has passed, whichever comes first.
  - an EventBridge scheduled event (``source`` ``aws.events``, ``detail-type`` ``Scheduled Event``):
    runs ``games.tasks.sweep`` and answers ``{"swept": <games enqueued>}``.
  - anything else: 400.

Records of different games are played concurrently (``TURN_BATCH_WORKERS`` threads: model turns
are slow and the batch shares one Lambda timeout); records of the same game run in order.

LWA sends these requests to ``127.0.0.1:$PORT`` over plain HTTP, a Host that production
ALLOWED_HOSTS rightly refuses and a scheme the https redirect would bounce, so
``PassThroughEventsMiddleware`` answers ``/events`` before those checks (like ``/health``).
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from duelarena.errors import error_response
from games import tasks

logger = logging.getLogger("duelarena.events")

EVENTS_PATH = "/events"
# What LWA puts in x-amzn-request-context for non-HTTP events (not a secret: the gate is that LWA
# overwrites the header on every HTTP request).
LWA_EVENT_CONTEXT = "null"


@csrf_exempt
def receive(request: HttpRequest) -> HttpResponse:
    if getattr(settings, "TASK_BACKEND", tasks.INPROCESS) != tasks.SQS:
        return error_response(404, "not_found", "no such endpoint")
    if request.headers.get("x-amzn-request-context") != LWA_EVENT_CONTEXT:
        logger.warning("refused a request to /events that did not come from the Lambda Web Adapter")
        return error_response(403, "forbidden", "this endpoint only accepts events from the Lambda Web Adapter")
    if request.method != "POST":
        response = error_response(405, "method_not_allowed", "method not allowed on this endpoint")
        response["Allow"] = "POST"
        return response
    try:
        event = json.loads(request.body)
    except RecursionError:  # deeply nested arrays/objects: bad input, not a bug
        return error_response(400, "bad_request", "the body is nested too deeply")
    except ValueError:
        return error_response(400, "bad_request", "the body is not JSON")
    if is_scheduled_sweep(event):
        return JsonResponse({"swept": tasks.sweep()})
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return error_response(400, "bad_request", "the body is neither an SQS batch (Records) nor a scheduled event")
    failed = play_records(records)
    return JsonResponse({"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]})


def is_scheduled_sweep(event: object) -> bool:
    """An EventBridge scheduled event (the template's every-minute rule)."""
    return (
        isinstance(event, dict)
        and event.get("source") == "aws.events"
        and event.get("detail-type") == "Scheduled Event"
    )


def play_records(records: list[Any]) -> list[str]:
    """Play every record's turn; the message ids of the records that failed, in record order."""
    order: list[str] = []
    failed: set[str] = set()
    by_game: dict[str, list[tuple[str, tasks.TurnMessage]]] = {}
    for record in records:
        message_id = record.get("messageId") if isinstance(record, dict) else None
        if not isinstance(message_id, str) or not message_id:
            # Without an id it cannot be named as failed (an empty itemIdentifier fails the whole batch).
            logger.error("SQS record without a messageId skipped")
            continue
        order.append(message_id)
        try:
            message = tasks.TurnMessage.from_body(record.get("body"))
        except tasks.MalformedMessage as exc:
            logger.error("malformed turn message", extra={"message_id": message_id, "reason": str(exc)})
            failed.add(message_id)
            continue
        by_game.setdefault(message.game_id, []).append((message_id, message))

    def play_game(messages: list[tuple[str, tasks.TurnMessage]]) -> set[str]:
        return {message_id for message_id, message in messages if not _play_one(message_id, message)}

    groups = list(by_game.values())
    workers = min(len(groups), max(1, int(getattr(settings, "TURN_BATCH_WORKERS", 5))))
    if workers <= 1:
        for group in groups:
            failed |= play_game(group)
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="events") as pool:
            # Each thread runs in a copy of this request's context (its request id in the logs).
            futures = [pool.submit(contextvars.copy_context().run, play_game, group) for group in groups]
            for future in futures:
                failed |= future.result()
    return [message_id for message_id in dict.fromkeys(order) if message_id in failed]


def _play_one(message_id: str, message: tasks.TurnMessage) -> bool:
    """True when the record may be acknowledged."""
    context = {"message_id": message_id, "game_id": message.game_id, "ply": message.ply}
    try:
        outcome = tasks.run_turn(message, message_id)
    except Exception:  # one record's failure must never fail the batch
        logger.exception("queued turn failed", extra=context)
        return False
    logger.info("queued turn", extra={**context, "outcome": outcome})
    return True


class PassThroughEventsMiddleware:
    """Answer ``/events`` before host validation and the https redirect (see the module docstring).

    Sits right after ``HealthCheckMiddleware``: the request id and error-shape middleware still
    apply, sessions, CSRF and authentication do not (the endpoint has its own gate)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == EVENTS_PATH:
            return receive(request)
        return self.get_response(request)
