"""Tic-tac-toe rules: coordinates, wins, draws, errors."""

from __future__ import annotations

import copy

import pytest

from games.rules import IllegalMove, Outcome, RuleError, get_rules

R = get_rules("tictactoe")


def new() -> dict:
    return R.initial_state({}, seed=3)


def play(state: dict, *texts: str) -> dict:
    for text in texts:
        seat = R.to_move(state)[0]
        state = R.apply(state, seat, R.parse_move(state, seat, text))
    return state


@pytest.mark.parametrize(
    ("coord", "cell"),
    [
        ("a1", "1"),
        ("b1", "2"),
        ("c1", "3"),
        ("a2", "4"),
        ("b2", "5"),
        ("c2", "6"),
        ("a3", "7"),
        ("b3", "8"),
        ("c3", "9"),
    ],
)
def test_coordinates_letter_is_column_digit_is_row_from_top(coord, cell):
    state = new()
    assert R.parse_move(state, "white", coord) == cell
    assert R.parse_move(state, "white", coord.upper()) == cell
    assert R.parse_move(state, "white", cell) == cell


@pytest.mark.parametrize("text", ["5", " 5 ", "5.", "`5`", "**5**", "'b2'", "B2", "cell 5", "MOVE: 5", "(5)"])
def test_tolerant_forms(text):
    assert R.parse_move(new(), "white", text) == "5"


@pytest.mark.parametrize("text", ["0", "10", "d1", "a4", "x", "", "five", "1 2", "5a", "-1"])
def test_malformed(text):
    with pytest.raises(IllegalMove) as info:
        R.parse_move(new(), "white", text)
    assert info.value.code == "unreadable_move"


def test_taken_cell_is_illegal():
    state = play(new(), "5")
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "black", "b2")
    assert info.value.code == "illegal_move" and "taken by X" in info.value.message
    with pytest.raises(IllegalMove):
        R.apply(state, "black", "5")


@pytest.mark.parametrize(
    ("moves", "result"),
    [
        (["1", "4", "2", "5", "3"], "first"),  # top row
        (["1", "2", "4", "5", "9", "8"], "second"),  # middle column for O
        (["1", "2", "5", "3", "9"], "first"),  # diagonal
        (["3", "1", "5", "2", "7"], "first"),  # anti-diagonal
    ],
)
def test_three_in_a_row(moves, result):
    state = play(new(), *moves)
    assert R.outcome(state) == Outcome(result, "three_in_a_row")
    assert R.to_move(state) == ()


def test_full_board_draw():
    state = play(new(), "1", "2", "3", "5", "4", "6", "8", "7", "9")
    assert R.outcome(state) == Outcome("draw", "board_full")


def test_win_with_the_last_cell_is_a_win_not_a_draw():
    state = play(new(), "1", "2", "3", "5", "4", "6", "8", "9", "7")
    assert R.outcome(state) == Outcome("first", "three_in_a_row")


def test_turn_order_and_game_over():
    state = new()
    assert R.to_move(state) == ("white",)
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "black", "1")
    assert info.value.code == "not_your_turn"
    with pytest.raises(IllegalMove):
        R.apply(state, "black", "1")
    done = play(state, "1", "4", "2", "5", "3")
    with pytest.raises(IllegalMove) as info:
        R.parse_move(done, "black", "6")
    assert info.value.code == "game_over"
    assert R.legal_moves(done, "black") == []


def test_apply_requires_canonical_cell():
    with pytest.raises(IllegalMove):
        R.apply(new(), "white", "b2")


def test_legal_moves_ply_render_views():
    state = play(new(), "5", "1")
    assert R.legal_moves(state, "white") == ["2", "3", "4", "6", "7", "8", "9"]
    assert R.ply(state) == 2
    assert state["board"][4] == "X" and state["board"][0] == "O"
    text = R.render(state, "black")
    assert "You play O" in text and "X to move" in text
    assert R.public_view(state, "white") == state


def test_options_and_immutability():
    assert R.validate_options({}) == {"legal_moves_hint": False}
    for bad in ({"size": 4}, {"legal_moves_hint": 1}, {"rounds": 3}, "x"):
        with pytest.raises(RuleError) as info:
            R.validate_options(bad)  # type: ignore[arg-type]
        assert info.value.code == "invalid_options"
    state = new()
    snapshot = copy.deepcopy(state)
    play(state, "5")
    assert state == snapshot
