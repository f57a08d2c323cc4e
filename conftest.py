"""Test set-up shared by every app.

- ``dynamo`` (moto, in-process) for fast unit tests.
- ``ddb_local``: a DynamoDB Local started once per test session on a free port (in memory), with a
  throwaway table per test; integration tests use it because it validates like the real
  service.
Nothing ever reaches real AWS: the default endpoint points at a closed port and credentials are fake.

``make test`` runs the suite on several workers (pytest-xdist); they share one DynamoDB Local (started
by the controller, see ``pytest_sessionstart``; every test has its own table) and each has its own
other session fixtures (gunicorn servers, Chromium) on free ports, so workers share no state. Tests
marked ``slow`` (and their modules) are collected first: started late, one of them would keep a single
worker busy after the others have finished. Workers take a module at a time (``--dist loadscope`` in the
Makefile), so a module's fixtures start once.
"""

from __future__ import annotations

import os
import threading
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

import moto.core.models  # noqa: F401 - before any client: see below
import pytest

# moto intercepts AWS calls through a handler it adds to botocore's built-in handlers when imported, and
# a botocore session takes those handlers when it is made. duelarena.aws keeps one session per process
# (as boto3's default session was), so moto is imported before any test can build a client: a client
# built for a moto test from a session made earlier would otherwise call AWS itself.


def pytest_collection_modifyitems(config, items):
    """Modules with a slow test first, slow tests first within them, otherwise in collection order: no
    worker starts a long test when the others are almost done, and a module's tests stay together (its
    module-scoped fixtures, such as a gunicorn server, start once)."""
    slow_modules = {item.module for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.module not in slow_modules, item.get_closest_marker("slow") is None))


@pytest.fixture
def dynamo(settings, monkeypatch):
    """A moto-backed table for unit tests.

    moto's backends are not thread-safe: a Query iterating an item while another thread's UpdateItem
    adds attributes to it raised ``RuntimeError: dictionary changed size during iteration`` (a PGN read
    beside the in-process analysis worker, in CI). The service calls DynamoDB from its turn and analysis
    worker threads as DynamoDB allows, so here moto answers one request at a time."""
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from duelarena.dynamo import connection, tables

    one_at_a_time = threading.RLock()
    unlocked = BotocoreStubber.process_request

    def process_request(self, request):
        with one_at_a_time:
            return unlocked(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
    with mock_aws():
        settings.DYNAMODB_ENDPOINT_URL = None
        settings.DYNAMODB_TABLE = f"unit-{uuid.uuid4().hex[:8]}"
        connection.reset()
        tables.create_table()
        yield settings.DYNAMODB_TABLE
        connection.reset()


SHARED_DDB_LOCAL = "DUELARENA_TEST_DDB_ENDPOINT"


def _wants_dynamodb_local(config) -> bool:
    return "not integration" not in (config.option.markexpr or "")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Under pytest-xdist, the controller starts one DynamoDB Local for every worker (each test has its
    own table, so workers share nothing in it): one JVM to start and warm up instead of one per worker.
    Started before xdist spawns the workers, which inherit its endpoint in the environment."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    if os.environ.get(SHARED_DDB_LOCAL) or not _wants_dynamodb_local(config):
        return
    from deploy import dynamodb_local

    port = dynamodb_local.free_port()
    config._shared_ddb_local = dynamodb_local.start(port, None)
    os.environ[SHARED_DDB_LOCAL] = dynamodb_local.endpoint(port)


def pytest_sessionfinish(session):
    proc = getattr(session.config, "_shared_ddb_local", None)
    if proc is not None:
        from deploy import dynamodb_local

        dynamodb_local.stop_process(proc)
        os.environ.pop(SHARED_DDB_LOCAL, None)


@pytest.fixture(scope="session")
def ddb_local_endpoint():
    """The session's DynamoDB Local: the one the xdist controller started, else started here."""
    if shared := os.environ.get(SHARED_DDB_LOCAL):
        yield shared
        return
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
