"""The game item's packed state (``games.stored_state``): exact round trips over random games, smaller
items, and states stored before packing still load."""

from __future__ import annotations

import json

import pytest

from games import store, stored_state
from games.records import Attempt, Game, Move
from games.rules import get_rules
from games.rules.words import record_judgement
from games.turns import play_turn


def make_game(game_type: str, state: dict) -> Game:
    now = "2026-11-30T08:00:00+00:00"
    return Game("g" * 32, game_type, "builtin:random", "builtin:random", "o" * 32, 1, {}, state, now, now)


def _states(game_type: str, seed: int, options: dict | None = None) -> list[dict]:
    """Every state of a game between two random bots, start to end."""
    rules = get_rules(game_type)
    state = rules.initial_state(rules.validate_options(options or {}), seed)
    seen = [state]
    for _ in range(500):
        seats = rules.to_move(state)
        if not seats:
            break
        for seat in seats:
            state = play_turn(rules, state, seat, "builtin:random", seed, bot_secret=seed).state
            seen.append(state)
    assert rules.outcome(state) is not None
    return seen


@pytest.mark.parametrize("game_type", ["racing", "words", "chess", "tictactoe", "rps"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_state_of_random_games_round_trips_exactly(game_type, seed):
    for state in _states(game_type, seed, {"max_plies": 60} if game_type == "chess" else None):
        stored = json.loads(json.dumps(stored_state.pack(state), sort_keys=True))  # as the item keeps it
        assert stored_state.unpack(stored) == state


def test_judged_words_and_unknown_records_round_trip():
    state = _states("words", 4, {"rounds": 3})[-1]
    judged = record_judgement(record_judgement(state, 0, True, "openai:gpt-4.1-mini"), 1, False)
    judged["words"].append({"seat": "white", "word": "odd", "note": "a key packing does not know"})
    judged["words"].append({"seat": "black", "word": "zero", "judged": 0, "associated": None})
    stored = json.loads(json.dumps(stored_state.pack(judged)))
    assert stored_state.unpack(stored) == judged
    assert stored["words"][-1] == ["black", "zero", 0, None] and isinstance(stored["words"][-2], dict)


@pytest.mark.parametrize(("game_type", "at_most"), [("racing", 0.5), ("words", 0.5)])
def test_packed_records_are_less_than_half_their_size(game_type, at_most):
    final = _states(game_type, 5)[-1]
    records = "history" if game_type == "racing" else "words"
    plain, packed = json.dumps(final[records]), json.dumps(stored_state.pack(final)[records])
    assert len(packed) < at_most * len(plain)


def test_the_game_item_stores_the_packed_state_and_reads_it_back():
    state = _states("racing", 6)[-1]
    game = make_game("racing", state=state)
    item = store.game_item(game)
    assert json.loads(item["state"])[stored_state.PACKED] == 1
    assert store.game_from_item(item).state == state


def test_a_state_stored_before_packing_loads_unchanged():
    state = _states("words", 7, {"rounds": 4})[-1]
    item = store.game_item(make_game("words", state=state))
    item["state"] = json.dumps(state)  # as written before games.stored_state existed
    assert store.game_from_item(item).state == state


def test_totals_are_stored_as_text_of_their_non_zero_fields_and_read_back_whole():
    game = make_game("chess", state=get_rules("chess").initial_state({}, 1))
    game.totals["white"].update(tokens_in=1200, cost_micros=560, moves=3)
    game.totals["black"]["moves"] = 3
    item = store.game_item(game)
    assert json.loads(item["totals"]) == {
        "white": {"tokens_in": 1200, "cost_micros": 560, "moves": 3},
        "black": {"moves": 3},
    }
    assert store.game_from_item(item).totals == game.totals
    item["totals"] = game.totals  # a map, as items stored before held them
    assert store.game_from_item(item).totals == game.totals


def _model_move(game_id: str, ply: int) -> Move:
    prompt = "You play white in a game of chess. Moves so far: " + " ".join(f"{n}. e4 e5" for n in range(1, 120))
    answer = "I weigh the centre and development.\nMOVE: Nf3"
    attempts = [
        Attempt(1, prompt=prompt, answer="MOVE: Zz9", parsed="Zz9", error="illegal_move: Zz9", tokens_in=900),
        Attempt(2, prompt=prompt + "\nYour move Zz9 was not accepted.", answer=answer, parsed="Nf3", reasoning=answer),
    ]
    return Move(game_id, ply, "white", "g1f3", answer, attempts, "2026-11-30T08:00:00+00:00", san="Nf3")


@pytest.mark.integration
def test_a_moves_attempts_are_stored_compressed_and_read_back_on_dynamodb_local(ddb_local):
    from duelarena.dynamo import items

    game = make_game("chess", state=get_rules("chess").initial_state({}, 1))
    store.create(game)
    move = _model_move(game.id, 0)
    item = store.move_item(move)
    assert "attempts" not in item and isinstance(item[store.ATTEMPTS_BLOB], bytes)
    plain = json.dumps([a.to_dict() for a in move.attempts])
    assert len(item[store.ATTEMPTS_BLOB]) < len(plain) / 3
    items.put(item)
    old = store.move_item(_model_move(game.id, 1))  # as stored before: the attempts as a list of maps
    del old[store.ATTEMPTS_BLOB]
    old["attempts"] = [a.to_dict() for a in _model_move(game.id, 1).attempts]
    items.put(old)
    _, moves = store.load(game.id)
    assert [m.attempts for m in moves] == [move.attempts, _model_move(game.id, 1).attempts]
    assert moves[0] == move
