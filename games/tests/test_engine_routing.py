"""Engine work on its own queue (``ENGINE_QUEUE_URL``): the ``needs_engine`` predicate, which queue
``enqueue`` picks, and a turn worker forwarding engine work it received (moto SQS, moto DynamoDB).

The DynamoDB Local test of a swept finished game analysed once through the engine path is in
``test_engine_queue_ddb_local``."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from botocore.stub import Stubber

from games import engine, service, store, tasks
from games.records import FINISHED
from games.tests.conftest import start_autoplay_unqueued
from games.tests.test_events import deliver, failures, turn_record

STOCKFISH = "builtin:stockfish-1350"
needs_stockfish = pytest.mark.skipif(not engine.available(), reason="no stockfish binary (apt-get install stockfish)")


@pytest.fixture
def queues(dynamo, settings):
    """Two moto queues: the turn queue and the engine queue; this process is a turn worker."""
    import boto3

    tasks.reset()
    sqs = boto3.client("sqs", region_name="us-east-1")
    turns = sqs.create_queue(QueueName="turns")["QueueUrl"]
    engine_queue = sqs.create_queue(QueueName="engine")["QueueUrl"]
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.SQS_ENDPOINT_URL = "sqs", turns, None
    settings.ENGINE_QUEUE_URL, settings.ENGINE_WORKER = engine_queue, False
    settings.TURN_BATCH_WORKERS = 1  # moto is not safe for concurrent transactions

    def bodies(url: str) -> list[dict]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in messages]

    yield {"turn": lambda: bodies(turns), "engine": lambda: bodies(engine_queue)}
    tasks.reset()


def new_game(player, white: str, black: str, game_type: str = "chess", autoplay: bool = True, **options):
    game = service.create_game(player.user, game_type=game_type, white=white, black=black, options=options or None)
    return start_autoplay_unqueued(game.id, player.user) if autoplay else game


def turn(game_id: str, ply: int) -> dict:
    return {"kind": "turn", "game_id": game_id, "ply": ply}


# ------------------------------------------------------------------------------------- the predicate


@needs_stockfish
def test_needs_engine_is_a_stockfish_seat_to_move_in_a_driven_game_or_a_chess_analysis(dynamo, alice):
    stockfish_to_move = new_game(alice, STOCKFISH, "builtin:random")
    assert service.needs_engine(stockfish_to_move)
    assert not service.needs_engine(replace(stockfish_to_move, autoplay=False))  # not driven: nothing to play
    assert service.needs_engine(replace(stockfish_to_move, autoplay=False, step_requested=True))
    assert not service.needs_engine(new_game(alice, "builtin:random", STOCKFISH))  # the other seat moves
    assert not service.needs_engine(new_game(alice, "builtin:searcher", "builtin:random"))
    finished = replace(
        new_game(alice, "builtin:searcher", "builtin:random", autoplay=False), status=FINISHED, moves_count=3
    )
    assert finished.awaits_analysis and service.needs_engine(finished)  # Stockfish analyses chess
    assert not service.needs_engine(replace(finished, analysis={"seats": {}}))  # already analysed
    tictactoe = replace(
        new_game(alice, "builtin:perfect", "builtin:random", "tictactoe", autoplay=False),
        status=FINISHED,
        moves_count=5,
    )
    assert tictactoe.awaits_analysis and not service.needs_engine(tictactoe)  # minimax, no engine


# ------------------------------------------------------------------------------------------ enqueue


@needs_stockfish
def test_enqueue_sends_engine_work_to_the_engine_queue_and_the_rest_to_the_turn_queue(queues, alice):
    engine_game = service.start_autoplay(new_game(alice, STOCKFISH, "builtin:random", autoplay=False).id, alice.user)
    bot_game = service.start_autoplay(new_game(alice, "builtin:searcher", STOCKFISH, autoplay=False).id, alice.user)
    assert queues["engine"]() == [turn(engine_game.id, 0)]
    assert queues["turn"]() == [turn(bot_game.id, 0)]


@needs_stockfish
def test_without_an_engine_queue_everything_goes_to_the_turn_queue_and_is_played_there(client, queues, alice, settings):
    settings.ENGINE_QUEUE_URL = ""
    game = service.start_autoplay(new_game(alice, STOCKFISH, "builtin:random", autoplay=False).id, alice.user)
    assert queues["turn"]() == [turn(game.id, 0)] and queues["engine"]() == []
    assert failures(deliver(client, [turn_record(game.id, 0)])) == []
    assert [m.ply for m in store.load(game.id)[1]] == [0]  # played by the turn worker, as before
    assert queues["turn"]() == [turn(game.id, 1)]


def test_the_inprocess_backend_ignores_the_engine_queue(settings, monkeypatch):
    from games import autoplay

    settings.TASK_BACKEND, settings.ENGINE_QUEUE_URL = "inprocess", "https://sqs.example/engine"
    driven: list[str] = []
    monkeypatch.setattr(autoplay, "enqueue", driven.append)
    tasks.enqueue("0123456789abcdef0123456789abcdef", 0, engine=True)
    assert driven == ["0123456789abcdef0123456789abcdef"] and not tasks.forwards_engine_work()


# ------------------------------------------------------------------------------ forwarding by a turn worker


@needs_stockfish
def test_a_turn_worker_forwards_a_stockfish_turn_and_acknowledges_it(client, queues, alice):
    game = new_game(alice, STOCKFISH, "builtin:random")
    before = store.get(game.id)
    assert failures(deliver(client, [turn_record(game.id, 0)])) == []  # acknowledged
    after, moves = store.load(game.id)
    assert moves == [] and after.version == before.version and after.due_at == before.due_at  # nothing written
    assert queues["engine"]() == [turn(game.id, 0)] and queues["turn"]() == []


@needs_stockfish
def test_the_engine_worker_plays_what_it_receives(client, queues, alice, settings):
    settings.ENGINE_WORKER = True
    game = new_game(alice, STOCKFISH, "builtin:random")
    assert failures(deliver(client, [turn_record(game.id, 0)])) == []
    assert [m.ply for m in store.load(game.id)[1]] == [0]
    assert queues["turn"]() == [turn(game.id, 1)]  # the random bot's turn is not engine work
    assert queues["engine"]() == []


@needs_stockfish
def test_a_forward_that_cannot_be_sent_is_not_acknowledged_and_changes_nothing(client, queues, alice):
    game = new_game(alice, STOCKFISH, "builtin:random")
    before = store.get(game.id)
    record = turn_record(game.id, 0)
    with Stubber(tasks._sqs()) as stubber:
        stubber.add_client_error("send_message", service_error_code="ServiceUnavailable", http_status_code=503)
        assert failures(deliver(client, [record])) == [record["messageId"]]  # SQS redelivers it
    after = store.get(game.id)
    assert after.version == before.version and after.due_at == before.due_at and store.load(game.id)[1] == []


@needs_stockfish
def test_a_turn_worker_does_not_forward_engine_work_someone_holds_the_lease_of(queues, alice):
    game = new_game(alice, "builtin:searcher", "builtin:random", autoplay=False, max_plies=10)
    service.play_until_over(game.id)
    finished = store.get(game.id)
    assert finished.awaits_analysis
    store.claim_turn(finished, token="engine-worker", until=service._now() + 60, now=service._now())
    sent: list[tuple[str, int]] = []
    outcome = service.play_due_turn(game.id, finished.ply, forward_engine_work=lambda g, p: sent.append((g, p)))
    assert outcome == service.TurnOutcome.BUSY and sent == []


def test_model_and_bot_turns_are_played_by_the_turn_worker(client, queues, alice):
    game = new_game(alice, "builtin:perfect", "builtin:random", "tictactoe")
    assert failures(deliver(client, [turn_record(game.id, 0)])) == []
    assert [m.ply for m in store.load(game.id)[1]] == [0] and queues["engine"]() == []
    assert queues["turn"]() == [turn(game.id, 1)]
