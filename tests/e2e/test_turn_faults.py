"""Faults delay AI games; they never stop them. Real processes only: DynamoDB Local (killed and started
again on its data), gunicorn (a worker killed with SIGKILL, the server stopped and started again), and
for the ``sqs`` backend an LWA stand-in that feeds the queue to ``/events`` and sends the every-minute
scheduled event (here every second). After each fault the games go on without any further request;
at the end every game is finished with one move per ply (nothing lost, nothing doubled).

Timings are scaled down through the documented settings (grace period, sweep interval, bot lease).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest

from deploy import dynamodb_local
from deploy.web_client import call
from tests.servers import create_table, start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

GAMES = 6
FAST = {
    "TURN_GRACE_SECONDS": "2",
    "TURN_SWEEP_SECONDS": "0.5",
    "BOT_TURN_LEASE_SECONDS": "3",
    "AUTOPLAY_TURN_DELAY_SECONDS": "0.2",
    "DYNAMODB_MAX_ATTEMPTS": "2",
    "DYNAMODB_CONNECT_TIMEOUT": "1",
}


class Store:
    """DynamoDB Local on its own data directory, so that it can be killed and started again."""

    def __init__(self, data: Path) -> None:
        self.data, self.port = data, dynamodb_local.free_port()
        self.proc = dynamodb_local.start(self.port, data)

    @property
    def endpoint(self) -> str:
        return dynamodb_local.endpoint(self.port)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def start(self) -> None:
        self.proc = dynamodb_local.start(self.port, self.data)

    def stop(self) -> None:
        dynamodb_local.stop_process(self.proc)


@pytest.fixture
def ddb(tmp_path):
    store = Store(tmp_path / "dynamodb")
    yield store
    store.stop()


@pytest.fixture
def app_side(ddb, settings):
    """This process reads the same table (to create the players and check the games)."""
    from duelarena.dynamo import connection

    table = f"faults-{uuid.uuid4().hex[:8]}"
    settings.DYNAMODB_ENDPOINT_URL, settings.DYNAMODB_TABLE = ddb.endpoint, table
    connection.reset()
    yield table
    connection.reset()


def server_env(live_server_env: dict, ddb: Store, table: str, **extra: str) -> dict[str, str]:
    env = dict(live_server_env, DYNAMODB_ENDPOINT_URL=ddb.endpoint, DYNAMODB_TABLE=table, **FAST, **extra)
    return env


def owner_token() -> str:
    from accounts import tokens, users

    user, _ = users.create(f"faults-{uuid.uuid4().hex[:8]}@example.com")
    return tokens.issue_access(user)


def start_games(base: str, token: str) -> list[str]:
    auth = {"Authorization": f"Bearer {token}"}
    ids = []
    for i in range(GAMES):
        body = {
            "game_type": "chess",
            "white_model": "builtin:random",
            "black_model": "builtin:random",
            "options": {"max_plies": 70, "seed": i},
        }
        created = call("POST", base + "/api/games", body, headers=auth)
        assert created.status == 201, created.body[:300]
        ids.append(created.json()["id"])
        started = call("POST", f"{base}/api/games/{ids[-1]}/autoplay", headers=auth)
        assert started.status == 200, started.body[:300]
    return ids


def plies(ids: list[str]) -> dict[str, tuple[int, str]]:
    from duelarena.dynamo import connection
    from games import store

    connection.reset()
    return {game_id: ((g := store.get(game_id)).ply, g.status) for game_id in ids}


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: S110 - DynamoDB may still be coming back
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting until {what}")


def progressed_since(ids: list[str], before: dict[str, tuple[int, str]]):
    def check() -> bool:
        now = plies(ids)
        return all(now[g][1] == "finished" or now[g][0] > before[g][0] + 1 for g in ids)

    return check


def all_finished(ids: list[str]):
    return lambda: all(status == "finished" for _, status in plies(ids).values())


def assert_played_exactly_once(ids: list[str]) -> None:
    from games import store

    for game_id in ids:
        game, moves = store.load(game_id)
        assert game.status == "finished", game
        assert [m.ply for m in moves] == list(range(game.ply)) and game.moves_count == len(moves)
        assert game.version == len(moves) + 1  # one write per turn: none lost, none doubled


def worker_pids(master: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().split()
            except OSError:
                continue
            if int(stat[3]) == master:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_inprocess_games_survive_a_storage_outage_a_killed_worker_and_a_restart(live_server_env, ddb, app_side):
    env = server_env(live_server_env, ddb, app_side, WEB_CONCURRENCY="2")
    create_table(env)
    proc, base = start_server(env, log_name="faults-inprocess.log")
    try:
        ids = start_games(base, owner_token())
        wait_until(lambda: all(p >= 4 for p, _ in plies(ids).values()), 60, "every game has started")

        # 1. DynamoDB Local is killed for 10 s: turns fail, the sweeper fails; nothing is asked again.
        ddb.kill()
        time.sleep(10)
        ddb.start()
        before = plies(ids)
        assert not all(status == "finished" for _, status in before.values()), "the games ended too early"
        wait_until(progressed_since(ids, before), 60, "every game moved on after the outage")

        # 2. A gunicorn worker is killed with SIGKILL in the middle of its turns.
        workers = worker_pids(proc.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        before = plies(ids)
        wait_until(progressed_since(ids, before), 60, "every game moved on after the worker was killed")

        # 3. The server is stopped and started again: its sweep at start picks every game up.
        stop_server(proc)
        stopped = plies(ids)
        time.sleep(1)
        assert plies(ids) == stopped  # nobody plays while the server is down
        proc, base = start_server(env, log_name="faults-inprocess.log")
        wait_until(progressed_since(ids, stopped), 60, "every game resumed by itself after the restart")
        wait_until(all_finished(ids), 180, "every game finished")
    finally:
        stop_server(proc)
    assert_played_exactly_once(ids)


def scheduled_event() -> dict:
    """The event an EventBridge schedule rule delivers (documented shape)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/duelarena-prod-turns-sweep"],
        "detail": {},
    }


class LambdaStandIn:
    """What AWS does around the turn function: the event source mapping delivers what the app sent to
    the queue (one batch at a time, at most 5 records), and the EventBridge rule sends the scheduled
    event. A batch whose POST fails (the sandbox died) is lost here, as if its visibility timeout
    were far away: only the sweep can bring those turns back."""

    def __init__(self, sqs, base: str) -> None:
        self.sqs, self.base = sqs, base
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from deploy.tests.test_lwa_sqs import post_batch, sqs_event

        last_sweep = 0.0
        while not self.stop.is_set():
            try:
                if time.monotonic() - last_sweep > 1:
                    last_sweep = time.monotonic()
                    call(
                        "POST",
                        self.base + "/events",
                        raw=json.dumps(scheduled_event()).encode(),
                        headers={"x-amzn-request-context": "null", "Content-Type": "application/json"},
                    )
                pending = self.sqs.take()
                for start in range(0, len(pending), 5):
                    post_batch(self.base, sqs_event(pending[start : start + 5]))
            except OSError:
                pass  # the function is down or its sandbox died: those messages are gone
            time.sleep(0.1)


@pytest.mark.slow
def test_queued_games_survive_a_storage_outage_a_killed_worker_and_a_restart(live_server_env, ddb, app_side, tmp_path):
    from deploy.tests.test_lwa_contract import API_DOMAIN
    from deploy.tests.test_lwa_sqs import SQSStandIn

    sqs = SQSStandIn()
    threading.Thread(target=sqs.serve_forever, daemon=True).start()
    env = server_env(
        live_server_env,
        ddb,
        app_side,
        DUELARENA_ENV="production",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="faults-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        JWT_SIGNING_KEY="faults-test-jwt-key-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS=API_DOMAIN,
        STATIC_ROOT=str(tmp_path / "static"),
        TASK_BACKEND="sqs",
        TURN_QUEUE_URL=sqs.queue_url,
        SQS_ENDPOINT_URL=sqs.endpoint,
        WEB_CONCURRENCY="2",
    )
    create_table(env)
    proc, base = start_server(env, log_name="faults-sqs.log", entrypoint=True)
    aws = LambdaStandIn(sqs, base)
    aws.thread.start()
    try:
        ids = start_games_in_process(env)
        wait_until(lambda: all(p >= 4 for p, _ in plies(ids).values()), 60, "every game has started")

        ddb.kill()
        time.sleep(10)
        ddb.start()
        before = plies(ids)
        wait_until(progressed_since(ids, before), 60, "every game moved on after the outage")

        workers = worker_pids(proc.pid)
        os.kill(workers[0], signal.SIGKILL)
        before = plies(ids)
        wait_until(progressed_since(ids, before), 60, "every game moved on after the worker was killed")

        stop_server(proc)
        time.sleep(2)  # the queue keeps what is sent meanwhile; batches posted now are lost
        proc, base = start_server(env, log_name="faults-sqs.log", entrypoint=True)
        aws.base = base
        wait_until(all_finished(ids), 180, "every game finished")
    finally:
        aws.stop.set()
        stop_server(proc)
        sqs.shutdown()
        sqs.server_close()
    assert_played_exactly_once(ids)


def start_games_in_process(env: dict[str, str]) -> list[str]:
    """Create and start the games through the service in this process, sending to the stand-in queue."""
    from django.test import override_settings

    from accounts import users
    from games import service, tasks

    owner, _ = users.create(f"faults-{uuid.uuid4().hex[:8]}@example.com")
    queue = {"TURN_QUEUE_URL": env["TURN_QUEUE_URL"], "SQS_ENDPOINT_URL": env["SQS_ENDPOINT_URL"]}
    with override_settings(TASK_BACKEND="sqs", **queue):
        tasks.reset()
        ids = []
        for i in range(GAMES):
            options = {"max_plies": 70, "seed": i}
            game = service.create_game(
                owner, game_type="chess", white="builtin:random", black="builtin:random", options=options
            )
            service.start_autoplay(game.id, owner)
            ids.append(game.id)
        tasks.reset()
    return ids
