"""What the turn and engine functions really need: memory (RSS) and CPU time of the image's processes
while they play.

Starts the app twice, exactly as the image starts it on the turn function and on the engine function
(deploy/entrypoint.py execs gunicorn with deploy/gunicorn.conf.py; ``AWS_LAMBDA_FUNCTION_NAME`` set, so
one sync worker; production settings; ``TASK_BACKEND=sqs``; both with ``ENGINE_QUEUE_URL``, the engine
one with ``ENGINE_WORKER`` on), against its own DynamoDB Local, a local SQS stand-in with the two queues
and the fake OpenAI-compatible server (tests/fakes/openai_server.py). Then it plays, one turn per
``/events`` request as the Lambda Web Adapter forwards an SQS message (``deploy.lwa.from_sqs_batch``),
the turn queue's messages to the turn function and the engine queue's to the engine function:

- a game of every type with a model seat (the fake) against the game's built-in bot (chess and
  tic-tac-toe end with their move analysis: chess by Stockfish on the engine function, tic-tac-toe's
  minimax on the turn function);
- a chess game of the model against ``builtin:stockfish-<elo>`` (the Stockfish player's turns on the
  engine function, then the game's analysis);
- five games at once (one of them against Stockfish), their messages in batches of up to five records,
  the template's ``BatchSize`` (the records of a batch are played concurrently).

With ``--one-function`` everything runs on one server without an engine queue, as before issue 15's
fifth round (the turn function then needed memory for Stockfish).

A sampler reads every process of each tree (the gunicorn master, its worker, the Stockfish child) from
/proc every 20 ms: their RSS together (the peak of the sum), and at the end each one's own peak
(``VmHWM``) and PSS (pages shared by the forked worker and the master counted once). CPU time per
``/events`` request is the worker's and Stockfish's user + system time over it (not wall time: the
machine is shared; clock ticks, so 10 ms steps). The Lambda Web Adapter extension is not run here:
``--lwa-mb`` (default 20, the top of the 10-20 MB it takes) is added to the peak, and so is what the
Anthropic SDK and a Bedrock client add to a turn worker (measured apart; the fake model loads neither;
the engine function calls no model).

Lambda gives a function CPU in proportion to its memory (1,769 MB = one vCPU), so the table at the end
says, for each candidate size, what a turn's CPU time becomes in wall time, and the smallest size that
keeps ``--margin`` (default 1.3) x the peak.

    .venv/bin/python bench/turn_memory.py [--lwa-mb 20] [--margin 1.3] [--elo 1350] [--one-function] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The same games, bots and model seat as the cost bench (one mix for both benches).
from bench.cost import BOTS, GAME_TYPES, MODEL  # noqa: E402
from deploy import dynamodb_local, lwa  # noqa: E402
from deploy.web_client import call  # noqa: E402

KEY_NAME, KEY = "FAKE_KEY", "bench-endpoint-key-0123456789"
API_DOMAIN = "bench.example.com"
MB_PER_VCPU = 1769  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
CANDIDATES_MB = (256, 320, 384, 448, 512)
ENGINE_CANDIDATES_MB = (512, 1024, 1769)
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


# ------------------------------------------------------------------------------------ /proc readers


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += children(current)
    return pids


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_KB
    except OSError:
        return 0


def status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rollup_kb(pid: int, *names: str) -> int:
    """The sum of ``names`` (``Pss``, ``Shared_Clean``...) from /proc/<pid>/smaps_rollup."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in names:
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (its own threads; reaped children are not counted)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except OSError:
        return 0.0


def command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def role(pid: int, master: int) -> str:
    if pid == master:
        return "gunicorn master"
    text = command(pid)
    if "stockfish" in text:
        return "stockfish"
    return "gunicorn worker" if "gunicorn" in text or "python" in text else text[:40]


class Sampler(threading.Thread):
    """The peak of the tree's summed RSS, sampled every ``interval`` seconds; the phase it happened in."""

    def __init__(self, master: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.master, self.interval = master, interval
        self.peak_kb, self.peak_phase, self.phase = 0, "", "start"
        self.peak_by_phase: dict[str, int] = {}
        self.seen: dict[int, str] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = tree(self.master)
            for pid in pids:
                self.seen.setdefault(pid, role(pid, self.master))
            total = sum(rss_kb(p) for p in pids)
            if total > self.peak_kb:
                self.peak_kb, self.peak_phase = total, self.phase
            self.peak_by_phase[self.phase] = max(self.peak_by_phase.get(self.phase, 0), total)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# ------------------------------------------------------------------------------------------- play


@dataclass
class Phase:
    name: str
    turns: int = 0
    model_calls: int = 0
    cpu: list[float] = field(default_factory=list)  # CPU seconds per /events request (turn function)
    wall: list[float] = field(default_factory=list)
    analysed: bool = False
    engine_requests: int = 0
    engine_cpu: list[float] = field(default_factory=list)  # the same on the engine function


@dataclass
class Function:
    """One gunicorn started as the image starts it, standing for one Lambda function."""

    name: str
    proc: Any
    base: str
    master: int
    sampler: Sampler
    started_kb: dict[str, int]


def worker_of(master: int) -> int:
    for pid in children(master):
        if "stockfish" not in command(pid):
            return pid
    raise RuntimeError("no gunicorn worker")


def tree_cpu(master: int) -> float:
    """CPU seconds of the worker and its children (Stockfish), not the idle master."""
    return sum(cpu_seconds(p) for p in tree(worker_of(master)))


def sqs_event(messages: list[dict]) -> dict:
    from deploy.tests.test_lwa_sqs import sqs_event as build

    return build(messages)


def deliver(function: Function, batch: list[dict]) -> tuple[set[str], float, float]:
    """POST one batch to the function's ``/events`` as LWA does: the failed message ids, CPU and wall seconds."""
    cpu, started = tree_cpu(function.master), time.perf_counter()
    forwarded = lwa.from_sqs_batch(sqs_event(batch))
    reply = call(
        forwarded.method, function.base + forwarded.path, raw=forwarded.body, headers=forwarded.headers, timeout=900
    )
    wall, used = time.perf_counter() - started, tree_cpu(function.master) - cpu
    assert reply.status == 200, reply.body[:300]
    return {f["itemIdentifier"] for f in reply.json()["batchItemFailures"]}, used, wall


def play(
    turns: Function,
    engine_fn: Function | None,
    engine_url: str,
    token: str,
    sqs: Any,
    fake: Any,
    name: str,
    games: list[dict],
    batch_size: int = 1,
) -> Phase:
    """Start ``games`` on autoplay and feed the queues' messages to ``/events`` until they are over, up to
    ``batch_size`` messages an invocation (the event source mapping's BatchSize is 5 in template.yaml;
    the records of one batch are played concurrently, ``TURN_BATCH_WORKERS``): the turn queue's to
    ``turns``, the engine queue's to ``engine_fn``. Messages reported as failed come back later, as SQS
    would redeliver them."""
    phase = Phase(name)
    base = turns.base
    for function in (turns, engine_fn):
        if function is not None:
            function.sampler.phase = name
    # As API Gateway and LWA forward it: HTTPS (trusted from loopback), the API domain.
    auth = {
        "Authorization": f"Bearer {token}",
        "Host": API_DOMAIN,
        "X-Forwarded-Proto": "https",
        "Content-Type": "application/json",
    }
    ids = []
    for game in games:
        reply = call("POST", base + "/api/games", game, headers=auth)
        assert reply.status == 201, reply.body[:300]
        ids.append(reply.json()["id"])
        reply = call("POST", f"{base}/api/games/{ids[-1]}/autoplay", headers=auth)
        assert reply.status == 200, reply.body[:300]
    pending: list[dict] = []
    pending_engine: list[dict] = []
    idle = 0
    while idle < 20:
        pending += sqs.take()
        if engine_fn is not None:
            pending_engine += sqs.take(engine_url)
        if not pending and not pending_engine:
            idle += 1
            time.sleep(0.05)
            continue
        idle = 0
        if pending:
            batch, pending = pending[:batch_size], pending[batch_size:]
            served = len(fake.served())
            failed, cpu, wall = deliver(turns, batch)
            phase.wall.append(wall)
            phase.cpu.append(cpu)
            pending += [m for m in batch if m["MessageId"] in failed]
            phase.turns += len(batch) - len(failed)
            phase.model_calls += len(fake.served()) - served
            if failed:
                time.sleep(0.2)
        if pending_engine and engine_fn is not None:
            batch, pending_engine = pending_engine[:batch_size], pending_engine[batch_size:]
            failed, cpu, _ = deliver(engine_fn, batch)
            phase.engine_cpu.append(cpu)
            phase.engine_requests += 1
            pending_engine += [m for m in batch if m["MessageId"] in failed]
            if failed:
                time.sleep(0.2)
    analysed = []
    for game_id in ids:
        state = call("GET", f"{base}/api/games/{game_id}", headers=auth).json()
        assert state["status"] != "live", f"{name}: a game did not end ({state.get('pause_reason')})"
        analysed.append(bool(state.get("analysis")))
    phase.analysed = any(analysed)
    return phase


SDK_PROBE = """
import resource, sys
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_KB
import boto3, openai
openai.OpenAI(api_key="x", base_url="http://127.0.0.1:9/v1")
boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
before = rss()
import anthropic
anthropic.Anthropic(api_key="x")
boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
print((rss() - before) / 1024)
"""


def unmeasured_sdks_mb() -> float:
    """RSS the Anthropic SDK and a Bedrock runtime client add to a process that already has the OpenAI SDK
    and boto3 (the fake model loads only those): a worker whose games use every provider holds them all."""
    code = f"PAGE_KB = {PAGE_KB}\n" + SDK_PROBE
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


# ------------------------------------------------------------------------------------------- main


def start_function(name: str, env: dict[str, str]) -> Function:
    from tests.servers import start_server

    proc, base = start_server(env, log_name=f"turn-memory-{name}.log", entrypoint=True)
    master = proc.pid  # the entrypoint execs gunicorn: the same process
    sampler = Sampler(master)
    sampler.start()
    time.sleep(0.5)
    return Function(name, proc, base, master, sampler, {role(p, master): rss_kb(p) for p in tree(master)})


def final_figures(function: Function) -> dict[int, dict[str, Any]]:
    master = function.master
    return {
        pid: {
            "role": role(pid, master),
            "rss_mb": rss_kb(pid) / 1024,
            "peak_rss_mb": status_kb(pid, "VmHWM") / 1024,
            "pss_mb": rollup_kb(pid, "Pss") / 1024,
            "shared_mb": rollup_kb(pid, "Shared_Clean", "Shared_Dirty") / 1024,
        }
        for pid in tree(master)
    }


def report(
    function: Function, final: dict[int, dict[str, Any]], extra_mb: float, extra_label: str, args: Any
) -> dict[str, Any]:
    """Print one function's memory figures; what it needs, and the smallest size with the margin."""
    sampler = function.sampler
    peak_sum_mb = sampler.peak_kb / 1024
    hwm_sum_mb = sum(p["peak_rss_mb"] for p in final.values())
    pss_mb = sum(p["pss_mb"] for p in final.values())
    # The worker is a fork of the master (which does not load the app): the pages the master shares are the
    # worker's too, and a Lambda sandbox's memory counts each page once.
    master_shared_mb = next(p["shared_mb"] for p in final.values() if p["role"] == "gunicorn master")
    peak_once_mb = max(peak_sum_mb, hwm_sum_mb) - master_shared_mb
    need_mb = peak_once_mb + extra_mb + args.lwa_mb
    smallest = min(10240, max(128, math.ceil(need_mb * args.margin / args.step) * args.step))
    print(f"{function.name} function memory, measured (gunicorn as the image runs it, one worker, DynamoDB Local)")
    print(f"  at start: {', '.join(f'{r} {kb / 1024:.0f} MB' for r, kb in function.started_kb.items())}")
    print(f"  {'process':18} {'RSS now':>8} {'peak RSS':>9} {'PSS now':>8}")
    for p in final.values():
        print(f"  {p['role']:18} {p['rss_mb']:7.0f}M {p['peak_rss_mb']:8.0f}M {p['pss_mb']:7.0f}M")
    print(
        f"  peak of the summed RSS (sampled every 20 ms): {peak_sum_mb:.0f} MB, during '{sampler.peak_phase}'; "
        f"sum of each process's peak: {hwm_sum_mb:.0f} MB; PSS at the end: {pss_mb:.0f} MB"
    )
    print(f"  the peak with the master's shared pages counted once (they are the worker's too): {peak_once_mb:.0f} MB")
    print(
        f"  + {extra_label} {extra_mb:.0f} MB + Lambda Web Adapter (assumed) {args.lwa_mb:.0f} MB"
        f" = {need_mb:.0f} MB needed"
    )
    print(
        f"  smallest size with {args.margin:g}x the need: {need_mb:.0f} x {args.margin:g} = "
        f"{need_mb * args.margin:.0f} MB -> {smallest} MB (rounded up to {args.step} MB; Lambda takes 1 MB steps)"
    )
    return {
        "peak_sum_rss_mb": peak_sum_mb,
        "sum_peak_rss_mb": hwm_sum_mb,
        "pss_mb": pss_mb,
        "peak_counted_once_mb": peak_once_mb,
        "worker_peak_rss_mb": max(
            (p["peak_rss_mb"] for p in final.values() if p["role"] == "gunicorn worker"), default=0
        ),
        "stockfish_peak_rss_mb": sum(p["peak_rss_mb"] for p in final.values() if p["role"] == "stockfish"),
        "lwa_mb": args.lwa_mb,
        "unmeasured_sdks_mb": extra_mb,
        "need_mb": need_mb,
        "margin": args.margin,
        "smallest_mb": smallest,
        "processes": list(final.values()),
    }


def cpu_table(label: str, typical: float, heaviest: float, candidates: tuple[int, ...]) -> list[dict[str, float]]:
    print(f"  {label}: CPU share and what it does to a request ({MB_PER_VCPU} MB = 1 vCPU; time = CPU time / share):")
    print(
        f"  {'memory':>7} {'vCPU':>5} {'typical p50':>14} {'heaviest request':>16}  (CPU time on a full core: "
        f"{typical * 1000:.0f} ms, {heaviest * 1000:.0f} ms)"
    )
    sizes = []
    for mb in candidates:
        share = min(1.0, mb / MB_PER_VCPU)
        sizes.append({"mb": mb, "vcpu": share, "typical_ms": typical / share * 1000, "heaviest_s": heaviest / share})
        print(f"  {mb:5d}MB {share:5.2f} {typical / share * 1000:12.0f}ms {heaviest / share:15.1f}s")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lwa-mb", type=float, default=20.0, help="the Lambda Web Adapter extension's RSS (assumed)")
    parser.add_argument("--margin", type=float, default=1.3, help="memory to keep over the measured need (x)")
    parser.add_argument("--step", type=int, default=16, help="round the chosen size up to this many MB")
    parser.add_argument("--elo", type=int, default=1350, help="the Stockfish player's level")
    parser.add_argument(
        "--one-function", action="store_true", help="no engine queue: the turn function also runs Stockfish"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()

    from deploy.tests.test_lwa_sqs import SQSStandIn
    from games import engine
    from tests.fakes.openai_server import FakeOpenAI

    if not engine.available():
        print("stockfish not found (make stockfish): measured without it, so the peak is too low", file=sys.stderr)
    from tests.servers import create_table, stop_server

    port = dynamodb_local.free_port()
    ddb = dynamodb_local.start(port, None)
    sqs = SQSStandIn()
    engine_url = sqs.add_queue("duelarena-bench-engine")
    threading.Thread(target=sqs.serve_forever, daemon=True).start()
    fake = FakeOpenAI(api_key=KEY, seed=7).start()
    static = tempfile.mkdtemp(prefix="turn-memory-static-")
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "STOCKFISH_PATH")},
        "DUELARENA_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-turn-memory-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "JWT_SIGNING_KEY": "bench-turn-memory-jwt-key-0123456789-abcdefghij",
        "DJANGO_ALLOWED_HOSTS": API_DOMAIN,
        "STATIC_ROOT": static,
        "AWS_LAMBDA_FUNCTION_NAME": "duelarena-bench-turns",  # gunicorn: one worker, as on Lambda
        "DYNAMODB_ENDPOINT_URL": dynamodb_local.endpoint(port),
        "DYNAMODB_TABLE": f"turn-memory-{uuid.uuid4().hex[:8]}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TASK_BACKEND": "sqs",
        "TURN_QUEUE_URL": sqs.queue_url,
        "ENGINE_QUEUE_URL": "" if args.one_function else engine_url,
        "SQS_ENDPOINT_URL": sqs.endpoint,
        "TURN_WORKER_SECONDS": "900",
        "GUNICORN_TIMEOUT": "900",
        "LLM_ENDPOINTS": json.dumps({"fake": {"base_url": fake.base_url, "api_key_env": KEY_NAME, "models": ["seat"]}}),
        "LLM_PRICES": json.dumps({MODEL: ["0.40", "1.60"]}),
        KEY_NAME: KEY,
    }
    turns: Function | None = None
    engine_fn: Function | None = None
    try:
        create_table(env)
        issued = subprocess.run(
            [sys.executable, "manage.py", "issuetoken", "--email", "bench-memory@example.com", "--lifetime", "2h"],
            cwd=REPO,
            env=dict(env, DUELARENA_ENV="local"),  # a development command; same table and JWT key
            capture_output=True,
            text=True,
        )
        if issued.returncode:
            raise RuntimeError(f"issuetoken failed: {issued.stderr[-500:]}")
        token = issued.stdout.strip()
        turns = start_function("Turn", env)
        if not args.one_function:
            engine_env = dict(env, ENGINE_WORKER="true", AWS_LAMBDA_FUNCTION_NAME="duelarena-bench-engine")
            engine_fn = start_function("Engine", engine_env)
        phases = []
        mixed = []

        def run(name: str, games: list[dict], batch_size: int = 1) -> None:
            assert turns is not None
            phases.append(play(turns, engine_fn, engine_url, token, sqs, fake, name, games, batch_size))

        for n, game_type in enumerate(GAME_TYPES):
            options = {"legal_moves_hint": True, "seed": 2000 + n}
            game = {"game_type": game_type, "white_model": MODEL, "black_model": BOTS[game_type], "options": options}
            run(game_type, [game])
            mixed.append({**game, "options": {**options, "seed": 3000 + n}})
        if engine.available():
            stockfish_player = f"builtin:stockfish-{args.elo}"
            options = {"legal_moves_hint": True, "seed": 2100}
            game = {"game_type": "chess", "white_model": MODEL, "black_model": stockfish_player, "options": options}
            run(f"chess vs {stockfish_player}", [game])
            # Five games at once, one of them against Stockfish.
            mixed[0] = {**game, "options": {**options, "seed": 3100}}
        # Batches of up to 5 records (the template's BatchSize), played concurrently.
        run("5 games, batches of 5", mixed, batch_size=5)
        functions = [f for f in (turns, engine_fn) if f is not None]
        for function in functions:
            function.sampler.stop()
        finals = {f.name: final_figures(f) for f in functions}
    finally:
        for function in (turns, engine_fn):
            if function is not None:
                stop_server(function.proc)
        fake.stop()
        sqs.shutdown()
        dynamodb_local.stop_process(ddb)

    figures: dict[str, Any] = {}
    figures["turn"] = report(
        turns, finals["Turn"], unmeasured_sdks_mb(), "the Anthropic SDK and a Bedrock client (measured apart)", args
    )
    if engine_fn is not None:
        print()
        figures["engine"] = report(engine_fn, finals["Engine"], 0.0, "no model SDK (the engine calls no model)", args)
    print()
    print(
        f"  {'phase':32} {'turns':>5} {'model':>5} {'turn MB':>7} {'CPU ms/request p50':>18} {'p95':>6} {'max':>7} "
        f"{'engine req':>10} {'engine MB':>9} {'engine CPU max ms':>17} {'analysed':>8}"
    )
    all_cpu: list[float] = []
    engine_cpu: list[float] = []
    figures_phases = []
    for ph in phases:
        cpu = sorted(ph.cpu) or [0.0]
        all_cpu += ph.cpu
        engine_cpu += ph.engine_cpu
        p95 = cpu[min(len(cpu) - 1, int(0.95 * len(cpu)))]
        turn_peak = turns.sampler.peak_by_phase.get(ph.name, 0) / 1024
        engine_peak = engine_fn.sampler.peak_by_phase.get(ph.name, 0) / 1024 if engine_fn else 0.0
        engine_max = max(ph.engine_cpu, default=0.0)
        print(
            f"  {ph.name:32} {ph.turns:5d} {ph.model_calls:5d} {turn_peak:7.0f} "
            f"{statistics.median(cpu) * 1000:18.1f} {p95 * 1000:6.1f} {max(cpu) * 1000:7.0f} "
            f"{ph.engine_requests:10d} {engine_peak:9.0f} {engine_max * 1000:17.0f} {ph.analysed!s:>8}"
        )
        figures_phases.append(
            {
                "name": ph.name,
                "turns": ph.turns,
                "model_calls": ph.model_calls,
                "peak_mb": turn_peak,
                "cpu_ms_p50": statistics.median(cpu) * 1000,
                "cpu_ms_p95": p95 * 1000,
                "cpu_ms_max": max(cpu) * 1000,
                "engine_requests": ph.engine_requests,
                "engine_peak_mb": engine_peak,
                "engine_cpu_ms_max": engine_max * 1000,
                "analysed": ph.analysed,
            }
        )
    print()
    model_turn_cpu = statistics.median([c for ph in phases[: len(GAME_TYPES)] for c in ph.cpu])
    smallest = figures["turn"]["smallest_mb"]
    figures["turn"]["sizes"] = cpu_table(
        "turn function", model_turn_cpu, max(all_cpu), tuple(sorted({*CANDIDATES_MB, smallest}))
    )
    if engine_cpu:
        figures["engine"]["sizes"] = cpu_table(
            "engine function", statistics.median(engine_cpu), max(engine_cpu), ENGINE_CANDIDATES_MB
        )
    figures["phases"] = figures_phases
    if args.json:
        print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
