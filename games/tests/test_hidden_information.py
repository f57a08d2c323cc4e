"""A pending simultaneous choice is never shown to anyone but the seat that made it (moto)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from games.bots import ALL_GAMES, BOTS, Bot
from games.tests.helpers import create, get, post, seat_two_humans

CHOICES = {"rps": ("scissors", "paper"), "racing": ("accelerate", "brake")}


FULL_CHOICES = {"rps": ["paper", "rock", "scissors"], "racing": ["accelerate", "boost", "brake", "coast"]}


def _looks(client, game_id, player):
    """The view, minus ``legal_moves`` once checked to say nothing about another seat's choice: they
    are the viewer's own seats' full choice lists (which contain every choice's name)."""
    reply = get(client, f"/api/games/{game_id}", player=player)
    assert reply.status_code == 200
    body = reply.json()
    offered = body.pop("legal_moves")
    for seat in {m["seat"] for m in offered}:
        assert seat in body["viewer_seats"] and seat in body["to_move"]
        assert sorted(m["move"] for m in offered if m["seat"] == seat) == FULL_CHOICES[body["game_type"]]
    return SimpleNamespace(status_code=200, content=json.dumps(body).encode(), json=lambda: body)


@pytest.mark.parametrize("game_type", ["rps", "racing"])
def test_pending_choice_is_hidden_from_spectators_other_seat_and_staff(client, alice, bob, moderator, game_type):
    game = seat_two_humans(game_type, alice.user.id, bob.user.id)
    first, second = CHOICES[game_type]
    mine = post(client, f"/api/games/{game.id}/moves", {"move": first, "expected_ply": 0}, player=alice)
    assert mine.status_code == 200, mine.content
    own = mine.json()
    assert own["state"]["pending"] == {"white": first} and own["moves"][0]["move"] == first

    for viewer in (None, bob, moderator):
        reply = _looks(client, game.id, viewer)
        body = reply.json()
        assert first.encode() not in reply.content, viewer  # not anywhere: state, moves, attempts
        assert body["state"]["pending"] == {} and body["state"]["chosen"] == {"white": True, "black": False}
        assert body["moves"] == [
            {
                "ply": 0,
                "seat": "white",
                "move": None,
                "raw": None,
                "attempts": [],
                "created_at": own["moves"][0]["created_at"],
                "hidden": True,
                "analysis": None,
            }
        ]
        assert body["to_move"] == ["black"] and body["seed"] is None

    listed = get(client, "/api/games").content + get(client, "/api/me/games", player=bob).content
    assert first.encode() not in listed

    answer = post(client, f"/api/games/{game.id}/moves", {"move": second, "expected_ply": 0}, player=bob)
    assert answer.status_code == 200, answer.content
    revealed = _looks(client, game.id, None).json()
    assert [m["move"] for m in revealed["moves"]] == [first, second]
    assert not any(m["hidden"] for m in revealed["moves"]) and revealed["state"]["pending"] == {}


def test_the_other_seat_choosing_first_is_hidden_too(client, alice, bob):
    game = seat_two_humans("rps", alice.user.id, bob.user.id)
    post(client, f"/api/games/{game.id}/moves", {"move": "rock", "expected_ply": 0}, player=bob)
    seen_by_alice = _looks(client, game.id, alice)
    assert b"rock" not in seen_by_alice.content
    assert seen_by_alice.json()["moves"][0] == {**seen_by_alice.json()["moves"][0], "seat": "black", "hidden": True}
    assert _looks(client, game.id, bob).json()["state"]["pending"] == {"black": "rock"}


def test_hot_seat_player_is_a_spectator_for_pending_choices(client, alice):
    """One account holding both seats (two people at one screen) must not see the first choice."""
    game = create(client, alice, "rps", "human", "human")
    post(client, f"/api/games/{game['id']}/moves", {"move": "paper", "expected_ply": 0, "seat": "white"}, player=alice)
    reply = _looks(client, game["id"], alice)
    assert b"paper" not in reply.content and reply.json()["moves"][0]["hidden"] is True


def test_a_bot_never_sees_the_humans_pending_choice(client, alice, monkeypatch):
    seen: list[dict] = []

    def spy(rules, state, seat, rng):
        seen.append(state)
        return "rock"

    monkeypatch.setitem(BOTS, "random", Bot("random", ALL_GAMES, spy))
    game = create(client, alice, "rps", "human", "builtin:random")
    post(client, f"/api/games/{game['id']}/moves", {"move": "paper", "expected_ply": 0}, player=alice)
    reply = post(client, f"/api/games/{game['id']}/step", player=alice)
    assert reply.status_code == 200
    assert seen and seen[0]["pending"] == {} and seen[0]["chosen"]["white"] is True
    assert reply.json()["state"]["rounds"][0] == {"white": "paper", "black": "rock", "winner": "white"}


def test_seed_is_secret_until_the_game_ends(client, alice):
    """With the seed a player could compute a bot's next random choice (its rng is seed + ply)."""
    game = create(client, alice, "rps", "human", "builtin:random", seed=1234, rounds=1)
    assert game["seed"] is None and game["state"]["seed"] is None
    assert b"1234" not in get(client, f"/api/games/{game['id']}").content
    post(client, f"/api/games/{game['id']}/moves", {"move": "rock", "expected_ply": 0}, player=alice)
    done = post(client, f"/api/games/{game['id']}/step", player=alice).json()
    assert done["status"] == "finished" and done["seed"] == 1234 and done["state"]["seed"] == 1234


@pytest.mark.parametrize("game_type", ["rps", "racing"])
def test_a_choice_pending_when_the_game_ends_is_shown_afterwards(client, alice, bob, game_type):
    game = seat_two_humans(game_type, alice.user.id, bob.user.id)
    first, _ = CHOICES[game_type]
    chose = post(client, f"/api/games/{game.id}/moves", {"move": first, "expected_ply": 0}, player=alice)
    assert chose.status_code == 200
    assert first.encode() not in _looks(client, game.id, None).content  # live: hidden
    assert post(client, f"/api/games/{game.id}/resign", {}, player=bob).status_code == 200
    over = _looks(client, game.id, None).json()
    assert over["status"] == "finished" and over["termination"] == "resignation"
    assert over["moves"][0]["move"] == first and not over["moves"][0]["hidden"]
    assert over["state"]["pending"] == {"white": first}
