r"""Reading a model's answer: tolerant in form, strict in meaning.

``parse_answer`` only finds the move *text* on the last ``MOVE:`` line; whether it is a legal move is the
rules' ``parse_move`` decision, never guessed here. Form tolerance covers what models actually do:
any case (``Move:``, ``move =``), markdown (``**MOVE:** e4``, ``### Move: `e4` ``, list bullets, quotes),
a move on the line after a bare ``MOVE:``, trailing sentence punctuation, a leading ellipsis (``...e5``),
LaTeX and HTML-ish wrappers around the move (``$\boxed{e4}$``, ``\(\text{Nf3}\)``, ``<answer>e4</answer>``,
``<b>e4</b>``, nested in any order), such tags around the whole MOVE line (``<answer>MOVE: e4</answer>``),
and ``<think>`` blocks (a draft ``MOVE:`` inside one does not count: the model may still change its mind).
Move numbers (``1. ...Nf6``, ``1…Nf6``) are left to the chess rules, which know what they mean.
"""

from __future__ import annotations

import re

_THINK = re.compile(r"<(think|thinking|reasoning)>(.*?)(?:</\1>|\Z)", re.IGNORECASE | re.DOTALL)
_TAGS = "answer|b|strong|em|i|move|final|code"
_MOVE_LINE = re.compile(
    rf"""^(?:[\s>#*_`\-+•|]|</?(?:{_TAGS})>)*  # quote, heading, bullet, emphasis marks and tags before the label
        (?:final\s+)?move\s*          # the label, any case
        (?:[*_`]|</?(?:{_TAGS})>)*\s*[:=]\s*(?:[*_`]|</?(?:{_TAGS})>)*\s*  # a colon (or =), inside or outside bold/tags
        (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_WRAPPERS = "*_`\"'\u201c\u201d\u2018\u2019|"
_TRAILING = ".,;"
_LEADING = ".\u2026"  # "...e5": models write black's chess moves after an ellipsis; no move starts with a dot
_FENCE = re.compile(r"^\s*```")


# Wrappers whose content is the move: $...$, $$...$$, \(...\), \[...\], \boxed{...}, \text{...} (and
# similar LaTeX text commands), and <answer>/<b>/... tags, each possibly unbalanced at the line's end.
_UNWRAP = (
    re.compile(r"^\$+(?P<in>.*?)\$+$", re.DOTALL),
    re.compile(r"^\\[(\[](?P<in>.*?)\\[)\]]$", re.DOTALL),
    re.compile(r"^\\(?:boxed|fbox|text|textbf|textit|texttt|mathrm|mathbf|mathtt|mbox)\s*\{(?P<in>.*)\}$", re.DOTALL),
    re.compile(rf"^<(?P<tag>{_TAGS})>(?P<in>.*?)(?:</(?P=tag)>)?$", re.IGNORECASE | re.DOTALL),
    re.compile(rf"^(?P<in>.*?)</(?:{_TAGS})>$", re.IGNORECASE | re.DOTALL),
)


def _unwrap(move: str) -> str:
    for pattern in _UNWRAP:
        found = pattern.match(move)
        if found:
            return found.group("in")
    return move


def _clean(move: str) -> str:
    previous = None
    while move != previous:
        previous = move
        move = _unwrap(move.strip().strip(_WRAPPERS).rstrip(_TRAILING).lstrip(_LEADING).strip())
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
