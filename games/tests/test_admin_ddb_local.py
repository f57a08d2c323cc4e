"""The games admin against DynamoDB Local with 1,000+ games: every list page is ONE Query (the
``X-DynamoDB-Calls`` header in DEBUG counts it, next to the session user's GetItem), Next pages through
everything exactly once, filters return exactly their games, and moderation transactions hold."""

from __future__ import annotations

import pytest

from duelarena import audit
from duelarena.dynamo import items, keys
from duelarena.tests.admin_support import (
    dynamodb_operations,
    game_record,
    login,
    make_user,
    next_link,
    post,
    row_ids,
    store_games,
)
from games import store

pytestmark = pytest.mark.integration

GAMES = 1_050
TYPES = ("chess", "tictactoe", "rps", "racing", "words")
STATUSES = ("live", "finished", "aborted")


@pytest.fixture
def local_admin(ddb_local, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    admin = make_user("root@example.com", ["admin", "player"])
    owners = [make_user(f"owner{i}@example.com", password=None) for i in range(3)]
    return {"admin": admin, "owners": owners, "client": login("root@example.com")}


@pytest.fixture
def arena(local_admin):
    owners = local_admin["owners"]
    games = [
        game_record(owners[i % 3], TYPES[i % 5], n=i, status=STATUSES[i % 3], flagged=i % 10 == 0, hidden=i % 7 == 0)
        for i in range(GAMES)
    ]
    store_games(games)
    return {**local_admin, "games": sorted((g for g, _ in games), key=lambda g: g.created_at, reverse=True)}


def walk(client, first_url: str) -> tuple[list[str], int]:
    """Follow Next from ``first_url`` to the end; every page must be the session GetItem + ONE Query."""
    seen: list[str] = []
    link: str | None = first_url
    pages = 0
    while link:
        with dynamodb_operations() as operations:
            page = client.get(link if link.startswith("/") else "/admin/games/game/" + link)
        assert page.status_code == 200
        assert page["X-DynamoDB-Calls"] == "2", page["X-DynamoDB-Calls"]
        assert operations == ["GetItem", "Query"], operations
        seen += row_ids(page.content)
        link, pages = next_link(page.content), pages + 1
        assert pages <= GAMES // 5, "paging does not end"
    return seen, pages


def test_every_page_of_a_thousand_games_is_one_query(arena):
    seen, pages = walk(arena["client"], "/admin/games/game/")
    assert seen == [g.id for g in arena["games"]]  # each game once, newest first
    # 21 full pages; DynamoDB may still return a LastEvaluatedKey after the last item (an empty page).
    assert pages in (GAMES // 50, GAMES // 50 + 1)


FILTERS = [
    ("game_type=chess", lambda g, owner: g.game_type == "chess"),
    ("status=finished", lambda g, owner: g.status == "finished"),
    ("flagged=yes", lambda g, owner: g.flagged),
    ("hidden=yes&game_type=words", lambda g, owner: g.hidden and g.game_type == "words"),
    ("owner={owner}", lambda g, owner: g.owner_id == owner),
    (
        "owner={owner}&status=finished&game_type=rps",
        lambda g, owner: g.owner_id == owner and g.status == "finished" and g.game_type == "rps",
    ),
]


def test_filters_page_through_exactly_their_games(arena):
    owner = arena["owners"][1].id
    for query, expected in FILTERS:
        seen, _ = walk(arena["client"], f"/admin/games/game/?{query.format(owner=owner)}")
        wanted = [g.id for g in arena["games"] if expected(g, owner)]
        assert wanted and seen == wanted, query


def test_detail_is_one_query_for_the_game_and_its_moves(local_admin):
    game, moves = game_record(local_admin["owners"][0], "chess", n=1, moves=["e4", "c5", "Nf3"])
    store_games([(game, moves)])
    with dynamodb_operations() as operations:
        page = local_admin["client"].get(f"/admin/games/game/{game.id}/change/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert operations == ["GetItem", "Query", "GetItem"]  # session user, the game with its moves, its owner


def test_moderation_on_dynamodb_local_deletes_everything_and_audits(local_admin):
    client = local_admin["client"]
    game, moves = game_record(local_admin["owners"][2], "chess", n=1, moves=["d4", "d5", "c4", "e6"])
    others = [game_record(local_admin["owners"][0], "chess", n=2 + i, moves=["e4"]) for i in range(3)]
    store_games([(game, moves), *others])
    for action in ("flag", "hide", "unflag", "unhide", "flag", "hide"):
        assert post(client, f"/admin/games/game/{game.id}/actions/{action}/").status_code == 302
    assert [g.id for g in store.list_public().games] == [g.id for g, _ in reversed(others)]
    assert post(client, f"/admin/games/game/{game.id}/actions/abort/", {"confirmed": "yes"}).status_code == 302
    changed = store.get(game.id)
    assert (changed.flagged, changed.hidden, changed.status, changed.version) == (True, True, "aborted", 2)
    assert post(client, f"/admin/games/game/{game.id}/delete/", {"confirmed": "yes"}).status_code == 302
    assert items.query_all(keys.game_pk(game.id)) == []
    assert [e.action for e in audit.history("game", game.id).entries] == [
        "delete",
        "abort",
        "hide",
        "flag",
        "unhide",
        "unflag",
        "hide",
        "flag",
    ]
    with dynamodb_operations() as operations:
        index = client.get("/admin/")
    assert operations == ["GetItem", "Query"] and index["X-DynamoDB-Calls"] == "2"
    recent = index.content.decode()
    assert "Delete by root@example.com" in recent and "Abort by root@example.com" in recent
    assert walk(client, "/admin/games/game/?game_type=chess")[0] == [g.id for g, _ in reversed(others)]
    assert all(len(items.query_all(keys.game_pk(g.id))) == 2 for g, _ in others)  # untouched
