"""JWT access tokens, refresh rotation, login codes and bearer auth: the attacks of the issue."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest

from accounts import tokens, users


@pytest.fixture
def user(dynamo):
    return users.create("Player@Example.com", name="Player")[0]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def claims(user, **overrides) -> dict:
    now = int(time.time())
    base = {
        "sub": user.id,
        "iat": now,
        "exp": now + 60,
        "iss": "duelarena",
        "aud": "duelarena-api",
        "sep": user.session_epoch,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def me(client, token):
    return client.get("/api/auth/me", **bearer(token))


def test_valid_token_reads_me(client, user, settings):
    reply = me(client, tokens.issue_access(user))
    assert reply.status_code == 200
    body = reply.json()
    assert body["email"] == "player@example.com" and body["roles"] == ["player"]
    assert body["budget"] == {
        "daily_micros": settings.DAILY_BUDGET_MICROS,
        "used_micros": 0,
        "left_micros": settings.DAILY_BUDGET_MICROS,
    }


def _none_token(payload: dict) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda u, s: _none_token(claims(u)), id="alg-none"),
        pytest.param(lambda u, s: jwt.encode(claims(u), "wrong-key-" * 4, algorithm="HS256"), id="wrong-key"),
        pytest.param(
            lambda u, s: jwt.encode(claims(u, exp=int(time.time()) - 10), s.JWT_SIGNING_KEY, algorithm="HS256"),
            id="expired",
        ),
        pytest.param(
            lambda u, s: jwt.encode(claims(u, aud="other-api"), s.JWT_SIGNING_KEY, algorithm="HS256"),
            id="wrong-audience",
        ),
        pytest.param(
            lambda u, s: jwt.encode(claims(u, iss="evil"), s.JWT_SIGNING_KEY, algorithm="HS256"), id="wrong-issuer"
        ),
        pytest.param(lambda u, s: jwt.encode(claims(u, exp=None), s.JWT_SIGNING_KEY, algorithm="HS256"), id="no-exp"),
        pytest.param(lambda u, s: jwt.encode(claims(u), s.JWT_SIGNING_KEY, algorithm="HS512"), id="other-alg"),
        pytest.param(lambda u, s: "not.a.jwt", id="garbage"),
        pytest.param(lambda u, s: "x" * 5000, id="huge"),
    ],
)
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_bad_tokens_are_401_in_error_shape(client, user, settings, make):
    reply = me(client, make(user, settings))
    assert reply.status_code == 401
    body = reply.json()
    assert body["error"]["code"] in {"invalid_token", "unauthorized"}
    assert set(body) == {"error", "request_id"}


def test_tampered_payload_is_refused(client, user, dynamo):
    other = users.create("admin-wannabe@example.com")[0]
    header, payload, signature = tokens.issue_access(user).split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["sub"] = other.id
    forged_part = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    assert me(client, f"{header}.{forged_part}.{signature}").status_code == 401


def test_missing_token_is_401(client, dynamo):
    reply = client.get("/api/auth/me")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "unauthorized"


def test_banned_user_tokens_stop_at_once(client, user):
    token = tokens.issue_access(user)
    assert me(client, token).status_code == 200
    users.update(user, status="banned")
    assert me(client, token).status_code == 401
    users.update(users.get(user.id), status="active")
    assert me(client, token).status_code == 401  # the epoch moved: old tokens stay dead


def test_login_code_works_once(client, user):
    code = tokens.issue_login_code(user)
    first = client.post("/api/auth/token", {"code": code}, content_type="application/json")
    assert first.status_code == 200
    pair = first.json()
    assert pair["user"]["id"] == user.id and pair["expires_in"] > 0
    assert me(client, pair["access"]).status_code == 200
    again = client.post("/api/auth/token", {"code": code}, content_type="application/json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_code"


def test_racing_code_exchanges_have_one_winner(user):
    code = tokens.issue_login_code(user)

    def redeem(_):
        try:
            return tokens.redeem_login_code(code).id
        except tokens.TokenError:
            return None

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(redeem, range(8)))
    assert results.count(user.id) == 1


def test_refresh_rotates_and_reuse_revokes_family(client, user):
    pair = tokens.issue_pair(user)
    first = client.post("/api/auth/refresh", {"refresh": pair.refresh}, content_type="application/json")
    assert first.status_code == 200
    newer = first.json()["refresh"]
    assert newer != pair.refresh
    replay = client.post("/api/auth/refresh", {"refresh": pair.refresh}, content_type="application/json")
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "invalid_refresh_token"
    # The replay revoked the family: even the newest token no longer works.
    after = client.post("/api/auth/refresh", {"refresh": newer}, content_type="application/json")
    assert after.status_code == 401


def test_forged_refresh_tokens_are_refused(client, user):
    pair = tokens.issue_pair(user)
    family, token_id, _ = pair.refresh.split(".")
    for bad in [f"{family}.{token_id}.wrongsecret", "a.b", "", "...", f"{family}.ffff.x"]:
        reply = client.post("/api/auth/refresh", {"refresh": bad}, content_type="application/json")
        assert reply.status_code in (401, 422), bad
    # The genuine token still works: forgeries do not burn it.
    assert (
        client.post("/api/auth/refresh", {"refresh": pair.refresh}, content_type="application/json").status_code == 200
    )


def test_logout_revokes_the_family(client, user):
    pair = tokens.issue_pair(user)
    reply = client.post(
        "/api/auth/logout", {"refresh": pair.refresh}, content_type="application/json", **bearer(pair.access)
    )
    assert reply.status_code == 204
    assert (
        client.post("/api/auth/refresh", {"refresh": pair.refresh}, content_type="application/json").status_code == 401
    )


def test_logout_of_someone_elses_family_is_refused(client, user):
    other = users.create("other@example.com")[0]
    theirs = tokens.issue_pair(other)
    mine = tokens.issue_pair(user)
    reply = client.post(
        "/api/auth/logout", {"refresh": theirs.refresh}, content_type="application/json", **bearer(mine.access)
    )
    assert reply.status_code == 400
    assert (
        client.post("/api/auth/refresh", {"refresh": theirs.refresh}, content_type="application/json").status_code
        == 200
    )


def test_malformed_json_and_schema_errors_have_the_shape(client, dynamo):
    bad_json = client.generic("POST", "/api/auth/token", b"{not json", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "malformed_request"
    missing = client.post("/api/auth/token", {}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["errors"][0]["loc"][-1] == "code"


def test_refresh_tokens_issued_before_a_ban_stay_dead_after_unban(client, user):
    pair = tokens.issue_pair(user)
    users.update(user, status="banned")
    users.update(users.get(user.id), status="active")
    reply = client.post("/api/auth/refresh", {"refresh": pair.refresh}, content_type="application/json")
    assert reply.status_code == 401
    fresh = tokens.issue_pair(users.get(user.id))  # a new sign-in works
    assert (
        client.post("/api/auth/refresh", {"refresh": fresh.refresh}, content_type="application/json").status_code == 200
    )
