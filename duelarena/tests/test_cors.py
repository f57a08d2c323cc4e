"""CORS: browsers on the allowed origins may call /api/ (django-cors-headers), others get no CORS headers."""

from __future__ import annotations

import json

import pytest

from duelarena.tests.test_settings import GOOD_SECRET, run_manage

ALLOWED = "http://localhost:5173"
PREFLIGHT = {
    "HTTP_ORIGIN": ALLOWED,
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization,content-type",
}


def test_preflight_from_an_allowed_origin_passes(client):
    reply = client.options("/api/games", **PREFLIGHT)
    assert reply.status_code == 200
    assert reply["Access-Control-Allow-Origin"] == ALLOWED
    allowed_headers = {h.strip() for h in reply["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers
    assert "POST" in reply["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in reply  # bearer tokens, no cookies


@pytest.mark.parametrize("path", ["/api/games", "/api/games/" + "0" * 32 + "/moves", "/api/leaderboard"])
def test_preflight_is_answered_before_routing_redirects_and_host_checks(client, settings, path):
    """Ahead of SecurityMiddleware (https redirect), CommonMiddleware and ninja's routes (405)."""
    settings.SECURE_SSL_REDIRECT = True
    reply = client.options(path, **PREFLIGHT)
    assert reply.status_code == 200 and reply["Access-Control-Allow-Origin"] == ALLOWED


def test_preflight_from_another_origin_gets_no_cors_headers(client):
    reply = client.options("/api/games", **{**PREFLIGHT, "HTTP_ORIGIN": "https://evil.example"})
    assert not any(h.lower().startswith("access-control-") for h in reply.headers)


def test_simple_request_exposes_the_headers_a_client_reads(client, dynamo):
    reply = client.get("/api/games", HTTP_ORIGIN="http://127.0.0.1:5173")
    assert reply.status_code == 200
    assert reply["Access-Control-Allow-Origin"] == "http://127.0.0.1:5173"
    exposed = {h.strip().lower() for h in reply["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"retry-after", "etag", "x-request-id"}


def test_only_api_paths_get_cors(client):
    reply = client.options("/admin/login/", **PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in reply


def _cors_settings(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'origins': settings.CORS_ALLOWED_ORIGINS, 'regex': settings.CORS_URLS_REGEX}))"
    )
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_read_a_comma_separated_list():
    found = _cors_settings(CORS_ALLOWED_ORIGINS=" https://a.example , https://b.example:8443,")
    assert found["origins"] == ["https://a.example", "https://b.example:8443"]
    assert found["regex"] == r"^/api/.*$"


def test_local_default_allows_the_dev_server():
    assert _cors_settings()["origins"] == ["http://localhost:5173", "http://127.0.0.1:5173"]


def test_production_default_allows_no_origin():
    production = {
        "DUELARENA_ENV": "production",
        "DJANGO_SECRET_KEY": GOOD_SECRET,
        "DJANGO_ALLOWED_HOSTS": "arena.example.com",
        "JWT_SIGNING_KEY": "j" * 40,
    }
    assert _cors_settings(**production)["origins"] == []
    assert _cors_settings(**production, CORS_ALLOWED_ORIGINS="https://app.example")["origins"] == [
        "https://app.example"
    ]
