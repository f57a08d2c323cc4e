"""Google sign-in through the real social-auth pipeline and DynamoDB storage (Google mocked at the HTTP
level with `responses`), admin sessions over signed cookies, and the race on first sign-in."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import tokens, users

TOKEN_URL = "https://accounts.google.com/o/oauth2/token"
USERINFO_URL = "https://www.googleapis.com/oauth2/v3/userinfo"


def profile(**overrides) -> dict:
    data = {
        "sub": "109876543210",
        "email": "Alice@Example.com",
        "email_verified": True,
        "name": "Alice A",
        "picture": "https://lh3.example/alice.png",
    }
    data.update(overrides)
    return data


def begin(client: Client, next_url: str = "") -> str:
    """Load the start page, POST its CSRF-protected form like the browser does; return the state."""
    page = client.get("/auth/google/" + (f"?next={next_url}" if next_url else ""))
    assert page.status_code == 200
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    data = {"csrfmiddlewaretoken": csrf}
    if next_url:
        data["next"] = next_url
    start = client.post("/auth/login/google-oauth2/", data)
    assert start.status_code == 302, start.content
    location = urlparse(start["Location"])
    assert location.netloc == "accounts.google.com"
    query = parse_qs(location.query)
    assert query["client_id"] == ["client-id.apps.googleusercontent.com"]
    return query["state"][0]


def callback(client: Client, google, state: str, userinfo: dict):
    google.replace(
        responses.POST, TOKEN_URL, json={"access_token": "g-access", "token_type": "Bearer", "expires_in": 3600}
    ) if google.registered() else None
    if not google.registered():
        google.add(
            responses.POST, TOKEN_URL, json={"access_token": "g-access", "token_type": "Bearer", "expires_in": 3600}
        )
        google.add(responses.GET, USERINFO_URL, json=userinfo)
    else:
        google.replace(responses.GET, USERINFO_URL, json=userinfo)
    return client.get("/auth/complete/google-oauth2/", {"state": state, "code": "google-auth-code"})


def sign_in(client: Client, google, userinfo: dict | None = None) -> dict:
    reply = callback(client, google, begin(client), userinfo or profile())
    assert reply.status_code == 302, reply.content
    target = urlparse(reply["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://frontend.example/auth/callback"
    code = parse_qs(target.query)["code"][0]
    pair = Client().post("/api/auth/token", {"code": code}, content_type="application/json")
    assert pair.status_code == 200, pair.content
    return pair.json()


def test_google_flow_ends_in_working_access_token(google):
    client = Client(enforce_csrf_checks=True)
    pair = sign_in(client, google)
    me = Client().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == "alice@example.com" and body["name"] == "Alice A"
    assert body["picture"] == "https://lh3.example/alice.png"
    # Google's access token is never stored.
    assert "g-access" not in str(users.get(body["id"]))


def test_same_google_account_finds_the_same_user(google):
    first = sign_in(Client(enforce_csrf_checks=True), google)
    second = sign_in(Client(enforce_csrf_checks=True), google, profile(email="alice@example.com", name="Alice B"))
    assert first["user"]["id"] == second["user"]["id"]
    assert users.get(first["user"]["id"]).name == "Alice B"


def test_email_case_and_whitespace_variants_are_one_user(dynamo):
    a, created_a = users.create("  Bob@Example.COM ")
    b, created_b = users.create("bob@example.com")
    assert created_a and not created_b and a.id == b.id
    assert users.get_by_email("BOB@example.com ").id == a.id


def test_unverified_email_is_refused(google):
    client = Client(enforce_csrf_checks=True)
    reply = callback(client, google, begin(client), profile(email_verified=False))
    assert reply.status_code in (400, 403)
    assert reply.json()["error"]["code"] in {"sign_in_failed", "sign_in_forbidden"}
    assert users.get_by_email("alice@example.com") is None


def test_reused_state_is_refused(google):
    client = Client(enforce_csrf_checks=True)
    state = begin(client)
    assert callback(client, google, state, profile()).status_code == 302
    replay = callback(client, google, state, profile())
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "sign_in_failed"


def test_forged_state_is_refused(google):
    client = Client(enforce_csrf_checks=True)
    begin(client)
    reply = callback(client, google, "forged-state-value", profile())
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "sign_in_failed"
    assert users.get_by_email("alice@example.com") is None


def test_state_from_another_browser_is_refused(google):
    victim = Client(enforce_csrf_checks=True)
    state = begin(victim)
    attacker = Client(enforce_csrf_checks=True)
    begin(attacker)
    assert callback(attacker, google, state, profile()).status_code == 400


def test_login_start_needs_post_with_csrf(google):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/auth/login/google-oauth2/").status_code == 405
    assert client.post("/auth/login/google-oauth2/").status_code == 403


def test_banned_user_cannot_sign_in(google):
    pair = sign_in(Client(enforce_csrf_checks=True), google)
    users.update(users.get(pair["user"]["id"]), status="banned")
    client = Client(enforce_csrf_checks=True)
    reply = callback(client, google, begin(client), profile())
    assert reply.status_code == 403 and reply.json()["error"]["code"] == "sign_in_forbidden"


@pytest.mark.integration
def test_concurrent_first_sign_ins_create_exactly_one_user(ddb_local):
    # DynamoDB Local: moto's conditional writes from several threads are not atomic (this failed there
    # under load with two users for one email).
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: users.create("Race@Example.com"), range(10)))
    assert len({u.id for u, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(users.list_page().items) == 1


# --- admin ---------------------------------------------------------------------------------------------


def admin_login(client: Client, email: str, password: str):
    page = client.get("/admin/login/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    return client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "csrfmiddlewaretoken": csrf}
    )


def test_createadmin_user_logs_into_admin_and_logout_kills_copied_cookie(dynamo):
    out = StringIO()
    call_command("createadmin", "--email", "Root@Example.com", "--password", "a-long-pass-phrase-9", stdout=out)
    assert "created admin root@example.com" in out.getvalue()
    client = Client(enforce_csrf_checks=True)
    assert admin_login(client, "root@example.com", "wrong-password").status_code == 200  # form again
    reply = admin_login(client, "root@example.com", "a-long-pass-phrase-9")
    assert reply.status_code == 302 and reply["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    stolen = client.cookies["sessionid"].value

    csrf = client.cookies["csrftoken"].value
    assert client.post("/admin/logout/", {"csrfmiddlewaretoken": csrf}).status_code in (200, 302)
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get("/admin/").status_code == 302  # back to the login page


def test_createadmin_promotes_an_existing_user(dynamo):
    user, _ = users.create("promote@example.com")
    call_command(
        "createadmin", "--email", "promote@example.com", "--password", "another-long-pass-7", stdout=StringIO()
    )
    promoted = users.get(user.id)
    assert "admin" in promoted.roles and promoted.password_hash.startswith("pbkdf2_")


def test_ban_revokes_admin_session(dynamo):
    call_command("createadmin", "--email", "mod@example.com", "--password", "a-long-pass-phrase-9", stdout=StringIO())
    client = Client(enforce_csrf_checks=True)
    admin_login(client, "mod@example.com", "a-long-pass-phrase-9")
    assert client.get("/admin/").status_code == 200
    users.update(users.get_by_email("mod@example.com"), status="banned")
    assert client.get("/admin/").status_code == 302


def test_player_without_staff_role_cannot_enter_admin(google):
    sign_in(Client(enforce_csrf_checks=True), google)
    client = Client(enforce_csrf_checks=True)
    state = begin(client, next_url="/admin/")
    reply = callback(client, google, state, profile())
    assert reply.status_code == 302 and reply["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 302  # logged in, but not staff: sent to login


def test_google_staff_user_gets_an_admin_session(google):
    pair = sign_in(Client(enforce_csrf_checks=True), google)
    users.update(users.get(pair["user"]["id"]), roles=["moderator", "player"])
    client = Client(enforce_csrf_checks=True)
    reply = callback(client, google, begin(client, next_url="/admin/"), profile())
    assert reply.status_code == 302 and reply["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_google_admin_session_and_a_password_login_work_before_any_sign_in_page_loads(google, monkeypatch):
    """A fresh process (a cold start) whose first requests are an admin page of a Google session and a
    password login: Django builds the Google backend bare, before any /auth/ URL ran; the backend loads
    social-core's default strategy itself (social_django's app config is not installed to do it)."""
    from social_core.registry import REGISTRY

    pair = sign_in(Client(enforce_csrf_checks=True), google)
    users.update(users.get(pair["user"]["id"]), roles=["moderator", "player"])
    client = Client(enforce_csrf_checks=True)
    assert callback(client, google, begin(client, next_url="/admin/"), profile()).status_code == 302
    monkeypatch.setattr(REGISTRY, "_default_strategy", None)  # as in a new process
    assert client.get("/admin/").status_code == 200
    monkeypatch.setattr(REGISTRY, "_default_strategy", None)
    call_command("createadmin", "--email", "pw@example.com", "--password", "a-long-pass-phrase-9", stdout=StringIO())
    reply = admin_login(Client(enforce_csrf_checks=True), "pw@example.com", "a-long-pass-phrase-9")
    assert reply.status_code == 302 and reply["Location"] == "/admin/"


def test_issuetoken_prints_a_working_token(client, dynamo):
    out = StringIO()
    call_command("issuetoken", "--email", "dev@example.com", stdout=out)
    token = out.getvalue().strip()
    assert client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()["email"] == "dev@example.com"
    assert tokens.decode_access(token)["aud"] == "duelarena-api"


def test_admin_login_offers_google_only_when_it_is_configured(settings):
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = ""
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = ""
    page = Client().get("/admin/login/")
    assert page.status_code == 200 and b'name="password"' in page.content
    assert b"Sign in with Google" not in page.content
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "client-id.apps.googleusercontent.com"
    assert b"Sign in with Google" not in Client().get("/admin/login/").content  # a secret is needed too
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = "client-secret"
    assert b"Sign in with Google" in Client().get("/admin/login/").content


def test_issuetoken_takes_a_bounded_lifetime(client, dynamo):
    import time

    out = StringIO()
    call_command("issuetoken", "--email", "dev@example.com", "--lifetime", "2h", stdout=out)
    claims = tokens.decode_access(out.getvalue().strip())
    assert claims["exp"] - claims["iat"] == 7200
    assert abs(claims["iat"] - time.time()) < 60
    for bad in ("30", "8d", "soon", "-5m"):
        try:
            call_command("issuetoken", "--email", "dev@example.com", "--lifetime", bad, stdout=StringIO())
        except CommandError as exc:
            assert "--lifetime" in str(exc)
        else:
            raise AssertionError(f"--lifetime {bad} was accepted")


def test_issuetoken_prints_a_refresh_token_that_rotates(client, dynamo):
    out = StringIO()
    call_command("issuetoken", "--email", "dev@example.com", "--refresh", "--lifetime", "600", stdout=out)
    pair = json.loads(out.getvalue())
    assert set(pair) == {"access", "refresh", "expires_in"} and pair["expires_in"] == 600
    me = client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.json()["email"] == "dev@example.com"
    rotated = client.post("/api/auth/refresh", {"refresh": pair["refresh"]}, content_type="application/json")
    assert rotated.status_code == 200 and rotated.json()["refresh"] != pair["refresh"]
