"""Two-car racing on a one-dimensional track; both seats choose at once each turn.

Interpretation choices (shared/GAMES.md, the product's game rules, leaves these open):
- Actions: ``accelerate`` (speed +1, capped at 5), ``brake`` (-1, floored at 0), ``coast``, ``boost``.
  Accelerating at 5 or braking at 0 is legal and changes nothing.
- ``boost`` leaves the speed unchanged and moves speed+3 this turn only; each car has 2 boosts per race.
- The speed a car is "going" this turn is the distance it moves: its speed after the accelerate/brake
  change, plus 3 when boosting. Curve checks use that distance.
- A car moving from p to p+d passes/lands on cells p+1..p+d (the cell it starts on is not passed again).
  At the first such curve whose safe speed is below d it spins out: it stops on the curve cell with speed 0
  (a boost used on that turn is still spent).
- Curves: generated with ``random.Random(seed)``; ``max(2, L // 12)`` curves on cells 6..L-3, at least 5
  cells apart, safe speed 2..4, stored in the state so both seats see them from the start.
- Cars never block or touch each other. Positions are not capped at L, so "further past L" is
  ``position - L``. Finishing (position >= L) beats the turn limit; if both finish in one turn the larger
  position wins, equal is a draw (``finish_line``). At the turn limit the car further along wins, level
  is a draw (``turn_limit``).
"""

from __future__ import annotations

import random

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
    winner_result,
)

ACTIONS: tuple[str, ...] = ("accelerate", "brake", "coast", "boost")
MAX_SPEED = 5
BOOST_EXTRA = 3
BOOSTS_PER_RACE = 2


def make_curves(length: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    count = max(2, length // 12)
    candidates = list(range(6, length - 2))
    rng.shuffle(candidates)
    cells: list[int] = []
    for cell in candidates:
        if all(abs(cell - c) >= 5 for c in cells):
            cells.append(cell)
            if len(cells) == count:
                break
    return [{"cell": c, "safe_speed": rng.randint(2, 4)} for c in sorted(cells)]


def drive(car: dict, action: str, curves: list[dict]) -> dict:
    """One car's turn: the new car dict plus ``distance`` and ``spun_out`` (curve cell or None)."""
    speed, boosts = car["speed"], car["boosts_left"]
    if action == "accelerate":
        speed = min(MAX_SPEED, speed + 1)
    elif action == "brake":
        speed = max(0, speed - 1)
    distance = speed
    if action == "boost":
        boosts -= 1
        distance += BOOST_EXTRA
    start, end = car["position"], car["position"] + distance
    for curve in curves:
        if start < curve["cell"] <= end and distance > curve["safe_speed"]:
            return {
                "position": curve["cell"],
                "speed": 0,
                "boosts_left": boosts,
                "distance": curve["cell"] - start,
                "spun_out": curve["cell"],
            }
    return {"position": end, "speed": speed, "boosts_left": boosts, "distance": distance, "spun_out": None}


def car_fields(moved: dict) -> dict:
    return {k: moved[k] for k in ("position", "speed", "boosts_left")}


def _parse_action(text: str) -> str:
    s = clean_text(text).lower()
    matches = [a for a in ACTIONS if a.startswith(s)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        choices = " or ".join(matches)
        raise IllegalMove("unreadable_move", f"{s!r} is ambiguous ({choices}); write the full word")
    raise IllegalMove("unreadable_move", f"{text.strip()!r} is not an action; answer accelerate, brake, coast or boost")


class RacingRules:
    game_type = "racing"
    simultaneous = True

    def validate_options(self, options: dict) -> dict:
        options = check_option_keys(options, {"legal_moves_hint", "track_length", "turn_limit"})
        return {
            "legal_moves_hint": bool_option(options, "legal_moves_hint", False),
            "track_length": int_option(options, "track_length", 50, 20, 200),
            "turn_limit": int_option(options, "turn_limit", 100, 10, 500),
        }

    def initial_state(self, options: dict, seed: int) -> dict:
        options = self.validate_options(options)
        car = {"position": 0, "speed": 0, "boosts_left": BOOSTS_PER_RACE}
        return {
            "game_type": self.game_type,
            "seed": check_seed(seed),
            "options": options,
            "curves": make_curves(options["track_length"], seed),
            "cars": {"white": dict(car), "black": dict(car)},
            "turn": 0,
            "pending": {},
            "history": [],
            "outcome": None,
        }

    def to_move(self, state: dict) -> tuple[Seat, ...]:
        if state["outcome"] is not None:
            return ()
        return tuple(seat for seat in SEATS if seat not in state["pending"])

    def outcome(self, state: dict) -> Outcome | None:
        return Outcome.from_dict(state["outcome"])

    def ply(self, state: dict) -> int:
        return 2 * state["turn"] + len(state["pending"])

    def legal_moves(self, state: dict, seat: Seat) -> list[str]:
        if seat not in self.to_move(state):
            return []
        if state["cars"][seat]["boosts_left"] > 0:
            return list(ACTIONS)
        return [a for a in ACTIONS if a != "boost"]

    def move_choices(self, state: dict, seat: Seat) -> list[MoveChoice]:
        """The legal moves as offered to clients (what to send as the move)."""
        return plain_choices(self.legal_moves(state, seat))

    def parse_move(self, state: dict, seat: Seat, text: str) -> str:
        require_turn(self, state, seat)
        action = _parse_action(text)
        if action == "boost" and state["cars"][seat]["boosts_left"] <= 0:
            raise IllegalMove("illegal_move", f"no boosts left: each car may boost {BOOSTS_PER_RACE} times per race")
        return action

    def apply(self, state: dict, seat: Seat, move: str) -> dict:
        require_turn(self, state, seat)
        if move not in self.legal_moves(state, seat):
            allowed = ", ".join(self.legal_moves(state, seat))
            raise IllegalMove("illegal_move", f"{move!r} is not one of {allowed}")
        new = fresh(state)
        new["pending"][seat] = move
        if len(new["pending"]) < 2:
            return new
        turn: dict[str, dict] = {}
        for s in SEATS:
            moved = drive(new["cars"][s], new["pending"][s], new["curves"])
            new["cars"][s] = car_fields(moved)
            turn[s] = {"action": new["pending"][s], **moved}
        new["history"].append(turn)
        new["pending"] = {}
        new["turn"] += 1
        found = self._resolve(new)
        new["outcome"] = found.to_dict() if found else None
        return new

    @staticmethod
    def _resolve(state: dict) -> Outcome | None:
        length = state["options"]["track_length"]
        pos = {s: state["cars"][s]["position"] for s in SEATS}
        finished = [s for s in SEATS if pos[s] >= length]
        if not finished and state["turn"] < state["options"]["turn_limit"]:
            return None
        reason = Termination.FINISH_LINE if finished else Termination.TURN_LIMIT
        if pos["white"] == pos["black"]:
            return Outcome(GameResult.DRAW, reason)
        return Outcome(winner_result(max(SEATS, key=lambda s: pos[s])), reason)

    def public_view(self, state: dict, viewer: Seat | None) -> dict:
        return hide_pending(state, viewer)

    def render(self, state: dict, seat: Seat | None) -> str:
        opts = state["options"]
        length = opts["track_length"]
        names = (
            {"white": "you", "black": "opponent"}
            if seat == "white"
            else ({"white": "opponent", "black": "you"} if seat == "black" else {"white": "car 1", "black": "car 2"})
        )
        lines = ["Racing."]
        if seat:
            lines.append(f"You drive car {1 if seat == 'white' else 2} (seat {seat}).")
        curves = ", ".join(f"cell {c['cell']} (safe speed {c['safe_speed']})" for c in state["curves"])
        lines.append(f"Track length {length}: the finish is reached at position {length} or beyond.")
        lines.append(f"Curves: {curves}.")
        order = [seat, other(seat)] if seat else list(SEATS)
        for s in order:
            car = state["cars"][s]
            lines.append(
                f"{names[s].capitalize()}: position {car['position']}, speed {car['speed']}, "
                f"boosts left {car['boosts_left']}."
            )
        lines.append("Map (digits = curve safe speeds, " + self._legend(names) + "):")
        lines.append(self._map(state, names))
        history = state["history"]
        if history:
            shown = history[-10:]
            lines.append(f"Recent turns ({len(shown)} of {len(history)}):")
            first = len(history) - len(shown) + 1
            for i, turn in enumerate(shown, start=first):
                parts = []
                for s in order:
                    t = turn[s]
                    spin = f", spun out at {t['spun_out']}" if t["spun_out"] is not None else ""
                    parts.append(f"{names[s]} {t['action']} -> position {t['position']}, speed {t['speed']}{spin}")
                lines.append(f"  turn {i}: " + "; ".join(parts))
        found = self.outcome(state)
        if found:
            lines.append(f"The race is over: {found.result} ({found.termination}).")
        else:
            lines.append(f"Turn {state['turn'] + 1} of at most {opts['turn_limit']}.")
            if seat and seat in state["pending"]:
                lines.append(f"You chose {state['pending'][seat]} this turn; waiting for the opponent.")
        return "\n".join(lines)

    @staticmethod
    def _legend(names: dict[str, str]) -> str:
        return f"A = {names['white']}, B = {names['black']}, * = both"

    @staticmethod
    def _map(state: dict, names: dict[str, str]) -> str:
        length = state["options"]["track_length"]
        cells = ["."] * (length + 1)
        for c in state["curves"]:
            cells[c["cell"]] = str(c["safe_speed"])
        spots = {s: min(state["cars"][s]["position"], length) for s in SEATS}
        cells[spots["white"]] = "A"
        cells[spots["black"]] = "*" if spots["black"] == spots["white"] else "B"
        return "|" + "".join(cells) + "|"
