"""The dynamorm models cost nothing at start-up: dynamorm, schematics (and boto3 with them) are loaded
by the first request that reads a user, an audit entry or a leaderboard, never by Django's set-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_start_up_loads_no_mapper():
    heavy = ("dynamorm", "schematics", "boto3", "duelarena.dynamo.models")
    code = (
        "import sys, duelarena.wsgi, accounts.users, duelarena.audit, games.leaderboard; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "duelarena.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
