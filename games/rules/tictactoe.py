"""Tic-tac-toe: 3x3, X (seat white) then O (seat black).

Cells are numbered 1..9 row-major from the top-left. Coordinates: the letter is the column a..c from left
to right, the digit the row 1..3 from top to bottom, so a1 = cell 1, c1 = cell 3, a3 = cell 7, c3 = cell 9.
Canonical moves are the cell numbers "1".."9". A win is checked before a full board, so completing a
line with the ninth mark is a win, not a draw.
"""

from __future__ import annotations

import re

from games.vocabulary import GameResult, Termination

from .base import (
    IllegalMove,
    MoveChoice,
    Outcome,
    Seat,
    bool_option,
    check_option_keys,
    check_seed,
    clean_text,
    fresh,
    plain_choices,
    require_turn,
    winner_result,
)

LINES: tuple[tuple[int, int, int], ...] = (
    (0, 1, 2),
    (3, 4, 5),
    (6, 7, 8),
    (0, 3, 6),
    (1, 4, 7),
    (2, 5, 8),
    (0, 4, 8),
    (2, 4, 6),
)
MARKS: dict[Seat, str] = {"white": "X", "black": "O"}
_COORD = re.compile(r"([abc])\s*([123])")
_CELL = re.compile(r"(?:cell\s*)?([1-9])")


def cell_of_coord(coord: str) -> int:
    """``a1`` -> 1, ``c3`` -> 9 (letter = column, digit = row from the top)."""
    return (int(coord[1]) - 1) * 3 + "abc".index(coord[0]) + 1


def winner_mark(board: list[str]) -> str | None:
    for a, b, c in LINES:
        if board[a] and board[a] == board[b] == board[c]:
            return board[a]
    return None


class TicTacToeRules:
    game_type = "tictactoe"
    simultaneous = False

    def validate_options(self, options: dict) -> dict:
        options = check_option_keys(options, {"legal_moves_hint"})
        return {"legal_moves_hint": bool_option(options, "legal_moves_hint", False)}

    def initial_state(self, options: dict, seed: int) -> dict:
        return {
            "game_type": self.game_type,
            "seed": check_seed(seed),
            "options": self.validate_options(options),
            "board": [""] * 9,
            "moves": [],
            "outcome": None,
        }

    def to_move(self, state: dict) -> tuple[Seat, ...]:
        if state["outcome"] is not None:
            return ()
        return ("white",) if len(state["moves"]) % 2 == 0 else ("black",)

    def outcome(self, state: dict) -> Outcome | None:
        return Outcome.from_dict(state["outcome"])

    def ply(self, state: dict) -> int:
        return len(state["moves"])

    def legal_moves(self, state: dict, seat: Seat) -> list[str]:
        if seat not in self.to_move(state):
            return []
        return [str(i + 1) for i, mark in enumerate(state["board"]) if not mark]

    def move_choices(self, state: dict, seat: Seat) -> list[MoveChoice]:
        """The legal moves as offered to clients (what to send as the move)."""
        return plain_choices(self.legal_moves(state, seat))

    def parse_move(self, state: dict, seat: Seat, text: str) -> str:
        require_turn(self, state, seat)
        s = clean_text(text).lower()
        coord = _COORD.fullmatch(s)
        cell_match = _CELL.fullmatch(s)
        if coord:
            cell = cell_of_coord(coord.group(1) + coord.group(2))
        elif cell_match:
            cell = int(cell_match.group(1))
        else:
            raise IllegalMove(
                "unreadable_move",
                f"{text.strip()!r} is not a cell: answer a number 1-9 (row-major from the top-left) "
                "or a coordinate a1..c3 (letter = column, digit = row from the top)",
            )
        mark = state["board"][cell - 1]
        if mark:
            raise IllegalMove("illegal_move", f"cell {cell} is already taken by {mark}")
        return str(cell)

    def apply(self, state: dict, seat: Seat, move: str) -> dict:
        require_turn(self, state, seat)
        if move not in self.legal_moves(state, seat):
            raise IllegalMove("illegal_move", f"{move!r} is not a free cell number 1-9")
        new = fresh(state)
        new["board"][int(move) - 1] = MARKS[seat]
        new["moves"].append(move)
        if winner_mark(new["board"]):
            new["outcome"] = Outcome(winner_result(seat), Termination.THREE_IN_A_ROW).to_dict()
        elif all(new["board"]):
            new["outcome"] = Outcome(GameResult.DRAW, Termination.BOARD_FULL).to_dict()
        return new

    def public_view(self, state: dict, viewer: Seat | None) -> dict:
        return fresh(state)

    def render(self, state: dict, seat: Seat | None) -> str:
        who = f"You play {MARKS[seat]} (seat {seat})." if seat else "Spectator view."
        cells = [mark or str(i + 1) for i, mark in enumerate(state["board"])]
        rows = [" | ".join(cells[r * 3 : r * 3 + 3]) for r in range(3)]
        lines = [f"Tic-tac-toe. {who} X moves first.", "Board (free cells show their number):"]
        lines.append("\n---------\n".join(rows))
        lines.append(
            "Coordinates: letter = column a-c left to right, digit = row 1-3 top to bottom (a1 = cell 1, c3 = cell 9)."
        )
        found = self.outcome(state)
        if found:
            lines.append(f"The game is over: {found.result} ({found.termination}).")
        else:
            lines.append(f"{MARKS[self.to_move(state)[0]]} to move.")
        return "\n".join(lines)
