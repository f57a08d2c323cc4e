"""``POST /events``: the gate, partial batch failures, idempotent turns, whole games fed back from SQS.

SQS is moto's (inside the ``dynamo`` fixture's mock_aws). ``Lambda`` below plays the part of the SQS
event source mapping: it receives what the app sent, POSTs it as LWA does, and deletes what was
acknowledged. Records are kept so that a test can deliver the very same message again.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from deploy import lwa
from duelarena.dynamo.errors import StoreUnavailable
from games import service, store, tasks
from games.tests.conftest import start_autoplay_unqueued
from games.tests.helpers import assert_error, sqs_record

EVENT_CONTEXT = {"HTTP_X_AMZN_REQUEST_CONTEXT": "null"}


def turn_record(game_id: str, ply: int, message_id: str | None = None) -> dict[str, Any]:
    return sqs_record(tasks.TurnMessage(game_id, ply).to_body(), message_id)


def deliver(client, records: list[dict], **headers: str) -> Any:
    return client.post(
        "/events",
        data=json.dumps({"Records": records}),
        content_type="application/json",
        **(headers or EVENT_CONTEXT),
    )


def failures(reply) -> list[str]:
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert set(body) == {"batchItemFailures"}
    return [f["itemIdentifier"] for f in body["batchItemFailures"]]


class Lambda:
    """The queue and the event source mapping, for tests."""

    def __init__(self, client, sqs, url):
        self.client, self.sqs, self.url = client, sqs, url

    def take(self) -> list[dict]:
        """Every message visible now, as event records (deleted from the queue: tests redeliver by hand)."""
        records = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return records
            for m in messages:
                records.append(sqs_record(m["Body"], m["MessageId"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.take()]

    def run(self, max_batches: int = 200, batch_size: int = 5) -> int:
        """Deliver until the queue is empty; the number of messages delivered."""
        delivered = 0
        for _ in range(max_batches):
            records = self.take()
            if not records:
                return delivered
            for start in range(0, len(records), batch_size):
                assert failures(deliver(self.client, records[start : start + batch_size])) == []
            delivered += len(records)
        raise AssertionError("the queue never emptied")


@pytest.fixture
def sqs_backend(dynamo, settings):
    import boto3

    tasks.reset()
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="turns")["QueueUrl"]
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.SQS_ENDPOINT_URL = "sqs", url, None
    settings.TURN_BATCH_WORKERS = 1  # moto is not safe for concurrent transactions (threads: ddb_local tests)
    yield sqs, url
    tasks.reset()


@pytest.fixture
def queue(client, sqs_backend) -> Lambda:
    return Lambda(client, *sqs_backend)


def bot_game(player, game_type="tictactoe", white="builtin:perfect", black="builtin:random", autoplay=True, **opts):
    game = service.create_game(player.user, game_type=game_type, white=white, black=black, options=opts or None)
    return start_autoplay_unqueued(game.id, player.user) if autoplay else game


def moves_of(game_id: str) -> list:
    return store.load(game_id)[1]


# ---------------------------------------------------------------------------------------------- gate


def test_events_is_off_unless_the_backend_is_sqs(client, dynamo, settings, alice):
    settings.TASK_BACKEND = "inprocess"
    game = bot_game(alice)
    assert_error(deliver(client, [turn_record(game.id, 0)]), 404, "not_found")
    assert_error(client.get("/events", **EVENT_CONTEXT), 404, "not_found")
    assert moves_of(game.id) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_AMZN_REQUEST_CONTEXT": ""},
        {"HTTP_X_AMZN_REQUEST_CONTEXT": "NULL"},
        {"HTTP_X_AMZN_REQUEST_CONTEXT": " null "},
        {"HTTP_X_AMZN_REQUEST_CONTEXT": "{}"},
    ],
)
def test_events_refuses_requests_that_are_not_lwa_events(client, queue, alice, headers):
    game = bot_game(alice)
    reply = (
        deliver(client, [turn_record(game.id, 0)], **headers)
        if headers
        else client.post(
            "/events", data=json.dumps({"Records": [turn_record(game.id, 0)]}), content_type="application/json"
        )
    )
    assert_error(reply, 403, "forbidden")
    assert moves_of(game.id) == [] and queue.take() == []


def test_events_refuses_an_http_request_forwarded_by_lwa(client, queue, alice):
    """What a public request to /events would look like after LWA: the API Gateway context header."""
    game = bot_game(alice)
    event = lwa.http_api_v2_event(
        "POST",
        "/events",
        domain="abc.execute-api.us-east-1.amazonaws.com",
        stage=None,
        headers={"content-type": "application/json"},
        body=json.dumps({"Records": [turn_record(game.id, 0)]}).encode(),
    )
    forwarded = lwa.from_http_api_v2(event)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in forwarded.headers.items() if k != "host"}
    reply = client.post(forwarded.path, data=forwarded.body, content_type="application/json", **headers)
    assert_error(reply, 403, "forbidden")
    assert moves_of(game.id) == []


def test_events_takes_only_post_and_only_sqs_events(client, queue):
    reply = client.get("/events", **EVENT_CONTEXT)
    assert_error(reply, 405, "method_not_allowed")
    assert reply["Allow"] == "POST"
    assert_error(client.post("/events", data="{", content_type="application/json", **EVENT_CONTEXT), 400)
    assert_error(client.post("/events", data="[]", content_type="application/json", **EVENT_CONTEXT), 400)
    not_sqs = client.post(
        "/events", data=json.dumps({"detail-type": "x"}), content_type="application/json", **EVENT_CONTEXT
    )
    assert_error(not_sqs, 400, "bad_request")
    assert failures(deliver(client, [])) == []


# --------------------------------------------------------------------------------------------- batch


def test_batch_with_good_malformed_and_duplicate_records(client, queue, alice):
    game = bot_game(alice)
    good = turn_record(game.id, 0)
    not_json = sqs_record("{not json")
    bad_id = sqs_record(json.dumps({"kind": "turn", "game_id": "../etc", "ply": 0}))
    same_delivery = dict(good, receiptHandle="rh-second-delivery")  # SQS delivered the message twice
    same_turn = turn_record(game.id, 0)  # another message for the same ply (a second start_autoplay)
    no_id = {"body": good["body"]}  # cannot be named: skipped, never an empty itemIdentifier
    reply = deliver(client, [good, not_json, bad_id, same_delivery, same_turn, no_id])
    assert failures(reply) == [not_json["messageId"], bad_id["messageId"]]
    assert [m.ply for m in moves_of(game.id)] == [0]
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 1}]  # one successor, no fork


def test_the_same_message_delivered_twice_records_one_move(client, queue, alice):
    game = bot_game(alice)
    record = turn_record(game.id, 0)
    assert failures(deliver(client, [record])) == []
    assert failures(deliver(client, [record])) == []
    assert len(moves_of(game.id)) == 1 and store.get(game.id).ply == 1
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 1}]


def test_a_message_for_a_ply_already_played_is_acknowledged_without_playing(client, queue, alice):
    game = bot_game(alice)
    service.step(game.id, alice.user)  # a manual step played ply 0 (and enqueued ply 1 itself)
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 1}]
    assert failures(deliver(client, [turn_record(game.id, 0)])) == []
    assert len(moves_of(game.id)) == 1
    assert queue.take() == []  # stale: nothing is sent (a lost successor is the sweeper's job)
    assert failures(deliver(client, [turn_record(game.id, 1)])) == []
    assert [m.ply for m in moves_of(game.id)] == [0, 1]
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 2}]


def test_one_failing_record_does_not_fail_the_others(client, queue, alice, monkeypatch):
    broken, fine = bot_game(alice), bot_game(alice)
    real_get = store.get_for_turn  # a turn's one read (the game item, and a chess game's history)

    def flaky_get(game_id):
        if game_id == broken.id:
            raise StoreUnavailable("ThrottlingException")
        return real_get(game_id)

    monkeypatch.setattr(store, "get_for_turn", flaky_get)
    bad, good = turn_record(broken.id, 0), turn_record(fine.id, 0)
    assert failures(deliver(client, [bad, good])) == [bad["messageId"]]
    assert moves_of(broken.id) == [] and len(moves_of(fine.id)) == 1
    monkeypatch.setattr(store, "get_for_turn", real_get)
    assert failures(deliver(client, [bad])) == []  # the redelivery succeeds: nothing was left held
    assert len(moves_of(broken.id)) == 1


def test_unknown_and_finished_games_are_acknowledged(client, queue, alice):
    over = bot_game(alice)
    service.play_until_over(over.id)
    ply = store.get(over.id).ply
    records = [turn_record(uuid.uuid4().hex, 0), turn_record(over.id, ply)]
    assert failures(deliver(client, records)) == []
    assert queue.take() == []


# ------------------------------------------------------------------------------------ crash recovery


def test_worker_dying_after_the_answer_before_the_write_is_redelivered_once(client, queue, alice, monkeypatch):
    game = bot_game(alice)
    real_write = store.record_turn

    def dies(*args, **kwargs):
        raise RuntimeError("worker killed after the provider answered")

    monkeypatch.setattr(store, "record_turn", dies)
    record = turn_record(game.id, 0)
    assert failures(deliver(client, [record])) == [record["messageId"]]
    assert moves_of(game.id) == [] and queue.take() == []
    monkeypatch.setattr(store, "record_turn", real_write)
    assert failures(deliver(client, [record])) == []  # SQS redelivers the same message
    assert [m.ply for m in moves_of(game.id)] == [0]
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 1}]


def test_worker_dying_after_the_write_before_enqueuing_still_continues_the_game(client, queue, alice, monkeypatch):
    game = bot_game(alice)
    real_send = tasks.send_turn

    def dies(*args, **kwargs):
        raise RuntimeError("worker killed after the write")

    monkeypatch.setattr(tasks, "send_turn", dies)
    record = turn_record(game.id, 0)
    assert failures(deliver(client, [record])) == []  # the move is recorded: that is what counts
    assert [m.ply for m in moves_of(game.id)] == [0] and queue.take() == []
    monkeypatch.setattr(tasks, "send_turn", real_send)
    assert failures(deliver(client, [record])) == []  # redelivered: ply 0 is played, not played again
    assert [m.ply for m in moves_of(game.id)] == [0] and queue.take() == []
    # The turn of ply 1 is due in the table: a sweep before the grace period sends nothing, after it once.
    due = store.get(game.id).due_at
    assert due is not None and tasks.sweep(now=due - 1) == 0
    assert tasks.sweep(now=due) == 1 and tasks.sweep(now=due) == 0  # pushed on: not sent twice
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 1}]


def test_a_dead_workers_lease_blocks_the_turn_only_until_it_ends(client, queue, alice):
    game = bot_game(alice)
    record = turn_record(game.id, 0)
    # A worker took the turn's lease and died without a trace (process killed, no handler ran).
    now = int(time.time())
    claimed = store.claim_turn(store.get(game.id), token="dead-worker", until=now + 2, now=now)
    assert failures(deliver(client, [record])) == []  # busy: acknowledged, the model is not called
    assert moves_of(game.id) == [] and queue.take() == []
    assert claimed.due_at is not None and claimed.due_at <= now  # the claim left the due time as it was
    assert tasks.sweep(now=now + 1) == 0  # a worker holds the turn: not sent, due again at the lease's end
    assert store.get(game.id).due_at == claimed.lease_until and tasks.sweep(now=now + 1) == 0
    time.sleep(max(0.0, claimed.lease_until - time.time()) + 0.05)
    assert tasks.sweep() == 1  # ...and once it has passed, the sweep sends it
    assert failures(deliver(client, queue.take())) == []
    assert [m.ply for m in moves_of(game.id)] == [0]
    assert queue.bodies() == [{"kind": "turn", "game_id": game.id, "ply": 1}]


# -------------------------------------------------------------------------------------- start / stop


def test_stopping_autoplay_stops_after_the_current_turn(client, queue, alice, monkeypatch):
    game = bot_game(alice, autoplay=False)
    service.start_autoplay(game.id, alice.user)
    first = queue.take()
    real_play = service._play_ai_turns

    def stopped_mid_turn(g, history, **kwargs):
        service.stop_autoplay(g.id, alice.user)  # DELETE /autoplay while the model is thinking
        return real_play(g, history, **kwargs)

    monkeypatch.setattr(service, "_play_ai_turns", stopped_mid_turn)
    assert failures(deliver(client, first)) == []
    monkeypatch.setattr(service, "_play_ai_turns", real_play)
    assert [m.ply for m in moves_of(game.id)] == [0]  # the current turn finished...
    # ...its write still saw autoplay on and queued the next turn: that delivery plays nothing and
    # takes the game out of the due index.
    assert failures(deliver(client, queue.take())) == []
    assert [m.ply for m in moves_of(game.id)] == [0] and queue.take() == []
    assert store.get(game.id).due_at is None and tasks.sweep(now=time.time() + 3600) == 0
    service.start_autoplay(game.id, alice.user)  # switching it on again resumes at the current ply
    assert queue.run() >= 1 and store.get(game.id).status == "finished"


def test_a_message_arriving_after_stop_plays_nothing_and_does_not_block_a_restart(client, queue, alice):
    game = bot_game(alice, autoplay=False)
    service.start_autoplay(game.id, alice.user)
    pending = queue.take()
    service.stop_autoplay(game.id, alice.user)
    assert failures(deliver(client, pending)) == []
    assert moves_of(game.id) == [] and queue.take() == []
    service.start_autoplay(game.id, alice.user)
    restart = queue.take()
    assert [json.loads(r["body"])["ply"] for r in restart] == [0]
    assert failures(deliver(client, restart)) == [] and len(moves_of(game.id)) == 1


# --------------------------------------------------------------------------------------- whole games


def test_a_whole_game_is_played_by_feeding_the_queue_back_into_events(client, queue, alice):
    from games.tests.helpers import post

    game = bot_game(alice, autoplay=False)
    assert post(client, f"/api/games/{game.id}/autoplay", player=alice).status_code == 200
    assert post(client, f"/api/games/{game.id}/autoplay", player=alice).status_code == 200  # twice: 2 msgs
    delivered = queue.run(batch_size=1)
    loaded, moves = store.load(game.id)
    assert loaded.status == "finished" and loaded.result in ("first", "draw")  # perfect never loses
    assert [m.ply for m in moves] == list(range(loaded.ply)) and loaded.moves_count == len(moves)
    assert loaded.version == len(moves) + 1  # one write per turn, no lost or repeated turn
    assert delivered == len(moves) + 2  # one message per turn, plus the duplicate start, plus the analysis
    assert loaded.totals["white"]["moves"] + loaded.totals["black"]["moves"] == len(moves)


@pytest.mark.parametrize(
    ("game_type", "white", "black", "options"),
    [
        ("rps", "builtin:pattern", "builtin:random", {"rounds": 5}),
        ("racing", "builtin:racer", "builtin:random", {}),
        ("words", "builtin:wordsmith", "builtin:random", {"rounds": 3}),
    ],
)
def test_simultaneous_and_other_games_finish_through_the_queue(client, queue, alice, game_type, white, black, options):
    game = bot_game(alice, game_type, white, black, autoplay=False, **options)
    service.start_autoplay(game.id, alice.user)
    queue.run()
    loaded, moves = store.load(game.id)
    assert loaded.status == "finished" and [m.ply for m in moves] == list(range(loaded.ply))


def test_human_versus_bot_waits_for_the_human(client, queue, alice):
    from games.tests.helpers import post

    game = bot_game(alice, "tictactoe", "human", "builtin:perfect", autoplay=False)
    service.start_autoplay(game.id, alice.user)
    assert queue.run() == 0  # the human is to move: nothing is queued
    reply = post(client, f"/api/games/{game.id}/moves", {"move": "b2", "expected_ply": 0}, player=alice)
    assert reply.status_code == 200, reply.content
    assert queue.run() == 1  # the bot's answer, then nothing until the human moves again
    loaded, moves = store.load(game.id)
    assert loaded.ply == 2 and [(m.ply, m.seat) for m in moves] == [(0, "white"), (1, "black")]


def test_lwa_events_pass_host_validation_and_the_https_redirect(client, queue, alice, settings):
    """LWA POSTs to 127.0.0.1:PORT over plain HTTP; production refuses that Host and redirects http."""
    settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT = ["abc.execute-api.us-east-1.amazonaws.com"], True
    game = bot_game(alice)
    reply = deliver(client, [turn_record(game.id, 0)], HTTP_HOST="127.0.0.1:8080", **EVENT_CONTEXT)
    assert failures(reply) == [] and len(moves_of(game.id)) == 1
    elsewhere = client.post("/api/games", data="{}", content_type="application/json", HTTP_HOST="127.0.0.1:8080")
    assert elsewhere.status_code in (301, 400)  # every other path still gets both checks


def test_a_game_paused_by_the_budget_stops_the_chain_until_autoplay_is_started_again(client, queue, alice, monkeypatch):
    from accounts.limits import LimitExceeded
    from games.records import PAUSE_BUDGET

    game = bot_game(alice)
    real_play = service._play_ai_turns

    def over_budget(g, history, **kwargs):
        service._pause(g, PAUSE_BUDGET)
        raise LimitExceeded("budget", "the daily budget is used up", 3600)

    monkeypatch.setattr(service, "_play_ai_turns", over_budget)
    assert failures(deliver(client, [turn_record(game.id, 0)])) == []
    paused = store.get(game.id)
    assert paused.is_paused and paused.ply == 0 and moves_of(game.id) == []
    assert queue.take() == []  # no message loop while the budget is used up
    monkeypatch.setattr(service, "_play_ai_turns", real_play)
    service.start_autoplay(game.id, alice.user)  # resumes at the same ply (its claim was released)
    assert queue.run() >= 1
    assert store.get(game.id).status == "finished"
