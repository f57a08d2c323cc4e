"""Findings 3 and 4 of the security audit: logout revokes access tokens; sign-in attempts are throttled."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import throttle, tokens, users
from duelarena import audit


@pytest.fixture
def user(dynamo):
    return users.create("player@example.com", name="Player")[0]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def me(client, token):
    return client.get("/api/auth/me", **bearer(token))


# --- finding 4 -----------------------------------------------------------------------------------------


def test_logout_revokes_the_access_token_of_that_sign_in_only(client, user):
    phone, laptop = tokens.issue_pair(user), tokens.issue_pair(user)
    assert me(client, phone.access).status_code == 200
    reply = client.post(
        "/api/auth/logout", {"refresh": phone.refresh}, content_type="application/json", **bearer(phone.access)
    )
    assert reply.status_code == 204
    refused = me(client, phone.access)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    assert me(client, laptop.access).status_code == 200  # the other sign-in goes on
    refreshed = client.post("/api/auth/refresh", {"refresh": phone.refresh}, content_type="application/json")
    assert refreshed.status_code == 401


def test_the_bearer_check_stays_one_read(client, user, settings):
    settings.DEBUG = True
    pair = tokens.issue_pair(user)
    client.post(
        "/api/auth/logout",
        {"refresh": tokens.issue_pair(user).refresh},
        content_type="application/json",
        **bearer(pair.access),
    )
    reply = client.get("/api/auth/me", **bearer(pair.access))
    # the user (with its revoked families) and today's spend for the budget in the answer
    assert reply.status_code == 200 and reply["X-DynamoDB-Calls"] == "2"


def test_revoked_families_expire_and_stay_bounded(user):
    fresh = users.revoke_family(user, "old", until=100, now=50)
    assert fresh.revoked_families == {"old": 100}
    fresh = users.revoke_family(fresh, "new", until=10_000, now=200)  # "old" has expired: dropped
    assert fresh.revoked_families == {"new": 10_000}
    stale = user  # a logout computed from an out-of-date read does not lose the other entry
    fresh = users.revoke_family(stale, "third", until=10_000, now=200)
    assert set(fresh.revoked_families) == {"new", "third"}
    epoch = fresh.session_epoch
    for k in range(users.MAX_REVOKED_FAMILIES):
        fresh = users.revoke_family(fresh, f"f{k}", until=10_000, now=200)
    assert fresh.session_epoch == epoch + 1  # too many: logged out everywhere instead


# --- finding 3 -----------------------------------------------------------------------------------------

PASSWORD = "a-long-pass-phrase-9"


def admin_login(client: Client, email: str, password: str, **extra):
    client.get("/admin/login/")
    return client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"}, **extra
    )


@pytest.fixture
def staff(dynamo):
    call_command("createadmin", "--email", "root@example.com", "--password", PASSWORD, stdout=StringIO())
    return users.get_by_email("root@example.com")


def test_admin_password_guessing_is_locked_out_and_audited(staff, settings):
    client = Client()
    for _ in range(settings.THROTTLE_ACCOUNT_FAILURES):
        page = admin_login(client, "root@example.com", "wrong-password")
        assert page.status_code == 200 and b"Too many failed" not in page.content
    locked = admin_login(client, "root@example.com", "wrong-password")  # this failure starts the lock
    assert locked.status_code == 200 and b"Too many failed sign-ins. Try again in 30 seconds." in locked.content
    for _ in range(25):  # 30 wrong passwords in all...
        admin_login(client, "root@example.com", "wrong-password")
    right = admin_login(client, "root@example.com", PASSWORD)  # ...then the right one: still refused
    assert right.status_code == 200 and b"Too many failed sign-ins" in right.content
    assert "_auth_user_id" not in client.session
    entries = audit.history(throttle.AUDIT_KIND, "account:root@example.com").entries
    assert [e.action for e in entries] == ["signin_locked"]
    assert entries[0].after["failures"] == settings.THROTTLE_ACCOUNT_FAILURES + 1


def test_the_lock_grows_and_ends(staff, settings, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: now[0])
    client = Client()
    for _ in range(settings.THROTTLE_ACCOUNT_FAILURES + 1):
        admin_login(client, "root@example.com", "wrong-password")
    now[0] += 31  # the first lock (30 s) is over: the next failure locks for 60 s
    page = admin_login(client, "root@example.com", "wrong-password")
    assert b"Try again in 60 seconds" in page.content
    assert throttle.lock_seconds(100, 5) == settings.THROTTLE_MAX_LOCK_SECONDS
    now[0] += 61
    ok = admin_login(client, "root@example.com", PASSWORD)
    assert ok.status_code == 302 and client.session["_auth_user_id"] == staff.id
    # success cleared the account's failures: one more wrong password does not lock again
    assert b"Too many failed" not in admin_login(Client(), "root@example.com", "wrong-password").content


def test_guessing_from_one_address_across_accounts_is_locked(staff, settings):
    settings.THROTTLE_ADDRESS_FAILURES = 3
    client = Client()
    for k in range(3):
        assert b"Too many failed" not in admin_login(client, f"guess{k}@example.com", "x").content
    assert b"Too many failed" in admin_login(client, "guess9@example.com", "x").content
    other = Client(REMOTE_ADDR="10.0.0.9")  # another address still signs in
    assert admin_login(other, "root@example.com", PASSWORD).status_code == 302


def test_token_endpoint_is_throttled_per_address_with_retry_after(client, user, settings):
    settings.THROTTLE_ADDRESS_FAILURES = 3
    for _ in range(3):
        reply = client.post("/api/auth/token", {"code": "guess"}, content_type="application/json")
        assert reply.status_code == 400
    reply = client.post("/api/auth/token", {"code": "guess"}, content_type="application/json")
    assert reply.status_code == 429 and reply["Retry-After"] == "30"
    assert reply.json()["error"]["code"] == "too_many_attempts"
    good = tokens.issue_login_code(user)
    again = client.post("/api/auth/token", {"code": good}, content_type="application/json")
    assert again.status_code == 429 and int(again["Retry-After"]) <= 30  # even a good code waits
    elsewhere = client.post("/api/auth/token", {"code": good}, content_type="application/json", REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 200


def test_refresh_endpoint_is_throttled_per_family(client, user, settings):
    settings.THROTTLE_ACCOUNT_FAILURES = 2
    pair = tokens.issue_pair(user)
    family = pair.refresh.split(".")[0]
    for k in range(2):
        forged = f"{family}.{k}.wrong-secret"
        assert (
            client.post(
                "/api/auth/refresh", {"refresh": forged}, content_type="application/json", REMOTE_ADDR=f"192.0.2.{k}"
            ).status_code
            == 401
        )
    reply = client.post(
        "/api/auth/refresh", {"refresh": f"{family}.x.wrong"}, content_type="application/json", REMOTE_ADDR="192.0.2.50"
    )
    assert reply.status_code == 429 and reply["Retry-After"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.5", "", "203.0.113.5"),
        ("203.0.113.5", "1.2.3.4", "203.0.113.5"),  # not from a trusted proxy: the header is ignored
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the rightmost hop, not what the client wrote
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_client_address(rf, settings, remote, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected
