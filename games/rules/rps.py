"""Rock-paper-scissors over N rounds (odd, default 5), both seats choosing at once.

A choice made first waits in ``state["pending"]`` until the other seat chooses; only ``public_view`` /
``render`` may be shown to players or spectators, and they hide it. All N rounds are always played (no
early finish once the match is decided), tied rounds count for nobody, and after N rounds the seat with
more round wins wins; equal (possible through ties) is a draw (``rounds_complete``).
"""

from __future__ import annotations

from games.vocabulary import GameResult, Termination

from .base import (
    SEATS,
    IllegalMove,
    MoveChoice,
    Outcome,
    Seat,
    bool_option,
    check_option_keys,
    check_seed,
    clean_text,
    fresh,
    hide_pending,
    int_option,
    other,
    plain_choices,
    require_turn,
)

CHOICES: tuple[str, ...] = ("rock", "paper", "scissors")
BEATS: dict[str, str] = {"rock": "scissors", "paper": "rock", "scissors": "paper"}
_ALIASES: dict[str, str] = {
    "rock": "rock",
    "r": "rock",
    "stone": "rock",
    "paper": "paper",
    "p": "paper",
    "scissors": "scissors",
    "scissor": "scissors",
    "s": "scissors",
}


def round_winner(white: str, black: str) -> Seat | None:
    if white == black:
        return None
    return "white" if BEATS[white] == black else "black"


class RpsRules:
    game_type = "rps"
    simultaneous = True

    def validate_options(self, options: dict) -> dict:
        options = check_option_keys(options, {"legal_moves_hint", "rounds"})
        return {
            "legal_moves_hint": bool_option(options, "legal_moves_hint", False),
            "rounds": int_option(options, "rounds", 5, 1, 99, odd=True),
        }

    def initial_state(self, options: dict, seed: int) -> dict:
        return {
            "game_type": self.game_type,
            "seed": check_seed(seed),
            "options": self.validate_options(options),
            "rounds": [],
            "pending": {},
            "score": {"white": 0, "black": 0},
            "outcome": None,
        }

    def to_move(self, state: dict) -> tuple[Seat, ...]:
        if state["outcome"] is not None:
            return ()
        return tuple(seat for seat in SEATS if seat not in state["pending"])

    def outcome(self, state: dict) -> Outcome | None:
        return Outcome.from_dict(state["outcome"])

    def ply(self, state: dict) -> int:
        return 2 * len(state["rounds"]) + len(state["pending"])

    def legal_moves(self, state: dict, seat: Seat) -> list[str]:
        return list(CHOICES) if seat in self.to_move(state) else []

    def move_choices(self, state: dict, seat: Seat) -> list[MoveChoice]:
        """The legal moves as offered to clients (what to send as the move)."""
        return plain_choices(self.legal_moves(state, seat))

    def parse_move(self, state: dict, seat: Seat, text: str) -> str:
        require_turn(self, state, seat)
        s = clean_text(text).lower()
        if s not in _ALIASES:
            raise IllegalMove("unreadable_move", f"{text.strip()!r} is not a choice; answer rock, paper or scissors")
        return _ALIASES[s]

    def apply(self, state: dict, seat: Seat, move: str) -> dict:
        require_turn(self, state, seat)
        if move not in CHOICES:
            raise IllegalMove("illegal_move", f"{move!r} is not rock, paper or scissors")
        new = fresh(state)
        new["pending"][seat] = move
        if len(new["pending"]) < 2:
            return new
        white, black = new["pending"]["white"], new["pending"]["black"]
        winner = round_winner(white, black)
        new["rounds"].append({"white": white, "black": black, "winner": winner})
        new["pending"] = {}
        if winner:
            new["score"][winner] += 1
        if len(new["rounds"]) == new["options"]["rounds"]:
            w, b = new["score"]["white"], new["score"]["black"]
            result = GameResult.FIRST if w > b else GameResult.SECOND if b > w else GameResult.DRAW
            new["outcome"] = Outcome(result, Termination.ROUNDS_COMPLETE).to_dict()
        return new

    def public_view(self, state: dict, viewer: Seat | None) -> dict:
        return hide_pending(state, viewer)

    def render(self, state: dict, seat: Seat | None) -> str:
        total = state["options"]["rounds"]
        lines = [f"Rock-paper-scissors, best of {total} rounds (all rounds are played)."]
        if seat:
            opp = other(seat)
            lines.append(f"You are {'player1' if seat == 'white' else 'player2'} (seat {seat}).")
            lines.append(f"Score: you {state['score'][seat]}, opponent {state['score'][opp]}.")
        else:
            lines.append(f"Score: player1 {state['score']['white']}, player2 {state['score']['black']}.")
        if state["rounds"]:
            lines.append("History:")
        for i, rnd in enumerate(state["rounds"], start=1):
            if seat:
                mine, theirs = rnd[seat], rnd[other(seat)]
                won = rnd["winner"] == seat
                verdict = "tie" if rnd["winner"] is None else "you won" if won else "you lost"
                lines.append(f"  round {i}: you {mine}, opponent {theirs} -> {verdict}")
            else:
                verdict = "tie" if rnd["winner"] is None else f"{rnd['winner']} won"
                lines.append(f"  round {i}: player1 {rnd['white']}, player2 {rnd['black']} -> {verdict}")
        found = self.outcome(state)
        if found:
            lines.append(f"The match is over: {found.result} ({found.termination}).")
            return "\n".join(lines)
        lines.append(f"Round {len(state['rounds']) + 1} of {total}.")
        if seat and seat in state["pending"]:
            lines.append(f"You chose {state['pending'][seat]} this round; waiting for the opponent.")
        elif seat:
            waiting = other(seat) in state["pending"]
            lines.append("The opponent has already chosen (hidden)." if waiting else "Both choose at once.")
        return "\n".join(lines)
