"""Engine work through its own queue on DynamoDB Local: the sweeper sends a finished chess game to the turn
queue, the turn worker forwards it to the engine queue, and the engine worker analyses it, exactly once
however often the messages are delivered. SQS is faked as in ``test_tasks_ddb_local`` (two queues here).
"""

from __future__ import annotations

import json
import threading
import uuid

import pytest

from games import analysis, engine, events, service, store, tasks
from games.tests.conftest import make_player, start_autoplay_unqueued
from games.tests.test_bot_reply_ddb_local import model_http  # noqa: F401 (fixture)
from games.tests.test_events import sqs_record
from games.tests.test_llm_turns import MINI, answering
from games.tests.test_tasks_ddb_local import race

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not engine.available(), reason="no stockfish binary (apt-get install stockfish)"),
]

TURNS = "https://sqs.us-east-1.amazonaws.com/123456789012/turns"
ENGINE = "https://sqs.us-east-1.amazonaws.com/123456789012/engine"


class TwoQueues:
    """Records SendMessage calls per queue; ``take(url)`` hands them out as event records."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[str, list[dict]] = {TURNS: [], ENGINE: []}

    def send_message(self, QueueUrl: str, MessageBody: str, DelaySeconds: int = 0) -> dict:
        message_id = str(uuid.uuid4())
        with self.lock:
            self.pending[QueueUrl].append(sqs_record(MessageBody, message_id))
        return {"MessageId": message_id}

    def take(self, url: str) -> list[dict]:
        with self.lock:
            taken, self.pending[url] = self.pending[url], []
        return taken


@pytest.fixture
def sqs(ddb_local, settings, monkeypatch) -> TwoQueues:
    fake = TwoQueues()
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.ENGINE_QUEUE_URL = "sqs", TURNS, ENGINE
    settings.ENGINE_WORKER = False
    settings.ANALYSIS_NODES = 2000
    monkeypatch.setattr(tasks, "_sqs", lambda: fake)
    return fake


def as_engine_worker(settings, work):
    settings.ENGINE_WORKER = True
    try:
        return work()
    finally:
        settings.ENGINE_WORKER = False


def test_a_swept_finished_chess_game_is_forwarded_and_analysed_once_on_the_engine_worker(sqs, settings, monkeypatch):
    owner = make_player("eve@example.com")
    game = service.create_game(
        owner.user, game_type="chess", white="builtin:searcher", black="builtin:random", options={"max_plies": 10}
    )
    finished = store.get(service.play_until_over(game.id).id)
    assert finished.awaits_analysis and finished.due_at is not None
    analysed: list[str] = []
    real = analysis.analyse_game
    monkeypatch.setattr(analysis, "analyse_game", lambda gid: analysed.append(gid) or real(gid))
    # The sweeper knows only the id and ply: the message goes to the turn queue.
    assert tasks.sweep(now=finished.due_at + 1) == 1
    swept = sqs.take(TURNS)
    assert [json.loads(r["body"]) for r in swept] == [{"kind": "turn", "game_id": game.id, "ply": finished.ply}]
    # Two turn workers get it (a redelivery): both forward and acknowledge; nothing is analysed there.
    assert race(2, lambda i: events.play_records([dict(swept[0])])) == [[], []]
    assert analysed == [] and store.get(game.id).analysis is None
    forwarded = sqs.take(ENGINE)
    assert len(forwarded) == 2 and sqs.take(TURNS) == []
    # Two engine workers at once, then a late redelivery: analysed once.
    outcomes = as_engine_worker(settings, lambda: race(2, lambda i: events.play_records([forwarded[i]])))
    assert outcomes == [[], []]
    assert as_engine_worker(settings, lambda: events.play_records([forwarded[0]])) == []
    after = store.get(game.id)
    assert analysed == [game.id]  # the second engine worker found the lease, the third the work done
    assert after.analysis is not None and after.due_at is None and not after.awaits_analysis
    assert sqs.take(TURNS) == [] and sqs.take(ENGINE) == []
    assert tasks.sweep(now=finished.due_at + 10_000) == 0  # nothing due any more


def test_a_models_move_is_not_chained_with_a_stockfish_reply_on_the_turn_worker(sqs, settings, model_http):  # noqa: F811
    owner = make_player("fay@example.com")
    game = service.create_game(owner.user, game_type="chess", white=MINI, black="builtin:stockfish-1350")
    game = start_autoplay_unqueued(game.id, owner.user)
    route = answering(model_http, lambda body: "MOVE: e2e4")
    assert service._chains_bot_reply(game)
    outcome = service.play_due_turn(game.id, 0, forward_engine_work=tasks.forward_to_engine)
    assert outcome == service.TurnOutcome.PLAYED and route.call_count == 1
    moves = store.load(game.id)[1]
    assert [(m.ply, m.seat) for m in moves] == [(0, "white")]  # the engine's reply is not played here
    assert [json.loads(r["body"]) for r in sqs.take(ENGINE)] == [{"kind": "turn", "game_id": game.id, "ply": 1}]
    assert sqs.take(TURNS) == []
    # The engine worker plays Stockfish's reply, and the model's next turn goes back to the turn queue.
    assert as_engine_worker(settings, lambda: service.play_due_turn(game.id, 1)) == service.TurnOutcome.PLAYED
    assert [m.seat for m in store.load(game.id)[1]] == ["white", "black"]
    assert [json.loads(r["body"]) for r in sqs.take(TURNS)] == [{"kind": "turn", "game_id": game.id, "ply": 2}]
