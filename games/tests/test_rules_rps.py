"""Rock-paper-scissors rules: simultaneous hidden choices, scoring, match end."""

from __future__ import annotations

import copy

import pytest

from games.rules import IllegalMove, Outcome, RuleError, get_rules

R = get_rules("rps")


def new(rounds: int = 5) -> dict:
    return R.initial_state({"rounds": rounds}, seed=5)


def rounds(state: dict, *pairs: tuple[str, str]) -> dict:
    for white, black in pairs:
        state = R.apply(state, "white", R.parse_move(state, "white", white))
        state = R.apply(state, "black", R.parse_move(state, "black", black))
    return state


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("rock", "rock"),
        ("Rock", "rock"),
        ("ROCK.", "rock"),
        ("r", "rock"),
        ("`paper`", "paper"),
        ("P", "paper"),
        ("scissors", "scissors"),
        ("Scissor", "scissors"),
        ("s", "scissors"),
        ("**Scissors**", "scissors"),
        ("MOVE: paper", "paper"),
    ],
)
def test_parse_forms(text, choice):
    assert R.parse_move(new(), "white", text) == choice


@pytest.mark.parametrize("text", ["", "lizard", "spock", "rock paper", "x", "rocks!?1"])
def test_unreadable(text):
    with pytest.raises(IllegalMove) as info:
        R.parse_move(new(), "white", text)
    assert info.value.code == "unreadable_move"


def test_both_choose_in_any_order_and_round_resolves():
    state = new()
    assert R.to_move(state) == ("white", "black")
    state = R.apply(state, "black", "rock")
    assert R.to_move(state) == ("white",)
    assert R.ply(state) == 1
    state = R.apply(state, "white", "paper")
    assert state["rounds"] == [{"white": "paper", "black": "rock", "winner": "white"}]
    assert state["score"] == {"white": 1, "black": 0}
    assert state["pending"] == {}
    assert R.to_move(state) == ("white", "black")
    assert R.ply(state) == 2


def test_choosing_twice_in_a_round_is_refused():
    state = R.apply(new(), "white", "rock")
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "white", "paper")
    assert info.value.code == "not_your_turn"
    with pytest.raises(IllegalMove):
        R.apply(state, "white", "paper")
    assert R.legal_moves(state, "white") == []
    assert R.legal_moves(state, "black") == ["rock", "paper", "scissors"]


def test_pending_choice_is_hidden_from_opponent_and_spectators():
    states = {choice: R.apply(new(), "white", choice) for choice in ("rock", "paper", "scissors")}
    for viewer in ("black", None):
        views = [R.public_view(state, viewer) for state in states.values()]
        assert views[0] == views[1] == views[2]  # nothing depends on the hidden choice
        assert views[0]["pending"] == {}
        assert views[0]["chosen"] == {"white": True, "black": False}
        renders = {R.render(state, viewer) for state in states.values()}
        assert len(renders) == 1
    own = R.public_view(states["scissors"], "white")
    assert own["pending"] == {"white": "scissors"}
    assert "You chose scissors" in R.render(states["scissors"], "white")


def test_history_is_visible_to_both():
    state = rounds(new(), ("rock", "scissors"))
    pending = {c: R.apply(state, "black", c) for c in ("rock", "paper")}
    for viewer in ("white", "black", None):
        view = R.public_view(pending["paper"], viewer)
        assert view["rounds"] == [{"white": "rock", "black": "scissors", "winner": "white"}]
    assert "round 1: you scissors, opponent rock -> you lost" in R.render(pending["paper"], "black")
    assert R.render(pending["paper"], "white") == R.render(pending["rock"], "white")


def test_ties_count_for_nobody_and_all_rounds_are_played():
    state = rounds(new(3), ("rock", "scissors"), ("paper", "rock"))
    assert R.outcome(state) is None  # decided, but all rounds are played
    state = rounds(state, ("rock", "rock"))
    assert state["score"] == {"white": 2, "black": 0}
    assert R.outcome(state) == Outcome("first", "rounds_complete")
    assert R.to_move(state) == ()
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "white", "rock")
    assert info.value.code == "game_over"


def test_second_seat_wins_and_ties_can_draw():
    state = rounds(new(3), ("rock", "paper"), ("rock", "rock"), ("scissors", "rock"))
    assert R.outcome(state) == Outcome("second", "rounds_complete")
    drawn = rounds(new(3), ("rock", "paper"), ("rock", "scissors"), ("paper", "paper"))
    assert R.outcome(drawn) == Outcome("draw", "rounds_complete")
    single = rounds(new(1), ("rock", "rock"))
    assert R.outcome(single) == Outcome("draw", "rounds_complete")
    assert R.ply(single) == 2


def test_options():
    assert R.validate_options({}) == {"legal_moves_hint": False, "rounds": 5}
    assert R.validate_options({"rounds": 99})["rounds"] == 99
    for bad in (
        {"rounds": 4},
        {"rounds": 0},
        {"rounds": 101},
        {"rounds": -1},
        {"rounds": "5"},
        {"best_of": 5},
        {"legal_moves_hint": None},
    ):
        with pytest.raises(RuleError) as info:
            R.validate_options(bad)
        assert info.value.code == "invalid_options"


def test_apply_needs_canonical_choice_and_never_mutates():
    state = new()
    with pytest.raises(IllegalMove):
        R.apply(state, "white", "r")
    snapshot = copy.deepcopy(state)
    R.apply(state, "white", "rock")
    assert state == snapshot
