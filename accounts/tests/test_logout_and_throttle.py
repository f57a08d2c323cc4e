"""Findings 3 and 4 of the security audit: logout revokes access tokens; sign-in attempts are throttled."""

from __future__ import annotations

import pytest

from accounts import tokens, users


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
    reply = client.post("/api/auth/logout", {"refresh": phone.refresh}, content_type="application/json",
                        **bearer(phone.access))
    assert reply.status_code == 204
    refused = me(client, phone.access)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_token"
    assert me(client, laptop.access).status_code == 200  # the other sign-in goes on
    refreshed = client.post("/api/auth/refresh", {"refresh": phone.refresh}, content_type="application/json")
    assert refreshed.status_code == 401


def test_the_bearer_check_stays_one_read(client, user, settings):
    settings.DEBUG = True
    pair = tokens.issue_pair(user)
    client.post("/api/auth/logout", {"refresh": tokens.issue_pair(user).refresh}, content_type="application/json",
                **bearer(pair.access))
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
