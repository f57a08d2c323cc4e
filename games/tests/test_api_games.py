"""Happy paths of the games API through Django's test client (moto)."""

from __future__ import annotations

import io
import random

import chess.pgn
import pytest

from games import service
from games.rules.words import pick_word
from games.tests.helpers import assert_error, create, delete, get, post

BOT_PAIRS = {
    "chess": ("builtin:searcher", "builtin:random"),
    "tictactoe": ("builtin:perfect", "builtin:random"),
    "rps": ("builtin:pattern", "builtin:random"),
    "racing": ("builtin:racer", "builtin:random"),
    "words": ("builtin:wordsmith", "builtin:random"),
}


def human_move(game: dict) -> str:
    """A legal first move for the human seat, per game type."""
    state = game["state"]
    return {
        "chess": lambda: "e4",
        "tictactoe": lambda: "b2",
        "rps": lambda: "Rock",
        "racing": lambda: "accelerate",
        "words": lambda: pick_word(state, random.Random(5)),
    }[game["game_type"]]()


@pytest.mark.parametrize("game_type", sorted(BOT_PAIRS))
def test_create_get_step_list_between_bots(client, alice, game_type):
    white, black = BOT_PAIRS[game_type]
    game = create(client, alice, game_type, white, black, seed=42)
    assert game["status"] == "live" and game["ply"] == 0 and game["version"] == 1
    assert game["players"]["white"] == {"name": white, "kind": "builtin", "user_id": None}
    assert game["white"] == white and game["black"] == black and game["owner_id"] == alice.user.id
    assert game["rated"] is True and game["autoplay"] is False and game["moves"] == []
    assert game["seed"] is None and game["state"]["seed"] is None  # secret while live
    assert game["to_move"] == (["white", "black"] if game_type in ("rps", "racing") else ["white"])

    stepped = post(client, f"/api/games/{game['id']}/step", player=alice)
    assert stepped.status_code == 200, stepped.content
    body = stepped.json()
    expected_plies = 2 if game_type in ("rps", "racing") else 1
    assert body["ply"] == expected_plies and body["moves_count"] == expected_plies and body["version"] == 2
    assert [m["ply"] for m in body["moves"]] == list(range(expected_plies))
    first = body["moves"][0]
    assert first["seat"] == "white" and first["move"] and first["attempts"][0]["parsed"] == first["move"]
    assert body["totals"]["white"]["moves"] == 1

    fetched = get(client, f"/api/games/{game['id']}")
    assert fetched.status_code == 200 and fetched.json() == body

    listed = get(client, f"/api/games?game_type={game_type}").json()
    assert [g["id"] for g in listed["items"]] == [game["id"]] and listed["next_cursor"] is None
    mine = get(client, "/api/me/games", player=alice).json()
    assert [g["id"] for g in mine["items"]] == [game["id"]]


@pytest.mark.parametrize("game_type", sorted(BOT_PAIRS))
def test_human_move_then_bot_step(client, alice, game_type):
    game = create(client, alice, game_type, "human", "builtin:random")
    assert game["rated"] is False and game["players"]["white"]["user_id"] == alice.user.id
    assert game["viewer_seats"] == ["white"]
    moved = post(client, f"/api/games/{game['id']}/moves", {"move": human_move(game), "expected_ply": 0}, player=alice)
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["ply"] == 1 and body["moves"][0]["seat"] == "white" and body["moves"][0]["hidden"] is False
    stepped = post(client, f"/api/games/{game['id']}/step", player=alice)
    assert stepped.status_code == 200, stepped.content
    assert stepped.json()["ply"] == 2
    assert [m["seat"] for m in stepped.json()["moves"]] == ["white", "black"]


def test_human_moves_are_parsed_to_canonical_form(client, alice):
    game = create(client, alice, "chess", "human", "human")
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "  e2-e4! ", "expected_ply": 0}, player=alice)
    assert reply.json()["moves"][0]["move"] == "e2e4" and reply.json()["moves"][0]["raw"] == "  e2-e4! "
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "MOVE: Nf6", "expected_ply": 1}, player=alice)
    assert reply.status_code == 200 and reply.json()["state"]["san"] == ["e4", "Nf6"]


def test_tictactoe_to_the_end_and_game_over(client, alice):
    game = create(client, alice, "tictactoe", "human", "human")
    for ply, cell in enumerate(["1", "4", "2", "5", "3"]):
        reply = post(client, f"/api/games/{game['id']}/moves", {"move": cell, "expected_ply": ply}, player=alice)
        assert reply.status_code == 200, reply.content
    body = reply.json()
    assert body["status"] == "finished" and body["result"] == "first" and body["winner"] == "white"
    assert body["termination"] == "three_in_a_row" and body["seed"] is not None and body["to_move"] == []
    again = post(client, f"/api/games/{game['id']}/moves", {"move": "6", "expected_ply": 5}, player=alice)
    assert_error(again, 409, "game_over")
    assert_error(post(client, f"/api/games/{game['id']}/step", player=alice), 409, "game_over")


def test_resign_gives_the_other_seat_the_win(client, alice):
    game = create(client, alice, "chess", "human", "builtin:random")
    reply = post(client, f"/api/games/{game['id']}/resign", player=alice)
    assert reply.status_code == 200
    body = reply.json()
    assert (body["status"], body["result"], body["winner"], body["termination"]) == (
        "finished",
        "second",
        "black",
        "resignation",
    )
    assert_error(post(client, f"/api/games/{game['id']}/resign", player=alice), 409, "game_over")


def test_resign_needs_a_seat(client, alice, bob):
    game = create(client, alice, "chess", "human", "builtin:random")
    assert_error(post(client, f"/api/games/{game['id']}/resign", player=bob), 403, "not_a_player")
    bots = create(client, alice, "chess", "builtin:random", "builtin:random")
    assert_error(post(client, f"/api/games/{bots['id']}/resign", player=alice), 403, "not_a_player")


def test_pgn_of_a_finished_chess_game(client, alice, bot_secret):
    bot_secret(1)  # random against random, 20 plies: a drawn secret once gave a checkmate instead (CI)
    game = create(client, alice, "chess", "builtin:random", "builtin:random", max_plies=20, seed=5)
    finished = service.play_until_over(game["id"])
    assert finished.status == "finished" and finished.termination == "move_limit"
    reply = get(client, f"/api/games/{game['id']}/pgn")
    assert reply.status_code == 200 and reply["Content-Type"].startswith("application/x-chess-pgn")
    parsed = chess.pgn.read_game(io.StringIO(reply.content.decode()))
    assert parsed.headers["White"] == "builtin:random" and parsed.headers["Result"] == "1/2-1/2"
    assert parsed.headers["Termination"] == "move_limit" and parsed.headers["GameId"] == game["id"]
    assert len(list(parsed.mainline_moves())) == 20


def test_pgn_of_a_resigned_and_of_a_live_game(client, alice):
    game = create(client, alice, "chess", "human", "builtin:random")
    post(client, f"/api/games/{game['id']}/moves", {"move": "d4", "expected_ply": 0}, player=alice)
    live = chess.pgn.read_game(io.StringIO(get(client, f"/api/games/{game['id']}/pgn").content.decode()))
    assert live.headers["Result"] == "*" and [m.uci() for m in live.mainline_moves()] == ["d2d4"]
    post(client, f"/api/games/{game['id']}/resign", player=alice)
    text = get(client, f"/api/games/{game['id']}/pgn").content.decode()
    resigned = chess.pgn.read_game(io.StringIO(text))
    assert resigned.headers["Result"] == "0-1" and resigned.headers["Termination"] == "resignation"


def test_pgn_is_for_chess_only(client, alice):
    game = create(client, alice, "tictactoe", "builtin:random", "builtin:random")
    assert_error(get(client, f"/api/games/{game['id']}/pgn"), 400, "not_chess")


def test_list_pages_with_cursor_and_filters(client, alice, bob):
    ids = [create(client, alice, "tictactoe", "builtin:random", "builtin:random")["id"] for _ in range(3)]
    ids += [create(client, bob, "rps", "builtin:random", "builtin:random")["id"] for _ in range(2)]
    seen, cursor = [], None
    while True:
        page = get(client, "/api/games?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        assert len(page["items"]) <= 2
        seen += [g["id"] for g in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))  # newest first, each once
    rps = get(client, "/api/games?game_type=rps").json()["items"]
    assert [g["id"] for g in rps] == list(reversed(ids[3:]))
    service.play_until_over(ids[0])
    finished = get(client, "/api/games?status=finished").json()["items"]
    assert [g["id"] for g in finished] == [ids[0]]
    assert [g["id"] for g in get(client, "/api/games?status=live&game_type=tictactoe").json()["items"]] == [
        ids[2],
        ids[1],
    ]
    mine = get(client, "/api/me/games?limit=1", player=bob).json()
    assert [g["id"] for g in mine["items"]] == [ids[4]] and mine["next_cursor"]
    rest = get(client, f"/api/me/games?limit=5&cursor={mine['next_cursor']}", player=bob).json()
    assert [g["id"] for g in rest["items"]] == [ids[3]]


def test_cursor_of_another_query_or_tampered_is_400(client, alice):
    for _ in range(3):
        create(client, alice, "tictactoe", "builtin:random", "builtin:random")
    cursor = get(client, "/api/games?limit=1").json()["next_cursor"]
    assert_error(get(client, f"/api/games?limit=1&game_type=tictactoe&cursor={cursor}"), 400, "invalid_cursor")
    assert_error(get(client, f"/api/games?limit=1&cursor={cursor[:-3]}abc"), 400, "invalid_cursor")
    assert_error(get(client, "/api/games?cursor=not-a-cursor"), 400, "invalid_cursor")
    assert_error(get(client, f"/api/me/games?cursor={cursor}", player=alice), 400, "invalid_cursor")


def test_each_read_is_one_dynamodb_call(client, alice, settings):
    settings.DEBUG = True
    game = create(client, alice, "rps", "builtin:random", "builtin:random")
    for _ in range(3):
        post(client, f"/api/games/{game['id']}/step", player=alice)
    for path in (f"/api/games/{game['id']}", "/api/games", "/api/games?game_type=rps&status=live"):
        reply = get(client, path)
        assert reply.status_code == 200 and reply["X-DynamoDB-Calls"] == "1", (path, reply["X-DynamoDB-Calls"])
    # With a token, one more call reads the user (bans and revocations take effect at once).
    assert get(client, "/api/me/games", player=alice)["X-DynamoDB-Calls"] == "2"
    assert get(client, f"/api/games/{game['id']}", player=alice)["X-DynamoDB-Calls"] == "2"


def test_autoplay_plays_a_whole_game_between_bots(client, alice):
    from games import autoplay

    game = create(client, alice, "tictactoe", "builtin:perfect", "builtin:perfect", seed=3)
    reply = post(client, f"/api/games/{game['id']}/autoplay", player=alice)
    assert reply.status_code == 200 and reply.json()["autoplay"] is True
    assert autoplay.wait_idle(30)
    body = get(client, f"/api/games/{game['id']}").json()
    assert body["status"] == "finished" and body["result"] == "draw" and body["moves_count"] == 9
    assert [m["ply"] for m in body["moves"]] == list(range(9))
    stopped = delete(client, f"/api/games/{game['id']}/autoplay", player=alice)
    assert stopped.status_code == 200 and stopped.json()["autoplay"] is False
    assert_error(post(client, f"/api/games/{game['id']}/autoplay", player=alice), 409, "game_over")


def test_autoplay_answers_a_human_and_stops_when_switched_off(client, alice, settings):
    from games import autoplay

    game = create(client, alice, "tictactoe", "human", "builtin:random")
    post(client, f"/api/games/{game['id']}/autoplay", player=alice)
    assert autoplay.wait_idle(10)
    assert get(client, f"/api/games/{game['id']}").json()["ply"] == 0  # waiting for the human
    post(client, f"/api/games/{game['id']}/moves", {"move": "5", "expected_ply": 0}, player=alice)
    assert autoplay.wait_idle(10)
    assert get(client, f"/api/games/{game['id']}").json()["ply"] == 2  # the bot answered by itself
    delete(client, f"/api/games/{game['id']}/autoplay", player=alice)
    bot_game = create(client, alice, "chess", "builtin:random", "builtin:random")
    assert bot_game["autoplay"] is False
    post(client, f"/api/games/{bot_game['id']}/step", player=alice)
    assert autoplay.wait_idle(10)
    assert get(client, f"/api/games/{bot_game['id']}").json()["ply"] == 1  # step alone never schedules more


def test_autoplay_needs_an_ai_seat(client, alice):
    game = create(client, alice, "chess", "human", "human")
    assert_error(post(client, f"/api/games/{game['id']}/autoplay", player=alice), 400, "no_ai_player")


def test_step_refuses_when_a_human_is_to_move(client, alice):
    game = create(client, alice, "chess", "human", "builtin:random")
    assert_error(post(client, f"/api/games/{game['id']}/step", player=alice), 409, "waiting_for_human")
    rps = create(client, alice, "rps", "human", "builtin:random")
    reply = post(client, f"/api/games/{rps['id']}/step", player=alice)  # the bot may choose first
    assert reply.status_code == 200 and reply.json()["ply"] == 1
    assert_error(post(client, f"/api/games/{rps['id']}/step", player=alice), 409, "waiting_for_human")


def test_only_owner_players_or_staff_drive_a_game(client, alice, bob, moderator):
    game = create(client, alice, "chess", "builtin:random", "builtin:random")
    assert_error(post(client, f"/api/games/{game['id']}/step", player=bob), 403, "forbidden")
    assert_error(post(client, f"/api/games/{game['id']}/autoplay", player=bob), 403, "forbidden")
    assert_error(delete(client, f"/api/games/{game['id']}/autoplay", player=bob), 403, "forbidden")
    assert post(client, f"/api/games/{game['id']}/step", player=moderator).status_code == 200


def test_openapi_lists_the_games_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/games",
        "/api/games/{game_id}",
        "/api/games/{game_id}/moves",
        "/api/games/{game_id}/step",
        "/api/games/{game_id}/autoplay",
        "/api/games/{game_id}/resign",
        "/api/games/{game_id}/pgn",
        "/api/me/games",
    ):
        assert path in paths, path
    assert set(paths["/api/games/{game_id}/autoplay"]) == {"post", "delete"}
