"""DynamoDB round trips and local latency per game operation, over a chess game of 100+ moves.

Runs the real stack in-process (Django middleware, django-ninja, service, store) through Django's test
client against a DynamoDB Local it starts itself, and reads each answer's ``X-DynamoDB-Calls``. The
bearer-token check reads the user once per authenticated request; the table separates that read from
the operation's own round trips. Baseline, same run: a bare GetItem and a bare Query on the same
DynamoDB Local, i.e. the floor any operation pays.

    .venv/bin/python bench/game_ops.py [--plies 120]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy import dynamodb_local  # noqa: E402

TARGETS = {"get game": 1, "play a move": 2, "list my games": 1}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plies", type=int, default=120)
    args = parser.parse_args()

    port = dynamodb_local.free_port()
    ddb = dynamodb_local.start(port, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="duelarena.settings",
        DJANGO_DEBUG="1",
        DYNAMODB_TABLE="bench-game-ops",
        DYNAMODB_ENDPOINT_URL=dynamodb_local.endpoint(port),
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - DynamoDB Local accepts anything
        LOG_LEVEL="WARNING",
    )
    try:
        import django

        django.setup()
        from django.test import Client

        from accounts import tokens, users
        from duelarena.dynamo import items, tables
        from games.rules import get_rules

        tables.create_table()
        user = users.create("bench@example.com")[0]
        auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue_access(user)}"}
        client = Client()
        rules = get_rules("chess")

        samples: dict[str, list[float]] = {name: [] for name in TARGETS}
        calls: dict[str, set[int]] = {name: set() for name in TARGETS}
        auth_reads = 1  # the bearer check's GetItem of the user

        def timed(name: str, method: str, path: str, **kwargs) -> dict:
            started = time.perf_counter()
            reply = getattr(client, method)(path, **kwargs)
            samples[name].append((time.perf_counter() - started) * 1000)
            assert reply.status_code in (200, 201), (name, reply.status_code, reply.content[:200])
            own = int(reply["X-DynamoDB-Calls"]) - (auth_reads if "HTTP_AUTHORIZATION" in kwargs else 0)
            calls[name].add(own)
            return reply.json()

        plies = 0
        seed = 0
        while plies < args.plies:  # random games end early now and then: keep playing new ones
            seed += 1
            rng = random.Random(seed)
            game = client.post(
                "/api/games",
                {"game_type": "chess", "white_model": "human", "black_model": "human", "options": {"max_plies": 400}},
                content_type="application/json",
                **auth,
            ).json()
            while game["status"] == "live" and plies < args.plies:
                seat = rules.to_move(game["state"])[0] if "fen" in game["state"] else None
                legal = rules.legal_moves(game["state"], seat) if seat else []
                if not legal:
                    break
                game = timed(
                    "play a move",
                    "post",
                    f"/api/games/{game['id']}/moves",
                    data={"move": rng.choice(legal), "expected_ply": game["ply"]},
                    content_type="application/json",
                    **auth,
                )
                timed("get game", "get", f"/api/games/{game['id']}")
                timed("list my games", "get", "/api/me/games?limit=20", **auth)
                plies += 1

        base_get, base_query = [], []
        for _ in range(200):
            started = time.perf_counter()
            items.get(f"USER#{user.id}", "PROFILE")
            base_get.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            items.query(f"GAME#{game['id']}")
            base_query.append((time.perf_counter() - started) * 1000)
    finally:
        dynamodb_local.stop_process(ddb)

    print(f"game operations over {plies} chess plies on DynamoDB Local (in-process, ms)")
    print(f"{'operation':16} {'round trips':>12} {'target':>7} {'p50':>8} {'p95':>8} {'p99':>8}")
    ok = True
    for name, target in TARGETS.items():
        trips = max(calls[name])
        ok &= trips <= target
        values = samples[name]
        print(
            f"{name:16} {trips:>12} {'<=' + str(target):>7} {statistics.median(values):8.2f} "
            f"{pct(values, 0.95):8.2f} {pct(values, 0.99):8.2f}"
        )
    print("(round trips exclude the bearer check's one GetItem of the user on authenticated requests)")
    print(
        f"{'baseline GetItem':16} {1:>12} {'':>7} {statistics.median(base_get):8.2f} {pct(base_get, 0.95):8.2f} "
        f"{pct(base_get, 0.99):8.2f}"
    )
    print(
        f"{'baseline Query':16} {1:>12} {'':>7} {statistics.median(base_query):8.2f} "
        f"{pct(base_query, 0.95):8.2f} {pct(base_query, 0.99):8.2f}   (the last game, {game['ply']} moves)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
