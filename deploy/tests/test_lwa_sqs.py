"""LWA contract for the turn queue: SQS batches POSTed to ``/events`` exactly as the Lambda Web Adapter
sends them (``deploy.lwa.from_sqs_batch``), to gunicorn started as the image starts it
(deploy/entrypoint.py, production settings, TASK_BACKEND=sqs) against DynamoDB Local.

SQS is a small local stand-in speaking the SQS JSON protocol (SendMessage only: all the app calls);
moto's server would need Flask, which is not among the pinned dependencies. What the app sends to
it is fed back to ``/events``, as the event source mapping would, until the game is over.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy import lwa
from deploy.tests.test_lwa_contract import API_DOMAIN, _start
from deploy.web_client import Reply, assert_error_shape, call

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ACCOUNT = "123456789012"
QUEUE_NAME = "duelarena-contract-turns"


class SQSStandIn(ThreadingHTTPServer):
    """Accepts SendMessage (AWS JSON 1.0, ``X-Amz-Target: AmazonSQS.SendMessage``) and keeps the messages."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SQSHandler)
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.endpoint = f"http://127.0.0.1:{self.server_address[1]}"
        self.queue_url = f"{self.endpoint}/{ACCOUNT}/{QUEUE_NAME}"
        self.other_queues: dict[str, list[dict]] = {}  # url -> messages (``add_queue``)

    def add_queue(self, name: str) -> str:
        """Another queue on the same endpoint (the engine queue); its messages come from ``take(url)``."""
        url = f"{self.endpoint}/{ACCOUNT}/{name}"
        self.other_queues[url] = []
        return url

    def take(self, url: str | None = None) -> list[dict]:
        with self.lock:
            if url is None or url == self.queue_url:
                taken, self.messages = self.messages, []
            else:
                taken, self.other_queues[url] = self.other_queues[url], []
        return taken


class _SQSHandler(BaseHTTPRequestHandler):
    server: SQSStandIn

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        url = body.get("QueueUrl")
        known = url == self.server.queue_url or url in self.server.other_queues
        if self.headers.get("X-Amz-Target") != "AmazonSQS.SendMessage" or not known:
            self._answer(400, {"__type": "com.amazonaws.sqs#InvalidAction", "message": "not supported here"})
            return
        message_id = str(uuid.uuid4())
        md5 = hashlib.md5(body["MessageBody"].encode()).hexdigest()  # noqa: S324 - SQS's own checksum
        with self.server.lock:
            queue = self.server.messages if url == self.server.queue_url else self.server.other_queues[url]
            queue.append(
                {
                    "MessageId": message_id,
                    "Body": body["MessageBody"],
                    "MD5": md5,
                    "DelaySeconds": body.get("DelaySeconds", 0),
                }
            )
        self._answer(200, {"MessageId": message_id, "MD5OfMessageBody": md5})

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def sqs_event(messages: list[dict], extra_records: list[dict] | None = None) -> dict:
    """The SQS event Lambda builds for a batch (documented shape)."""
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": f"AQEB{uuid.uuid4().hex}",
            "body": m["Body"],
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1700000000000",
                "SenderId": "AROAEXAMPLE:duelarena-prod",
                "ApproximateFirstReceiveTimestamp": "1700000000001",
            },
            "messageAttributes": {},
            "md5OfBody": m["MD5"],
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{QUEUE_NAME}",
            "awsRegion": "us-east-1",
        }
        for m in messages
    ]
    return {"Records": records + (extra_records or [])}


@pytest.fixture(scope="module")
def sqs_stand_in():
    server = SQSStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def queue_server(live_server_env, sqs_stand_in, tmp_path_factory):
    import subprocess
    import sys

    from deploy.tests.test_lwa_contract import REPO

    env = dict(
        live_server_env,
        DUELARENA_ENV="production",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="contract-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        JWT_SIGNING_KEY="contract-test-jwt-key-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS=API_DOMAIN,  # not 127.0.0.1: LWA's pass-through Host must not need it
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        AWS_LAMBDA_FUNCTION_NAME="duelarena-prod",
        DYNAMODB_TABLE=f"sqs-{uuid.uuid4().hex[:8]}",
        TASK_BACKEND="sqs",
        TURN_QUEUE_URL=sqs_stand_in.queue_url,
        SQS_ENDPOINT_URL=sqs_stand_in.endpoint,
    )
    subprocess.run(
        [sys.executable, "manage.py", "dynamodb", "create-table"], cwd=REPO, env=env, check=True, capture_output=True
    )
    proc, base = _start(env)
    yield base, env
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def app_side(queue_server, sqs_stand_in, settings):
    """This process talks to the same table and queue as the server (to create and inspect games)."""
    from duelarena.dynamo import connection
    from games import tasks

    _, env = queue_server
    settings.DYNAMODB_ENDPOINT_URL, settings.DYNAMODB_TABLE = env["DYNAMODB_ENDPOINT_URL"], env["DYNAMODB_TABLE"]
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL = "sqs", sqs_stand_in.queue_url
    settings.SQS_ENDPOINT_URL = sqs_stand_in.endpoint
    connection.reset()
    tasks.reset()
    yield
    connection.reset()
    tasks.reset()


def post_batch(base: str, event: dict, headers: dict | None = None, timeout: float = 30) -> Reply:
    forwarded = lwa.from_sqs_batch(event)
    return call(
        forwarded.method,
        base + forwarded.path,
        raw=forwarded.body,
        headers={**forwarded.headers, **(headers or {})},
        timeout=timeout,
    )


def failed_ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body[:500]
    return [f["itemIdentifier"] for f in reply.json()["batchItemFailures"]]


def test_sqs_batches_play_a_game_to_the_end(queue_server, sqs_stand_in, app_side):
    from accounts import users
    from games import service, store

    base, _ = queue_server
    owner, _ = users.create(f"queue-{uuid.uuid4().hex[:6]}@example.com")
    game = service.create_game(owner, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    service.start_autoplay(game.id, owner)  # the app's own SendMessage, to the stand-in
    first = sqs_stand_in.take()
    assert [json.loads(m["Body"]) for m in first] == [{"kind": "turn", "game_id": game.id, "ply": 0}]

    malformed = sqs_event([{"MessageId": "bad-1", "Body": "{oops", "MD5": "0" * 32}])["Records"]
    reply = post_batch(base, sqs_event(first, malformed))
    assert failed_ids(reply) == ["bad-1"]
    assert store.get(game.id).ply == 1  # the turn was played by the server

    replayed = post_batch(base, sqs_event(first))  # the same message again: acknowledged, not replayed
    assert failed_ids(replayed) == [] and store.get(game.id).ply == 1

    pending = sqs_stand_in.take()
    for _ in range(20):
        if not pending:
            break
        assert len(pending) == 1  # one message per turn, never a fork
        assert failed_ids(post_batch(base, sqs_event(pending))) == []
        pending = sqs_stand_in.take()
    loaded, moves = store.load(game.id)
    assert not pending and loaded.status == "finished"
    assert [m.ply for m in moves] == list(range(loaded.ply)) and loaded.version == len(moves) + 1


def test_an_http_request_to_events_is_refused(queue_server, sqs_stand_in, app_side):
    """The same batch carrying an API Gateway request context (what LWA sets on every HTTP request)."""
    from accounts import users
    from games import service, store

    base, _ = queue_server
    owner, _ = users.create(f"queue-{uuid.uuid4().hex[:6]}@example.com")
    game = service.create_game(owner, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    service.start_autoplay(game.id, owner)
    event = sqs_event(sqs_stand_in.take())
    context = lwa.http_api_v2_event("POST", "/events", domain=API_DOMAIN, stage=None)["requestContext"]
    refused = post_batch(base, event, {"x-amzn-request-context": json.dumps(context), "host": API_DOMAIN})
    assert_error_shape(refused, 403, "forbidden")
    no_header = call(
        "POST", base + "/events", raw=json.dumps(event).encode(), headers={"content-type": "application/json"}
    )
    assert_error_shape(no_header, 403, "forbidden")
    assert store.get(game.id).ply == 0 and sqs_stand_in.take() == []
    assert failed_ids(post_batch(base, event)) == [] and store.get(game.id).ply == 1  # LWA's own is played
