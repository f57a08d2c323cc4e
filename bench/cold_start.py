"""Cold start: time from process start to the first 200 of a real API read, ``GET /api/games``.

Starts gunicorn with the settings `make run` and the image use (deploy/gunicorn.conf.py) against a DynamoDB Local it
starts itself, and, in the same run, a bare Django project under the same gunicorn options whose
``/api/games`` makes the same DynamoDB call (one Query on gsi2 ``FEED``, newest first, 20 items) and
answers JSON. Like the Lambda Web Adapter, the client first waits for ``/health`` to answer 200 (the
readiness check: the WSGI app is loaded, no DynamoDB call), then sends ``GET /api/games``. The
headline is process start -> that first 200; ``/health/ready`` (DescribeTable) is timed in a separate
start. The two projects start in pairs, back to back, alternating which goes first; it prints the
medians, their ratio, and the headline ratio: the median over the pairs of Duel Arena's time over the bare
project's (with its quartiles), which a slow moment of this shared machine moves less than the ratio of
medians. The target is Duel Arena within 1.5x of the bare project on the headline. Exit status 1 when
the target is missed.

    .venv/bin/python bench/cold_start.py [--runs 11] [--python PATH ...] [--image localhost/duelarena:smoke]

The servers run on each ``--python`` interpreter's gunicorn (both projects on the same one), by default
the one running the bench and, when `make test` has made it, ``.venv312`` (Python 3.12, the image's
Python, so what Lambda runs): the target is judged on 3.12 when it was measured. The servers run with
the function's task backend (``sqs``, as template.yaml sets it), so no in-process turn runner starts a
sweep beside the first request as it does under `make run`.

With ``--image`` (built by `make container-test`), it also starts the image's own entrypoint with
``buildah run --isolation chroot`` and reports its time to the first 200 on /health.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy import dynamodb_local  # noqa: E402

TARGET_RATIO = 1.5
APP_PACKAGES = ("duelarena", "accounts", "games", "llm", "deploy")
HEAVY_CHECK = (
    "import sys, duelarena.wsgi; "
    "print(sorted(m for m in ('openai', 'anthropic', 'chess', 'english_words') if m in sys.modules))"
)

BARE_SETTINGS = """
SECRET_KEY = "bench"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bareurls"
INSTALLED_APPS = []
DATABASES = {}
"""
BARE_URLS = """
import os
import boto3
from django.http import JsonResponse
from django.urls import path

_client = None

def health(request):
    return JsonResponse({"status": "ok"})

def ready(request):
    global _client
    if _client is None:
        _client = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])
    _client.describe_table(TableName=os.environ["DYNAMODB_TABLE"])
    return JsonResponse({"status": "ok"})

def games(request):
    global _client
    if _client is None:
        _client = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"])
    page = _client.query(
        TableName=os.environ["DYNAMODB_TABLE"], IndexName="gsi2", KeyConditionExpression="gsi2pk = :p",
        ExpressionAttributeValues={":p": {"S": "FEED"}}, ScanIndexForward=False, Limit=20,
    )
    return JsonResponse({"items": page["Items"], "next_cursor": None})

urlpatterns = [path("health", health), path("health/ready", ready), path("api/games", games)]
"""


def wait_for(url: str, proc: subprocess.Popen, started: float, timeout: float = 30.0) -> float:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early ({url})")
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"no 200 from {url} within {timeout}s")
        time.sleep(0.005)


API_PATH = "/api/games"


def _start(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, str, float]:
    port = dynamodb_local.free_port()
    cmd = [c.replace("$PORT", str(port)) for c in cmd]
    env = dict(env, PORT=str(port), HOST="127.0.0.1")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}", started


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """(first /health 200, then the first /api/games 200; and, in a second start, /health/ready)."""
    proc, base, started = _start(cmd, env, cwd)
    try:
        health = wait_for(base + "/health", proc, started)
        first_api = wait_for(base + API_PATH, proc, started)
    finally:
        proc.terminate()
        proc.wait(10)
    proc, base, started = _start(cmd, env, cwd)
    try:
        ready = wait_for(base + "/health/ready", proc, started)
    finally:
        proc.terminate()
        proc.wait(10)
    return health, first_api, ready


def measure_image(image: str) -> float:
    port = dynamodb_local.free_port()
    ctr = subprocess.run(["buildah", "from", image], check=True, capture_output=True, text=True).stdout.strip()
    env = {
        "DUELARENA_ENV": "production",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 60,
        "JWT_SIGNING_KEY": "j" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    cmd = [
        "buildah",
        "run",
        "--isolation",
        "chroot",
        *[a for k, v in env.items() for a in ("--env", f"{k}={v}")],
        ctr,
        "--",
        "/opt/venv/bin/python",
        "deploy/entrypoint.py",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return wait_for(f"http://127.0.0.1:{port}/health", proc, started, timeout=60)
    finally:
        proc.terminate()
        proc.wait(10)
        subprocess.run(["buildah", "rm", ctr], capture_output=True)


def python_version(python: str) -> str:
    """``python``'s major.minor version, e.g. "3.12"."""
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True)
    return out.stdout.decode().strip()


def measure_both(
    python: str, env: dict[str, str], bare: Path, runs: int
) -> dict[str, list[tuple[float, float, float]]]:
    """Start the bare project and Duel Arena ``runs`` times each, interleaved so that machine noise hits
    both alike, on ``python``'s gunicorn."""
    # The app's bytecode, fresh, as the image ships it (Dockerfile) and `make run` refreshes it: a module
    # edited since the venv was compiled would otherwise be compiled from source at every start.
    subprocess.run([python, "-m", "compileall", "-q", *APP_PACKAGES], cwd=REPO, check=True, capture_output=True)
    gunicorn = str(Path(python).parent / "gunicorn")
    bare_cmd = [
        gunicorn,
        "--worker-class",
        "sync",
        "--workers",
        "1",
        "--keep-alive",
        "0",
        "--bind",
        "127.0.0.1:$PORT",
        "django.core.wsgi:get_wsgi_application()",
    ]
    arena_cmd = [gunicorn, "-c", "deploy/gunicorn.conf.py"]
    arena_env = dict(env, DJANGO_SETTINGS_MODULE="duelarena.settings", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    bare_env = dict(env, DJANGO_SETTINGS_MODULE="baresettings", PYTHONPATH=str(bare))
    results: dict[str, list[tuple[float, float, float]]] = {"duelarena": [], "bare django": []}
    for run in range(runs):
        # Pairs, alternating which project starts first, so that neither always follows the other.
        pair = [("bare django", bare_cmd, bare_env, bare), ("duelarena", arena_cmd, arena_env, REPO)]
        for name, cmd, cmd_env, cwd in pair if run % 2 == 0 else reversed(pair):
            results[name].append(measure(cmd, cmd_env, cwd))
    return results


def paired_ratios(runs_of: dict[str, list[tuple[float, float, float]]], column: int) -> list[float]:
    """Duel Arena over the bare project, start by start (the two starts of a pair ran back to back, so a
    slow moment of the machine hits both): steadier than the ratio of the two medians."""
    return sorted(a[column] / b[column] for a, b in zip(runs_of["duelarena"], runs_of["bare django"], strict=True))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--image", help="also time this image (buildah run) to its first /health 200")
    parser.add_argument("--python", action="append", help="run the servers on this venv's interpreter (repeatable)")
    args = parser.parse_args()
    pythons = args.python or [sys.executable] + [str(p) for p in [REPO / ".venv312/bin/python"] if p.exists()]
    rows = [(python_version(py), py) for py in pythons]
    port = dynamodb_local.free_port()
    ddb = dynamodb_local.start(port, None)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DYNAMODB_ENDPOINT_URL=dynamodb_local.endpoint(port),
            DYNAMODB_TABLE="bench-cold-start",
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - DynamoDB Local accepts anything
            AWS_DEFAULT_REGION="us-east-1",
            AWS_REGION="us-east-1",
            DJANGO_DEBUG="0",
            WEB_CONCURRENCY="1",
            # As the function runs (template.yaml): turns go to SQS, so no in-process turn runner starts
            # its sweep beside the first request. The queue is never called by the reads timed here.
            TASK_BACKEND="sqs",
            TURN_QUEUE_URL="http://127.0.0.1:9/000000000000/bench-turns",
        )
        subprocess.run(
            [sys.executable, "manage.py", "dynamodb", "create-table"],
            cwd=REPO,
            env=dict(env, DJANGO_SETTINGS_MODULE="duelarena.settings"),
            check=True,
            capture_output=True,
        )
        with tempfile.TemporaryDirectory() as bare_dir:
            bare = Path(bare_dir)
            (bare / "baresettings.py").write_text(textwrap.dedent(BARE_SETTINGS))
            (bare / "bareurls.py").write_text(textwrap.dedent(BARE_URLS))
            results = {version: measure_both(python, env, bare, args.runs) for version, python in rows}
    finally:
        dynamodb_local.stop_process(ddb)

    print(f"cold start, median of {args.runs} runs (process start -> first 200)")
    print(f"{'':22} {'GET /api/games':>15} {'(/health first)':>16} {'/health/ready':>14}")
    verdicts = {}
    for version, runs_of in results.items():
        medians = {
            name: tuple(statistics.median(r[i] for r in runs) for i in range(3)) for name, runs in runs_of.items()
        }
        for name, (health, first_api, ready) in medians.items():
            print(f"{name + ' ' + version:22} {first_api:14.3f}s {health:15.3f}s {ready:13.3f}s")
        ratios = [medians["duelarena"][i] / medians["bare django"][i] for i in range(3)]
        print(f"{'ratio of medians ' + version:22} {ratios[1]:14.2f}x {ratios[0]:15.2f}x {ratios[2]:13.2f}x")
        paired = [paired_ratios(runs_of, i) for i in range(3)]
        headline = statistics.median(paired[1])
        quartiles = statistics.quantiles(paired[1], n=4) if len(paired[1]) > 1 else [headline] * 3
        verdicts[version] = headline <= TARGET_RATIO
        print(
            f"{'paired ratio ' + version:22} {headline:14.2f}x {statistics.median(paired[0]):15.2f}x "
            f"{statistics.median(paired[2]):13.2f}x   (headline: GET /api/games, median of the {len(paired[1])} "
            f"pairs, quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}x; target <= {TARGET_RATIO}x)"
        )
    if args.image:
        image_times = [measure_image(args.image) for _ in range(args.runs)]
        print(f"{'image':22} {statistics.median(image_times):9.3f}s {'':>14}   (buildah run, /health only)")
    heavy = subprocess.run(
        [sys.executable, "-c", HEAVY_CHECK],
        cwd=REPO,
        env=dict(env, DJANGO_SETTINGS_MODULE="duelarena.settings"),
        capture_output=True,
        text=True,
    )
    print(f"heavy SDKs loaded at start: {heavy.stdout.strip() or heavy.stderr.strip()[-200:]}")
    judged = next((v for v in verdicts if v.startswith("3.12")), next(iter(verdicts)))
    return 0 if verdicts[judged] else 1


if __name__ == "__main__":
    sys.exit(main())
