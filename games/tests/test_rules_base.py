"""The shared interface: registry, errors, and properties every engine must have."""

from __future__ import annotations

import copy
import json
import random

import pytest

from games.rules import RULES, SEATS, IllegalMove, Outcome, RuleError, Rules, get_rules
from games.rules.base import clean_text
from games.vocabulary import GameResult


def test_registry_has_the_five_games():
    assert set(RULES) == {"chess", "tictactoe", "rps", "racing", "words"}
    for name, rules in RULES.items():
        assert isinstance(rules, Rules)
        assert rules.game_type == name
        assert get_rules(name) is rules
    assert [n for n, r in RULES.items() if r.simultaneous] == ["rps", "racing"]
    assert SEATS == ("white", "black")


@pytest.mark.parametrize("name", ["checkers", "", "Chess", None, ["chess"]])
def test_unknown_game_type(name):
    with pytest.raises(RuleError) as info:
        get_rules(name)  # type: ignore[arg-type]
    assert info.value.code == "unknown_game_type"


def test_errors_carry_code_message_details():
    err = IllegalMove("illegal_move", "cell 5 is taken", {"cell": 5})
    assert isinstance(err, RuleError)
    assert (err.code, err.message, err.details, str(err)) == (
        "illegal_move",
        "cell 5 is taken",
        {"cell": 5},
        "cell 5 is taken",
    )
    assert RuleError("x", "y").details == {}


def test_outcome_round_trip():
    out = Outcome("draw", "board_full")
    assert Outcome.from_dict(out.to_dict()) == out
    assert Outcome.from_dict(None) is None


def test_a_stored_outcome_reads_back_as_the_result_vocabulary():
    found = Outcome.from_dict({"result": "second", "termination": "checkmate"})
    assert found is not None and found.result is GameResult.SECOND
    with pytest.raises(ValueError, match="'won'"):
        Outcome.from_dict({"result": "won", "termination": "checkmate"})


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" e4 ", "e4"),
        ("`e4`", "e4"),
        ("**e4**.", "e4"),
        ('"rock"', "rock"),
        ("MOVE: 5", "5"),
        ("move:5", "5"),
        ("Final move: paper!", "paper"),
        ("\u201cpaper\u201d", "paper"),
        ("(b2)", "b2"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize("name", sorted(RULES))
def test_options_must_be_an_object_and_none_means_defaults(name):
    rules = RULES[name]
    assert rules.validate_options(None) == rules.validate_options({})  # type: ignore[arg-type]
    with pytest.raises(RuleError) as info:
        rules.validate_options(["rounds"])  # type: ignore[arg-type]
    assert info.value.code == "invalid_options"
    with pytest.raises(RuleError) as info:
        rules.validate_options({"surprise": 1})
    assert info.value.code == "invalid_options" and "surprise" in info.value.message
    assert rules.validate_options({"legal_moves_hint": True})["legal_moves_hint"] is True


@pytest.mark.parametrize("name", sorted(RULES))
def test_bad_seed(name):
    with pytest.raises(RuleError):
        RULES[name].initial_state({}, "7")  # type: ignore[arg-type]


def _no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _no_floats(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return value is None or isinstance(value, str | int | bool)


def random_game(rules: Rules, seed: int, options: dict) -> list[dict]:
    """Play uniformly random legal moves, checking interface invariants on the way."""
    rng = random.Random(seed)
    state = rules.initial_state(options, seed)
    states = [state]
    while rules.outcome(state) is None:
        movers = rules.to_move(state)
        assert movers and (len(movers) == 1 or rules.simultaneous)
        seat = movers[0] if not rules.simultaneous else rng.choice(movers)
        legal = rules.legal_moves(state, seat)
        move = rng.choice(legal)
        assert rules.parse_move(state, seat, move) == move
        before = copy.deepcopy(state)
        new = rules.apply(state, seat, move)
        assert state == before
        assert rules.ply(new) == rules.ply(state) + 1
        state = new
        states.append(state)
    assert rules.to_move(state) == ()
    assert all(rules.legal_moves(state, s) == [] for s in SEATS)
    return states


GAMES = [
    ("chess", {"max_plies": 60}),
    ("tictactoe", {}),
    ("rps", {}),
    ("racing", {"track_length": 30}),
    ("words", {"rounds": 3}),
]


@pytest.mark.parametrize(("name", "options"), GAMES)
def test_random_play_is_deterministic_json_and_renders(name, options):
    rules = RULES[name]
    for seed in (1, 2):
        states = random_game(rules, seed, options)
        assert states == random_game(rules, seed, options)
        for state in [*states[:: max(1, len(states) // 8)], states[-1]]:
            assert json.loads(json.dumps(state)) == state
            assert _no_floats(state)
            for viewer in (*SEATS, None):
                view = rules.public_view(state, viewer)
                assert _no_floats(view)
                assert isinstance(rules.render(state, viewer), str)
        assert rules.outcome(states[-1]) is not None
