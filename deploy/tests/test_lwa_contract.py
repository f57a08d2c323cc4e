"""LWA contract: requests shaped exactly as the Lambda Web Adapter forwards them, sent to gunicorn started
the way the image starts it (deploy/entrypoint.py, production settings, one worker as on Lambda)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from deploy import lwa
from deploy.web_client import Reply, assert_error_shape, call, cookies_from
from tests.servers import start_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
API_DOMAIN = "abc123def4.execute-api.us-east-1.amazonaws.com"
REST_DOMAIN = "rest987zyx.execute-api.us-east-1.amazonaws.com"
URL_DOMAIN = "xyzfunctionurl.lambda-url.us-east-1.on.aws"
STAGE = "prod"


def _start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """gunicorn exactly as the image starts it (deploy/entrypoint.py)."""
    return start_server(env, log_name="lwa-contract.log", entrypoint=True)


@pytest.fixture(scope="module")
def lambda_env(live_server_env, tmp_path_factory):
    static = tmp_path_factory.mktemp("static")
    env = dict(
        live_server_env,
        DUELARENA_ENV="production",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="contract-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        JWT_SIGNING_KEY="contract-test-jwt-key-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS=f"{API_DOMAIN},{REST_DOMAIN},{URL_DOMAIN}",
        GOOGLE_OAUTH2_CLIENT_ID="client-id.apps.googleusercontent.com",
        GOOGLE_OAUTH2_CLIENT_SECRET="client-secret",
        STATIC_ROOT=str(static),
        AWS_LAMBDA_FUNCTION_NAME="duelarena-prod",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=REPO, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "dynamodb", "create-table"], cwd=REPO, env=env, check=True, capture_output=True
    )
    return env


@pytest.fixture(scope="module")
def staged_server(lambda_env):
    """Behind an API stage: LWA removes /prod; URL_PREFIX puts it back into absolute URLs."""
    proc, base = _start(dict(lambda_env, URL_PREFIX=f"/{STAGE}"))
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def function_url_server(lambda_env):
    proc, base = _start(lambda_env)
    yield base
    proc.terminate()
    proc.wait(10)


def send(base: str, forwarded: lwa.ForwardedRequest) -> Reply:
    return call(forwarded.method, base + forwarded.path, raw=forwarded.body or None, headers=forwarded.headers)


def v2(base: str, method: str, path: str, **kwargs) -> Reply:
    event = lwa.http_api_v2_event(method, path, domain=API_DOMAIN, stage=STAGE, **kwargs)
    return send(base, lwa.from_http_api_v2(event, remove_base_path=f"/{STAGE}"))


def test_readiness_check_with_loopback_host(staged_server):
    port = staged_server.rsplit(":", 1)[1]
    reply = call("GET", staged_server + "/health", headers={"Host": f"127.0.0.1:{port}"})
    assert reply.status == 200 and reply.json() == {"status": "ok"}


def test_http_api_v2_with_stage_prefix(staged_server):
    reply = v2(staged_server, "GET", "/api/openapi.json")
    assert reply.status == 200, reply.body[:300]
    assert reply.json()["info"]["title"] == "Duel Arena API"
    ready = v2(staged_server, "GET", "/health/ready")
    assert ready.status == 200


def test_request_id_comes_from_api_gateway_context(staged_server):
    event = lwa.http_api_v2_event("GET", "/api/nowhere", domain=API_DOMAIN, stage=STAGE)
    reply = send(staged_server, lwa.from_http_api_v2(event, remove_base_path=f"/{STAGE}"))
    body = assert_error_shape(reply, 404, "not_found")
    assert body["request_id"] == event["requestContext"]["requestId"]


def test_unknown_host_is_refused(staged_server):
    event = lwa.http_api_v2_event("GET", "/api/openapi.json", domain="evil.example.com", stage=STAGE)
    reply = send(staged_server, lwa.from_http_api_v2(event, remove_base_path=f"/{STAGE}"))
    assert reply.status == 400


def test_plain_http_is_redirected_to_https(staged_server):
    event = lwa.http_api_v2_event(
        "GET", "/admin/", domain=API_DOMAIN, stage=STAGE, headers={"x-forwarded-proto": "http"}
    )
    reply = send(staged_server, lwa.from_http_api_v2(event, remove_base_path=f"/{STAGE}"))
    assert reply.status == 301 and reply.headers["location"].startswith(f"https://{API_DOMAIN}/{STAGE}/admin/")


def test_admin_redirect_keeps_the_stage_prefix(staged_server):
    reply = v2(staged_server, "GET", "/admin/")
    assert reply.status == 302
    assert reply.headers["location"] == f"/{STAGE}/admin/login/?next=/{STAGE}/admin/"


def _google_begin(base: str, forward) -> Reply:
    """Load the sign-in page, then POST its form with the cookies a browser would send."""
    page = forward("GET", "/auth/google/", cookies=None, body=None, extra_headers={})
    assert page.status == 200, page.body[:300]
    action = re.search(rb'action="([^"]+)"', page.body).group(1).decode()
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
    cookies = cookies_from(page)
    assert any(c.startswith("csrftoken=") for c in cookies)
    return action, forward(
        "POST",
        "/auth/login/google-oauth2/",
        cookies=cookies,
        body=f"csrfmiddlewaretoken={csrf}".encode(),
        extra_headers={"content-type": "application/x-www-form-urlencoded"},
    )


def test_oauth_redirect_uri_is_absolute_https_with_stage(staged_server):
    def forward(method, path, cookies, body, extra_headers):
        headers = {"origin": f"https://{API_DOMAIN}", **extra_headers}
        event = lwa.http_api_v2_event(
            method,
            path,
            domain=API_DOMAIN,
            stage=STAGE,
            cookies=cookies,
            headers=headers,
            body=body,
            base64_body=body is not None,
        )
        return send(staged_server, lwa.from_http_api_v2(event, remove_base_path=f"/{STAGE}"))

    action, reply = _google_begin(staged_server, forward)
    assert action == f"/{STAGE}/auth/login/google-oauth2/"
    assert reply.status == 302, reply.body[:500]
    redirect_uri = parse_qs(urlparse(reply.headers["location"]).query)["redirect_uri"][0]
    assert redirect_uri == f"https://{API_DOMAIN}/{STAGE}/auth/complete/google-oauth2/"


def test_rest_api_v1_event_with_base64_body(staged_server):
    event = lwa.rest_api_v1_event(
        "POST",
        "/api/auth/token",
        domain=REST_DOMAIN,
        stage=STAGE,
        headers={"Content-Type": ["application/json"]},
        body=json.dumps({"code": "not-a-real-code"}).encode(),
        base64_body=True,
    )
    reply = send(staged_server, lwa.from_rest_api_v1(event))
    assert_error_shape(reply, 400, "invalid_code")
    listing = send(
        staged_server,
        lwa.from_rest_api_v1(
            lwa.rest_api_v1_event("GET", "/api/openapi.json", domain=REST_DOMAIN, stage=STAGE, query={"a": ["1", "2"]})
        ),
    )
    assert listing.status == 200


def test_function_url_event_with_cookies(function_url_server):
    def forward(method, path, cookies, body, extra_headers):
        headers = {"origin": f"https://{URL_DOMAIN}", **extra_headers}
        event = lwa.http_api_v2_event(
            method,
            path,
            domain=URL_DOMAIN,
            stage=None,
            cookies=cookies,
            headers=headers,
            body=body,
            base64_body=body is not None,
        )
        return send(function_url_server, lwa.from_http_api_v2(event))

    action, reply = _google_begin(function_url_server, forward)
    assert action == "/auth/login/google-oauth2/"
    assert reply.status == 302, reply.body[:500]
    redirect_uri = parse_qs(urlparse(reply.headers["location"]).query)["redirect_uri"][0]
    assert redirect_uri == f"https://{URL_DOMAIN}/auth/complete/google-oauth2/"
    admin = forward("GET", "/admin/", None, None, {})
    assert admin.status == 302 and admin.headers["location"] == "/admin/login/?next=/admin/"


def test_static_files_are_served_by_whitenoise(staged_server):
    reply = v2(staged_server, "GET", "/static/admin/css/base.css")
    assert reply.status == 200 and b"{" in reply.body
