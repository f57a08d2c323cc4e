"""Word association rules: the word list, novelty with plurals, turn order and the round limit."""

from __future__ import annotations

import copy
import gzip
import json
import random

import pytest

from games.rules import IllegalMove, Outcome, RuleError, get_rules
from games.rules.words import is_word, pick_word, record_judgement, related_forms, word_list

R = get_rules("words")


def new(rounds: int = 20, seed: int = 8) -> dict:
    state = R.initial_state({"rounds": rounds}, seed=seed)
    state["start_word"] = "ocean"  # fixed for readable tests; the seeded draw is tested separately
    return state


def play(state: dict, *texts: str) -> dict:
    for text in texts:
        seat = R.to_move(state)[0]
        state = R.apply(state, seat, R.parse_move(state, seat, text))
    return state


def error(state: dict, text: str) -> IllegalMove:
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, R.to_move(state)[0], text)
    return info.value


def test_start_word_comes_from_the_seed():
    a = R.initial_state({}, seed=1)["start_word"]
    assert a == R.initial_state({}, seed=1)["start_word"]
    starts = {R.initial_state({}, seed=s)["start_word"] for s in range(20)}
    assert len(starts) > 10
    assert all(is_word(w) and 4 <= len(w) <= 8 for w in starts)


def test_the_word_file_is_english_words_web2_list_as_the_rules_filter_it():
    """WORDS_FILE is built from the pinned english_words (python -m games.rules.words); an upgrade that
    changes the list fails here until the file is rebuilt."""
    from games.rules import words as w

    assert gzip.decompress(w.WORDS_FILE.read_bytes()).decode("ascii") == w.build_word_text()
    listed = word_list()
    assert list(listed) == w.build_word_text().splitlines() and len(listed) == 234_423
    assert listed[-1] == listed[len(listed) - 1] and listed[:3] == tuple(listed[i] for i in range(3))
    with pytest.raises(IndexError):
        listed[len(listed)]
    assert len(w.WordList("")) == 0
    with pytest.raises(ValueError):
        w.WordList("no newline")


def test_is_word_is_membership_in_the_sorted_list():
    words = word_list()
    assert list(words) == sorted(words)
    assert is_word(words[0]) and is_word(words[-1]) and is_word(words[len(words) // 2]) and is_word("water")
    for text in ("", "a", words[0][:-1] or "a", words[-1] + "z", "zzzzzzzzzz", "waterx", "Water"):
        assert is_word(text) == (text in set(words))


@pytest.mark.parametrize("text", ["water", "Water", "WATER.", "`water`", "**water**", " 'water' ", "MOVE: water"])
def test_tolerant_forms(text):
    assert R.parse_move(new(), "white", text) == "water"


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", "unreadable_move", "empty"),
        ("sea water", "unreadable_move", "more than one word"),
        ("co-op", "illegal_move", "letters a-z only"),
        ("wave2", "illegal_move", "letters a-z only"),
        ("café", "illegal_move", "letters a-z only"),
        ("a", "illegal_move", "2 to 24 letters"),
        ("a" * 25, "illegal_move", "2 to 24 letters"),
        ("qwzxv", "illegal_move", "not in the game's English word list"),
        ("ocean", "illegal_move", "previous word"),
    ],
)
def test_invalid_answers(text, code, fragment):
    err = error(new(), text)
    assert err.code == code
    assert fragment in err.message


def test_repeats_are_refused_case_insensitively_including_the_start_word():
    state = play(new(), "water", "river")
    assert "already used" in error(state, "Ocean").message
    assert "already used" in error(state, "WATER").message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("dog", "dogs"),
        ("dogs", "dog"),
        ("glass", "glasses"),
        ("glasses", "glass"),
        ("lady", "ladies"),
        ("ladies", "lady"),
    ],
)
def test_plurals_and_singulars_of_used_words_count_as_used(first, second):
    state = play(new(), first, "river")
    err = error(state, second)
    assert err.code == "illegal_move"
    assert "form of" in err.message and first in err.message


def test_related_forms():
    assert {"dogs", "doges"} <= related_forms("dog")
    assert "lady" in related_forms("ladies")
    assert "glass" in related_forms("glasses")
    assert "glas" not in related_forms("glass")


def test_turns_and_round_limit():
    state = new(rounds=2)
    assert R.to_move(state) == ("white",)
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "black", "water")
    assert info.value.code == "not_your_turn"
    state = play(state, "water", "river", "sea")
    assert R.outcome(state) is None
    state = play(state, "wave")
    assert R.outcome(state) == Outcome("draw", "rounds_complete")
    assert R.ply(state) == 4
    assert [e["seat"] for e in state["words"]] == ["white", "black", "white", "black"]
    assert all(e["judged"] is False and e["associated"] is None for e in state["words"])
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "white", "tree")
    assert info.value.code == "game_over"


def test_apply_needs_canonical_word():
    with pytest.raises(IllegalMove):
        R.apply(new(), "white", "Water")
    with pytest.raises(IllegalMove):
        R.apply(new(), "white", "qwzxv")


def test_judgement_hook_returns_a_new_state():
    state = play(new(), "water")
    judged = record_judgement(state, 0, True, "openai:gpt-4.1-mini")
    assert judged["words"][0] == {
        "seat": "white",
        "word": "water",
        "judged": True,
        "associated": True,
        "judge": "openai:gpt-4.1-mini",
    }
    assert state["words"][0]["judged"] is False


def test_legal_moves_is_a_deterministic_valid_sample():
    state = play(new(), "water")
    sample = R.legal_moves(state, "black")
    assert sample == R.legal_moves(state, "black")
    assert 0 < len(sample) <= 50
    for word in sample:
        assert R.parse_move(state, "black", word) == word
    assert R.legal_moves(state, "white") == []


def test_pick_word_is_valid_and_seeded():
    state = play(new(), "dog")
    words = [pick_word(state, random.Random(3)) for _ in range(3)]
    assert len(set(words)) == 1
    assert R.parse_move(state, "black", words[0]) == words[0]


def test_render():
    state = play(new(), "water")
    text = R.render(state, "black")
    assert "Start word: ocean" in text and "1. opponent: water" in text and "Previous word: water" in text


def test_options():
    assert R.validate_options({}) == {"legal_moves_hint": False, "rounds": 20, "judge_model": None}
    assert R.validate_options({"judge_model": "openai:gpt-4.1-mini", "rounds": 200})["judge_model"] == (
        "openai:gpt-4.1-mini"
    )
    for bad in (
        {"rounds": 0},
        {"rounds": 201},
        {"rounds": 2.5},
        {"judge_model": 3},
        {"judge_model": ""},
        {"dictionary": "web2"},
    ):
        with pytest.raises(RuleError) as info:
            R.validate_options(bad)
        assert info.value.code == "invalid_options"


def test_determinism_json_and_immutability():
    moves = ["water", "river", "sea"]
    first = play(R.initial_state({}, seed=4), *moves)
    assert first == play(R.initial_state({}, seed=4), *moves)
    assert json.loads(json.dumps(first)) == first
    snapshot = copy.deepcopy(first)
    play(first, "wave")
    assert first == snapshot
