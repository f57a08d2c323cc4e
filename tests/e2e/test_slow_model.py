"""A model slower than any request may take still plays whole games, and a step answers at once.

The fake OpenAI-compatible server answers every call after ``LATENCY`` seconds. The API's gunicorn
worker timeout is set below that latency (GUNICORN_TIMEOUT): a model call inside a request would be
killed (HTTP 500). Here no model call runs inside a request: ``POST .../step`` answers 202 at once and a
turn worker plays the turn, in-process under gunicorn as ``make run`` starts it, and through ``/events``
with the ``sqs`` backend under gunicorn started by the image's entrypoint in production mode (where the
worker timeout follows TURN_WORKER_SECONDS, the timeout chain). The model's per-model limits (a call
timeout above the latency) come from LLM_MODEL_LIMITS. The same run with a 75 s model is described in
the README ("Turns"); it takes minutes, so the suite runs it scaled down (SLOW_MODEL_LATENCY=75 runs the
real thing).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid

import pytest

from deploy.web_client import call
from tests.e2e.test_llm_games_http import KEY, KEY_NAME, PRICES
from tests.fakes.openai_server import FakeOpenAI
from tests.servers import create_table, start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

LATENCY = float(os.environ.get("SLOW_MODEL_LATENCY", "3"))  # e.g. 75 for the real thing (minutes per game)
SLOW = "fake:alpha"


@pytest.fixture(scope="module")
def slow_fake():
    with FakeOpenAI(api_key=KEY, seed=3, latency=LATENCY) as fake:
        yield fake


def slow_env(live_server_env: dict, fake: FakeOpenAI, **extra: str) -> dict[str, str]:
    endpoint = {"base_url": fake.base_url, "api_key_env": KEY_NAME, "models": ["alpha"]}
    return dict(
        live_server_env,
        LLM_ENDPOINTS=json.dumps({"fake": endpoint}),
        LLM_PRICES=json.dumps({SLOW: PRICES[SLOW]}),
        APP_SECRETS_PATH="",
        LLM_MODEL_LIMITS=json.dumps({SLOW: {"call_timeout": 2 * LATENCY, "turn_deadline": 4 * LATENCY}}),
        **{KEY_NAME: KEY},
        **extra,
    )


def token_for(env: dict[str, str]) -> str:
    from django.test import override_settings

    from accounts import tokens, users
    from duelarena.dynamo import connection

    same = {"DYNAMODB_ENDPOINT_URL": env["DYNAMODB_ENDPOINT_URL"], "DYNAMODB_TABLE": env["DYNAMODB_TABLE"]}
    if "JWT_SIGNING_KEY" in env:
        same["JWT_SIGNING_KEY"] = env["JWT_SIGNING_KEY"]
    with override_settings(**same):
        connection.reset()
        user, _ = users.create(f"slow-{uuid.uuid4().hex[:8]}@example.com")
        access = tokens.issue_access(user)
    connection.reset()
    return access


def play_with_steps(base: str, token: str, host: str | None = None) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    if host:  # production: the API's own Host, and https as LWA reports it
        auth.update({"Host": host, "X-Forwarded-Proto": "https"})
    options = {"seed": 5, "legal_moves_hint": True}  # the fake plays from the listed legal moves
    body = {"game_type": "tictactoe", "white_model": SLOW, "black_model": "builtin:random", "options": options}
    created = call("POST", base + "/api/games", body, headers=auth)
    assert created.status == 201, created.body[:300]
    game_id = created.json()["id"]
    deadline = time.monotonic() + max(120, 12 * LATENCY)  # a tic-tac-toe game: at most 5 model turns
    while True:
        game = call("GET", f"{base}/api/games/{game_id}", headers=auth).json()
        if game["status"] != "live":
            return game
        assert time.monotonic() < deadline, "the slow game did not end"
        if not game["turn_pending"]:
            asked = time.monotonic()
            stepped = call("POST", f"{base}/api/games/{game_id}/step", headers=auth)
            waited = time.monotonic() - asked
            assert stepped.status in (200, 202), stepped.body[:300]
            if stepped.status == 202:  # the model's turn: queued, answered at once
                assert waited < LATENCY and stepped.json()["turn_pending"] is True
        time.sleep(0.2)


@pytest.mark.slow
def test_a_slow_model_plays_a_whole_game_under_make_runs_gunicorn(live_server_env, slow_fake):
    table = f"slow-{uuid.uuid4().hex[:8]}"
    # The sweeper runs twice a second with a 1 s grace period, so it finds every model turn overdue while
    # the model thinks (claims leave the due time as it was; the sweep moves it to the lease's end,
    # games/tests/test_events.py): however it handles that, the model must be called once per attempt.
    env = slow_env(
        live_server_env,
        slow_fake,
        DYNAMODB_TABLE=table,
        GUNICORN_TIMEOUT=str(int(LATENCY) - 1),
        TURN_GRACE_SECONDS="1",
        TURN_SWEEP_SECONDS="0.5",
    )
    create_table(env)
    served_before = len(slow_fake.served())
    proc, base = start_server(env, log_name="slow-model.log")
    try:
        game = play_with_steps(base, token_for(env))
    finally:
        stop_server(proc)
    assert game["status"] == "finished" and not game["termination"].startswith("forfeit"), game["termination"]
    model_moves = [m for m in game["moves"] if m["seat"] == "white"]
    assert model_moves and all(a["latency_ms"] >= LATENCY * 1000 for m in model_moves for a in m["attempts"])
    # One model call per attempt recorded: no turn was played twice while its lease ran.
    assert len(slow_fake.served()) - served_before == sum(len(m["attempts"]) for m in model_moves)


@pytest.mark.slow
def test_a_slow_model_plays_a_whole_game_through_events_in_production(live_server_env, slow_fake, tmp_path):
    from deploy.tests.test_lwa_contract import API_DOMAIN
    from deploy.tests.test_lwa_sqs import SQSStandIn, post_batch, sqs_event

    sqs = SQSStandIn()
    threading.Thread(target=sqs.serve_forever, daemon=True).start()
    env = slow_env(
        live_server_env,
        slow_fake,
        DYNAMODB_TABLE=f"slowq-{uuid.uuid4().hex[:8]}",
        DUELARENA_ENV="production",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="slow-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        JWT_SIGNING_KEY="slow-test-jwt-key-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS=API_DOMAIN,
        STATIC_ROOT=str(tmp_path / "static"),
        TASK_BACKEND="sqs",
        TURN_QUEUE_URL=sqs.queue_url,
        SQS_ENDPOINT_URL=sqs.endpoint,
    )
    create_table(env)
    proc, base = start_server(env, log_name="slow-model-sqs.log", entrypoint=True)
    stop = threading.Event()

    def event_source() -> None:  # what Lambda's SQS event source mapping does, through LWA
        while not stop.is_set():
            pending = sqs.take()
            if pending:
                post_batch(base, sqs_event(pending), timeout=10 * LATENCY)  # a batch plays its model turns
            time.sleep(0.1)

    feeder = threading.Thread(target=event_source, daemon=True)
    feeder.start()
    try:
        game = play_with_steps(base, token_for(env), host=API_DOMAIN)
    finally:
        stop.set()
        feeder.join(10)
        stop_server(proc)
        sqs.shutdown()
        sqs.server_close()
    assert game["status"] == "finished" and not game["termination"].startswith("forfeit"), game["termination"]
