"""The games API over real HTTP: gunicorn (deploy/gunicorn.conf.py) against DynamoDB Local."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from pathlib import Path

import chess.pgn
import pytest

from deploy.web_client import assert_error_shape, call

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def token(settings, live_server_env, gunicorn_server):
    """A user in the server's table and an access token for it (same JWT settings as the server)."""
    from accounts import tokens, users
    from duelarena.dynamo import connection, keys

    settings.DYNAMODB_ENDPOINT_URL = live_server_env["DYNAMODB_ENDPOINT_URL"]
    settings.DYNAMODB_TABLE = live_server_env["DYNAMODB_TABLE"]
    connection.reset()
    user, _ = users.create(f"e2e-{keys.new_id()[:8]}@example.com")
    yield tokens.issue_access(user)
    connection.reset()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create(base: str, token: str, game_type: str, white: str, black: str, **options) -> dict:
    body = {"game_type": game_type, "white_model": white, "black_model": black, "options": options or None}
    reply = call("POST", base + "/api/games", body, headers=auth(token))
    assert reply.status == 201, reply.body
    return reply.json()


def test_play_a_chess_game_over_http(gunicorn_server, token):
    base = gunicorn_server
    game = create(base, token, "chess", "human", "builtin:searcher")
    url = f"{base}/api/games/{game['id']}"
    moved = call("POST", url + "/moves", {"move": "e4", "expected_ply": 0}, headers=auth(token))
    assert moved.status == 200 and moved.json()["ply"] == 1
    stepped = call("POST", url + "/step", headers=auth(token))
    assert stepped.status == 200 and stepped.json()["ply"] == 2
    fetched = call("GET", url)
    assert fetched.status == 200 and fetched.headers["x-dynamodb-calls"] == "1"
    assert [m["seat"] for m in fetched.json()["moves"]] == ["white", "black"]
    resigned = call("POST", url + "/resign", headers=auth(token))
    assert resigned.json()["result"] == "second" and resigned.json()["termination"] == "resignation"
    pgn = call("GET", url + "/pgn")
    assert pgn.status == 200 and pgn.headers["content-type"].startswith("application/x-chess-pgn")
    parsed = chess.pgn.read_game(io.StringIO(pgn.body.decode()))
    assert parsed.headers["Result"] == "0-1" and len(list(parsed.mainline_moves())) == 2
    listed = call("GET", base + "/api/me/games?limit=100", headers=auth(token)).json()
    assert game["id"] in [g["id"] for g in listed["items"]]
    feed = call("GET", base + "/api/games?game_type=chess&status=finished")
    assert feed.headers["x-dynamodb-calls"] == "1" and game["id"] in [g["id"] for g in feed.json()["items"]]


def test_error_shapes_over_http(gunicorn_server, token):
    base = gunicorn_server
    game = create(base, token, "tictactoe", "human", "builtin:random")
    url = f"{base}/api/games/{game['id']}"
    assert_error_shape(
        call("POST", url + "/moves", {"move": "e4", "expected_ply": 0}, headers=auth(token)), 400, "illegal_move"
    )
    assert_error_shape(call("POST", url + "/moves", raw=b"{nope", headers=auth(token)), 400)
    assert_error_shape(call("POST", url + "/moves", {"move": "5"}, headers=auth(token)), 422, "validation_error")
    assert_error_shape(
        call("POST", url + "/moves", {"move": "5", "expected_ply": 3}, headers=auth(token)), 409, "stale_ply"
    )
    assert_error_shape(call("POST", url + "/moves", {"move": "5", "expected_ply": 0}), 401)
    assert_error_shape(
        call("POST", url + "/moves", {"move": "5", "expected_ply": 0}, headers={"Authorization": "Bearer x.y.z"}),
        401,
        "invalid_token",
    )
    assert_error_shape(call("GET", base + "/api/games/not-an-id"), 404, "not_found")
    assert_error_shape(call("GET", base + "/api/games/" + "a" * 32 + "/pgn"), 404, "not_found")
    assert_error_shape(call("GET", url + "/pgn"), 400, "not_chess")
    assert_error_shape(call("GET", base + "/api/games?limit=1000"), 422, "validation_error")
    assert_error_shape(call("GET", base + "/api/games?cursor=forged"), 400, "invalid_cursor")
    assert_error_shape(
        call(
            "POST",
            base + "/api/games",
            {"game_type": "go", "white_model": "human", "black_model": "human"},
            headers=auth(token),
        ),
        422,  # game_type is an enum in the schema
        "validation_error",
    )
    huge = b'{"move": "' + b"1" * 200_000 + b'", "expected_ply": 0}'
    assert_error_shape(call("POST", url + "/moves", raw=huge, headers=auth(token)), 413, "payload_too_large")


def test_twenty_concurrent_move_requests_store_one_move(gunicorn_server, token):
    base = gunicorn_server
    game = create(base, token, "tictactoe", "human", "human")
    url = f"{base}/api/games/{game['id']}/moves"
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        barrier.wait()
        reply = call("POST", url, {"move": str(i % 9 + 1), "expected_ply": 0}, headers=auth(token))
        if reply.status != 200:
            assert_error_shape(reply, 409)
        with lock:
            statuses.append(reply.status)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200] + [409] * 19
    final = call("GET", f"{base}/api/games/{game['id']}").json()
    assert final["ply"] == 1 and final["version"] == 2 and len(final["moves"]) == 1
    assert final["state"]["board"].count("X") == 1 and final["state"]["moves"] == [final["moves"][0]["move"]]


def test_pending_choice_is_hidden_over_http(gunicorn_server, token):
    base = gunicorn_server
    game = create(base, token, "rps", "human", "builtin:pattern")
    url = f"{base}/api/games/{game['id']}"
    mine = call("POST", url + "/moves", {"move": "scissors", "expected_ply": 0}, headers=auth(token))
    assert mine.json()["state"]["pending"] == {"white": "scissors"}
    spectator = call("GET", url)
    assert b"scissors" not in spectator.body and spectator.json()["moves"][0]["hidden"] is True
    assert b"scissors" not in call("GET", base + "/api/games?game_type=rps").body


def test_autoplay_runs_a_game_to_the_end_in_the_server(gunicorn_server, token):
    base = gunicorn_server
    game = create(base, token, "racing", "builtin:racer", "builtin:random", track_length=30)
    url = f"{base}/api/games/{game['id']}"
    assert call("POST", url + "/autoplay", headers=auth(token)).status == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = call("GET", url).json()
        if body["status"] != "live":
            break
        time.sleep(0.2)
    assert body["status"] == "finished" and body["termination"] in ("finish_line", "turn_limit")
    assert [m["ply"] for m in body["moves"]] == list(range(body["moves_count"]))


def test_seed_demo_against_the_servers_table(gunicorn_server, live_server_env):
    from games.management.commands.seed_demo import DEMO_GAMES

    env = dict(live_server_env)
    for _ in range(2):  # the second run must change nothing
        done = subprocess.run(
            [sys.executable, "manage.py", "seed_demo"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout.count("already exists") == len(DEMO_GAMES)
    finished = call("GET", f"{gunicorn_server}/api/games/{DEMO_GAMES[0].id}").json()
    assert finished["status"] == "finished" and finished["moves"]
    live = call("GET", f"{gunicorn_server}/api/games/{DEMO_GAMES[2].id}").json()
    assert live["status"] == "live" and live["autoplay"] is False


@pytest.mark.parametrize(
    ("game_type", "bot", "options"),
    [
        ("chess", "builtin:random", {"max_plies": 60}),
        ("tictactoe", "builtin:perfect", {}),
        ("rps", "builtin:pattern", {"rounds": 5}),
        ("racing", "builtin:racer", {"track_length": 20}),
        ("words", "builtin:wordsmith", {"rounds": 3}),
    ],
)
def test_human_against_builtin_to_the_end_over_http(gunicorn_server, token, game_type, bot, options):
    """A person (white) plays legal moves from what the API shows them; the bot answers via /step."""
    import random

    from games.rules import get_rules

    rules = get_rules(game_type)
    rng = random.Random(7)
    game = create(gunicorn_server, token, game_type, "human", bot, **options)
    for _ in range(400):
        if game["status"] != "live":
            break
        to_move = rules.to_move(game["state"]) if game_type == "chess" else None
        human_turn = "white" in (to_move or game.get("to_move") or ["white"]) and not game["state"].get(
            "chosen", {}
        ).get("white", False)
        if human_turn:
            # The API hides the seed while a game is live; the words sampler only needs some seed.
            visible = {"seed": 0, **game["state"]}
            choice = rng.choice(rules.legal_moves(visible, "white"))
            reply = call(
                "POST",
                f"{gunicorn_server}/api/games/{game['id']}/moves",
                {"move": choice, "expected_ply": game["ply"]},
                headers=auth(token),
            )
            if reply.status == 409 and reply.json()["error"]["code"] == "not_your_turn":
                reply = call("POST", f"{gunicorn_server}/api/games/{game['id']}/step", headers=auth(token))
        else:
            reply = call("POST", f"{gunicorn_server}/api/games/{game['id']}/step", headers=auth(token))
        assert reply.status == 200, reply.body[:300]
        game = reply.json()
    assert game["status"] == "finished", (game_type, game["ply"])
    assert game["result"] in ("first", "second", "draw") and game["termination"]
    stored = call("GET", f"{gunicorn_server}/api/games/{game['id']}").json()
    assert stored["ply"] == game["ply"] == len(stored["moves"]) or game_type in ("rps", "racing")
    if game_type == "chess":
        pgn = call("GET", f"{gunicorn_server}/api/games/{game['id']}/pgn")
        assert pgn.headers["content-type"].startswith("application/x-chess-pgn")
        parsed = chess.pgn.read_game(io.StringIO(pgn.body.decode()))
        board = parsed.end().board()
        assert board.fen() == stored["state"]["fen"]
        assert parsed.headers["Result"] in ("1-0", "0-1", "1/2-1/2")
