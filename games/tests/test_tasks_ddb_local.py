"""Queued turns racing each other on DynamoDB Local (moto cannot be trusted with concurrent transactions).

SQS is a fake client that records what the app sends, so tests can deliver it back to ``/events``.
"""

from __future__ import annotations

import json
import threading

import pytest

from duelarena.tests.admin_support import dynamodb_operations
from games import events, service, store
from games.tests.conftest import make_player, start_autoplay_unqueued
from games.tests.test_events import EVENT_CONTEXT, failures, sqs_record, turn_record

pytestmark = pytest.mark.integration


@pytest.fixture
def dora(ddb_local):
    return make_player("dora@example.com")


def bot_game(player, game_type="tictactoe", white="builtin:perfect", black="builtin:random", **options):
    game = service.create_game(player.user, game_type=game_type, white=white, black=black, options=options or None)
    return start_autoplay_unqueued(game.id, player.user)


def race(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released at the same instant (two Lambda instances...)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_workers_delivering_the_same_message_concurrently_record_one_move(fake_sqs, dora):
    game = bot_game(dora, "chess", "builtin:searcher", "builtin:random")
    record = turn_record(game.id, 0)
    results = race(2, lambda i: events.play_records([record]))
    loaded, moves = store.load(game.id)
    assert [m.ply for m in moves] == [0] and loaded.version == 2
    # One worker played; the other found the turn's lease taken (or the ply played): acknowledged.
    assert results == [[], []]
    assert [json.loads(r["body"]) for r in fake_sqs.take()] == [{"kind": "turn", "game_id": game.id, "ply": 1}]
    assert events.play_records([record]) == []  # the redelivery is acknowledged without playing
    assert len(store.load(game.id)[1]) == 1 and fake_sqs.take() == []


def test_many_messages_for_the_same_turn_at_once_play_it_once_and_send_one_successor(fake_sqs, dora):
    game = bot_game(dora, "chess", "builtin:searcher", "builtin:random")
    records = [turn_record(game.id, 0) for _ in range(8)]
    results = race(8, lambda i: events.play_records([records[i]]))
    assert all(r == [] for r in results)  # other messages' claims: acknowledged, nothing to retry
    assert [m.ply for m in store.load(game.id)[1]] == [0]
    assert [json.loads(r["body"])["ply"] for r in fake_sqs.take()] == [1]


def test_without_claims_the_store_still_records_exactly_one_move(fake_sqs, dora, settings):
    """Leases that end at once (0 s): every worker plays; the version check keeps one move."""
    settings.BOT_TURN_LEASE_SECONDS = 0
    game = bot_game(dora, "chess", "builtin:random", "builtin:random")
    records = [turn_record(game.id, 0) for _ in range(6)]
    results = race(6, lambda i: events.play_records([records[i]]))
    loaded, moves = store.load(game.id)
    assert [m.ply for m in moves] == [0] and loaded.version == 2 and loaded.moves_count == 1
    assert all(r == [] for r in results)


def test_a_batch_of_several_games_is_played_concurrently_to_the_end(client, fake_sqs, dora, settings):
    settings.TURN_BATCH_WORKERS = 4
    games = [
        bot_game(dora, "tictactoe", "builtin:perfect", "builtin:random"),
        bot_game(dora, "chess", "builtin:searcher", "builtin:random", max_plies=12),
        bot_game(dora, "rps", "builtin:pattern", "builtin:random", rounds=5),
        bot_game(dora, "racing", "builtin:racer", "builtin:random"),
        bot_game(dora, "words", "builtin:wordsmith", "builtin:random", rounds=3),
    ]
    pending = [turn_record(g.id, 0) for g in games]
    for _ in range(300):
        if not pending:
            break
        for start in range(0, len(pending), 5):  # BatchSize 5, as in template.yaml
            reply = client.post(
                "/events",
                data=json.dumps({"Records": pending[start : start + 5]}),
                content_type="application/json",
                **EVENT_CONTEXT,
            )
            assert failures(reply) == []
        pending = fake_sqs.take()
    assert not pending
    for game in games:
        loaded, moves = store.load(game.id)
        assert loaded.status == "finished", loaded.game_type
        assert [m.ply for m in moves] == list(range(loaded.ply)) and loaded.moves_count == len(moves)


def test_duplicate_record_in_one_batch_with_a_malformed_one(fake_sqs, dora):
    game = bot_game(dora)
    good = turn_record(game.id, 0)
    bad = sqs_record("oops")
    assert events.play_records([good, bad, dict(good)]) == [bad["messageId"]]
    assert len(store.load(game.id)[1]) == 1 and len(fake_sqs.take()) == 1


def test_a_bot_only_turn_is_not_claimed_first(fake_sqs, dora):
    """Bots call no model: the turn is read, played and written (one Query, one transaction), with no
    claim (UpdateItem) before it; the version-checked write alone keeps one move (tests above)."""
    game = bot_game(dora, "chess", "builtin:searcher", "builtin:random")
    with dynamodb_operations() as ops:
        service.play_due_turn(game.id, 0)
    assert ops == ["Query", "TransactWriteItems"]
    assert [m.ply for m in store.load(game.id)[1]] == [0]


def test_a_turn_that_may_call_a_model_is_still_claimed(fake_sqs, dora, monkeypatch):
    game = bot_game(dora, "chess", "builtin:searcher", "builtin:random")
    monkeypatch.setattr(service, "calls_a_model", lambda player, options: player == "builtin:searcher")
    claimed: list[str] = []
    real_claim = store.claim_turn
    monkeypatch.setattr(store, "claim_turn", lambda g, **kw: claimed.append(kw["token"]) or real_claim(g, **kw))
    monkeypatch.setattr(service, "_lease_seconds", lambda game, seats: 60)
    assert service.play_due_turn(game.id, 0) == service.TurnOutcome.PLAYED
    assert len(claimed) == 1 and store.get(game.id).lease_until is None
