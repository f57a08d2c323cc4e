"""Word association: seats alternate answering a word associated with the previous one.

The word list is ``english-words`` (web2, lower-case, letters only), loaded lazily once. The pure engine
checks form and novelty only; association is judged outside it (a judge model in the service). Each
recorded word starts with ``judged: False, associated: None``; ``record_judgement`` is the hook the
service uses to store a verdict. An answer the judge rejects is handled by the harness as an illegal move.

Interpretation choices:
- "Used" words are the start word and every answer; an answer is refused when it, or a plural/singular
  form of it (``s``, ``es``, ``ies`` in both directions), was used.
- ``legal_moves`` does not list the ~230k-word dictionary: it returns a deterministic sample (up to
  ``SAMPLE_SIZE`` valid unused words, drawn from the game seed and the ply). ``pick_word`` draws a valid
  unused word with a caller's ``random.Random`` (used by bots).
- The game ends only as a draw after R rounds (a round = both seats answered once): a seat whose answer
  is invalid forfeits in the harness.
"""

from __future__ import annotations

import bisect
import gzip
import random
import re
from array import array
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import overload

from games.vocabulary import GameResult, Termination

from .base import (
    IllegalMove,
    MoveChoice,
    Outcome,
    RuleError,
    Seat,
    bool_option,
    check_option_keys,
    check_seed,
    clean_text,
    fresh,
    int_option,
    require_turn,
)

MIN_LEN, MAX_LEN = 2, 24
SAMPLE_SIZE = 50
_LETTERS = re.compile(r"[a-z]+")


# The allowed words, sorted, one a line, gzipped (about 0.6 MB): english_words' "web2" list (lower case,
# letters only) filtered to MIN_LEN..MAX_LEN. Built from the pinned english_words by ``build_word_text``
# (``python -m games.rules.words`` writes it; a test checks it still matches).
WORDS_FILE = Path(__file__).with_name("words_web2.txt.gz")


class WordList(Sequence[str]):
    """The sorted words in one string, a word per line, with the offset where each line starts.

    About 3 MB in a turn worker where a tuple of the 234,000 words as str objects took 16 MB, and
    loaded from ``WORDS_FILE`` without unpickling english_words' set (which took 25 MB more while it was
    built): the words game is what set the turn function's memory (bench/turn_memory.py). Indexes,
    slices and ``bisect`` behave as on the sorted tuple it replaces, so seeded draws are unchanged."""

    def __init__(self, text: str) -> None:
        if text and not text.endswith("\n"):
            raise ValueError("the word text must end with a newline")
        self._text = text
        self._starts = array("I", [0])
        self._starts.extend(match.end() for match in re.finditer("\n", text))

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("word index out of range")
        return self._text[self._starts[index] : self._starts[index + 1] - 1]


def build_word_text() -> str:
    """``WORDS_FILE``'s text, from english_words (a build-time dependency): the sorted words, one a line."""
    from english_words import get_english_words_set

    words = get_english_words_set(["web2"], lower=True, alpha=True)
    return "".join(f"{w}\n" for w in sorted(w for w in words if MIN_LEN <= len(w) <= MAX_LEN and _LETTERS.fullmatch(w)))


@cache
def word_list() -> WordList:
    """The allowed words, sorted (so seeded draws are reproducible)."""
    return WordList(gzip.decompress(WORDS_FILE.read_bytes()).decode("ascii"))


def is_word(word: str) -> bool:
    """Whether ``word`` is in the word list: a binary search of the sorted list (a set of the 234,000
    words would cost tens of MB in every turn worker that played a words game, bench/turn_memory.py, for
    a lookup that takes microseconds either way)."""
    words = word_list()
    at = bisect.bisect_left(words, word)
    return at < len(words) and words[at] == word


def related_forms(word: str) -> set[str]:
    """The word plus its plausible plurals and singulars (s / es / ies, both directions)."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    return forms


def used_words(state: dict) -> list[str]:
    return [state["start_word"], *(entry["word"] for entry in state["words"])]


def previous_word(state: dict) -> str:
    return state["words"][-1]["word"] if state["words"] else state["start_word"]


def clash(word: str, used: list[str]) -> str | None:
    """The used word that ``word`` repeats (itself or a plural/singular form), if any."""
    forms = related_forms(word)
    for earlier in used:
        if earlier in forms or word in related_forms(earlier):
            return earlier
    return None


def check_word(state: dict, text: str) -> str:
    """Canonical (lower-case) word, or IllegalMove naming exactly what is wrong."""
    s = clean_text(text)
    if len(s.split()) > 1:
        raise IllegalMove("unreadable_move", f"{s!r} is more than one word; answer exactly one word")
    word = s.lower()
    if not _LETTERS.fullmatch(word):
        raise IllegalMove("illegal_move", f"{s!r} must contain letters a-z only (no digits, hyphens or accents)")
    if not MIN_LEN <= len(word) <= MAX_LEN:
        raise IllegalMove("illegal_move", f"{s!r} must be {MIN_LEN} to {MAX_LEN} letters long")
    if not is_word(word):
        raise IllegalMove("illegal_move", f"{word!r} is not in the game's English word list")
    if word == previous_word(state):
        raise IllegalMove("illegal_move", f"{word!r} is the previous word; answer a different word")
    earlier = clash(word, used_words(state))
    if earlier is not None:
        what = "was already used" if earlier == word else f"is a form of {earlier!r}, which was already used"
        raise IllegalMove("illegal_move", f"{word!r} {what} in this game")
    return word


def pick_word(state: dict, rng: random.Random, prefer: Callable[[str], bool] | None = None, tries: int = 4000) -> str:
    """A valid unused word drawn with ``rng``; when ``prefer`` is given, a preferred one if found."""
    words = word_list()
    used = used_words(state)
    fallback = None
    for _ in range(tries):
        word = words[rng.randrange(len(words))]
        if clash(word, used) is not None:
            continue
        if prefer is None or prefer(word):
            return word
        fallback = fallback or word
    if fallback is None:
        raise RuleError("no_words", "no unused word found")
    return fallback


def words_with_prefix(prefix: str) -> tuple[str, ...]:
    """All listed words starting with ``prefix`` (binary search in the sorted list)."""
    words = word_list()
    lo = bisect.bisect_left(words, prefix)
    hi = bisect.bisect_left(words, prefix + "{")  # "{" sorts right after "z"
    return words[lo:hi]


def record_judgement(state: dict, index: int, associated: bool, judge: str | None = None) -> dict:
    """Hook for the service: store a judge's verdict on answer ``index`` (returns a new state)."""
    new = fresh(state)
    entry = new["words"][index]
    entry["judged"] = True
    entry["associated"] = bool(associated)
    entry["judge"] = judge
    return new


class WordsRules:
    game_type = "words"
    simultaneous = False

    def validate_options(self, options: dict) -> dict:
        options = check_option_keys(options, {"legal_moves_hint", "rounds", "judge_model"})
        judge = options.get("judge_model")
        if judge is not None and (not isinstance(judge, str) or not judge.strip() or len(judge) > 200):
            raise RuleError("invalid_options", "judge_model must be a model name or null", {"option": "judge_model"})
        return {
            "legal_moves_hint": bool_option(options, "legal_moves_hint", False),
            "rounds": int_option(options, "rounds", 20, 1, 200),
            "judge_model": judge.strip() if judge else None,
        }

    def initial_state(self, options: dict, seed: int) -> dict:
        options = self.validate_options(options)
        rng = random.Random(check_seed(seed))
        # Start words are ordinary-looking: 4..8 letters, so the first answer has something to work with.
        words = word_list()
        start = words[rng.randrange(len(words))]
        while not 4 <= len(start) <= 8:
            start = words[rng.randrange(len(words))]
        return {
            "game_type": self.game_type,
            "seed": seed,
            "options": options,
            "start_word": start,
            "words": [],
            "outcome": None,
        }

    def to_move(self, state: dict) -> tuple[Seat, ...]:
        if state["outcome"] is not None:
            return ()
        return ("white",) if len(state["words"]) % 2 == 0 else ("black",)

    def outcome(self, state: dict) -> Outcome | None:
        return Outcome.from_dict(state["outcome"])

    def ply(self, state: dict) -> int:
        return len(state["words"])

    def legal_moves(self, state: dict, seat: Seat) -> list[str]:
        """A deterministic sample (see module docstring), not the whole dictionary."""
        if seat not in self.to_move(state):
            return []
        rng = random.Random(f"{state['seed']}:{len(state['words'])}")
        found: set[str] = set()
        for _ in range(SAMPLE_SIZE * 3):
            found.add(pick_word(state, rng))
            if len(found) >= SAMPLE_SIZE:
                break
        return sorted(found)

    def move_choices(self, state: dict, seat: Seat) -> list[MoveChoice]:
        """None: any valid, unused English word may be legal (the ~230k-word dictionary), so there is
        no list to offer; ``legal_moves``' sample exists for prompts, not as the set of legal moves."""
        return []

    def parse_move(self, state: dict, seat: Seat, text: str) -> str:
        require_turn(self, state, seat)
        return check_word(state, text)

    def apply(self, state: dict, seat: Seat, move: str) -> dict:
        require_turn(self, state, seat)
        if not isinstance(move, str) or move != move.lower():
            raise IllegalMove("unreadable_move", f"{move!r} is not a canonical word; use parse_move first")
        word = check_word(state, move)
        if word != move:
            raise IllegalMove("unreadable_move", f"{move!r} is not a canonical word; use parse_move first")
        new = fresh(state)
        new["words"].append({"seat": seat, "word": word, "judged": False, "associated": None})
        if len(new["words"]) >= 2 * new["options"]["rounds"]:
            new["outcome"] = Outcome(GameResult.DRAW, Termination.ROUNDS_COMPLETE).to_dict()
        return new

    def public_view(self, state: dict, viewer: Seat | None) -> dict:
        return fresh(state)

    def render(self, state: dict, seat: Seat | None) -> str:
        rounds = state["options"]["rounds"]
        lines = ["Word association."]
        if seat:
            lines.append(f"You are {'player1' if seat == 'white' else 'player2'} (seat {seat}).")
        lines.append(f"Start word: {state['start_word']}")
        if state["words"]:
            lines.append("Words so far:")
        for i, entry in enumerate(state["words"], start=1):
            who = ("you" if entry["seat"] == seat else "opponent") if seat else entry["seat"]
            lines.append(f"  {i}. {who}: {entry['word']}")
        found = self.outcome(state)
        if found:
            lines.append(f"The game is over: {found.result} ({found.termination}).")
        else:
            current = len(state["words"]) // 2 + 1
            lines.append(f"Round {current} of {rounds}. Previous word: {previous_word(state)}")
            lines.append("Words used so far (and their plurals/singulars) may not be repeated.")
        return "\n".join(lines)


if __name__ == "__main__":  # python -m games.rules.words: rewrite WORDS_FILE from english_words
    WORDS_FILE.write_bytes(gzip.compress(build_word_text().encode("ascii"), compresslevel=9, mtime=0))
    print(f"{WORDS_FILE}: {len(word_list.__wrapped__())} words")
