"""manage.py for newcomers: SQL-only commands name what to use instead, DynamoDB Local is found on
DYNAMODB_LOCAL_PORT like `make run` starts it, and an unreachable DynamoDB or a missing table is one
clear line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from deploy import dynamodb_local

REPO = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "DYNAMODB_"))}
    base.update(DJANGO_SETTINGS_MODULE="duelarena.settings", DUELARENA_ENV="local", DYNAMODB_MAX_ATTEMPTS="1")
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=base, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("command", "instead"),
    [("migrate", "dynamodb create-table"), ("createsuperuser", "createadmin"), ("makemigrations", "create-table")],
)
def test_sql_commands_name_the_commands_to_use_instead(command, instead):
    done = manage(command)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert instead in done.stderr and done.stderr.startswith(f"manage.py {command}:")


@pytest.mark.parametrize(
    "command",
    [
        ["issuetoken", "--email", "dev@example.com"],
        ["createadmin", "--email", "a@example.com", "--password", "a-long-pass-phrase-9"],
        ["leaderboard"],
    ],
)
def test_unreachable_dynamodb_is_one_clear_line(command):
    port = str(dynamodb_local.free_port())  # nothing listens there
    done = manage(*command, DYNAMODB_LOCAL_PORT=port)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert f"DynamoDB is unreachable at http://127.0.0.1:{port}" in line and "DYNAMODB_LOCAL_PORT" in line


def test_a_bad_local_port_is_refused_clearly():
    done = manage("check", DYNAMODB_LOCAL_PORT="eight")
    assert done.returncode != 0 and "DYNAMODB_LOCAL_PORT must be a port number" in done.stderr


@pytest.mark.integration
def test_commands_reach_dynamodb_local_on_dynamodb_local_port(ddb_local_endpoint):
    port = str(urlparse(ddb_local_endpoint).port)
    table = f"manage-{uuid.uuid4().hex[:8]}"
    missing = manage("issuetoken", "--email", "dev@example.com", DYNAMODB_LOCAL_PORT=port, DYNAMODB_TABLE=table)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"the table '{table}' does not exist" in missing.stderr and "dynamodb create-table" in missing.stderr
    created = manage("dynamodb", "create-table", DYNAMODB_LOCAL_PORT=port, DYNAMODB_TABLE=table)
    assert created.returncode == 0, created.stderr
    issued = manage("issuetoken", "--email", "dev@example.com", DYNAMODB_LOCAL_PORT=port, DYNAMODB_TABLE=table)
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.count(".") == 2  # a JWT
