"""parse_answer: tolerant in form (the move text it finds), strict in meaning (the rules decide legality)."""

from __future__ import annotations

import pytest

from games.rules import IllegalMove, get_rules
from llm.parsing import parse_answer


@pytest.mark.parametrize(
    ("answer", "move"),
    [
        ("MOVE: e4", "e4"),
        ("move: e4", "e4"),
        ("Move = e4", "e4"),
        ("**MOVE:** e4", "e4"),
        ("**MOVE: e4**", "e4"),
        ("**Move**: `e4`", "e4"),
        ("`MOVE: e4`", "e4"),
        ("### Final move: e4.", "e4"),
        ("> MOVE: *e4*", "e4"),
        ("- MOVE: 'rock',", "rock"),
        ("MOVE: \u201cocean\u201d;", "ocean"),
        ("MOVE: Nf3+", "Nf3+"),
        ("MOVE: O-O-O", "O-O-O"),
        ("  MOVE:   e8=Q  ", "e8=Q"),
        ("MOVE:\ne4", "e4"),
        ("MOVE:\n\n```\nO-O\n```", "O-O"),
        ("Thinking.\nMOVE: d4\nHmm, no.\nMOVE: c4\nDone.", "c4"),
        ("<think>MOVE: rock</think>\nMOVE: paper", "paper"),
        ("MOVE: <e4>", "<e4>"),  # the rules strip brackets; parsing keeps meaning-bearing text
        # LaTeX and tags around the move, as reasoning models write it
        ("MOVE: \\boxed{e4}", "e4"),
        ("MOVE: $e4$", "e4"),
        ("MOVE: $$\\boxed{O-O}$$.", "O-O"),
        ("**MOVE:** $\\boxed{\\text{Nf3}}$", "Nf3"),
        ("MOVE: \\(\\boxed{Nf3}\\)", "Nf3"),
        ("MOVE: \\[\\text{rock}\\]", "rock"),
        ("MOVE: \\text{exd5}", "exd5"),
        ("MOVE: <answer>e4</answer>", "e4"),
        ("<answer>MOVE: e4</answer>", "e4"),
        ("<answer>\nMOVE: Nf3\n</answer>", "Nf3"),
        ("MOVE: <b>Nf3</b>", "Nf3"),
        ("<b>MOVE:</b> Nf3", "Nf3"),
        ("<b>MOVE</b>: Nf3", "Nf3"),
        ("MOVE: **<b>$\\boxed{e8=Q}$</b>**", "e8=Q"),
        ("MOVE: 1\u2026Nf6", "1\u2026Nf6"),  # move numbers are the chess rules' to read
        ("MOVE: 1. ...Nf6", "1. ...Nf6"),
    ],
)
def test_move_text_is_found(answer, move):
    assert parse_answer(answer)[0] == move


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "",
        "I play e4",
        "My move is e4.",
        "MOVE:",
        "MOVE: **",
        "Moving the knight is best: Nf3",
        "<think>MOVE: rock</think> I am not sure yet.",
        "<think>unfinished thoughts MOVE: rock",
    ],
)
def test_no_move_line(answer):
    assert parse_answer(answer)[0] is None


def test_reasoning_is_the_answer_without_the_chosen_move_line():
    move, reasoning = parse_answer("Centre control matters.\nMOVE: d4\nActually:\nMOVE: e4\nGood luck!")
    assert move == "e4"
    assert reasoning == "Centre control matters.\nMOVE: d4\nActually:\nGood luck!"
    move, reasoning = parse_answer("<think>compare rock and paper</think>\nPaper wins here.\nMOVE: paper")
    assert (move, reasoning) == ("paper", "compare rock and paper\n\nPaper wins here.")
    assert parse_answer("no move at all") == (None, "no move at all")


def _state(game: str, moves: list[tuple[str, str]] = ()) -> tuple:
    rules = get_rules(game)
    state = rules.initial_state({}, 11)
    for seat, move in moves:
        state = rules.apply(state, seat, rules.parse_move(state, seat, move))
    return rules, state


@pytest.mark.parametrize(
    ("game", "moves", "answer", "canonical"),
    [
        ("chess", [], "**MOVE:** e4", "e2e4"),
        ("chess", [], "MOVE: g1f3.", "g1f3"),
        ("chess", [("white", "e4")], "MOVE: ...e5", "e7e5"),
        ("chess", [("white", "e4")], "move: `1... c5`", "c7c5"),
        ("tictactoe", [], "MOVE: 5", "5"),
        ("tictactoe", [], "MOVE: **c3**", "9"),
        ("tictactoe", [("white", "1")], "Move: Cell 2", "2"),
        ("rps", [], "MOVE: Scissors!", "scissors"),
        ("rps", [], "MOVE: `R`", "rock"),
        ("racing", [], "MOVE: ACCELERATE", "accelerate"),
        ("racing", [], "- move: coast.", "coast"),
        ("words", [], "MOVE: Lighthouse", "lighthouse"),
    ],
)
def test_each_game_accepts_the_parsed_text(game, moves, answer, canonical):
    rules, state = _state(game, moves)
    seat = rules.to_move(state)[0]
    text, _ = parse_answer(answer)
    assert rules.parse_move(state, seat, text) == canonical


@pytest.mark.parametrize(
    ("game", "moves", "answer", "code"),
    [
        ("chess", [], "MOVE: e5", "illegal_move"),  # white pawn cannot reach e5
        ("chess", [], "MOVE: e4 (king's pawn)", "unreadable_move"),  # commentary is not a move
        ("tictactoe", [("white", "5")], "MOVE: b2", "illegal_move"),
        ("tictactoe", [], "MOVE: 10", "unreadable_move"),
        ("rps", [], "MOVE: lizard", "unreadable_move"),
        ("racing", [], "MOVE: fly", "unreadable_move"),
        ("words", [], "MOVE: sea horse", "unreadable_move"),
    ],
)
def test_meaning_stays_strict(game, moves, answer, code):
    rules, state = _state(game, moves)
    seat = rules.to_move(state)[0]
    text, _ = parse_answer(answer)
    with pytest.raises(IllegalMove) as caught:
        rules.parse_move(state, seat, text)
    assert caught.value.code == code


# Real-looking chess answers, end to end (parse_answer, then the chess rules), accepted and refused.
E4 = [("white", "e4")]
PAWN_OR_BISHOP = "3bk3/1p6/8/8/8/8/8/4K3 b - - 0 1"  # b7-b6 and Bd8-b6 both legal
TWO_KNIGHTS = "4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1"


@pytest.mark.parametrize(
    ("fen", "moves", "answer", "canonical"),
    [
        (None, E4, "The Sicilian is sharp.\n\nMOVE: 1...c5", "c7c5"),
        (None, E4, "I'll mirror.\nMOVE: 1\u2026e5", "e7e5"),
        (None, E4, "Knight out.\n**MOVE:** 1. ...Nf6", "g8f6"),
        (None, E4, "MOVE: 1. \u2026 Nc6", "b8c6"),
        (None, E4, "Final answer:\n\n$\\boxed{\\text{1... e5}}$\n\nMOVE: $\\boxed{\\text{e5}}$", "e7e5"),
        (None, [], "Opening with the king's pawn.\nMOVE: $\\boxed{e4}$", "e2e4"),
        (None, [], "<think>e4 or d4?</think>\n<answer>MOVE: d4</answer>", "d2d4"),
        (None, [], "Develop.\n<b>MOVE:</b> <b>Ng1-f3</b>", "g1f3"),
        (None, [], "MOVE: \\(\\text{Nf3}\\)", "g1f3"),
        (PAWN_OR_BISHOP, [], "MOVE: Bb6", "d8b6"),
        (PAWN_OR_BISHOP, [], "MOVE: b6", "b7b6"),
        (TWO_KNIGHTS, [], "MOVE: $\\boxed{Nbd2}$", "b1d2"),
    ],
)
def test_real_chess_answers_are_read(fen, moves, answer, canonical):
    rules = get_rules("chess")
    state = rules.initial_state({"start_fen": fen} if fen else {}, 3)
    for seat, move in moves:
        state = rules.apply(state, seat, rules.parse_move(state, seat, move))
    text, _ = parse_answer(answer)
    assert rules.parse_move(state, rules.to_move(state)[0], text) == canonical


@pytest.mark.parametrize(
    ("fen", "answer", "fragments"),
    [
        (PAWN_OR_BISHOP, "MOVE: bb6", ("ambiguous", "pawn move b6 (b7b6)", "bishop move Bb6 (d8b6)")),
        (PAWN_OR_BISHOP, "MOVE: $\\boxed{bb6}$", ("ambiguous", "b7b6", "d8b6")),
        (TWO_KNIGHTS, "MOVE: Nd2", ("ambiguous",)),
        (TWO_KNIGHTS, "MOVE: \\boxed{nd2}", ("ambiguous", "Nbd2, Nfd2")),
        (None, "MOVE: $\\boxed{e5}$", ("no legal move",)),
        (None, "MOVE: \\boxed{e4} or d4", ("not a chess move",)),
    ],
)
def test_real_chess_answers_are_refused_with_feedback(fen, answer, fragments):
    rules = get_rules("chess")
    state = rules.initial_state({"start_fen": fen} if fen else {}, 3)
    text, _ = parse_answer(answer)
    with pytest.raises(IllegalMove) as caught:
        rules.parse_move(state, rules.to_move(state)[0], text)
    assert caught.value.code in ("illegal_move", "unreadable_move")
    for fragment in fragments:
        assert fragment in caught.value.message
