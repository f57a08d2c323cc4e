"""Health and the error shape through Django's test client."""

from __future__ import annotations

import json
import logging

import pytest

from duelarena.dynamo import connection


def test_ready_is_503_when_dynamodb_is_unreachable(client, settings):
    settings.DYNAMODB_ENDPOINT_URL = "http://127.0.0.1:9"
    connection.reset()
    reply = client.get("/health/ready")
    connection.reset()
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "service_unavailable"
    assert reply["Retry-After"]


def test_ready_is_503_when_table_is_missing(client, dynamo, settings):
    settings.DYNAMODB_TABLE = "no-such-table"
    assert client.get("/health/ready").status_code == 503


def test_ready_is_200_with_table(client, dynamo, settings):
    settings.DEBUG = True
    reply = client.get("/health/ready")
    assert reply.status_code == 200
    assert reply["X-DynamoDB-Calls"] == "1"


def test_calls_header_only_in_debug(client, dynamo, settings):
    settings.DEBUG = False
    assert "X-DynamoDB-Calls" not in client.get("/health/ready")


def test_unknown_api_path_is_json_also_in_debug(client, settings):
    settings.DEBUG = True
    reply = client.get("/api/nothing-here")
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_log_lines_are_json_with_request_id(client, capsys):
    from duelarena.logs import JsonFormatter, RequestIdFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello" and "request_id" in line and "time" in line


@pytest.mark.parametrize("length", ["abc", "-"])
def test_bad_content_length_is_400(client, length):
    reply = client.generic("POST", "/api/x", b"{}", content_type="application/json", CONTENT_LENGTH=length)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "bad_request"
