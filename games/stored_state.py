"""The rules' state as the game item stores it: the same JSON with the per-turn records that make a game
item grow written as arrays instead of objects (pure; ``games.store`` packs on write, unpacks on read).

A racing turn in ``history`` and a word in ``words`` repeat the same keys every time (``{"action": ...,
"position": ..., "speed": ...}`` for both cars of every turn), which made a racing item 5.0 KB and a
words item 4.3 KB by the end of a default game, and every write of the item (a turn's claim, its
transaction at twice the rate) is charged per started KB. Packed, each record is an array of its
values in a fixed field order (a word that was not judged keeps only its seat and word), so the items
stay well under half that size. Only records with exactly the known keys are packed, anything else is
kept as it is, and ``unpack(pack(state)) == state`` for every state (a test replays random games).
States stored before packing (no ``PACKED`` marker) load unchanged.
"""

from __future__ import annotations

from typing import Any

PACKED = "_packed"  # top-level marker: the state's records are arrays (value: the format, 1)
CAR_FIELDS = ("action", "position", "speed", "boosts_left", "distance", "spun_out")  # a racing car's turn
TURN_SEATS = ("white", "black")  # a racing turn: both cars
WORD_FIELDS = ("seat", "word", "judged", "associated", "judge")  # a word answer (``judge`` once judged)
_UNJUDGED = (False, None)  # a word's ``judged``/``associated`` before any ruling: left out when packed


def pack(state: dict[str, Any]) -> dict[str, Any]:
    """The state to store (a new dict; ``state`` is not changed)."""
    game_type = state.get("game_type")
    if game_type == "racing" and isinstance(state.get("history"), list):
        return {**state, "history": [_pack_turn(t) for t in state["history"]], PACKED: 1}
    if game_type == "words" and isinstance(state.get("words"), list):
        return {**state, "words": [_pack_word(w) for w in state["words"]], PACKED: 1}
    return state


def unpack(stored: dict[str, Any]) -> dict[str, Any]:
    """The rules' state from what ``pack`` stored (a state stored unpacked is returned as it is)."""
    if stored.get(PACKED) != 1:
        return stored
    state = {k: v for k, v in stored.items() if k != PACKED}
    if state.get("game_type") == "racing":
        state["history"] = [_unpack_turn(t) for t in state["history"]]
    elif state.get("game_type") == "words":
        state["words"] = [_unpack_word(w) for w in state["words"]]
    return state


def _pack_turn(turn: Any) -> Any:
    if not (isinstance(turn, dict) and set(turn) == set(TURN_SEATS)):
        return turn
    cars = [turn[seat] for seat in TURN_SEATS]
    if not all(isinstance(car, dict) and set(car) == set(CAR_FIELDS) for car in cars):
        return turn
    return [[car[name] for name in CAR_FIELDS] for car in cars]


def _unpack_turn(turn: Any) -> Any:
    if not isinstance(turn, list):
        return turn
    return {seat: dict(zip(CAR_FIELDS, car, strict=True)) for seat, car in zip(TURN_SEATS, turn, strict=True)}


def _pack_word(word: Any) -> Any:
    if not isinstance(word, dict):
        return word
    keys = set(word)
    if keys == set(WORD_FIELDS[:4]):
        values = [word[name] for name in WORD_FIELDS[:4]]
        if (word["judged"], word["associated"]) == _UNJUDGED and word["judged"] is False:
            return values[:2]
        return values
    if keys == set(WORD_FIELDS):
        return [word[name] for name in WORD_FIELDS]
    return word


def _unpack_word(word: Any) -> Any:
    if not isinstance(word, list):
        return word
    if len(word) == 2:
        return dict(zip(WORD_FIELDS, [*word, *_UNJUDGED], strict=False))
    return dict(zip(WORD_FIELDS, word, strict=False))
