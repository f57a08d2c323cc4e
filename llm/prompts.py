"""What a model is told: the rules of its game, its seat, the full state, the history and the answer format.

The state comes from ``rules.render(state, seat)`` (chess: FEN, SAN move list and a board), which already
hides an opponent's pending simultaneous choice; the history lines added here only use resolved turns.
The legal-move list is left out unless the game's ``legal_moves_hint`` option asks for it: picking from a
list is a different, easier test than playing the game.
"""

from __future__ import annotations

from games.rules.base import Rules, Seat, other
from games.vocabulary import MAX_FAILED_ATTEMPTS

from .providers.base import Message

ANSWER_LINE = "MOVE: <move>"

TITLES = {
    "chess": "chess",
    "tictactoe": "tic-tac-toe",
    "rps": "rock-paper-scissors",
    "racing": "racing",
    "words": "word association",
}

RULES_TEXT = {
    "chess": (
        "Standard chess rules. White moves first. The game ends on checkmate, stalemate, insufficient "
        "material, or the 75-move rule / fivefold repetition; threefold repetition and the 50-move rule "
        "are claimed automatically as draws, and a ply limit ends the game as a draw."
    ),
    "tictactoe": (
        "Tic-tac-toe on a 3x3 board. X moves first, then O, alternating. Three of your marks in a row, "
        "column or diagonal wins; a full board with no line is a draw. Cells are numbered 1-9 row by row "
        "from the top-left; coordinates a1..c3 also work (letter = column left to right, digit = row from "
        "the top, so a1 = cell 1 and c3 = cell 9)."
    ),
    "rps": (
        "Rock-paper-scissors over a fixed number of rounds, all of which are played. In each round both "
        "players choose at the same time: neither sees the other's choice before choosing. Rock beats "
        "scissors, scissors beats paper, paper beats rock; a tied round counts for nobody. After the last "
        "round the player with more round wins wins the match; equal is a draw."
    ),
    "racing": (
        "Two cars race on a one-dimensional track. Each turn both players choose an action at the same "
        "time (neither sees the other's choice first): accelerate (speed +1, at most 5), brake (speed -1, "
        "not below 0), coast (speed unchanged) or boost (this turn only, move speed+3; at most 2 boosts per "
        "race). Then each car moves forward by its speed (plus 3 when boosting). Curves have a safe speed: "
        "a car that passes or lands on a curve cell moving further this turn than the safe speed spins out, "
        "stops on that cell and drops to speed 0. The first car to reach or pass the finish wins; if both "
        "do in the same turn the one further past it wins. At the turn limit the car ahead wins."
    ),
    "words": (
        "Word association: players alternate, each answering one English word associated with the "
        "previous word. An answer must be a single word of letters only (2-24 letters), in the game's "
        "English word list, different from the previous word and not used before in this game (a plural "
        "or singular of a used word counts as used). An invalid answer counts as an illegal move. After "
        "the last round the game is a draw."
    ),
}

MOVE_TEXT = {
    "chess": "your move in SAN (e.g. Nf3, exd5, O-O, e8=Q) or UCI (e.g. g1f3, e7e8q)",
    "tictactoe": "a free cell number 1-9 (or a coordinate a1..c3)",
    "rps": "rock, paper or scissors",
    "racing": "accelerate, brake, coast or boost",
    "words": "one word",
}


def seat_label(game_type: str, seat: Seat) -> str:
    """The seat as the game calls it: white/black, X/O, player1/player2."""
    if game_type == "chess":
        return seat
    if game_type == "tictactoe":
        return "X" if seat == "white" else "O"
    return "player1" if seat == "white" else "player2"


def system_prompt(game_type: str) -> str:
    return (
        f"You are playing a game of {TITLES[game_type]} against another player in Duel Arena.\n\n"
        f"Rules: {RULES_TEXT[game_type]}\n\n"
        "Answer format: you may reason first, as briefly or as fully as you like. Then end your answer "
        f"with a final line of exactly this form:\n{ANSWER_LINE}\n"
        f"where <move> is {MOVE_TEXT[game_type]}. Only the last MOVE line counts. An illegal or "
        f"unreadable move gets feedback and another try; after {MAX_FAILED_ATTEMPTS} failed tries in one "
        "turn you forfeit the game."
    )


def history_lines(rules: Rules, state: dict, seat: Seat) -> list[str]:
    """Move orders the rendering does not show (tic-tac-toe's order, racing turns beyond the last 10)."""
    if rules.game_type == "tictactoe" and state["moves"]:
        marks = ["X", "O"]
        moves = ", ".join(f"{marks[i % 2]} {cell}" for i, cell in enumerate(state["moves"]))
        return [f"Moves so far, in order: {moves}."]
    if rules.game_type == "racing" and len(state["history"]) > 10:
        you, them = seat, other(seat)
        turns = "; ".join(
            f"{i}: you {turn[you]['action']}, opponent {turn[them]['action']}"
            for i, turn in enumerate(state["history"], start=1)
        )
        return [f"All actions so far (turn: yours, opponent's): {turns}."]
    return []


def legal_moves_lines(rules: Rules, state: dict, seat: Seat) -> list[str]:
    moves = rules.legal_moves(state, seat)
    if not moves:
        return []
    if rules.game_type == "words":
        return [f"Some valid unused words (a sample, not the full list): {', '.join(moves)}."]
    notation = " (UCI)" if rules.game_type == "chess" else ""
    return [f"Legal moves{notation}: {', '.join(moves)}."]


def turn_prompt(rules: Rules, state: dict, seat: Seat, *, legal_moves_hint: bool) -> str:
    game_type = rules.game_type
    label = seat_label(game_type, seat)
    parts = [f"You play {label}.", "", "Current state:", rules.render(state, seat)]
    extra = history_lines(rules, state, seat)
    if legal_moves_hint:
        extra += legal_moves_lines(rules, state, seat)
    if extra:
        parts += ["", *extra]
    if rules.simultaneous:
        parts += ["", "Your opponent chooses at the same time and will not see your choice before choosing."]
    parts += ["", f"Your move as {label}. End your answer with the line {ANSWER_LINE}"]
    return "\n".join(parts)


def build_messages(rules: Rules, state: dict, seat: Seat, *, legal_moves_hint: bool | None = None) -> list[Message]:
    """The opening conversation of a turn. ``legal_moves_hint`` None means: the game's option decides."""
    if legal_moves_hint is None:
        legal_moves_hint = bool(state.get("options", {}).get("legal_moves_hint", False))
    return [
        Message("system", system_prompt(rules.game_type)),
        Message("user", turn_prompt(rules, state, seat, legal_moves_hint=legal_moves_hint)),
    ]


def _tries(attempts_left: int) -> str:
    return "1 more try" if attempts_left == 1 else f"{attempts_left} more tries"


def feedback(problem: str, *, attempts_left: int) -> str:
    """The retry message after a refused answer: what was wrong, how many tries remain, the format again."""
    return (
        f"That answer was not accepted: {problem.rstrip('.')}. You have {_tries(attempts_left)} this turn "
        f"before forfeiting. Answer again and end with the line {ANSWER_LINE}"
    )


def truncation_feedback(problem: str, *, attempts_left: int) -> str:
    """The retry message after an answer cut off at the output limit: not a wrong move, a too long answer."""
    return (
        f"That answer was not accepted: {problem.rstrip('.')}. Answer shorter: keep your reasoning brief "
        f"so that the answer ends with the line {ANSWER_LINE} well within the limit. You have "
        f"{_tries(attempts_left)} this turn before forfeiting."
    )


def messages_as_text(messages: list[Message]) -> str:
    """The prompt as stored with an attempt: every message, labelled by role."""
    return "\n\n".join(f"[{m.role}]\n{m.content}" for m in messages)
