"""What the AWS Lambda Web Adapter sends to the app, for contract tests.

LWA turns each Lambda event into one HTTP/1.1 request to ``127.0.0.1:$PORT``:
- the path from the event (``rawPath`` for HTTP API v2 and Function URLs, ``path`` for REST API v1),
  minus ``AWS_LWA_REMOVE_BASE_PATH`` when it starts with it; the query string as received;
- the event's headers (API Gateway already adds Host, X-Forwarded-Proto/-Port/-For); v2 ``cookies``
  joined into one ``Cookie`` header; v1 ``multiValueHeaders`` joined with commas;
- ``x-amzn-request-context``: the event's requestContext as JSON, and ``x-amzn-lambda-context``: the
  invocation context as JSON;
- the body, base64-decoded when ``isBase64Encoded``.
Non-HTTP events (SQS...) are POSTed as raw JSON to ``AWS_LWA_PASS_THROUGH_PATH`` with
``x-amzn-request-context: null``.
These builders produce such requests so tests can send them to gunicorn as LWA would.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


@dataclass
class ForwardedRequest:
    method: str
    path: str  # path + query
    headers: dict[str, str]
    body: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)


def lambda_context(function_name: str = "duelarena-prod") -> dict[str, Any]:
    return {
        "request_id": str(uuid.uuid4()),
        "deadline": 1_900_000_000_000,
        "invoked_function_arn": f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
        "xray_trace_id": "Root=1-00000000-000000000000000000000000",
        "env_config": {"function_name": function_name, "memory": 1024, "version": "$LATEST"},
    }


def _strip(path: str, base: str | None) -> str:
    if base and path.startswith(base):
        path = path[len(base) :] or "/"
    return path


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


def from_http_api_v2(event: dict[str, Any], *, remove_base_path: str | None = None) -> ForwardedRequest:
    """HTTP API (payload 2.0) and Lambda Function URL events."""
    headers = {k.lower(): v for k, v in event.get("headers", {}).items()}
    if event.get("cookies"):
        headers["cookie"] = "; ".join(event["cookies"])
    headers["x-amzn-request-context"] = json.dumps(event["requestContext"])
    headers["x-amzn-lambda-context"] = json.dumps(lambda_context())
    path = _strip(event["rawPath"], remove_base_path)
    if event.get("rawQueryString"):
        path += "?" + event["rawQueryString"]
    return ForwardedRequest(event["requestContext"]["http"]["method"], path, headers, _body(event))


def from_rest_api_v1(event: dict[str, Any], *, remove_base_path: str | None = None) -> ForwardedRequest:
    """REST API (payload 1.0) events: multi-value headers and query strings."""
    headers = {k.lower(): ", ".join(v) for k, v in (event.get("multiValueHeaders") or {}).items()}
    if "cookie" in headers:
        headers["cookie"] = headers["cookie"].replace(", ", "; ")
    headers["x-amzn-request-context"] = json.dumps(event["requestContext"])
    headers["x-amzn-lambda-context"] = json.dumps(lambda_context())
    path = _strip(event["path"], remove_base_path)
    query = event.get("multiValueQueryStringParameters") or {}
    if query:
        path += "?" + urlencode([(k, v) for k, values in query.items() for v in values])
    return ForwardedRequest(event["httpMethod"], path, headers, _body(event))


def from_sqs_batch(event: dict[str, Any], *, pass_through_path: str = "/events") -> ForwardedRequest:  # noqa: S107
    headers = {
        "content-type": "application/json",
        "x-amzn-request-context": "null",
        "x-amzn-lambda-context": json.dumps(lambda_context()),
    }
    return ForwardedRequest("POST", pass_through_path, headers, json.dumps(event).encode())


# --- event builders (the shapes AWS documents) -------------------------------------------------------


def http_api_v2_event(
    method: str,
    path: str,
    *,
    domain: str,
    stage: str | None,
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: bytes | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    raw_path = (f"/{stage}" if stage and stage != "$default" else "") + path
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {
            "host": domain,
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-forwarded-for": "203.0.113.7",
            "user-agent": "contract-test",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": domain.split(".")[0],
            "domainName": domain,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "contract-test",
            },
            "requestId": f"req-{uuid.uuid4().hex[:16]}",
            "stage": stage or "$default",
            "timeEpoch": 1_700_000_000_000,
        },
        "isBase64Encoded": base64_body,
    }
    if cookies:
        event["cookies"] = cookies
    if body is not None:
        event["body"] = base64.b64encode(body).decode() if base64_body else body.decode()
    return event


def rest_api_v1_event(
    method: str,
    path: str,
    *,
    domain: str,
    stage: str,
    headers: dict[str, list[str]] | None = None,
    query: dict[str, list[str]] | None = None,
    body: bytes | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "multiValueHeaders": {
            "Host": [domain],
            "X-Forwarded-Proto": ["https"],
            "X-Forwarded-Port": ["443"],
            "X-Forwarded-For": ["203.0.113.9"],
            **(headers or {}),
        },
        "multiValueQueryStringParameters": query,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": domain.split(".")[0],
            "domainName": domain,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "requestId": f"req-{uuid.uuid4().hex[:16]}",
            "stage": stage,
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": (base64.b64encode(body).decode() if base64_body else body.decode()) if body is not None else None,
        "isBase64Encoded": base64_body,
    }
