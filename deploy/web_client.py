"""A tiny HTTP client for the e2e tests and the container check (stdlib only: it tests the server)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # tests look at redirects themselves


_opener = urllib.request.build_opener(_NoRedirect)


def _headers(message) -> dict[str, str]:
    headers = {k.lower(): v for k, v in message.items()}
    cookies = message.get_all("Set-Cookie") or []
    if cookies:
        headers["set-cookie"] = "\n".join(cookies)  # one per line: values may contain ", "
    return headers


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 30,
) -> Reply:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and not request.has_header("Content-type"):
        request.add_header("Content-Type", "application/json")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Reply(response.status, _headers(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, _headers(error.headers), error.read())


def cookies_from(reply: Reply) -> list[str]:
    """``name=value`` pairs of the reply's Set-Cookie headers (as a browser would send them back)."""
    return [line.split(";", 1)[0].strip() for line in reply.headers.get("set-cookie", "").splitlines() if "=" in line]


def assert_error_shape(reply: Reply, status: int, code: str | None = None) -> dict:
    assert reply.status == status, (reply.status, reply.body[:500])
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"error", "request_id"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    if code:
        assert body["error"]["code"] == code, body
    assert body["request_id"] == reply.headers["x-request-id"]
    assert b"Traceback" not in reply.body and b"<html" not in reply.body.lower()
    return body
