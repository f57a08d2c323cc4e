"""The games admin through Django's test client (CSRF enforced) on moto: list, filters, search, detail with
the board and attempts, moderation actions with their audit entries, and roles (moderators get 403)."""

from __future__ import annotations

import re

import pytest
from django.db.models.sql.compiler import SQLCompiler

from duelarena import audit
from duelarena.domain import DomainError, ErrorKind
from duelarena.dynamo import items, keys
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
from games import moderation, store

CHESS_MOVES = ["e4", "e5", "Nf3", "Nc6", "Bb5"]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(dynamo):
    return {
        "admin": make_user("root@example.com", ["admin", "player"]),
        "mod": make_user("mod@example.com", ["moderator", "player"]),
        "alice": make_user("alice@example.com", password=None),
        "bob": make_user("bob@example.com", password=None),
    }


@pytest.fixture
def admin_client(people):
    return login("root@example.com")


@pytest.fixture
def mod_client(people):
    return login("mod@example.com")


@pytest.fixture
def chess_game(people):
    game, moves = game_record(people["alice"], "chess", n=100, moves=CHESS_MOVES)
    store_games([(game, moves)])
    return game


@pytest.fixture
def no_orm(monkeypatch):
    calls = []
    original = SQLCompiler.execute_sql

    def record(self, *args, **kwargs):
        calls.append(str(self.query.model))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", record)
    yield calls
    assert calls == []


def url(game_id: str, page: str = "change") -> str:
    return f"/admin/games/game/{game_id}/{page}/"


def test_index_lists_the_shims_and_no_orm_models(admin_client, no_orm):
    page = admin_client.get("/admin/")
    assert page.status_code == 200
    assert b"/admin/games/game/" in page.content and b"/admin/accounts/arenauser/" in page.content
    for orm_only in (b"/admin/auth/group/", b"/admin/social_django/"):
        assert orm_only not in page.content
    assert b"Recent actions" in page.content and b"None available" in page.content


def test_list_shows_the_columns_and_pages_by_cursor(admin_client, people, no_orm):
    games = [
        game_record(people["alice"] if i % 2 else people["bob"], ("chess", "rps", "tictactoe")[i % 3], n=i)
        for i in range(120)
    ]
    store_games(games)
    newest_first = [g.id for g, _ in sorted(games, key=lambda gm: gm[0].created_at, reverse=True)]
    seen, link, pages = [], "/admin/games/game/", 0
    while link:
        page = admin_client.get(link if link.startswith("/") else "/admin/games/game/" + link)
        assert page.status_code == 200
        assert b"First page" in page.content or pages == 0
        assert b"of 120" not in page.content and b"page=" not in page.content  # no totals, no offsets
        seen += row_ids(page.content)
        link, pages = next_link(page.content), pages + 1
    assert seen == newest_first and pages == 3
    first = admin_client.get("/admin/games/game/").content.decode()
    headers = ("Type", "Players", "Owner", "Status", "Result", "Moves", "Tokens", "Cost", "Created (UTC)", "Flagged")
    for header in headers:
        assert f"<span>{header}</span>" in first


def test_filters_map_to_one_query_each(admin_client, people):
    games = [
        game_record(people["alice"], "chess", n=1),
        game_record(people["bob"], "chess", n=2, flagged=True),
        game_record(people["bob"], "rps", n=3, status="finished"),
        game_record(people["alice"], "tictactoe", n=4, hidden=True),
    ]
    store_games(games)
    ids = [g.id for g, _ in games]

    def listed(query: str) -> set[str]:
        page = admin_client.get("/admin/games/game/" + query)
        assert page.status_code == 200
        return set(row_ids(page.content))

    assert listed("") == set(ids)
    assert listed("?game_type=chess") == {ids[0], ids[1]}
    assert listed("?status=finished") == {ids[2]}
    assert listed("?flagged=yes") == {ids[1]}
    assert listed("?hidden=yes") == {ids[3]}
    assert listed(f"?owner={people['alice'].id}") == {ids[0], ids[3]}
    assert listed(f"?owner={people['bob'].id}&game_type=chess") == {ids[1]}
    refused = admin_client.get("/admin/games/game/?game_type=poker&owner=not-an-id")
    assert set(row_ids(refused.content)) == set(ids)
    assert any("Ignored the filter" in m for m in messages_in(refused.content))


def test_a_cursor_only_works_for_its_own_query(admin_client, people):
    store_games([game_record(people["alice"], "chess", n=i) for i in range(60)])
    link = next_link(admin_client.get("/admin/games/game/").content)
    cursor = re.search(r"cursor=([^&]+)", link).group(1)
    replayed = admin_client.get(f"/admin/games/game/?game_type=chess&cursor={cursor}")
    assert replayed.status_code == 200 and len(row_ids(replayed.content)) == 60  # the first page, read whole
    assert any("not valid here" in m for m in messages_in(replayed.content))
    forged = admin_client.get("/admin/games/game/?cursor=forged")
    assert forged.status_code == 200 and any("not valid here" in m for m in messages_in(forged.content))


def test_search_by_game_id_and_by_owner_email(admin_client, people, chess_game):
    by_id = admin_client.get("/admin/games/game/", {"q": chess_game.id.upper()})
    assert by_id.status_code == 302 and by_id["Location"] == url(chess_game.id)
    by_email = admin_client.get("/admin/games/game/", {"q": " Alice@Example.com "})
    assert by_email.status_code == 302 and by_email["Location"] == f"/admin/games/game/?owner={people['alice'].id}"
    assert row_ids(admin_client.get(by_email["Location"]).content) == [chess_game.id]
    nothing = admin_client.get("/admin/games/game/", {"q": "nobody@example.com"})
    assert nothing.status_code == 200 and any("Nothing matches" in m for m in messages_in(nothing.content))


def test_chess_detail_shows_the_board_moves_and_attempts(admin_client, chess_game, no_orm):
    page = admin_client.get(url(chess_game.id))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and 'class="board board-chess"' in body
    assert body.count('class="move"') == len(CHESS_MOVES)
    assert "I like Nf3." in body and "MOVE: Bb5" in body and "Your move as white." in body
    assert "$0.0075" in body  # 5 attempts x 1500 micro-dollars
    assert "alice@example.com" in body  # the owner
    for action in ("flag", "hide", "abort", "delete_game"):
        assert f'data-action="{action}"' in body


def test_other_games_render_as_text_or_grid(admin_client, people):
    ttt, ttt_moves = game_record(people["alice"], "tictactoe", n=1, moves=["5", "1"])
    rps, rps_moves = game_record(people["alice"], "rps", n=2, moves=["rock"])
    racing, _ = game_record(people["alice"], "racing", n=3)
    words, _ = game_record(people["alice"], "words", n=4)
    store_games([(ttt, ttt_moves), (rps, rps_moves), (racing, []), (words, [])])
    grid = admin_client.get(url(ttt.id)).content.decode()
    assert 'class="board board-tictactoe"' in grid and grid.count('<td class="cell">X</td>') == 1
    pending = admin_client.get(url(rps.id)).content.decode()
    assert "Rock-paper-scissors" in pending and "Pending (hidden from the other player): white: rock" in pending
    assert "Racing." in admin_client.get(url(racing.id)).content.decode()
    assert "Word association." in admin_client.get(url(words.id)).content.decode()


def test_flag_hide_and_unhide_are_audited_and_leave_or_enter_the_public_feeds(mod_client, people, chess_game):
    flagged = post(mod_client, url(chess_game.id, "actions/flag"))
    assert flagged.status_code == 302 and flagged["Location"] == url(chess_game.id)
    assert store.get(chess_game.id).flagged is True
    hidden = post(mod_client, url(chess_game.id, "actions/hide"))
    assert hidden.status_code == 302
    item = items.get(keys.game_pk(chess_game.id), "META")
    assert item["hidden"] is True and "gsi2pk" not in item and "gsi3pk" not in item
    assert store.list_public().games == []
    post(mod_client, url(chess_game.id, "actions/unhide"))
    assert [g.id for g in store.list_public(game_type="chess").games] == [chess_game.id]
    post(mod_client, url(chess_game.id, "actions/unflag"))

    history = audit.history("game", chess_game.id).entries
    assert [e.action for e in history] == ["unflag", "unhide", "hide", "flag"]
    assert history[-1].before == {"flagged": False} and history[-1].after == {"flagged": True}
    assert {e.actor_email for e in history} == {"mod@example.com"}
    page = mod_client.get(url(chess_game.id, "history"))
    assert page.status_code == 200 and page.content.count(b'class="audit-entry"') == 4
    assert b"mod@example.com" in page.content and b"{&quot;flagged&quot;: true}" in page.content
    index = mod_client.get("/admin/").content.decode()
    assert "Unflag by mod@example.com" in index and url(chess_game.id) in index


def test_a_repeated_action_changes_nothing_and_writes_no_audit_item(mod_client, chess_game):
    post(mod_client, url(chess_game.id, "actions/flag"))
    post(mod_client, url(chess_game.id, "actions/flag"))
    assert len(audit.history("game", chess_game.id).entries) == 1


def test_abort_needs_confirmation_and_stops_the_game(mod_client, chess_game):
    confirm = mod_client.get(url(chess_game.id, "actions/abort"))
    assert confirm.status_code == 200 and b"Are you sure?" in confirm.content and b'name="confirmed"' in confirm.content
    assert store.get(chess_game.id).status == "live"
    done = post(mod_client, url(chess_game.id, "actions/abort"), {"confirmed": "yes"})
    assert done.status_code == 302
    game = store.get(chess_game.id)
    assert (game.status, game.termination, game.version) == ("aborted", "aborted_by_moderator", 2)
    again = mod_client.get(done["Location"])
    assert b'data-action="abort"' not in again.content  # nothing to abort any more
    refused = post(mod_client, url(chess_game.id, "actions/abort"), {"confirmed": "yes"})
    assert any("only a game in progress" in m for m in messages_in(mod_client.get(refused["Location"]).content))
    assert [e.action for e in audit.history("game", chess_game.id).entries] == ["abort"]


def test_delete_removes_every_item_of_the_game(admin_client, people, chess_game):
    other, other_moves = game_record(people["bob"], "chess", n=5, moves=["d4"])
    store_games([(other, other_moves)])
    assert len(items.query_all(keys.game_pk(chess_game.id))) == 1 + len(CHESS_MOVES)
    confirm = admin_client.get(url(chess_game.id, "delete"))
    assert confirm.status_code == 200 and b"Delete this game and every move" in confirm.content
    done = post(admin_client, url(chess_game.id, "delete"), {"confirmed": "yes"})
    assert done.status_code == 302 and done["Location"] == "/admin/games/game/"
    assert items.query_all(keys.game_pk(chess_game.id)) == []
    assert len(items.query_all(keys.game_pk(other.id))) == 2  # nothing else went
    gone = admin_client.get(url(chess_game.id))
    assert gone.status_code == 302 and gone["Location"] == "/admin/games/game/"
    (entry,) = audit.history("game", chess_game.id).entries
    assert entry.action == "delete" and entry.after is None and entry.before["moves_count"] == len(CHESS_MOVES)
    history = admin_client.get(url(chess_game.id, "history"))  # still there after the game is gone
    assert history.status_code == 200 and b"root@example.com" in history.content


def test_delete_finishes_a_delete_that_failed_half_way(people, chess_game):
    items.delete(keys.game_pk(chess_game.id), "META")  # as if the moves' batch had failed afterwards
    assert moderation.delete_game(chess_game.id, people["admin"]) == len(CHESS_MOVES)
    assert items.query_all(keys.game_pk(chess_game.id)) == []


def test_moderators_get_403_for_delete_in_the_view_and_the_service(mod_client, people, chess_game):
    assert mod_client.get(url(chess_game.id, "delete")).status_code == 403
    assert post(mod_client, url(chess_game.id, "delete"), {"confirmed": "yes"}).status_code == 403
    assert post(mod_client, url(chess_game.id, "actions/delete_game"), {"confirmed": "yes"}).status_code == 403
    bulk = post(
        mod_client,
        "/admin/games/game/",
        {"action": "delete_game", "_selected_action": [chess_game.id], "confirmed": "yes"},
    )
    assert bulk.status_code == 403
    assert b'data-action="delete_game"' not in mod_client.get(url(chess_game.id)).content
    with pytest.raises(DomainError) as refused:
        moderation.delete_game(chess_game.id, people["mod"])
    assert refused.value.kind == ErrorKind.NOT_ALLOWED
    for action in (moderation.set_flagged, moderation.set_hidden):
        with pytest.raises(DomainError) as player:
            action(chess_game.id, people["alice"], True)
        assert player.value.kind == ErrorKind.NOT_ALLOWED
    assert len(items.query_all(keys.game_pk(chess_game.id))) == 1 + len(CHESS_MOVES)
    assert audit.recent().entries == []


def test_actions_need_post_with_csrf(admin_client, chess_game):
    assert admin_client.get(url(chess_game.id, "actions/flag")).status_code == 405
    without_token = admin_client.post(url(chess_game.id, "actions/flag"))
    assert without_token.status_code == 403
    assert admin_client.post(url(chess_game.id, "delete"), {"confirmed": "yes"}).status_code == 403
    assert store.get(chess_game.id).flagged is False
    assert len(items.query_all(keys.game_pk(chess_game.id))) == 1 + len(CHESS_MOVES)


def test_bulk_actions_from_the_list(admin_client, people):
    games = [game_record(people["alice"], "chess", n=i) for i in range(3)]
    store_games(games)
    ids = [g.id for g, _ in games]
    done = post(admin_client, "/admin/games/game/?game_type=chess", {"action": "flag", "_selected_action": ids[:2]})
    assert done.status_code == 302 and done["Location"] == "/admin/games/game/?game_type=chess"
    assert [store.get(i).flagged for i in ids] == [True, True, False]
    confirm = post(admin_client, "/admin/games/game/", {"action": "delete_game", "_selected_action": ids[1:]})
    assert confirm.status_code == 200 and b"Are you sure?" in confirm.content and store.get(ids[2]) is not None
    post(admin_client, "/admin/games/game/", {"action": "delete_game", "_selected_action": ids[1:], "confirmed": "yes"})
    assert store.get(ids[0]) is not None and store.get(ids[1]) is None and store.get(ids[2]) is None
    empty = post(admin_client, "/admin/games/game/", {"action": "flag"})
    assert any("Items must be selected" in m for m in messages_in(admin_client.get(empty["Location"]).content))


def test_players_cannot_enter_and_anonymous_users_are_sent_to_login(people, chess_game, dynamo):
    from django.test import Client

    anonymous = Client(enforce_csrf_checks=True).get(url(chess_game.id))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")


def test_no_add_or_change_form(admin_client, chess_game):
    assert admin_client.get("/admin/games/game/add/").status_code == 403
    assert post(admin_client, url(chess_game.id), {"status": "finished"}).status_code == 405
    assert admin_client.get(f"/admin/games/game/{chess_game.id}/").status_code == 302
    assert admin_client.get(url(chess_game.id, "actions/nonsense")).status_code == 404
