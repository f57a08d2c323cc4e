"""The word-association judge: a model asked whether an answer is associated with the previous word.

shared/GAMES.md (the product's game rules): when a game has a judge (its ``judge_model`` option),
every accepted word is also ruled on;
an answer the judge rules not associated counts as an illegal move. This module only asks and reads the
ruling; the game side (``games.turns``) decides what the ruling means for the turn.

The judge answers in the same shape as a player: optional reasoning, then a final line
``VERDICT: yes`` or ``VERDICT: no``. Provider errors are retried like a player's (bounded, with backoff);
when no ruling can be had (the provider keeps failing, or the answer has no readable verdict) the verdict
is ``associated=None`` with the reason in ``error``, and the word stands as *not judged*: a failing judge
never costs a player the game. Every call is counted (tokens, micro-dollars, latency) so the owner can be
charged exactly what was recorded.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from llm import pricing
from llm.budget import Budget, reserve_or_raise, settle, worst_case_micros
from llm.harness import backoff_seconds
from llm.limits import REASONING, ModelLimits, limits_for
from llm.providers import Message, Provider, ProviderError, get_provider, split_player

# A ruling needs a sentence or two, not a model's full turn budget; a reasoning model's thinking counts as
# output, so a reasoning judge keeps its own limit (its answer is still short: it is charged what it used).
JUDGE_MAX_TOKENS = 512

SYSTEM = (
    "You are the impartial judge of a word association game. A player was given a word and answered with "
    "another word that should be associated with it: related in meaning, a common collocation or compound, "
    "part of the same category or scene, a synonym or antonym, or a well-known cultural link. Spelling, "
    "repetition and the word list are checked elsewhere; rule only on the association. Be fair but not "
    "lenient: a random word with no reasonable link is not associated.\n\n"
    "You may give a one-sentence reason. End your answer with a final line of exactly this form:\n"
    "VERDICT: yes\n"
    "or\n"
    "VERDICT: no"
)

_VERDICT = re.compile(r"verdict\s*[:=]\s*[\"'*`]*\s*(yes|no|true|false|associated|not associated)\b", re.I)
_BARE = re.compile(r"^\W*(yes|no)\W*$", re.I)


class _Usage(TypedDict):
    """What the judge's calls cost so far (``Verdict``'s fields of the same names)."""

    tokens_in: int
    tokens_out: int
    cost_micros: int
    latency_ms: int
    calls: int


@dataclass(frozen=True)
class Verdict:
    """A ruling (``associated`` True/False) or no ruling (None, see ``error``), with what it cost."""

    judge: str
    associated: bool | None
    prompt: str = ""
    answer: str = ""
    reason: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_micros: int = 0
    latency_ms: int = 0
    calls: int = 0
    priced: bool = True
    error: str | None = None

    def record_fields(self) -> dict[str, Any]:
        """The dict stored with the judged attempt (``games.records.Attempt.judge``)."""
        return asdict(self)


def question(previous: str, word: str) -> str:
    return (
        f"Previous word: {previous}\n"
        f"Answer: {word}\n\n"
        f"Is {word!r} associated with {previous!r}? End with the line VERDICT: yes or VERDICT: no"
    )


def read_verdict(text: str) -> tuple[bool | None, str]:
    """(ruling, reason) from the judge's answer: the last VERDICT line counts; a bare yes/no is accepted."""
    found = list(_VERDICT.finditer(text or ""))
    if found:
        last = found[-1]
        return last.group(1).lower() in ("yes", "true", "associated"), text[: last.start()].strip()
    bare = _BARE.match((text or "").strip())
    if bare:
        return bare.group(1).lower() == "yes", ""
    return None, (text or "").strip()


def ask(
    judge_model: str,
    previous: str,
    word: str,
    *,
    provider: Provider | None = None,
    limits: ModelLimits | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    budget: Budget | None = None,
) -> Verdict:
    """Ask ``judge_model`` whether ``word`` is associated with ``previous``. Never raises ProviderError.

    ``limits`` None: the judge model's own (``llm.limits.limits_for``): its call timeout, reasoning effort
    and retries; max output tokens are ``JUDGE_MAX_TOKENS`` unless it is a reasoning model. ``budget``:
    each call's worst case is reserved first and settled after (``llm.budget``); BudgetExhausted is
    raised when it does not fit (the turn then stops for the budget, see the harness)."""
    limits = limits or limits_for(judge_model)
    max_tokens = (
        limits.max_output_tokens if limits.family == REASONING else min(JUDGE_MAX_TOKENS, limits.max_output_tokens)
    )
    rng = rng or random.Random()
    messages = [Message("system", SYSTEM), Message("user", question(previous, word))]
    prompt = "\n\n".join(f"[{m.role}]\n{m.content}" for m in messages)
    usage: _Usage = {"tokens_in": 0, "tokens_out": 0, "cost_micros": 0, "latency_ms": 0, "calls": 0}
    priced = True

    def verdict(associated: bool | None, **fields: Any) -> Verdict:
        return Verdict(judge_model, associated, prompt=prompt, priced=priced, **usage, **fields)

    try:
        if provider is not None:
            model = split_player(judge_model)[1]
        else:
            provider, model = get_provider(judge_model)
    except ProviderError as exc:
        return verdict(None, error=f"provider_{exc.kind}: {exc.message}")
    price = pricing.price_for(judge_model)
    failures = 0
    while True:
        held = reserve_or_raise(budget, worst_case_micros(judge_model, messages, max_tokens))
        usage["calls"] += 1
        started = time.perf_counter()
        try:
            done = provider.complete(
                model,
                messages,
                max_tokens=max_tokens,
                timeout=limits.call_timeout,
                reasoning_effort=limits.reasoning_effort,
            )
        except ProviderError as exc:
            settle(budget, held, 0)
            usage["latency_ms"] += int((time.perf_counter() - started) * 1000)
            failures += 1
            if not exc.retryable or failures > limits.max_provider_retries:
                return verdict(None, error=f"provider_{exc.kind}: {exc.message}")
            sleep(backoff_seconds(failures, exc.retry_after, limits, rng))
            continue
        settle(budget, held, price.cost_micros(done.input_tokens, done.output_tokens) if price else 0)
        usage["tokens_in"] += done.input_tokens
        usage["tokens_out"] += done.output_tokens
        usage["latency_ms"] += done.latency_ms
        if price is None:
            priced = False
        else:
            usage["cost_micros"] += price.cost_micros(done.input_tokens, done.output_tokens)
        associated, reason = read_verdict(done.text)
        error = None if associated is not None else "unreadable_verdict: no final line 'VERDICT: yes|no'"
        return verdict(associated, answer=done.text, reason=reason[:500], error=error)
