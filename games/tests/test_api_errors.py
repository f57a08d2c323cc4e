"""Bad input of every kind gets the one error shape with the status API.md names (moto)."""

from __future__ import annotations

import pytest

from accounts import tokens, users
from games import moderation
from games.tests.helpers import assert_error, create, delete, get, post

MISSING_ID = "0123456789abcdef0123456789abcdef"
MALFORMED_IDS = ["nope", "0123456789ABCDEF0123456789ABCDEF", "x" * 32, "1" * 33, "%27%3B--", "..%2F..%2Fetc"]


# ---------------------------------------------------------------------------------------------- moves

ILLEGAL = [
    ("chess", "e5", "illegal_move"),  # a pawn cannot jump three squares
    ("chess", "Ke2", "illegal_move"),  # blocked by its own pawn
    ("chess", "O-O", "illegal_move"),  # pieces in between
    ("chess", "e2e5", "illegal_move"),
    ("tictactoe", "10", "unreadable_move"),
    ("tictactoe", "d4", "unreadable_move"),
    ("rps", "lizard", "unreadable_move"),
    ("racing", "fly", "unreadable_move"),
    ("words", "x1", "illegal_move"),
    ("words", "two words", "unreadable_move"),
    ("words", "qzxvkjq", "illegal_move"),  # not in the word list
    ("chess", "hello there", "unreadable_move"),
    ("chess", "   ", "unreadable_move"),
    ("tictactoe", "```", "unreadable_move"),
]


@pytest.mark.parametrize(("game_type", "text", "reason"), ILLEGAL)
def test_illegal_and_malformed_moves_are_400(client, alice, game_type, text, reason):
    game = create(client, alice, game_type, "human", "builtin:random")
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": text, "expected_ply": 0}, player=alice)
    body = assert_error(reply, 400, "illegal_move")
    assert body["error"]["details"]["reason"] == reason and body["error"]["message"]
    after = get(client, f"/api/games/{game['id']}").json()
    assert after["ply"] == 0 and after["moves"] == [] and after["version"] == 1  # nothing was written


def test_taken_cell_and_spent_boosts_and_used_words(client, alice):
    ttt = create(client, alice, "tictactoe", "human", "human")
    post(client, f"/api/games/{ttt['id']}/moves", {"move": "5", "expected_ply": 0}, player=alice)
    body = assert_error(
        post(client, f"/api/games/{ttt['id']}/moves", {"move": "b2", "expected_ply": 1}, player=alice),
        400,
        "illegal_move",
    )
    assert "taken" in body["error"]["message"]

    race = create(client, alice, "racing", "human", "human")
    url = f"/api/games/{race['id']}/moves"
    for turn in range(2):
        for offset, (seat, action) in enumerate([("white", "boost"), ("black", "coast")]):
            reply = post(client, url, {"move": action, "expected_ply": 2 * turn + offset, "seat": seat}, player=alice)
            assert reply.status_code == 200, reply.content
    body = assert_error(
        post(client, url, {"move": "boost", "expected_ply": 4, "seat": "white"}, player=alice), 400, "illegal_move"
    )
    assert "boost" in body["error"]["message"]


def test_words_repeat_is_illegal(client, alice):
    game = create(client, alice, "words", "human", "human")
    start = game["state"]["start_word"]
    body = assert_error(
        post(client, f"/api/games/{game['id']}/moves", {"move": start, "expected_ply": 0}, player=alice),
        400,
        "illegal_move",
    )
    assert start in body["error"]["message"]


def test_out_of_turn_is_409(client, alice):
    game = create(client, alice, "chess", "builtin:random", "human")  # white (a bot) moves first
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "e5", "expected_ply": 0}, player=alice)
    assert_error(reply, 409, "not_your_turn")
    both = create(client, alice, "chess", "human", "human")
    reply = post(
        client, f"/api/games/{both['id']}/moves", {"move": "e5", "expected_ply": 0, "seat": "black"}, player=alice
    )
    assert_error(reply, 409, "not_your_turn")


def test_simultaneous_second_choice_is_409(client, alice):
    game = create(client, alice, "rps", "human", "builtin:random")
    post(client, f"/api/games/{game['id']}/moves", {"move": "rock", "expected_ply": 0}, player=alice)
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "paper", "expected_ply": 1}, player=alice)
    assert_error(reply, 409, "not_your_turn")


def test_stale_expected_ply_is_409(client, alice):
    game = create(client, alice, "tictactoe", "human", "human")
    post(client, f"/api/games/{game['id']}/moves", {"move": "5", "expected_ply": 0}, player=alice)
    for stale in (0, 2, 7):
        reply = post(client, f"/api/games/{game['id']}/moves", {"move": "1", "expected_ply": stale}, player=alice)
        body = assert_error(reply, 409, "stale_ply")
        assert body["error"]["details"] == {"expected_ply": stale, "ply": 1}
    assert get(client, f"/api/games/{game['id']}").json()["moves_count"] == 1


def test_simultaneous_expected_ply_may_be_the_round_start(client, alice):
    """The other seat's hidden choice moves the ply on; that must not make this seat's move stale."""
    game = create(client, alice, "rps", "builtin:random", "human")
    post(client, f"/api/games/{game['id']}/step", player=alice)  # the bot chooses (hidden) -> ply 1
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "scissors", "expected_ply": 0}, player=alice)
    assert reply.status_code == 200, reply.content
    assert reply.json()["ply"] == 2 and len(reply.json()["state"]["rounds"]) == 1


def test_move_by_a_non_player_is_403(client, alice, bob):
    game = create(client, alice, "chess", "human", "builtin:random")
    reply = post(client, f"/api/games/{game['id']}/moves", {"move": "e4", "expected_ply": 0}, player=bob)
    assert_error(reply, 403, "not_a_player")


# -------------------------------------------------------------------------------------------- create

BAD_CREATES = [
    # Not in the schema (an enum, a typed option, an unknown option): 422; refused by the rules: 400.
    ({"game_type": "checkers", "white_model": "human", "black_model": "builtin:random"}, 422, "validation_error"),
    ({"game_type": "chess", "white_model": "builtin:nobody", "black_model": "human"}, 400, "unknown_player"),
    ({"game_type": "chess", "white_model": "builtin:perfect", "black_model": "human"}, 400, "unknown_player"),
    ({"game_type": "chess", "white_model": "openai:gpt-4.1-mini", "black_model": "human"}, 400, "unknown_player"),
    ({"game_type": "chess", "white_model": "Human", "black_model": "human"}, 400, "unknown_player"),
    (
        {"game_type": "rps", "white_model": "human", "black_model": "human", "options": {"rounds": 4}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "rps", "white_model": "human", "black_model": "human", "options": {"rounds": 101}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "racing", "white_model": "human", "black_model": "human", "options": {"track_length": 19}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "racing", "white_model": "human", "black_model": "human", "options": {"track_length": "50"}},
        422,
        "validation_error",
    ),
    (
        {"game_type": "chess", "white_model": "human", "black_model": "human", "options": {"max_plies": 5}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "chess", "white_model": "human", "black_model": "human", "options": {"start_fen": "8/8"}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "words", "white_model": "human", "black_model": "human", "options": {"rounds": 0}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "tictactoe", "white_model": "human", "black_model": "human", "options": {"size": 4}},
        422,
        "validation_error",
    ),
    (
        {"game_type": "tictactoe", "white_model": "human", "black_model": "human", "options": {"seed": -1}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "tictactoe", "white_model": "human", "black_model": "human", "options": {"seed": 2**60}},
        400,
        "invalid_options",
    ),
    (
        {"game_type": "tictactoe", "white_model": "human", "black_model": "human", "options": {"seed": "7"}},
        422,
        "validation_error",
    ),
    (
        {
            "game_type": "tictactoe",
            "white_model": "human",
            "black_model": "human",
            "options": {"legal_moves_hint": "yes"},
        },
        422,
        "validation_error",
    ),
    # schema errors
    ({"game_type": "chess", "white_model": "human"}, 422, "validation_error"),
    ({"game_type": "chess", "white_model": "human", "black_model": 5}, 422, "validation_error"),
    ({"game_type": "", "white_model": "human", "black_model": "human"}, 422, "validation_error"),
    ({"game_type": "chess", "white_model": "h" * 201, "black_model": "human"}, 422, "validation_error"),
    ({"game_type": "chess", "white_model": "human", "black_model": "human", "options": [1]}, 422, "validation_error"),
    ({"game_type": "chess", "white": "human", "black_model": "human", "white_model": "human"}, 422, "validation_error"),
    ([], 422, "validation_error"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_CREATES)
def test_bad_create_requests(client, alice, body, status, code):
    assert_error(post(client, "/api/games", body, player=alice), status, code)
    assert get(client, "/api/me/games", player=alice).json()["items"] == []


def test_unknown_player_lists_what_is_available(client, alice):
    body = assert_error(
        post(
            client,
            "/api/games",
            {"game_type": "tictactoe", "white_model": "builtin:searcher", "black_model": "human"},
            player=alice,
        ),
        400,
        "unknown_player",
    )
    assert body["error"]["details"]["available"] == ["human", "builtin:perfect", "builtin:random"]


@pytest.mark.parametrize(
    "raw", [b"{", b"not json", b'{"game_type": "chess",}', b"\xff\xfe", b'{"move": "e4", "expected_ply": 0']
)
def test_malformed_json_is_400(client, alice, raw):
    assert_error(post(client, "/api/games", raw=raw, player=alice), 400)
    game = create(client, alice, "chess", "human", "human")
    assert_error(post(client, f"/api/games/{game['id']}/moves", raw=raw, player=alice), 400)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"move": "e4"},
        {"expected_ply": 0},
        {"move": "", "expected_ply": 0},
        {"move": "e4", "expected_ply": -1},
        {"move": "e4", "expected_ply": "zero"},
        {"move": ["e4"], "expected_ply": 0},
        {"move": "x" * 201, "expected_ply": 0},
        {"move": "e4", "expected_ply": 0, "seat": "red"},
        {"move": "e4", "expected_ply": 0, "extra": 1},
    ],
)
def test_move_schema_errors_are_422(client, alice, body):
    game = create(client, alice, "chess", "human", "human")
    reply = post(client, f"/api/games/{game['id']}/moves", body, player=alice)
    assert_error(reply, 422, "validation_error")["error"]["details"]["errors"]


def test_huge_body_is_413(client, alice):
    raw = b'{"move": "' + b"e" * 100_000 + b'", "expected_ply": 0}'
    assert_error(post(client, f"/api/games/{MISSING_ID}/moves", raw=raw, player=alice), 413, "payload_too_large")
    big_options = (
        b'{"game_type": "chess", "white_model": "human", "black_model": "human", "options": {"a": "'
        + (b"x" * 70_000)
        + b'"}}'
    )
    assert_error(post(client, "/api/games", raw=big_options, player=alice), 413, "payload_too_large")


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "status=won", "cursor=" + "x" * 3000])
def test_list_query_errors_are_422(client, query):
    assert_error(get(client, f"/api/games?{query}"), 422, "validation_error")


def test_list_unknown_game_type_is_422(client, dynamo):
    """game_type is an enum in the schema: an unknown one is a schema validation error."""
    assert_error(get(client, "/api/games?game_type=checkers"), 422, "validation_error")


# ---------------------------------------------------------------------------------------------- ids


@pytest.mark.parametrize("game_id", [MISSING_ID, *MALFORMED_IDS])
def test_unknown_or_malformed_ids_are_404(client, alice, game_id):
    base = f"/api/games/{game_id}"
    assert_error(get(client, base), 404, "not_found")
    assert_error(get(client, base + "/pgn"), 404, "not_found")
    assert_error(post(client, base + "/moves", {"move": "e4", "expected_ply": 0}, player=alice), 404, "not_found")
    assert_error(post(client, base + "/step", player=alice), 404, "not_found")
    assert_error(post(client, base + "/resign", player=alice), 404, "not_found")
    assert_error(post(client, base + "/autoplay", player=alice), 404, "not_found")
    assert_error(delete(client, base + "/autoplay", player=alice), 404, "not_found")


# --------------------------------------------------------------------------------------------- auth

WRITES = [
    ("post", "/api/games"),
    ("post", "/api/games/{id}/moves"),
    ("post", "/api/games/{id}/step"),
    ("post", "/api/games/{id}/autoplay"),
    ("delete", "/api/games/{id}/autoplay"),
    ("post", "/api/games/{id}/resign"),
    ("get", "/api/me/games"),
]


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not.a.jwt", "Basic YWxpY2U6eA==", "Token abc"])
def test_writes_and_me_need_a_valid_token(client, alice, authorization):
    game = create(client, alice, "chess", "human", "builtin:random")
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    for method, path in WRITES:
        url = path.replace("{id}", game["id"])
        body = {"move": "e4", "expected_ply": 0} if path.endswith("moves") else {}
        if method == "post":
            reply = client.post(url, data=body, content_type="application/json", **headers)
        else:
            reply = getattr(client, method)(url, **headers)
        assert_error(reply, 401)
    assert get(client, f"/api/games/{game['id']}").json()["version"] == 1
    assert get(client, "/api/me/games", player=alice).json()["items"][0]["id"] == game["id"]  # nothing created


def test_revoked_or_banned_users_token_is_401(client, alice):
    game = create(client, alice, "chess", "human", "builtin:random")
    users.revoke_sessions(alice.user)
    assert_error(post(client, f"/api/games/{game['id']}/resign", player=alice), 401, "invalid_token")
    fresh = users.get(alice.user.id)
    token = tokens.issue_access(fresh)
    users.update(fresh, status="banned")
    reply = client.post(f"/api/games/{game['id']}/resign", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_error(reply, 401, "invalid_token")


def test_invalid_token_on_a_public_read_is_401_not_ignored(client, alice):
    game = create(client, alice, "chess", "human", "builtin:random")
    assert_error(client.get(f"/api/games/{game['id']}", HTTP_AUTHORIZATION="Bearer nope"), 401, "invalid_token")
    assert_error(client.get(f"/api/games/{game['id']}", HTTP_AUTHORIZATION="Basic x"), 401, "invalid_token")
    assert client.get(f"/api/games/{game['id']}").status_code == 200


def test_hidden_games_are_404_for_strangers(client, alice, bob, moderator):
    game = create(client, alice, "chess", "human", "builtin:random")
    moderation.set_hidden(game["id"], moderator.user, True)
    for who in (None, bob):
        assert_error(get(client, f"/api/games/{game['id']}", player=who), 404, "not_found")
        assert_error(get(client, f"/api/games/{game['id']}/pgn", player=who), 404, "not_found")
    assert_error(post(client, f"/api/games/{game['id']}/step", player=bob), 404, "not_found")
    for who in (alice, moderator):
        assert get(client, f"/api/games/{game['id']}", player=who).json()["hidden"] is True
    assert get(client, "/api/games").json()["items"] == []
    assert [g["id"] for g in get(client, "/api/me/games", player=alice).json()["items"]] == [game["id"]]
    moderation.set_hidden(game["id"], moderator.user, False)
    assert [g["id"] for g in get(client, "/api/games?game_type=chess").json()["items"]] == [game["id"]]
