"""Test set-up shared by every app.

- ``dynamo`` (moto, in-process) for fast unit tests.
- ``ddb_local``: a DynamoDB Local started once per test session on a free port (in memory), with a
  throwaway table per test module; integration tests use it because it validates like the real
  service.
Nothing ever reaches real AWS: the default endpoint points at a closed port and credentials are fake.
"""

from __future__ import annotations

import os
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duelarena.settings")
os.environ["DUELARENA_ENV"] = "test"
os.environ.setdefault("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:9")  # closed port: fail, never AWS
os.environ.setdefault("DYNAMODB_TABLE", "duelarena-test")
os.environ.setdefault("DYNAMODB_MAX_ATTEMPTS", "2")
os.environ.setdefault("DYNAMODB_CONNECT_TIMEOUT", "1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("AWS_PROFILE", None)
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

import pytest


@pytest.fixture
def dynamo(settings):
    """A moto-backed table for unit tests."""
    from moto import mock_aws

    from duelarena.dynamo import connection, tables

    with mock_aws():
        settings.DYNAMODB_ENDPOINT_URL = None
        settings.DYNAMODB_TABLE = f"unit-{uuid.uuid4().hex[:8]}"
        connection.reset()
        tables.create_table()
        yield settings.DYNAMODB_TABLE
        connection.reset()


@pytest.fixture(scope="session")
def ddb_local_endpoint():
    from deploy import dynamodb_local

    port = dynamodb_local.free_port()
    proc = dynamodb_local.start(port, None)
    try:
        yield dynamodb_local.endpoint(port)
    finally:
        dynamodb_local.stop_process(proc)


@pytest.fixture
def ddb_local(settings, ddb_local_endpoint):
    """A fresh table in the session's DynamoDB Local."""
    from duelarena.dynamo import connection, tables

    settings.DYNAMODB_ENDPOINT_URL = ddb_local_endpoint
    settings.DYNAMODB_TABLE = f"it-{uuid.uuid4().hex[:8]}"
    connection.reset()
    tables.create_table()
    yield settings.DYNAMODB_TABLE
    tables.delete_table(settings.DYNAMODB_TABLE)
    connection.reset()


@pytest.fixture(scope="session")
def live_server_env(ddb_local_endpoint):
    """Environment for processes (gunicorn, manage.py) that use the session's DynamoDB Local."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="duelarena.settings",
        DUELARENA_ENV="local",
        DJANGO_DEBUG="1",
        DYNAMODB_ENDPOINT_URL=ddb_local_endpoint,
        DYNAMODB_TABLE=f"e2e-{uuid.uuid4().hex[:8]}",
    )
    return env


@pytest.fixture(scope="session")
def gunicorn_server(live_server_env):
    """gunicorn started exactly as `make run` starts it (deploy/gunicorn.conf.py), on a free port."""
    from tests.servers import create_table, start_server, stop_server

    create_table(live_server_env)
    proc, base = start_server(live_server_env, log_name="gunicorn-test.log")
    yield base
    stop_server(proc)
