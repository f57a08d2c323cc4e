"""Model seats end to end: games between mocked providers, and against built-in bots, played to the end in
the background, over real HTTP all the way.

The provider is ``tests.fakes.openai_server.FakeOpenAI``, a stdlib OpenAI-compatible server: the app's real
``openai`` SDK calls it over HTTP, configured as a named endpoint (``LLM_ENDPOINTS``: ``fake:alpha``...).
Two servers are started against DynamoDB Local:

- gunicorn as ``make run`` starts it (deploy/gunicorn.conf.py, the in-process autoplay backend): games are
  created, started and read through the API (``POST /api/games/{id}/autoplay``, then polling ``GET``);
- gunicorn as the image starts it (deploy/entrypoint.py, production settings, ``TASK_BACKEND=sqs``): what
  the app sends to a local SQS stand-in is fed back to ``/events`` as the Lambda Web Adapter would POST it
  (``deploy.lwa.from_sqs_batch``), until the game ends.

For each game, every attempt the app recorded is compared with what the fake provider served (answer,
tokens, prompt, the status of failed calls), costs with the configured prices, seat and game totals with
the sums of the attempts, and the owner's spend with the game's total cost.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from deploy.web_client import call
from tests.fakes.openai_server import ILLEGAL_MOVE, FakeOpenAI, Served
from tests.servers import create_table, start_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
KEY_NAME, KEY = "FAKE_KEY", "fake-endpoint-key-0123456789"
MODELS = ["alpha", "beta", "stubborn", "down"]
ALPHA, BETA, STUBBORN, DOWN = (f"fake:{m}" for m in MODELS)
# USD per million tokens (= µ$ per token): in, out.
PRICES = {ALPHA: ["2.50", "10.00"], BETA: ["0.40", "1.60"], STUBBORN: ["1.00", "4.00"], DOWN: ["3.00", "15.00"]}
MAX_PROVIDER_RETRIES = 2
GAMES = {
    "chess": {"max_plies": 20},
    "tictactoe": {},
    "rps": {"rounds": 3},
    "racing": {"track_length": 20, "turn_limit": 30},
    "words": {"rounds": 3},
}
BOTS = {
    "chess": "builtin:searcher",
    "tictactoe": "builtin:perfect",
    "rps": "builtin:pattern",
    "racing": "builtin:racer",
    "words": "builtin:wordsmith",
}
USAGE = ("tokens_in", "tokens_out", "cost_micros", "latency_ms")
GAME_TIMEOUT = 30.0


def llm_env(fake: FakeOpenAI) -> dict[str, str]:
    """What the servers need to seat the fake models (fast retries, no pause between turns)."""
    endpoint = {"base_url": fake.base_url, "api_key_env": KEY_NAME, "models": MODELS}
    return {
        "LLM_ENDPOINTS": json.dumps({"fake": endpoint}),
        KEY_NAME: KEY,
        "LLM_PRICES": json.dumps(PRICES),
        "APP_SECRETS_PATH": "",
        "LLM_MAX_PROVIDER_RETRIES": str(MAX_PROVIDER_RETRIES),
        "LLM_RETRY_BASE_SECONDS": "0.001",
        "LLM_RETRY_MAX_SECONDS": "0.01",
        "LLM_MODEL_LIMITS": json.dumps({"*": {"call_timeout": 10}}),
        "AUTOPLAY_TURN_DELAY_SECONDS": "0",
    }


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAI(api_key=KEY, seed=5) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_fake(fake):
    fake.reset()  # every test reads the log of its own game only (tests run one game at a time)
    yield


# ------------------------------------------------------------------------------------------- checks


def expected_cost(player: str, tokens_in: int, tokens_out: int) -> int:
    price_in, price_out = (Decimal(p) for p in PRICES[player])
    return math.ceil(tokens_in * price_in + tokens_out * price_out)


def as_prompt(messages: list[dict]) -> str:
    """The prompt as the harness stores it with an attempt (llm.prompts.messages_as_text)."""
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)


def seat_attempts(game: dict, seat: str) -> list[dict]:
    return [a for move in game["moves"] if move["seat"] == seat for a in move["attempts"]]


def check_recorded(game: dict, fake: FakeOpenAI, spent_micros: int) -> None:
    """Every attempt is recorded as served, priced right; totals are sums; the owner paid the total."""
    moves = game["moves"]
    assert game["status"] == "finished", game["status"]
    assert [m["ply"] for m in moves] == list(range(len(moves))) and game["moves_count"] == len(moves)
    for seat in ("white", "black"):
        player = game[seat]
        attempts = seat_attempts(game, seat)
        assert attempts, f"{seat} never played"
        for move in (m for m in moves if m["seat"] == seat):
            accepted = [a for a in move["attempts"] if a["error"] is None]
            if move["move"] is None:  # a forfeit: every attempt failed
                assert not accepted and game["termination"].startswith("forfeit_")
            else:
                assert accepted == move["attempts"][-1:] and accepted[0]["parsed"] == move["move"]
            assert [a["attempt"] for a in move["attempts"]] == list(range(1, len(move["attempts"]) + 1))
        if player.startswith("fake:"):
            served = fake.served(player.removeprefix("fake:"))
            assert len(served) == len(attempts), (len(served), len(attempts))  # every call, and only once
            for call_, attempt in zip(served, attempts, strict=True):
                check_model_attempt(player, call_, attempt)
        else:
            assert all(a[f] == 0 for a in attempts for f in ("tokens_in", "tokens_out", "cost_micros"))
        totals = game["totals"][seat]
        for name in USAGE:
            assert totals[name] == sum(a[name] for a in attempts), (seat, name)
        assert totals["moves"] == sum(1 for m in moves if m["seat"] == seat and m["move"] is not None)
        illegal = [a for a in attempts if a["error"] and not a["error"].startswith("provider_")]
        assert totals["illegal_attempts"] == len(illegal)
    game_row = game["totals"]["game"]
    for name in (*USAGE, "moves", "illegal_attempts"):
        assert game_row[name] == game["totals"]["white"][name] + game["totals"]["black"][name], name
    assert game["totals"]["judge"]["cost_micros"] == 0
    assert game_row["cost_micros"] > 0 and game_row["tokens_in"] > 0 and game_row["tokens_out"] > 0
    assert spent_micros == game_row["cost_micros"]


def check_model_attempt(player: str, served: Served, attempt: dict) -> None:
    assert attempt["prompt"] == as_prompt(served.messages)  # the conversation really sent
    if served.status != 200:
        assert attempt["error"].startswith("provider_") and f"HTTP {served.status}" in attempt["error"]
        assert attempt["answer"] == "" and attempt["tokens_in"] == attempt["tokens_out"] == 0
        assert attempt["cost_micros"] == 0
        return
    assert attempt["answer"] == served.content
    assert (attempt["tokens_in"], attempt["tokens_out"]) == (served.prompt_tokens, served.completion_tokens)
    assert attempt["tokens_in"] > 0 and attempt["tokens_out"] > 0
    assert attempt["cost_micros"] == expected_cost(player, attempt["tokens_in"], attempt["tokens_out"]) > 0
    if served.kind == "move":
        assert attempt["error"] is None and attempt["parsed"] in served.legal_moves
    else:
        assert attempt["error"] and not attempt["error"].startswith("provider_")


def check_retry_conversation(fake: FakeOpenAI, model: str) -> None:
    """After a failed answer the model got its answer back and feedback naming what was wrong."""
    served = fake.served(model)
    for before, after in itertools.pairwise(served):
        if before.status == 200 and before.kind in ("illegal", "unreadable", "empty"):
            assert after.messages[: len(before.messages)] == before.messages
            answer, feedback = after.messages[len(before.messages) :]
            assert answer["role"] == "assistant" and answer["content"] == (before.content or "(empty answer)")
            assert feedback["role"] == "user" and "not accepted" in feedback["content"]
            if before.kind == "illegal":
                assert ILLEGAL_MOVE in feedback["content"]
            else:
                assert "MOVE:" in feedback["content"]
        elif before.status != 200:
            assert after.messages == before.messages  # a provider error is retried with the same prompt


# -------------------------------------------------------------------------- gunicorn, in-process autoplay


def start_gunicorn(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    return start_server(env, log_name="gunicorn-llm-test.log")


@pytest.fixture(scope="module")
def llm_server(live_server_env, fake):
    """gunicorn as `make run` starts it, seating the fake models, on its own table."""
    env = dict(live_server_env, **llm_env(fake), DYNAMODB_TABLE=f"llm-{uuid.uuid4().hex[:8]}")
    create_table(env)
    proc, base = start_gunicorn(env)
    yield base, env
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def new_owner(settings, llm_server):
    """A fresh user (its own budget and spend) in the server's table, with an access token."""
    from accounts import tokens, users
    from duelarena.dynamo import connection

    _, env = llm_server
    settings.DYNAMODB_ENDPOINT_URL, settings.DYNAMODB_TABLE = env["DYNAMODB_ENDPOINT_URL"], env["DYNAMODB_TABLE"]
    connection.reset()

    def make() -> str:
        user, _ = users.create(f"llm-{uuid.uuid4().hex[:8]}@example.com")
        return tokens.issue_access(user)

    yield make
    connection.reset()


def stored_record(game_id: str) -> dict:
    """The game and every move as stored, in the API's shape, with nothing hidden."""
    from games import selectors, store

    game, moves = store.load(game_id)
    return {
        **selectors.game_summary(game),
        "totals": game.totals,
        "moves": [
            {"ply": m.ply, "seat": m.seat, "move": m.move or None, "attempts": [a.to_dict() for a in m.attempts]}
            for m in moves
        ],
    }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_game(base: str, token: str, game_type: str, white: str, black: str) -> dict:
    options = {**GAMES[game_type], "legal_moves_hint": True}
    body = {"game_type": game_type, "white_model": white, "black_model": black, "options": options}
    reply = call("POST", base + "/api/games", body, headers=auth(token))
    assert reply.status == 201, reply.body[:500]
    return reply.json()


def autoplay_to_the_end(base: str, token: str, game_id: str) -> dict:
    url = f"{base}/api/games/{game_id}"
    started = call("POST", url + "/autoplay", headers=auth(token))
    assert started.status == 200, started.body[:500]
    deadline = time.monotonic() + GAME_TIMEOUT
    while True:
        game = call("GET", url, headers=auth(token)).json()
        if game["status"] != "live":
            break
        assert time.monotonic() < deadline, f"the game did not end in {GAME_TIMEOUT} s (ply {game['ply']})"
        time.sleep(0.05)
    assert game["status"] == "finished", (game["status"], game["pause_reason"])
    return game


def spent(base: str, token: str) -> int:
    me = call("GET", base + "/api/auth/me", headers=auth(token))
    assert me.status == 200, me.body[:300]
    return me.json()["budget"]["used_micros"]


def test_the_fake_models_are_offered(llm_server):
    base, _ = llm_server
    players = {p["name"]: p for p in call("GET", base + "/api/llm/models").json()["players"]}
    for name in (ALPHA, BETA, STUBBORN, DOWN):
        assert players[name]["kind"] == "llm" and players[name]["provider"] == "fake"
        assert [players[name]["price_in"], players[name]["price_out"]] == [float(p) for p in PRICES[name]]


@pytest.mark.parametrize("game_type", list(GAMES))
def test_two_models_play_to_the_end_with_autoplay(llm_server, new_owner, fake, game_type):
    base, _ = llm_server
    token = new_owner()
    # The first turns of each model go through feedback and provider retries before a legal move.
    fake.script("alpha", ["unreadable", "rate_limited", "illegal"])
    fake.script("beta", ["server_error", "empty"])
    game = create_game(base, token, game_type, ALPHA, BETA)
    game = autoplay_to_the_end(base, token, game["id"])
    assert not game["termination"].startswith("forfeit_"), game["termination"]
    check_recorded(game, fake, spent(base, token))
    first_alpha = next(m for m in game["moves"] if m["seat"] == "white")["attempts"]
    assert [(a["error"] or "ok").split(":")[0] for a in first_alpha[:2]] == ["no_move_line", "provider_rate_limited"]
    assert ILLEGAL_MOVE in first_alpha[2]["error"] and first_alpha[3]["error"] is None and len(first_alpha) == 4
    first_beta = next(m for m in game["moves"] if m["seat"] == "black")["attempts"]
    assert [(a["error"] or "ok").split(":")[0] for a in first_beta] == ["provider_server_error", "no_move_line", "ok"]
    assert game["totals"]["white"]["illegal_attempts"] == 2 and game["totals"]["black"]["illegal_attempts"] == 1
    check_retry_conversation(fake, "alpha")
    check_retry_conversation(fake, "beta")


@pytest.mark.parametrize("game_type", list(GAMES))
def test_a_model_plays_a_builtin_bot_to_the_end_with_autoplay(llm_server, new_owner, fake, game_type):
    base, _ = llm_server
    token = new_owner()
    fake.script("alpha", ["empty", "overloaded"])
    game = create_game(base, token, game_type, BOTS[game_type], ALPHA)
    game = autoplay_to_the_end(base, token, game["id"])
    assert not game["termination"].startswith("forfeit_"), game["termination"]
    check_recorded(game, fake, spent(base, token))
    first = next(m for m in game["moves"] if m["seat"] == "black")["attempts"]
    assert [(a["error"] or "ok").split(":")[0] for a in first] == ["no_move_line", "provider_server_error", "ok"]
    check_retry_conversation(fake, "alpha")


def test_three_illegal_answers_in_one_turn_forfeit(llm_server, new_owner, fake):
    base, _ = llm_server
    token = new_owner()
    fake.script("stubborn", ["illegal", "unreadable", "illegal"])
    game = create_game(base, token, "tictactoe", "builtin:perfect", STUBBORN)
    game = autoplay_to_the_end(base, token, game["id"])
    assert (game["termination"], game["result"], game["winner"]) == ("forfeit_illegal_moves", "first", "white")
    assert game["ply"] == 1 and len(game["moves"]) == 2  # X's move, then O's forfeit (its own ply key)
    forfeit = game["moves"][1]
    assert forfeit["seat"] == "black" and forfeit["move"] is None and len(forfeit["attempts"]) == 3
    assert all(a["error"] and not a["error"].startswith("provider_") for a in forfeit["attempts"])
    assert all(a["cost_micros"] > 0 for a in forfeit["attempts"])  # failed answers are paid for
    assert game["totals"]["black"]["illegal_attempts"] == 3 and game["totals"]["black"]["moves"] == 0
    assert len(fake.served("stubborn")) == 3 and fake.pending("stubborn") == 0
    check_recorded(game, fake, spent(base, token))
    check_retry_conversation(fake, "stubborn")


def test_provider_errors_until_retries_are_exhausted_forfeit(llm_server, new_owner, fake):
    base, _ = llm_server
    token = new_owner()
    fake.script("alpha", ["server_error"])  # recovered from: the next call succeeds
    fake.script("down", ["server_error", "rate_limited", *["server_error"] * 10])
    game = create_game(base, token, "rps", ALPHA, DOWN)
    game = autoplay_to_the_end(base, token, game["id"])
    assert (game["termination"], game["result"], game["winner"]) == ("forfeit_provider_error", "first", "white")
    calls = fake.served("down")
    assert len(calls) == 1 + MAX_PROVIDER_RETRIES and [c.status for c in calls] == [500, 429, 500]
    forfeit = next(m for m in game["moves"] if m["seat"] == "black")
    assert forfeit["move"] is None and [a["error"].split(":")[0] for a in forfeit["attempts"]] == [
        "provider_server_error",
        "provider_rate_limited",
        "provider_server_error",
    ]
    assert game["totals"]["black"]["cost_micros"] == 0 and game["totals"]["black"]["illegal_attempts"] == 0
    # Both seats chose at once: alpha's choice of that round is recorded, and paid for. (The API keeps a
    # choice of the unresolved round hidden from non-players even once the game is over, so the record
    # is read from the table here.)
    record = stored_record(game["id"])
    alpha_moves = [m for m in record["moves"] if m["seat"] == "white"]
    assert len(alpha_moves) == 1 and alpha_moves[0]["move"] in ("rock", "paper", "scissors")
    assert record["totals"] == game["totals"]
    check_recorded(record, fake, spent(base, token))


# ---------------------------------------------------------------------- the /events path (SQS backend)


@pytest.fixture(scope="module")
def sqs():
    import threading

    from deploy.tests.test_lwa_sqs import SQSStandIn

    server = SQSStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def queue_server(live_server_env, fake, sqs, tmp_path_factory):
    """gunicorn as the image starts it on Lambda, with the SQS task backend."""
    from deploy.tests.test_lwa_contract import API_DOMAIN, _start

    env = dict(
        live_server_env,
        **llm_env(fake),
        DUELARENA_ENV="production",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="llm-queue-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        JWT_SIGNING_KEY="llm-queue-test-jwt-key-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS=API_DOMAIN,
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        AWS_LAMBDA_FUNCTION_NAME="duelarena-prod",
        DYNAMODB_TABLE=f"llmq-{uuid.uuid4().hex[:8]}",
        TASK_BACKEND="sqs",
        TURN_QUEUE_URL=sqs.queue_url,
        SQS_ENDPOINT_URL=sqs.endpoint,
    )
    create_table(env)
    proc, base = _start(env)
    yield base, env
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def app_side(queue_server, sqs, fake, settings, monkeypatch):
    """This process uses the server's table, queue and models (to create games and read them back)."""
    from duelarena.dynamo import connection
    from games import tasks

    _, env = queue_server
    settings.DYNAMODB_ENDPOINT_URL, settings.DYNAMODB_TABLE = env["DYNAMODB_ENDPOINT_URL"], env["DYNAMODB_TABLE"]
    settings.TASK_BACKEND, settings.TURN_QUEUE_URL, settings.SQS_ENDPOINT_URL = "sqs", sqs.queue_url, sqs.endpoint
    settings.LLM_ENDPOINTS = json.loads(env["LLM_ENDPOINTS"])
    settings.LLM_PRICES = PRICES
    settings.APP_SECRETS_PATH = ""
    monkeypatch.setenv(KEY_NAME, KEY)
    connection.reset()
    tasks.reset()
    sqs.take()  # nothing left over from another test
    yield
    connection.reset()
    tasks.reset()


def start_queued_game(game_type: str, white: str, black: str):
    from accounts import users
    from games import service

    owner, _ = users.create(f"llmq-{uuid.uuid4().hex[:8]}@example.com")
    options = {**GAMES[game_type], "legal_moves_hint": True}
    game = service.create_game(owner, game_type=game_type, white=white, black=black, options=options)
    service.start_autoplay(game.id, owner)  # the app's own SendMessage, to the stand-in
    return owner, game


def feed_until_over(base: str, sqs, first: list[dict]) -> int:
    """POST what the app queued back to /events, batch after batch, until nothing is queued. Returns
    the number of batches."""
    from deploy.tests.test_lwa_sqs import failed_ids, post_batch, sqs_event

    pending, batches = first, 0
    deadline = time.monotonic() + GAME_TIMEOUT
    while pending:
        assert time.monotonic() < deadline, "the queued game did not end"
        assert len(pending) == 1, pending  # one message per turn: never a fork
        assert failed_ids(post_batch(base, sqs_event(pending))) == []
        batches += 1
        pending = sqs.take()
    return batches


def stored_view(game_id: str, owner) -> dict:
    from games import selectors, store

    return selectors.game_view(*store.load(game_id), owner)


@pytest.mark.parametrize(
    ("game_type", "white", "black"),
    [("rps", ALPHA, BETA), ("words", ALPHA, BETA), ("chess", ALPHA, BOTS["chess"]), ("racing", BOTS["racing"], ALPHA)],
)
def test_queued_games_play_to_the_end_through_events(queue_server, sqs, fake, app_side, game_type, white, black):
    from accounts import limits

    base, _ = queue_server
    fake.script("alpha", ["rate_limited", "illegal"])
    owner, game = start_queued_game(game_type, white, black)
    batches = feed_until_over(base, sqs, sqs.take())
    view = stored_view(game.id, owner)
    assert not view["termination"].startswith("forfeit_"), view["termination"]
    # One batch per turn (a simultaneous round is one turn of two moves; a model's chess move and the
    # bot's reply are one turn, service._bot_reply), and one for the move analysis of a finished chess game.
    if game_type in ("rps", "racing"):
        rounds = view["ply"] // 2
    elif game_type == "chess":  # the model plays white: one turn per white move
        rounds = (view["ply"] + 1) // 2
    else:
        rounds = view["ply"]
    analysed = game_type == "chess" and view["status"] == "finished"
    assert batches == rounds + analysed
    if analysed:
        assert view["analysis"] is not None and all(m["analysis"] for m in view["moves"] if m["move"])
    check_recorded(view, fake, limits.spent_today(owner))
    check_retry_conversation(fake, "alpha")


def test_a_turn_delivered_twice_is_recorded_once(queue_server, sqs, fake, app_side):
    from accounts import limits
    from deploy.tests.test_lwa_sqs import failed_ids, post_batch, sqs_event
    from games import store

    base, _ = queue_server
    owner, game = start_queued_game("tictactoe", ALPHA, BETA)
    [first] = sqs.take()
    duplicate = dict(first, MessageId=str(uuid.uuid4()))  # the same turn sent twice (another enqueue)
    assert failed_ids(post_batch(base, sqs_event([first, duplicate]))) == []
    assert store.get(game.id).ply == 1 and len(fake.served()) == 1
    [second] = sqs.take()  # only one successor
    assert json.loads(second["Body"])["ply"] == 1

    redelivered = sqs_event([first])  # SQS delivers the same message again (same id, visibility expired)
    redelivered["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    assert failed_ids(post_batch(base, redelivered)) == []
    assert store.get(game.id).ply == 1 and len(fake.served()) == 1 and sqs.take() == []

    assert failed_ids(post_batch(base, sqs_event([second]))) == []
    assert failed_ids(post_batch(base, sqs_event([second]))) == []  # and the next turn, twice in a row
    assert store.get(game.id).ply == 2 and len(fake.served()) == 2
    feed_until_over(base, sqs, sqs.take())

    view = stored_view(game.id, owner)
    _, moves = store.load(game.id)
    assert [m.ply for m in moves] == list(range(view["ply"])) and view["version"] == len(moves) + 1
    check_recorded(view, fake, limits.spent_today(owner))  # one call per attempt, charged once
