"""Reading a model's answer: tolerant in form, strict in meaning.

``parse_answer`` only finds the move *text* on the last ``MOVE:`` line; whether it is a legal move is the
rules' ``parse_move`` decision, never guessed here. Form tolerance covers what models actually do:
any case (``Move:``, ``move =``), markdown (``**MOVE:** e4``, ``### Move: `e4` ``, list bullets, quotes),
a move on the line after a bare ``MOVE:``, trailing sentence punctuation, a leading ellipsis (``...e5``),
and ``<think>`` blocks (a draft ``MOVE:`` inside one does not count: the model may still change its mind).
"""

from __future__ import annotations

import re

_THINK = re.compile(r"<(think|thinking|reasoning)>(.*?)(?:</\1>|\Z)", re.IGNORECASE | re.DOTALL)
_MOVE_LINE = re.compile(
    r"""^[\s>#*_`\-+•|]*              # quote, heading, bullet and emphasis marks before the label
        (?:final\s+)?move\s*          # the label, any case
        [*_`]*\s*[:=]\s*[*_`]*\s*    # a colon (or =), possibly inside or outside bold/code
        (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_WRAPPERS = "*_`\"'\u201c\u201d\u2018\u2019|"
_TRAILING = ".,;"
_LEADING = ".\u2026"  # "...e5": models write black's chess moves after an ellipsis; no move starts with a dot
_FENCE = re.compile(r"^\s*```")


def _clean(move: str) -> str:
    previous = None
    while move != previous:
        previous = move
        move = move.strip().strip(_WRAPPERS).rstrip(_TRAILING).lstrip(_LEADING)
    return move


def _next_content_line(lines: list[str], start: int) -> tuple[int, str] | None:
    for index in range(start, len(lines)):
        if lines[index].strip() and not _FENCE.match(lines[index]):
            return index, lines[index]
    return None


def parse_answer(text: str | None) -> tuple[str | None, str]:
    """``(move_text, reasoning)``; ``move_text`` is None when no ``MOVE:`` line holds a move.

    ``reasoning`` is the answer without the chosen MOVE line (think blocks included, tags removed).
    """
    if not text:
        return None, ""
    thoughts = [m.group(2).strip() for m in _THINK.finditer(text)]
    visible = _THINK.sub("", text)
    lines = visible.splitlines()
    found: tuple[int, int, str] | None = None  # (first line, last line, move text)
    for index, line in enumerate(lines):
        match = _MOVE_LINE.match(line)
        if not match:
            continue
        rest = _clean(match.group("rest"))
        if rest:
            found = (index, index, rest)
            continue
        following = _next_content_line(lines, index + 1)
        if following is not None and not _MOVE_LINE.match(following[1]):
            candidate = _clean(following[1])
            if candidate:
                found = (index, following[0], candidate)
    if found is None:
        return None, _join(thoughts, visible.strip())
    first, last, move = found
    rest_of_answer = "\n".join(lines[:first] + lines[last + 1 :]).strip()
    return move, _join(thoughts, rest_of_answer)


def _join(thoughts: list[str], answer: str) -> str:
    return "\n\n".join(part for part in (*thoughts, answer) if part)
