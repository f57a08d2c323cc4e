"""Small helpers for calling the games API through Django's test client."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.test import Client

from duelarena.dynamo import keys
from games import store
from games.records import Game, empty_totals
from games.rules import get_rules


def post(client: Client, path: str, body: Any = None, *, player: Any = None, raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    headers = player.headers if player else {}
    return client.post(path, data=data, content_type="application/json", **headers)


def get(client: Client, path: str, *, player: Any = None) -> Any:
    return client.get(path, **(player.headers if player else {}))


def delete(client: Client, path: str, *, player: Any = None) -> Any:
    return client.delete(path, **(player.headers if player else {}))


def create(client: Client, player: Any, game_type: str, white: str, black: str, **options: Any) -> dict:
    body = {"game_type": game_type, "white_model": white, "black_model": black, "options": options or None}
    reply = post(client, "/api/games", body, player=player)
    assert reply.status_code == 201, reply.content
    return reply.json()


def assert_error(reply: Any, status: int, code: str | None = None) -> dict:
    assert reply.status_code == status, (reply.status_code, reply.content[:500])
    assert reply["Content-Type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"error", "request_id"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    if code:
        assert body["error"]["code"] == code, body
    assert b"Traceback" not in reply.content
    return body


def seat_two_humans(game_type: str, white_user_id: str, black_user_id: str, seed: int = 1, **options: Any) -> Game:
    """A game with two different signed-in people (created at the store level: the API seats only its
    creator today, but hidden information must hold for two people too)."""
    rules = get_rules(game_type)
    clean = rules.validate_options(options)
    state = rules.initial_state(clean, seed)
    now = keys.now_iso()
    game = Game(
        id=keys.new_id(),
        game_type=game_type,
        white="human",
        black="human",
        owner_id=white_user_id,
        white_user_id=white_user_id,
        black_user_id=black_user_id,
        seed=seed,
        options=clean,
        state=state,
        created_at=now,
        updated_at=now,
        ply=rules.ply(state),
        totals=empty_totals(),
        rated=False,
    )
    store.create(game)
    return game


def sqs_record(body: str, message_id: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    """One record of an SQS event, in the shape Lambda delivers it."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": f"rh-{uuid.uuid4().hex}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:turns",
        "awsRegion": "us-east-1",
    }
