"""Racing rules: curves from the seed, speed changes, spin-outs, boosts, finish and turn limit."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from games.rules import IllegalMove, Outcome, RuleError, get_rules
from games.rules.racing import drive, make_curves

R = get_rules("racing")


def new(**options) -> dict:
    return R.initial_state(options, seed=11)


def track(curves: list[tuple[int, int]] | None = None, length: int = 50, turn_limit: int = 100, **cars) -> dict:
    """A state with chosen curves and car positions/speeds (white=(pos, speed[, boosts]))."""
    state = new(track_length=length, turn_limit=turn_limit)
    state["curves"] = [{"cell": c, "safe_speed": s} for c, s in (curves or [])]
    for seat, values in cars.items():
        keys = ("position", "speed", "boosts_left")
        state["cars"][seat].update(dict(zip(keys, values, strict=False)))
    return state


def turn(state: dict, white: str, black: str) -> dict:
    state = R.apply(state, "white", R.parse_move(state, "white", white))
    return R.apply(state, "black", R.parse_move(state, "black", black))


def car(position: int, speed: int, boosts: int = 2) -> dict:
    return {"position": position, "speed": speed, "boosts_left": boosts}


# ------------------------------------------------------------------------------------------- curves


def test_curves_are_deterministic_visible_and_well_formed():
    for seed in range(30):
        for length in (20, 50, 200):
            curves = make_curves(length, seed)
            assert curves == make_curves(length, seed)
            assert len(curves) == max(2, length // 12)
            cells = [c["cell"] for c in curves]
            assert cells == sorted(cells)
            assert all(6 <= c < length - 2 for c in cells)
            assert all(b - a >= 5 for a, b in itertools.pairwise(cells))
            assert all(2 <= c["safe_speed"] <= 4 for c in curves)
    assert make_curves(50, 1) != make_curves(50, 2)
    state = R.initial_state({}, seed=7)
    assert state["curves"] == make_curves(50, 7)
    for viewer in ("white", "black", None):
        assert R.public_view(state, viewer)["curves"] == state["curves"]
    assert "safe speed" in R.render(state, "white")


def test_global_random_is_untouched():
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    R.initial_state({}, seed=99)
    assert random.random() == expected


# ---------------------------------------------------------------------------------------- movement


def test_speed_changes_and_limits():
    assert drive(car(0, 0), "accelerate", []) == {**car(1, 1), "distance": 1, "spun_out": None}
    assert drive(car(10, 5), "accelerate", [])["speed"] == 5
    assert drive(car(10, 0), "brake", [])["position"] == 10
    assert drive(car(10, 3), "brake", []) == {**car(12, 2), "distance": 2, "spun_out": None}
    assert drive(car(10, 3), "coast", [])["position"] == 13


def test_boost_moves_speed_plus_three_this_turn_only():
    moved = drive(car(10, 2), "boost", [])
    assert moved == {**car(15, 2, 1), "distance": 5, "spun_out": None}
    state = turn(track(white=(0, 2), black=(0, 0)), "boost", "boost")
    assert state["cars"]["white"] == car(5, 2, 1)
    assert state["cars"]["black"] == car(3, 0, 1)


def test_boost_limit_is_two_per_race():
    state = track()
    state = turn(state, "boost", "coast")
    state = turn(state, "boost", "coast")
    assert state["cars"]["white"]["boosts_left"] == 0
    assert "boost" not in R.legal_moves(state, "white")
    assert "boost" in R.legal_moves(state, "black")
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "white", "boost")
    assert info.value.code == "illegal_move" and "no boosts left" in info.value.message
    with pytest.raises(IllegalMove):
        R.apply(state, "white", "boost")


def test_spin_out_when_passing_a_curve_too_fast():
    moved = drive(car(8, 4), "accelerate", [{"cell": 10, "safe_speed": 3}])
    assert moved == {**car(10, 0), "distance": 2, "spun_out": 10}


def test_spin_out_when_landing_on_a_curve_too_fast():
    moved = drive(car(6, 3), "accelerate", [{"cell": 10, "safe_speed": 3}])
    assert moved["spun_out"] == 10 and moved["position"] == 10 and moved["speed"] == 0


def test_safe_speed_is_allowed_and_movement_speed_is_after_the_change():
    curves = [{"cell": 10, "safe_speed": 3}]
    assert drive(car(7, 3), "coast", curves)["spun_out"] is None  # exactly the safe speed
    assert drive(car(6, 4), "brake", curves) == {**car(9, 3), "distance": 3, "spun_out": None}
    assert drive(car(8, 2), "accelerate", curves)["spun_out"] is None  # 3 after the change
    assert drive(car(8, 3), "accelerate", curves)["spun_out"] == 10  # 4 after the change


def test_boost_counts_towards_curve_speed_and_is_spent_on_spin_out():
    moved = drive(car(8, 1), "boost", [{"cell": 10, "safe_speed": 3}])
    assert moved == {**car(10, 0, 1), "distance": 2, "spun_out": 10}


def test_first_curve_stops_the_car_and_the_start_cell_is_not_passed_again():
    curves = [{"cell": 10, "safe_speed": 2}, {"cell": 12, "safe_speed": 4}]
    assert drive(car(8, 4), "accelerate", curves)["position"] == 10
    assert drive(car(10, 2), "accelerate", curves)["spun_out"] is None  # leaves curve 10 at 3


def test_spin_out_recorded_in_history_and_render():
    state = turn(track([(3, 2)], white=(0, 2), black=(0, 0)), "accelerate", "accelerate")
    assert state["history"][0]["white"]["spun_out"] == 3
    assert state["cars"]["white"] == car(3, 0)
    assert "spun out at 3" in R.render(state, "white")


# ---------------------------------------------------------------------------------------- endings


def test_first_to_reach_the_line_wins():
    state = turn(track(white=(47, 3), black=(40, 5)), "coast", "coast")
    assert R.outcome(state) == Outcome("first", "finish_line")
    assert R.to_move(state) == ()
    state = turn(track(white=(40, 2), black=(46, 3)), "accelerate", "accelerate")
    assert R.outcome(state) == Outcome("second", "finish_line")


def test_both_finish_further_past_the_line_wins():
    state = turn(track(white=(47, 3), black=(46, 5)), "coast", "coast")
    assert state["cars"]["white"]["position"] == 50
    assert state["cars"]["black"]["position"] == 51
    assert R.outcome(state) == Outcome("second", "finish_line")


def test_both_finish_equally_far_is_a_draw():
    state = turn(track(white=(47, 3), black=(45, 5)), "coast", "coast")
    assert R.outcome(state) == Outcome("draw", "finish_line")


def test_turn_limit_car_ahead_wins_level_draws():
    ahead = track(turn_limit=10)
    for _ in range(10):
        assert R.outcome(ahead) is None
        ahead = turn(ahead, "accelerate", "coast")
    assert ahead["turn"] == 10
    assert R.outcome(ahead) == Outcome("first", "turn_limit")
    level = track(turn_limit=10)
    for _ in range(10):
        level = turn(level, "coast", "coast")
    assert R.outcome(level) == Outcome("draw", "turn_limit")
    with pytest.raises(IllegalMove) as info:
        R.parse_move(level, "white", "coast")
    assert info.value.code == "game_over"


# --------------------------------------------------------------------------------- hidden choices


def test_pending_choice_is_hidden_from_opponent_and_spectators():
    base = new()
    states = {a: R.apply(base, "black", a) for a in ("accelerate", "brake", "coast", "boost")}
    for viewer in ("white", None):
        views = [R.public_view(s, viewer) for s in states.values()]
        assert all(v == views[0] for v in views)
        assert views[0]["pending"] == {}
        assert views[0]["chosen"] == {"white": False, "black": True}
        assert len({R.render(s, viewer) for s in states.values()}) == 1
    assert R.public_view(states["boost"], "black")["pending"] == {"black": "boost"}
    assert "You chose boost" in R.render(states["boost"], "black")
    assert R.to_move(states["boost"]) == ("white",)
    assert R.ply(states["boost"]) == 1
    with pytest.raises(IllegalMove) as info:
        R.parse_move(states["boost"], "black", "coast")
    assert info.value.code == "not_your_turn"


# ------------------------------------------------------------------------------------ parse/options


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("accelerate", "accelerate"),
        ("Accelerate.", "accelerate"),
        ("ACCEL", "accelerate"),
        ("a", "accelerate"),
        ("brake", "brake"),
        ("br", "brake"),
        ("coast", "coast"),
        ("c", "coast"),
        ("`boost`", "boost"),
        ("bo", "boost"),
        ("MOVE: brake", "brake"),
    ],
)
def test_parse_forms(text, action):
    assert R.parse_move(new(), "white", text) == action


@pytest.mark.parametrize("text", ["b", "fly", "", "accelerate brake", "stop", "accelerates"])
def test_parse_unreadable(text):
    with pytest.raises(IllegalMove) as info:
        R.parse_move(new(), "white", text)
    assert info.value.code == "unreadable_move"


def test_options():
    assert R.validate_options({}) == {"legal_moves_hint": False, "track_length": 50, "turn_limit": 100}
    assert R.validate_options({"track_length": 20, "turn_limit": 500})["track_length"] == 20
    for bad in (
        {"track_length": 19},
        {"track_length": 201},
        {"turn_limit": 9},
        {"turn_limit": 501},
        {"track_length": "50"},
        {"curves": []},
        {"rounds": 5},
    ):
        with pytest.raises(RuleError) as info:
            R.validate_options(bad)
        assert info.value.code == "invalid_options"


def test_determinism_json_and_immutability():
    actions = [("accelerate", "boost"), ("accelerate", "accelerate"), ("boost", "coast"), ("brake", "a")]

    def run() -> dict:
        state = R.initial_state({"track_length": 30}, seed=42)
        for white, black in actions:
            state = turn(state, white, black)
        return state

    first = run()
    assert first == run()
    assert json.loads(json.dumps(first)) == first
    assert R.ply(first) == 8
    snapshot = copy.deepcopy(first)
    R.apply(first, "white", "coast")
    assert first == snapshot
