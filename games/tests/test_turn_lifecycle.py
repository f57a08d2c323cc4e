"""The life of a background AI turn (games.tasks, service.play_due_turn): due, leased, retried with
backoff after an error, paused only for causes that will not pass, and resumed by a step or autoplay."""

from __future__ import annotations

import time

import pytest

from games import service, store, tasks
from games.bots import BOTS
from games.records import PAUSE_PLAYER_UNAVAILABLE, PAUSE_TURN_FAILED
from games.tests.helpers import get, post


@pytest.fixture
def driven(alice, monkeypatch):
    """A bot game with autoplay on; nothing runs in the background (the test plays its turns)."""
    monkeypatch.setattr(tasks, "enqueue", lambda *args, **kwargs: None)
    from games import scheduling

    monkeypatch.setattr(scheduling, "_backend", lambda *args: None)
    game = service.create_game(alice.user, game_type="tictactoe", white="builtin:perfect", black="builtin:random")
    return service.start_autoplay(game.id, alice.user)


def test_a_driven_game_is_due_until_it_is_played_and_the_turn_moves_its_due_time(alice, driven):
    assert driven.due_at is not None and driven.due_at <= time.time() + 1
    assert service.play_due_turn(driven.id) == service.TurnOutcome.PLAYED
    after = store.get(driven.id)
    assert after.ply == 1 and after.lease_until is None and after.due_at >= time.time()  # now + grace


def test_a_failing_turn_is_retried_with_backoff_then_pauses_with_its_reason(alice, driven, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a rule engine")

    monkeypatch.setattr(service, "_play_ai_turns", broken)
    delays = []
    for failure in range(1, service.MAX_TURN_FAILURES + 1):
        before = int(time.time())
        with pytest.raises(RuntimeError):
            service.play_due_turn(driven.id)  # a worker tries (it does not wait for the due time)
        game = store.get(driven.id)
        assert game.turn_failures == failure and game.last_error == "RuntimeError: a bug in a rule engine"
        assert game.lease_until is None  # released at once: the retry need not wait for the lease
        if failure < service.MAX_TURN_FAILURES:
            delays.append(game.due_at - before)
    expected = [service.retry_delay_seconds(n) for n in range(1, service.MAX_TURN_FAILURES)]
    assert all(e <= d <= e + 1 for d, e in zip(delays, expected, strict=True)), (delays, expected)
    assert expected == [5, 10, 20, 40, 80]
    paused = store.get(driven.id)
    assert (paused.status, paused.pause_reason, paused.due_at) == ("paused", PAUSE_TURN_FAILED, None)
    assert tasks.sweep(now=time.time() + 3600) == 0  # a paused game is out of the due index


def test_a_player_no_longer_offered_pauses_the_game_and_autoplay_resumes_it(client, alice, driven, monkeypatch):
    perfect = BOTS.pop("perfect")
    try:
        assert service.play_due_turn(driven.id) == service.TurnOutcome.PAUSED
        view = get(client, f"/api/games/{driven.id}", player=alice).json()
        assert (view["status"], view["pause_reason"], view["turn_pending"]) == (
            "paused",
            PAUSE_PLAYER_UNAVAILABLE,
            False,
        )
    finally:
        BOTS["perfect"] = perfect
    resumed = post(client, f"/api/games/{driven.id}/autoplay", player=alice)
    assert resumed.status_code == 200 and resumed.json()["status"] == "live" and resumed.json()["pause_reason"] is None
    assert service.play_due_turn(driven.id) == service.TurnOutcome.PLAYED


def test_a_game_nobody_drives_leaves_the_due_index(alice, driven):
    service.stop_autoplay(driven.id, alice.user)
    assert store.get(driven.id).due_at is not None  # switching off does not touch the index...
    assert service.play_due_turn(driven.id) == service.TurnOutcome.IDLE  # ...the worker that finds it does
    assert store.get(driven.id).due_at is None and store.get(driven.id).ply == 0


def test_a_step_while_a_model_turn_is_pending_queues_nothing_more(alice, monkeypatch, settings):
    sent = []
    from games import scheduling

    monkeypatch.setattr(scheduling, "_backend", lambda game_id, ply, delay, engine: sent.append((game_id, ply)))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-testkey-0123456789abcdef")
    settings.APP_SECRETS_PATH = ""
    game = service.create_game(alice.user, game_type="tictactoe", white="openai:gpt-4.1-mini", black="builtin:random")
    first = service.step(game.id, alice.user)
    again = service.step(game.id, alice.user)
    assert first.step_requested and again.step_requested and sent == [(game.id, 0)]
    assert store.get(game.id).ply == 0  # nothing was played inside the request


def test_the_admin_shows_why_a_game_is_paused_and_its_last_turn_error(alice, driven, monkeypatch, settings):
    from duelarena.tests.admin_support import login, make_user

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(service, "MAX_TURN_FAILURES", 1)

    def broken(*args, **kwargs):
        raise RuntimeError("the rules engine crashed")

    monkeypatch.setattr(service, "_play_ai_turns", broken)
    with pytest.raises(RuntimeError):
        service.play_due_turn(driven.id)
    make_user("root@example.com", ["admin", "player"])
    page = login("root@example.com").get(f"/admin/games/game/{driven.id}/change/").content.decode()
    assert "Paused because" in page and PAUSE_TURN_FAILED in page
    assert "RuntimeError: the rules engine crashed" in page


def test_a_finished_game_is_analysed_by_the_turn_workers_then_leaves_the_due_index(alice, driven):
    while store.get(driven.id).is_live:
        assert service.play_due_turn(driven.id) == service.TurnOutcome.PLAYED
    over = store.get(driven.id)
    assert over.status == "finished" and over.analysis is None and over.due_at is not None  # analysis is due
    assert tasks.sweep(now=time.time() + 1) == 1  # and the sweep would bring it back if the message was lost
    assert service.play_due_turn(driven.id) == service.TurnOutcome.ANALYSED
    analysed, moves = store.load(driven.id)
    assert analysed.analysis is not None and analysed.due_at is None and analysed.lease_until is None
    assert all(m.analysis is not None for m in moves)
    assert service.play_due_turn(driven.id) == service.TurnOutcome.IDLE  # done once


def test_a_resigned_chess_game_is_analysed_when_stockfish_is_here(alice, monkeypatch):
    from games import engine

    if not engine.available():
        pytest.skip("Stockfish is not installed (apt-get install stockfish): chess analysis is off")
    from games import scheduling

    monkeypatch.setattr(scheduling, "_backend", lambda *args: None)
    game = service.create_game(alice.user, game_type="chess", white="human", black="builtin:random")
    service.play_move(game.id, alice.user, text="e4", expected_ply=0)
    service.step(game.id, alice.user)
    resigned = service.resign(game.id, alice.user)
    assert resigned.status == "finished" and store.get(game.id).due_at is not None
    assert service.play_due_turn(game.id) == service.TurnOutcome.ANALYSED
    moves = store.load(game.id)[1]
    assert [m.analysis is not None for m in moves] == [True, True]
