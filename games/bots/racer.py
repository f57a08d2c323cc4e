"""``builtin:racer``: plans its own car exactly.

Cars never interact, so the bot solves its own race: a dynamic programme over (position, speed, boosts
left) gives the fewest turns to the finish (ties: the furthest past the line), given the curves. In
practice that means accelerating, braking early enough to take each curve at its safe speed, and boosting
only where no curve punishes it. Landing exactly on a curve too fast is a legal hard stop (the car stops
there with speed 0, losing no ground), and the plan uses it when that is quicker than braking; passing a
curve too fast loses ground, so it never does that. The table is computed once per track and cached.
"""

from __future__ import annotations

import random
from functools import cache

from games.rules.base import Rules, Seat
from games.rules.racing import ACTIONS, BOOSTS_PER_RACE, MAX_SPEED, drive

Value = tuple[int, int]  # (turns to finish, -overshoot): smaller is better
_FAR: Value = (10**6, 0)


@cache
def _plan(length: int, curves: tuple[tuple[int, int], ...]) -> dict[tuple[int, int, int], Value]:
    curve_dicts = [{"cell": c, "safe_speed": s} for c, s in curves]
    best: dict[tuple[int, int, int], Value] = {}

    def value(pos: int, speed: int, boosts: int) -> Value:
        if pos >= length:
            return (0, length - pos)
        return best.get((pos, speed, boosts), _FAR)

    # Every useful transition moves forward, except braking to a halt on the spot, so sweeping positions
    # backwards and speeds upwards sees every successor before its predecessors.
    for pos in range(length - 1, -1, -1):
        for boosts in range(BOOSTS_PER_RACE + 1):
            for speed in range(MAX_SPEED + 1):
                car = {"position": pos, "speed": speed, "boosts_left": boosts}
                options = []
                for action in ACTIONS:
                    if action == "boost" and boosts == 0:
                        continue
                    moved = drive(car, action, curve_dicts)
                    if (moved["position"], moved["speed"], moved["boosts_left"]) != (pos, speed, boosts):
                        options.append(value(moved["position"], moved["speed"], moved["boosts_left"]))
                if options:
                    turns, overshoot = min(options)
                    best[(pos, speed, boosts)] = (turns + 1, overshoot)
    return best


def choose_racer(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
    opts, car = state["options"], state["cars"][seat]
    length = opts["track_length"]
    table = _plan(length, tuple((c["cell"], c["safe_speed"]) for c in state["curves"]))
    scored: dict[str, Value] = {}
    for action in rules.legal_moves(state, seat):
        moved = drive(car, action, state["curves"])
        if moved["position"] >= length:
            scored[action] = (0, length - moved["position"])
        else:
            scored[action] = table.get((moved["position"], moved["speed"], moved["boosts_left"]), _FAR)
    best = min(scored.values())
    return rng.choice(sorted(a for a, v in scored.items() if v == best))
