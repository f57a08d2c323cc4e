"""Run DynamoDB Local (AWS's emulator) for `make run` and the integration tests.

The emulator ships inside the npm package ``amplify-dynamodb-simulator`` (folder ``emulator/``:
DynamoDBLocal.jar plus native sqlite4java libraries). ``fetch`` downloads the pinned package once
with ``npm pack`` into a cache outside the clone (``$DUELARENA_CACHE`` or ~/.cache/duelarena), so
fresh clones reuse it. Standard library only: it runs before and outside the virtualenv too.

    python deploy/dynamodb_local.py fetch
    python deploy/dynamodb_local.py start [--port 8001] [--data .data/dynamodb]   # background, waits
    python deploy/dynamodb_local.py stop  [--port 8001]
    python deploy/dynamodb_local.py run   [--port 8001]                           # foreground
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PACKAGE = "amplify-dynamodb-simulator"
VERSION = "2.9.30"  # verified: bundles DynamoDB Local 1.25.1
REPO = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8001
DEFAULT_DATA = REPO / ".data" / "dynamodb"
PID_DIR = REPO / ".data"


class Missing(RuntimeError):
    """A prerequisite (Java 17+, npm) is not installed: the message says what to install."""


def cache_dir() -> Path:
    base = os.environ.get("DUELARENA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "duelarena"
    )
    return Path(base) / f"{PACKAGE}-{VERSION}"


def emulator_dir() -> Path:
    return cache_dir() / "emulator"


def check_java() -> str:
    java = shutil.which("java")
    if not java:
        raise Missing(
            "Java 17+ is required for DynamoDB Local and was not found on PATH. "
            "Install it, e.g. `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) "
            "or `brew install openjdk@17` (macOS)."
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', out)
    major = int(match.group(1)) if match else 0
    if major < 17:
        raise Missing(f"DynamoDB Local needs Java 17+, found: {out.splitlines()[0] if out else 'unknown'}")
    return java


def fetch() -> Path:
    """Download and unpack the emulator once (idempotent; safe when several processes race)."""
    target = emulator_dir()
    if (target / "DynamoDBLocal.jar").exists():
        return target
    npm = shutil.which("npm")
    if not npm:
        raise Missing(
            "npm is required once to download DynamoDB Local (package amplify-dynamodb-simulator). "
            "Install Node.js with npm, e.g. `sudo apt-get install -y npm` or from https://nodejs.org."
        )
    cache_dir().parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir().parent) as tmp:
        subprocess.run(
            [npm, "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL
        )
        tarball = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
            archive.extractall(tmp, members=members, filter="data")
        staged = Path(tmp) / "package"
        try:
            staged.rename(cache_dir())
        except OSError:
            if not (target / "DynamoDBLocal.jar").exists():  # someone else won the race: fine
                raise
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def endpoint(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def answers(port: int) -> bool:
    try:
        urllib.request.urlopen(endpoint(port), timeout=1)
    except urllib.error.HTTPError:
        return True  # DynamoDB answers GET / with 400: it is up
    except OSError:
        return False
    return True


def command(port: int, data_dir: Path | None) -> list[str]:
    java = check_java()
    emu = fetch()
    cmd = [java, f"-Djava.library.path={emu / 'DynamoDBLocal_lib'}", "-jar", str(emu / "DynamoDBLocal.jar")]
    # -sharedDb: every access key/region sees the same tables. DynamoDB Local has no bind-address
    # option (it listens on all interfaces); clients here only ever use 127.0.0.1, and data is local
    # dev data. -disableTelemetry: it would otherwise try to report usage over the network.
    cmd += ["-port", str(port), "-sharedDb", "-disableTelemetry"]
    if data_dir is None:
        cmd.append("-inMemory")
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        cmd += ["-dbPath", str(data_dir)]
    return cmd


def start(port: int, data_dir: Path | None, *, timeout: float = 60.0, log: Path | None = None) -> subprocess.Popen:
    """Start in the background and wait until it answers. The caller owns the process."""
    if answers(port):
        raise RuntimeError(f"port {port} is already in use; stop the other process or pick --port")
    out = open(log, "ab") if log else subprocess.DEVNULL
    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Djava.net.preferIPv4Stack=true")
    # cwd: DynamoDB Local writes a metadata file into its working directory even in memory.
    workdir = data_dir or Path(tempfile.gettempdir())
    proc = subprocess.Popen(
        command(port, data_dir), stdout=out, stderr=out, env=env, cwd=workdir, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited with {proc.returncode}" + (f"; see {log}" if log else ""))
        if answers(port):
            return proc
        time.sleep(0.2)
    stop_process(proc)
    raise RuntimeError(f"DynamoDB Local did not answer on port {port} within {timeout:.0f}s")


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _pid_file(port: int) -> Path:
    return PID_DIR / f"dynamodb-local-{port}.pid"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["fetch", "start", "stop", "run", "status"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("DYNAMODB_LOCAL_PORT", DEFAULT_PORT)))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder for persisted data")
    parser.add_argument("--in-memory", action="store_true", help="keep nothing on disk")
    args = parser.parse_args(argv)
    data = None if args.in_memory else args.data
    try:
        if args.action == "fetch":
            print(f"DynamoDB Local ready in {fetch()}")
        elif args.action == "status":
            print("running" if answers(args.port) else "stopped")
            return 0 if answers(args.port) else 1
        elif args.action == "start":
            if answers(args.port):
                print(f"DynamoDB Local already answers at {endpoint(args.port)}")
                return 0
            PID_DIR.mkdir(parents=True, exist_ok=True)
            proc = start(args.port, data, log=PID_DIR / "dynamodb-local.log")
            _pid_file(args.port).write_text(str(proc.pid))
            print(f"DynamoDB Local at {endpoint(args.port)} (pid {proc.pid}, data {data or 'in memory'})")
        elif args.action == "stop":
            pid_file = _pid_file(args.port)
            if pid_file.exists():
                try:
                    os.killpg(int(pid_file.read_text()), signal.SIGTERM)
                except ProcessLookupError:
                    pass
                pid_file.unlink()
                print("DynamoDB Local stopped")
        elif args.action == "run":
            proc = subprocess.Popen(command(args.port, data), cwd=data or tempfile.gettempdir())

            def forward(signum: int, _frame: object) -> None:
                proc.send_signal(signum)

            signal.signal(signal.SIGTERM, forward)
            signal.signal(signal.SIGINT, forward)
            return proc.wait()
    except Missing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
