"""Real HTTP through gunicorn (deploy/gunicorn.conf.py) against DynamoDB Local."""

from __future__ import annotations

import pytest

from deploy.web_client import assert_error_shape, call

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_health_answers_without_dynamodb(gunicorn_server):
    reply = call("GET", gunicorn_server + "/health")
    assert reply.status == 200 and reply.json() == {"status": "ok"}
    assert reply.headers["x-dynamodb-calls"] == "0"
    assert len(reply.headers["x-request-id"]) >= 8


def test_ready_checks_dynamodb(gunicorn_server):
    reply = call("GET", gunicorn_server + "/health/ready")
    assert reply.status == 200, reply.body
    assert reply.json()["dynamodb"] == "ok"
    assert reply.headers["x-dynamodb-calls"] == "1"


def test_docs_and_openapi_render(gunicorn_server):
    docs = call("GET", gunicorn_server + "/api/docs")
    assert docs.status == 200 and b"openapi.json" in docs.body
    spec = call("GET", gunicorn_server + "/api/openapi.json")
    assert spec.status == 200 and spec.json()["info"]["title"] == "Duel Arena API"


def test_unknown_api_path_gets_error_shape(gunicorn_server):
    assert_error_shape(call("GET", gunicorn_server + "/api/no/such/thing"), 404, "not_found")


def test_wrong_method_gets_error_shape(gunicorn_server):
    assert_error_shape(call("POST", gunicorn_server + "/health", {}), 405, "method_not_allowed")


def test_oversize_body_is_refused_before_parsing(gunicorn_server):
    reply = call("POST", gunicorn_server + "/api/games", raw=b"{" + b" " * 200_000 + b"}")
    assert_error_shape(reply, 413, "payload_too_large")


def test_client_request_id_is_echoed(gunicorn_server):
    reply = call("GET", gunicorn_server + "/health", headers={"X-Request-ID": "abc-123-def-456"})
    assert reply.headers["x-request-id"] == "abc-123-def-456"
    bad = call("GET", gunicorn_server + "/health", headers={"X-Request-ID": "<script>"})
    assert bad.headers["x-request-id"] != "<script>"
