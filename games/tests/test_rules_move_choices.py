"""``move_choices``: the legal moves as offered to clients, computed by the pure rules."""

from __future__ import annotations

from games.rules import get_rules


def test_chess_offers_uci_with_san_for_the_seat_to_move_only():
    rules = get_rules("chess")
    state = rules.initial_state(rules.validate_options({}), 1)
    choices = rules.move_choices(state, "white")
    assert len(choices) == 20 and {"move": "g1f3", "san": "Nf3"} in choices and {"move": "e2e4", "san": "e4"} in choices
    assert [c["move"] for c in choices] == sorted(rules.legal_moves(state, "white"))
    assert rules.move_choices(state, "black") == []
    after = rules.apply(state, "white", "e2e4")
    assert {"move": "e7e5", "san": "e5"} in rules.move_choices(after, "black")


def test_tictactoe_offers_free_cells():
    rules = get_rules("tictactoe")
    state = rules.apply(rules.initial_state({}, 1), "white", "5")
    assert rules.move_choices(state, "black") == [{"move": c, "san": None} for c in "12346789"]
    assert rules.move_choices(state, "white") == []


def test_simultaneous_games_offer_their_choices_to_each_seat_yet_to_choose():
    rps = get_rules("rps")
    state = rps.apply(rps.initial_state({}, 1), "white", "rock")
    assert [c["move"] for c in rps.move_choices(state, "black")] == ["rock", "paper", "scissors"]
    assert rps.move_choices(state, "white") == []  # already chose
    racing = get_rules("racing")
    state = racing.initial_state({}, 1)
    state["cars"]["white"]["boosts_left"] = 0
    assert [c["move"] for c in racing.move_choices(state, "white")] == ["accelerate", "brake", "coast"]


def test_words_offers_none():
    rules = get_rules("words")
    state = rules.initial_state({}, 1)
    assert rules.move_choices(state, "white") == [] and rules.legal_moves(state, "white")  # a prompt sample only
