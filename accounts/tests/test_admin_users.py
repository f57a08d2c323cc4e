"""The users admin through Django's test client (CSRF enforced) on moto: list, search, detail with games and
spend, ban/unban (sessions and tokens revoked at once), moderator role, daily budget, and roles (403)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts import limits, moderation, tokens, users
from accounts.admin import parse_dollars
from duelarena import audit
from duelarena.errors import ApiError
from duelarena.tests.admin_support import (
    game_record,
    login,
    make_user,
    messages_in,
    next_link,
    post,
    row_ids,
    store_games,
)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(dynamo):
    return {
        "admin": make_user("root@example.com", ["admin", "player"]),
        "mod": make_user("mod@example.com", ["moderator", "player"]),
        "alice": make_user("alice@example.com", password=None),
    }


@pytest.fixture
def admin_client(people):
    return login("root@example.com")


@pytest.fixture
def mod_client(people):
    return login("mod@example.com")


def url(user_id: str, page: str = "change") -> str:
    return f"/admin/accounts/arenauser/{user_id}/{page}/"


def test_list_pages_by_cursor_newest_first(admin_client, people, settings):
    settings.DEBUG = True
    for i in range(55):
        users.create(f"user{i:02d}@example.com")
    first = admin_client.get("/admin/accounts/arenauser/")
    assert first.status_code == 200 and first["X-DynamoDB-Calls"] == "2"  # the session's user + one Query
    assert len(row_ids(first.content)) == 50
    second = admin_client.get("/admin/accounts/arenauser/" + next_link(first.content))
    assert len(row_ids(second.content)) == 55 + 3 - 50 and next_link(second.content) is None
    assert b"root@example.com" in second.content  # created first, listed last


def test_search_by_email_or_id_opens_the_user(admin_client, people):
    alice = people["alice"]
    by_email = admin_client.get("/admin/accounts/arenauser/", {"q": "ALICE@example.com"})
    assert by_email.status_code == 302 and by_email["Location"] == url(alice.id)
    by_id = admin_client.get("/admin/accounts/arenauser/", {"q": alice.id})
    assert by_id.status_code == 302 and by_id["Location"] == url(alice.id)
    missing = admin_client.get("/admin/accounts/arenauser/", {"q": "nobody@example.com"})
    assert missing.status_code == 200 and any("Nothing matches" in m for m in messages_in(missing.content))


def test_detail_shows_games_and_spend(admin_client, people):
    alice = people["alice"]
    games = [game_record(alice, "chess", n=i) for i in range(25)]
    store_games(games)
    limits.charge(alice, 1_234_567, datetime.now(UTC))
    page = admin_client.get(url(alice.id))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="spent-today">$1.234567<' in body and "$2.00 (default)" in body
    newest = sorted(games, key=lambda g: g[0].created_at, reverse=True)
    assert body.count("/admin/games/game/") >= 20 and f"/admin/games/game/{newest[0][0].id}/change/" in body
    assert f"/admin/games/game/?owner={alice.id}" in body


def test_ban_revokes_the_admin_session_and_api_tokens_at_once(admin_client, people):
    mod = people["mod"]
    mod_session = login("mod@example.com")
    assert mod_session.get("/admin/").status_code == 200
    token = tokens.issue_access(users.get(mod.id))
    api = Client()
    assert api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    confirm = admin_client.get(url(mod.id, "actions/ban"))
    assert confirm.status_code == 200 and b"Are you sure?" in confirm.content
    done = post(admin_client, url(mod.id, "actions/ban"), {"confirmed": "yes"})
    assert done.status_code == 302

    assert users.get(mod.id).status == "banned"
    assert mod_session.get("/admin/").status_code == 302  # to the login page
    assert api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    (entry,) = audit.history("user", mod.id).entries
    assert (entry.action, entry.actor_email, entry.before, entry.after) == (
        "ban",
        "root@example.com",
        {"status": "active"},
        {"status": "banned"},
    )

    post(admin_client, url(mod.id, "actions/unban"))
    assert users.get(mod.id).is_active
    assert mod_session.get("/admin/").status_code == 302  # an unban does not bring old sessions back
    assert api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert login("mod@example.com").get("/admin/").status_code == 200


def test_grant_and_revoke_moderator(admin_client, people):
    alice = people["alice"]
    post(admin_client, url(alice.id, "actions/grant_moderator"))
    assert users.get(alice.id).roles == ["moderator", "player"]
    post(admin_client, url(alice.id, "actions/revoke_moderator"))
    assert users.get(alice.id).roles == ["player"]
    actions = [(e.action, e.before, e.after) for e in audit.history("user", alice.id).entries]
    assert actions == [
        ("revoke_moderator", {"roles": ["moderator", "player"]}, {"roles": ["player"]}),
        ("grant_moderator", {"roles": ["player"]}, {"roles": ["moderator", "player"]}),
    ]
    history = admin_client.get(url(alice.id, "history"))
    assert history.status_code == 200 and history.content.count(b'class="audit-entry"') == 2


def test_change_the_daily_budget(admin_client, people):
    alice = people["alice"]
    done = post(admin_client, url(alice.id, "actions/set_budget"), {"daily_budget": "$5.25"})
    assert done.status_code == 302 and users.get(alice.id).daily_budget_micros == 5_250_000
    assert "$5.25" in " ".join(messages_in(admin_client.get(done["Location"]).content))
    bad = post(admin_client, url(alice.id, "actions/set_budget"), {"daily_budget": "lots"})
    assert any("not an amount" in m for m in messages_in(admin_client.get(bad["Location"]).content))
    post(admin_client, url(alice.id, "actions/set_budget"), {"daily_budget": ""})
    assert users.get(alice.id).daily_budget_micros is None
    assert [e.after for e in audit.history("user", alice.id).entries] == [
        {"daily_budget_micros": None},
        {"daily_budget_micros": 5_250_000},
    ]


def test_parse_dollars():
    assert parse_dollars("2") == 2_000_000 and parse_dollars(" $1,000.5 ") == 1_000_500_000
    assert parse_dollars("0.000001") == 1 and parse_dollars("") is None
    for bad in ("two", "NaN", "inf"):
        with pytest.raises(ApiError):
            parse_dollars(bad)


def test_moderators_get_403_for_ban_roles_and_budget(mod_client, people):
    alice = people["alice"]
    for action in ("ban", "grant_moderator", "set_budget"):
        assert (
            post(
                mod_client, url(alice.id, f"actions/{action}"), {"confirmed": "yes", "daily_budget": "100"}
            ).status_code
            == 403
        )
    bulk = post(
        mod_client, "/admin/accounts/arenauser/", {"action": "ban", "_selected_action": [alice.id], "confirmed": "yes"}
    )
    assert bulk.status_code == 403
    assert mod_client.get(url(alice.id)).status_code == 200  # they may look
    body = mod_client.get(url(alice.id)).content
    assert b'data-action="ban"' not in body and b'data-action="set_budget"' not in body
    for call in (
        lambda: moderation.ban(people["mod"], alice.id),
        lambda: moderation.set_moderator(people["mod"], alice.id, True),
        lambda: moderation.set_daily_budget(people["mod"], alice.id, 1),
    ):
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status == 403
    assert users.get(alice.id) == alice and audit.recent().entries == []


def test_admins_cannot_ban_themselves_or_change_their_own_roles(admin_client, people):
    me = people["admin"]
    post(admin_client, url(me.id, "actions/ban"), {"confirmed": "yes"})
    assert users.get(me.id).is_active
    with pytest.raises(ApiError) as refused:
        moderation.set_moderator(me, me.id, True)
    assert refused.value.code == "self_moderation"


def test_a_change_and_its_audit_item_are_written_together(people, monkeypatch):
    """If the audit Put fails, the change does not happen either (one TransactWriteItems)."""
    alice = people["alice"]
    real = audit.put_operation

    def colliding(entry):
        op = real(entry)
        op["Put"]["ConditionExpression"] = "attribute_exists(pk)"  # this Put can only fail
        return op

    monkeypatch.setattr(audit, "put_operation", colliding)
    with pytest.raises(ApiError):
        moderation.ban(people["admin"], alice.id)
    assert users.get(alice.id).is_active and audit.history("user", alice.id).entries == []


@pytest.mark.integration
def test_user_moderation_writes_validate_on_dynamodb_local(ddb_local, settings):
    """DynamoDB Local rejects what moto lets through (unused expression names, bad conditions)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("root@example.com", ["admin", "player"])
    alice = make_user("alice@example.com", password=None)
    client = login("root@example.com")
    for action, data in (
        ("ban", {"confirmed": "yes"}),
        ("unban", {}),
        ("grant_moderator", {}),
        ("set_budget", {"daily_budget": "3"}),
        ("set_budget", {"daily_budget": ""}),
        ("revoke_moderator", {}),
    ):
        reply = post(client, url(alice.id, f"actions/{action}"), data)
        assert reply.status_code == 302
        assert not [m for m in messages_in(client.get(reply["Location"]).content) if "try again" in m], action
    final = users.get(alice.id)
    assert (final.status, final.roles, final.daily_budget_micros) == ("active", ["player"], None)
    assert final.session_epoch == 4  # ban, unban, grant, revoke: each revoked the sessions
    assert [e.action for e in audit.history("user", alice.id).entries] == [
        "revoke_moderator",
        "set_budget",
        "set_budget",
        "grant_moderator",
        "unban",
        "ban",
    ]
