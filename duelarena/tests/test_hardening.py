"""Findings 5 and 6 of the security audit: hostile JSON bodies and credentials in log lines."""

from __future__ import annotations

import io
import json
import logging

import pytest

from duelarena.logs import JsonFormatter, RequestIdFilter, redact_url

DEPTH = 5000  # far past Python's recursion limit, well under the body size limit


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_error_shape(reply, status: int) -> dict:
    assert reply.status_code == status, reply.content[:300]
    body = reply.json()
    assert set(body) == {"error", "request_id"} and {"code", "message", "details"} <= set(body["error"])
    return body


# --- finding 5 -----------------------------------------------------------------------------------------


def test_deeply_nested_json_to_events_is_a_400(client, settings):
    settings.TASK_BACKEND = "sqs"
    for body in (nested(DEPTH), '{"Records": ' + nested(DEPTH) + "}"):
        reply = client.post("/events", body, content_type="application/json", HTTP_X_AMZN_REQUEST_CONTEXT="null")
        assert assert_error_shape(reply, 400)["error"]["message"] == "the body is nested too deeply"


@pytest.mark.parametrize("path", ["/api/auth/token", "/api/auth/refresh", "/api/games"])
def test_deeply_nested_json_to_the_api_is_a_400(client, dynamo, path):
    from accounts import tokens, users

    user, _ = users.create("nested@example.com")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue_access(user)}"}
    for body in (nested(DEPTH), '{"code": ' + nested(DEPTH) + "}", '{"options": ' + nested(DEPTH) + "}"):
        reply = client.post(path, body, content_type="application/json", **auth)
        assert_error_shape(reply, 400)


# --- finding 6 -----------------------------------------------------------------------------------------


@pytest.fixture
def log_lines():
    """Every log line the app writes, formatted exactly as in production (JSON, with the request id)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(name) for name in ("", "django", "django.request", "duelarena")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: stream.getvalue()
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWNsYWltcw.s1gnatureSECRETvalue"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/auth/me?access_token={SECRET}",
        f"/api/games?cursor=x&token={SECRET}&limit=2",
        f"/admin/login/?next=/admin/&code={SECRET}",
        f"/auth/complete/google-oauth2/?state=abc&code={SECRET}",
        f"/api/nothing-here?refresh={SECRET}&id_token={SECRET}",
        f"/health/ready?Access_Token={SECRET}",
    ],
)
def test_no_credential_from_a_query_string_reaches_a_log_line(client, dynamo, log_lines, url):
    client.get(url)
    text = log_lines()
    assert text, "nothing was logged"
    assert SECRET not in text and SECRET[:20] not in text
    for line in text.splitlines():
        json.loads(line)  # still one JSON object per line


def test_redact_url_keeps_the_rest_of_the_url():
    assert redact_url("/a/b?cursor=c1&access_token=t0k&x=1") == "/a/b?cursor=c1&access_token=[redacted]&x=1"
    assert redact_url("https://h.example/cb?code=abc&state=s#frag") == (
        "https://h.example/cb?code=[redacted]&state=[redacted]#frag"
    )
    assert redact_url("/plain/path") == "/plain/path"
    assert redact_url("/p?password=hunter2&api_key=k&Authorization=Bearer%20x") == (
        "/p?password=[redacted]&api_key=[redacted]&Authorization=[redacted]"
    )
