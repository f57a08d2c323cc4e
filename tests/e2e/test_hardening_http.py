"""Findings 7, 8 and 9 of the security audit, on a real gunicorn (deploy/gunicorn.conf.py).

- 7: a DynamoDB that accepts connections and never answers (frozen, not down). Each request may spend
  ``DYNAMODB_REQUEST_BUDGET_SECONDS`` on DynamoDB and then answers 503 with Retry-After; /health and
  pages that need no DynamoDB keep answering. Without the budget every request waited 5 s x 4 attempts.
- 8: gunicorn opens no control socket under $HOME.
- 9: the few requests gunicorn refuses before Django (README, "Security").
"""

from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deploy.web_client import assert_error_shape, call
from tests.servers import REPO, start_server, stop_server

pytestmark = pytest.mark.e2e

BUDGET = 2.0
SLACK = 3.0  # process and scheduling overhead on a busy 2-core machine (unbounded: 20 s and more)


class FrozenDynamoDB:
    """A TCP server that accepts every connection and never answers a byte."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.stopped = True
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.fixture(scope="module")
def frozen_server(tmp_path_factory):
    frozen = FrozenDynamoDB()
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "XDG_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="duelarena.settings",
        DUELARENA_ENV="local",
        DJANGO_DEBUG="1",
        DYNAMODB_ENDPOINT_URL=f"http://127.0.0.1:{frozen.port}",
        DYNAMODB_TABLE="frozen",
        DYNAMODB_CONNECT_TIMEOUT="2",
        DYNAMODB_READ_TIMEOUT="5",
        DYNAMODB_MAX_ATTEMPTS="4",
        DYNAMODB_REQUEST_BUDGET_SECONDS=str(BUDGET),
        TURN_RUNNER="0",  # no background sweeps: only requests meet the frozen DynamoDB here
        HOME=str(home),
        WEB_CONCURRENCY="2",
    )
    proc, base = start_server(env, log_name="gunicorn-frozen.log")
    # Each worker loads the API on its first /api/ request (cold start; seconds on a loaded machine):
    # load it in both before timing what a frozen DynamoDB costs (the schema needs no DynamoDB).
    with ThreadPoolExecutor(4) as pool:
        assert all(r.status == 200 for r in pool.map(lambda _: call("GET", base + "/api/openapi.json"), range(4)))
    yield base, home
    stop_server(proc)
    frozen.close()


def timed(method: str, url: str) -> tuple[float, object]:
    started = time.monotonic()
    reply = call(method, url)
    return time.monotonic() - started, reply


def test_a_frozen_dynamodb_gives_fast_503s_and_health_still_answers(frozen_server):
    base, _ = frozen_server
    with ThreadPoolExecutor(3) as pool:
        # Both sync workers busy with requests that need DynamoDB...
        slow = [pool.submit(timed, "GET", base + "/api/games?limit=5") for _ in range(2)]
        time.sleep(0.3)
        # ...and the readiness check still answers within the bound.
        health = pool.submit(timed, "GET", base + "/health")
        for future in slow:
            elapsed, reply = future.result()
            body = assert_error_shape(reply, 503, "service_unavailable")
            assert reply.headers["retry-after"] and body["error"]["message"]
            assert elapsed < BUDGET + SLACK, f"took {elapsed:.1f} s"
        elapsed, reply = health.result()
        assert reply.status == 200 and elapsed < BUDGET + SLACK
    elapsed, reply = timed("GET", base + "/health/ready")
    assert reply.status == 503 and elapsed < BUDGET + SLACK
    elapsed, reply = timed("GET", base + "/admin/login/")  # no session: needs no DynamoDB
    assert reply.status == 200 and elapsed < 1.0
    elapsed, reply = timed("GET", base + "/health")
    assert reply.status == 200 and elapsed < 0.5


def test_gunicorn_opens_no_control_socket(frozen_server):
    _, home = frozen_server
    assert not (Path(home) / ".gunicorn").exists(), "gunicorn created a control socket under $HOME"


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /api/games?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"414"),  # line > 8190
        (
            b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + b"".join(b"X-H%d: v\r\n" % k for k in range(120))
            + b"\r\n",
            b"431",
        ),
        (b"POST /api/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n{}", b"400"),
    ],
    ids=["long-request-line", "too-many-headers", "bad-content-length"],
)
def test_requests_gunicorn_refuses_before_django_are_the_documented_exceptions(frozen_server, request_bytes, status):
    base, _ = frozen_server
    answer = raw(int(base.rsplit(":", 1)[1]), request_bytes)
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert answer.startswith(b"HTTP/1.1 " + status) and b"content-type: text/html" in head
    assert b"x-request-id" not in head  # Django never saw it
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Security") :]
    for documented in ("8190", "100 header", "Content-Length", "gunicorn's own", "414", "431"):
        assert documented in section, documented
