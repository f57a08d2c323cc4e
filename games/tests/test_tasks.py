"""The task backend: choosing it by settings, the turn message, the SQS client and send (moto, Stubber)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.stub import Stubber

from duelarena.domain import ErrorKind, Unavailable
from games import store, tasks
from games.tests.helpers import assert_error, create, delete, post

REPO = Path(__file__).resolve().parents[2]
GAME_ID = "0123456789abcdef0123456789abcdef"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/duelarena-test-turns"


@pytest.fixture
def queue(dynamo, settings):
    """A moto SQS queue as the turn queue (inside the ``dynamo`` fixture's mock_aws)."""
    import boto3

    tasks.reset()
    client = boto3.client("sqs", region_name="us-east-1")
    url = client.create_queue(QueueName="turns")["QueueUrl"]
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.SQS_ENDPOINT_URL = "sqs", url, None
    yield client, url
    tasks.reset()


def received(client, url) -> list[dict]:
    messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


@pytest.fixture
def stubbed(settings):
    """The real (lazily built) SQS client with a Stubber: checks the exact SendMessage parameters."""
    tasks.reset()
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.SQS_ENDPOINT_URL = "sqs", QUEUE_URL, None
    client = tasks._sqs()
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()
    tasks.reset()


# ------------------------------------------------------------------------------------- the message


def test_turn_message_round_trip():
    message = tasks.TurnMessage(GAME_ID, 7)
    assert json.loads(message.to_body()) == {"kind": "turn", "game_id": GAME_ID, "ply": 7}
    assert tasks.TurnMessage.from_body(message.to_body()) == message


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "not json",
        "[]",
        json.dumps({"game_id": GAME_ID, "ply": 1}),
        json.dumps({"kind": "other", "game_id": GAME_ID, "ply": 1}),
        json.dumps({"kind": "turn", "game_id": "GAME#x", "ply": 1}),
        json.dumps({"kind": "turn", "game_id": GAME_ID, "ply": -1}),
        json.dumps({"kind": "turn", "game_id": GAME_ID, "ply": "1"}),
        json.dumps({"kind": "turn", "game_id": GAME_ID, "ply": True}),
        json.dumps({"kind": "turn", "game_id": GAME_ID}),
    ],
)
def test_malformed_messages_are_refused(body):
    with pytest.raises(tasks.MalformedMessage):
        tasks.TurnMessage.from_body(body)


# ------------------------------------------------------------------------------------------ enqueue


def test_inprocess_backend_hands_the_game_to_the_worker_pool(settings, monkeypatch):
    from games import autoplay

    settings.TASK_BACKEND = "inprocess"
    driven = []
    monkeypatch.setattr(autoplay, "enqueue", driven.append)
    tasks.enqueue(GAME_ID, 3)
    assert driven == [GAME_ID]


def test_sqs_enqueue_sends_one_message_for_the_turn(stubbed):
    stubbed.add_response(
        "send_message",
        {"MessageId": "m-1", "MD5OfMessageBody": "x"},
        expected_params={
            "QueueUrl": QUEUE_URL,
            "MessageBody": json.dumps({"kind": "turn", "game_id": GAME_ID, "ply": 4}, separators=(",", ":")),
            "DelaySeconds": 0,
        },
    )
    tasks.enqueue(GAME_ID, 4)


def test_successor_delay_is_rounded_up_and_capped(stubbed):
    body = tasks.TurnMessage(GAME_ID, 1).to_body()
    for asked, sent in ((1.2, 2), (5000, 900)):
        stubbed.add_response(
            "send_message",
            {"MessageId": "m", "MD5OfMessageBody": "x"},
            expected_params={"QueueUrl": QUEUE_URL, "MessageBody": body, "DelaySeconds": sent},
        )
        tasks.send_turn(tasks.TurnMessage(GAME_ID, 1), delay_seconds=asked)


def test_queue_errors_become_service_unavailable(stubbed):
    stubbed.add_client_error("send_message", service_error_code="AWS.SimpleQueueService.NonExistentQueue")
    with pytest.raises(Unavailable) as caught:
        tasks.enqueue(GAME_ID, 0)
    assert caught.value.code == "queue_unavailable" and caught.value.kind == ErrorKind.UNAVAILABLE


def test_sqs_client_is_built_lazily_and_reused(settings):
    from duelarena import aws

    tasks.reset()
    assert not [spec for spec in aws._made if spec.service == "sqs"]  # nothing built until a turn is enqueued
    first = tasks._sqs()
    assert tasks._sqs() is first and first.meta.region_name == settings.AWS_REGION
    settings.SQS_ENDPOINT_URL = "http://127.0.0.1:9"
    other = tasks._sqs()
    assert other is not first and other.meta.endpoint_url == "http://127.0.0.1:9"
    tasks.reset()


def test_the_scheduling_port_never_fails_its_caller(settings, monkeypatch):
    from games import scheduling

    def down(*args):
        raise Unavailable("the turn queue is unavailable", code="queue_unavailable")

    monkeypatch.setattr(scheduling, "_backend", down)
    assert scheduling.enqueue(GAME_ID, 0) is False  # logged; the turn stays due for the sweeper


# ------------------------------------------------------------------------ the API through the backend


def test_start_autoplay_enqueues_the_current_turn_and_stop_switches_it_off(client, queue, alice):
    sqs, url = queue
    game = create(client, alice, "tictactoe", "builtin:perfect", "builtin:random")
    started = post(client, f"/api/games/{game['id']}/autoplay", player=alice)
    assert started.status_code == 200 and started.json()["autoplay"] is True
    assert received(sqs, url) == [{"kind": "turn", "game_id": game["id"], "ply": 0}]
    assert store.get(game["id"]).ply == 0  # nothing is played in the request itself
    stopped = delete(client, f"/api/games/{game['id']}/autoplay", player=alice)
    assert stopped.status_code == 200 and stopped.json()["autoplay"] is False
    assert received(sqs, url) == []


def test_a_human_move_enqueues_the_bots_answer(client, queue, alice):
    sqs, url = queue
    game = create(client, alice, "tictactoe", "human", "builtin:perfect")
    assert post(client, f"/api/games/{game['id']}/autoplay", player=alice).status_code == 200
    assert received(sqs, url) == []  # the human is to move: nothing to queue
    moved = post(client, f"/api/games/{game['id']}/moves", {"move": "b2", "expected_ply": 0}, player=alice)
    assert moved.status_code == 200, moved.content
    assert received(sqs, url) == [{"kind": "turn", "game_id": game["id"], "ply": 1}]


def test_a_queue_that_is_down_never_fails_a_recorded_change_and_the_sweeper_catches_up(
    client, dynamo, alice, settings, monkeypatch
):
    """Autoplay, a human move and a model step are stored and answered 2xx while SendMessage fails;
    their turns stay due and the sweep sends them once the queue is back."""
    import time

    tasks.reset()
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.SQS_ENDPOINT_URL = "sqs", QUEUE_URL, None
    bots = create(client, alice, "tictactoe", "builtin:perfect", "builtin:random")
    human = create(client, alice, "tictactoe", "human", "builtin:perfect")
    with Stubber(tasks._sqs()) as stubber:
        for _ in range(3):
            stubber.add_client_error("send_message", service_error_code="ServiceUnavailable", http_status_code=503)
        started = post(client, f"/api/games/{bots['id']}/autoplay", player=alice)
        assert started.status_code == 200 and started.json()["autoplay"] is True
        assert post(client, f"/api/games/{human['id']}/autoplay", player=alice).status_code == 200
        moved = post(client, f"/api/games/{human['id']}/moves", {"move": "b2", "expected_ply": 0}, player=alice)
        assert moved.status_code == 200 and moved.json()["ply"] == 1
        retried = post(client, f"/api/games/{human['id']}/moves", {"move": "b2", "expected_ply": 0}, player=alice)
        assert_error(retried, 409, "not_your_turn")  # a client retry of a stored move is told why
    due = {g: store.get(g).due_at for g in (bots["id"], human["id"])}
    assert all(due.values())
    sent = []
    monkeypatch.setattr(tasks, "send_turn", lambda message, delay_seconds=0, queue_url="": sent.append(message))
    assert tasks.sweep(now=max(due.values())) == 2  # the queue is back
    assert sorted(sent, key=lambda m: m.ply) == [tasks.TurnMessage(bots["id"], 0), tasks.TurnMessage(human["id"], 1)]
    assert tasks.sweep(now=time.time()) == 0  # pushed on by the grace period: not sent again at once
    tasks.reset()


# ------------------------------------------------------------------------------------------ settings


def _check(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUELARENA_", "TASK_", "TURN_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env={**base, "DJANGO_SETTINGS_MODULE": "duelarena.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_an_unknown_backend_or_sqs_without_a_queue():
    unknown = _check(TASK_BACKEND="celery")
    assert unknown.returncode != 0 and "TASK_BACKEND must be" in unknown.stderr
    no_queue = _check(TASK_BACKEND="sqs")
    assert no_queue.returncode != 0 and "needs TURN_QUEUE_URL" in no_queue.stderr
    assert _check(TASK_BACKEND="sqs", TURN_QUEUE_URL=QUEUE_URL).returncode == 0
