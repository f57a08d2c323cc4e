"""Run the built image with `buildah run --isolation chroot` (host network) against a DynamoDB Local
and check it through its own gunicorn. Called by deploy/container_smoke.sh."""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy import dynamodb_local  # noqa: E402
from deploy.web_client import call, cookies_from  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--expect-312", action="store_true", help="fail unless the image runs Python 3.12")
    args = parser.parse_args()

    ddb_port, port = dynamodb_local.free_port(), dynamodb_local.free_port()
    ddb = dynamodb_local.start(ddb_port, None)
    ctr = subprocess.run(["buildah", "from", args.image], check=True, capture_output=True, text=True).stdout.strip()
    env = {
        "DUELARENA_ENV": "production",
        "DJANGO_DEBUG": "0",
        # Throwaway keys made for this run: production refuses every key written in the repository.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DYNAMODB_ENDPOINT_URL": dynamodb_local.endpoint(ddb_port),
        "DYNAMODB_TABLE": "smoke",
        "AWS_ACCESS_KEY_ID": "smoke",
        "AWS_SECRET_ACCESS_KEY": "smoke",
        "AWS_REGION": "us-east-1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    env_args = [a for k, v in env.items() for a in ("--env", f"{k}={v}")]
    run = ["buildah", "run", "--isolation", "chroot", *env_args, ctr, "--"]
    server = None
    try:
        subprocess.run(
            [*run, "/opt/venv/bin/python", "manage.py", "dynamodb", "create-table"], check=True, capture_output=True
        )
        started = time.perf_counter()
        server = subprocess.Popen(
            [*run, "/opt/venv/bin/python", "deploy/entrypoint.py"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError("the image's gunicorn did not start") from None
                time.sleep(0.05)
        print(f"   image: first 200 on /health {time.perf_counter() - started:.2f}s after start")

        checks = {}
        checks["/health"] = call("GET", base + "/health").json() == {"status": "ok"}
        checks["/health/ready"] = call("GET", base + "/health/ready").status == 200
        docs = call("GET", base + "/api/docs")
        checks["/api/docs"] = docs.status == 200 and b"openapi.json" in docs.body
        mint = [*run, "/opt/venv/bin/python", "-c", MINT_ACCESS_SCRIPT]
        token = subprocess.run(mint, check=True, capture_output=True, text=True).stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        me = call("GET", base + "/api/auth/me", headers=auth)
        checks["authenticated /api/auth/me"] = me.status == 200 and me.json()["email"] == "smoke@example.com"
        game = call(
            "POST",
            base + "/api/games",
            {"game_type": "tictactoe", "white_model": "human", "black_model": "builtin:random"},
            headers=auth,
        )
        if game.status == 201:
            game_id = game.json()["id"]
            move = call("POST", f"{base}/api/games/{game_id}/moves", {"move": "5", "expected_ply": 0}, headers=auth)
            checks["game flow: create + move"] = move.status == 200
        else:
            checks[f"game flow: create answered {game.status}"] = False
        login = call("GET", base + "/admin/login/")
        checks["admin login page"] = (
            login.status == 200
            and b"csrfmiddlewaretoken" in login.body
            and any(c.startswith("csrftoken=") for c in cookies_from(login))
        )
        static = re.search(rb'href="(/static/admin/css/[^"]+\.css)"', login.body)
        checks["static via WhiteNoise"] = bool(static) and call("GET", base + static.group(1).decode()).status == 200
        user = subprocess.run([*run, "id", "-u"], check=True, capture_output=True, text=True).stdout.strip()
        checks["runs as non-root"] = user != "0"
        version = subprocess.run(
            [*run, "/opt/venv/bin/python", "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        checks[f"Python {version or '?'} (the image's 3.12)"] = version.startswith("3.12.") or not args.expect_312
        engine = subprocess.run(
            [*run, "/opt/venv/bin/python", "-c", STOCKFISH_SCRIPT], capture_output=True, text=True
        ).stdout.strip()
        checks["Stockfish plays in the image"] = engine.startswith("bestmove ")
        for name, ok in checks.items():
            print(f"   {'ok  ' if ok else 'FAIL'} {name}")
        return 0 if all(checks.values()) else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        subprocess.run(["buildah", "rm", ctr], capture_output=True)
        dynamodb_local.stop_process(ddb)


STOCKFISH_SCRIPT = (
    "import chess, chess.engine, os; e = chess.engine.SimpleEngine.popen_uci(os.environ['STOCKFISH_PATH']);"
    "print('bestmove', e.play(chess.Board(), chess.engine.Limit(nodes=1000)).move); e.quit()"
)

MINT_ACCESS_SCRIPT = (
    "import os, django; os.environ['DUELARENA_ENV']='local'; os.environ['DJANGO_SETTINGS_MODULE']='duelarena.settings';"
    "django.setup(); from accounts import users, tokens;"
    "print(tokens.issue_access(users.create('smoke@example.com')[0]))"
)

if __name__ == "__main__":
    sys.exit(main())
