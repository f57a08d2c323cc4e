"""Start the app as a real server for e2e and contract tests, the one way every such test does it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from deploy import dynamodb_local

REPO = Path(__file__).resolve().parent.parent


def create_table(env: dict[str, str]) -> None:
    """`manage.py dynamodb create-table` with the server's environment."""
    subprocess.run(
        [sys.executable, "manage.py", "dynamodb", "create-table"], cwd=REPO, env=env, check=True, capture_output=True
    )


def start_server(env: dict[str, str], *, log_name: str, entrypoint: bool = False) -> tuple[subprocess.Popen, str]:
    """gunicorn with deploy/gunicorn.conf.py on a free loopback port, or, with ``entrypoint``, exactly as
    the image starts it (deploy/entrypoint.py). Returns once ``/health`` answers; the readiness check is
    sent the way LWA sends it (Host 127.0.0.1:PORT, which urllib does for a loopback URL)."""
    port = dynamodb_local.free_port()
    env = dict(env, PORT=str(port), HOST="127.0.0.1")
    env.setdefault("WEB_CONCURRENCY", "2")
    command = (
        [sys.executable, "deploy/entrypoint.py"]
        if entrypoint
        else [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
    )
    log_dir = REPO / ".data"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / log_name, "ab") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"the server did not become ready; see .data/{log_name}") from None
            time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
