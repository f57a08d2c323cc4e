"""How a model plays one turn (shared/GAMES.md, the product's game rules: "The harness").

``play_turn`` asks the model, reads the last ``MOVE:`` line, lets the rules decide legality, and on an
illegal or unreadable answer appends feedback to the conversation and asks again. An answer cut off at the
output limit (``finish_reason`` ``length``) with no playable move gets its own feedback ("answer shorter")
and is counted apart from illegal answers (``truncated``). 3 failed answers, of either kind, forfeit:
``forfeit_truncated`` when every one of them was cut off, else ``forfeit_illegal_moves``. Provider errors
are retried with exponential backoff and jitter at most ``max_provider_retries`` times per turn, then
forfeit with their own reason (``forfeit_timeout`` for timeouts, else ``forfeit_provider_error``); errors
that cannot pass (auth, bad request) are not retried. Every call is recorded as an ``Attempt``, failed
ones included, and the turn's totals are sums of them.

Limits are the player's own (``llm.limits.limits_for``): call timeout, turn deadline, max output tokens,
reasoning effort and retries; a reasoning model gets minutes per call and tens of thousands of tokens.

The function only reads its arguments and settings and keeps all state in locals, so the service may run
both seats of a simultaneous game in parallel threads. It never applies the move: that is the service's
single write.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from games.rules.base import IllegalMove, Rules, Seat, require_turn
from games.vocabulary import MAX_FAILED_ATTEMPTS, Termination

from . import pricing
from .budget import Budget, BudgetExhausted, reserve_or_raise, settle, worst_case_micros
from .limits import ModelLimits, limits_for
from .parsing import parse_answer
from .prompts import build_messages, feedback, messages_as_text, truncation_feedback
from .providers import Completion, Message, Provider, ProviderError, get_provider, split_player

logger = logging.getLogger(__name__)

TRUNCATED = "truncated"  # the error code of an answer cut off before a playable move
# Provider errors that say the model cannot be called with this deployment's configuration (a refused
# key, a provider not configured): the turn stops with ``unavailable`` and the game pauses.
UNAVAILABLE_KINDS = frozenset({"auth", "unavailable"})


@dataclass(frozen=True)
class Attempt:
    """One provider call. ``parsed_move`` is the text on the MOVE line; ``move`` the canonical move when the
    rules accepted it. ``cost_micros`` is None when the model's price is unknown; failed calls cost 0.
    ``finish_reason`` is the provider's (``llm.providers.FinishReason``; None when the call failed),
    ``truncated`` whether the answer was cut off at the output limit (a truncated answer whose MOVE line was
    readable and legal is still played), ``reasoning_tokens`` the provider's count of reasoning tokens
    (within ``output_tokens``; None when not reported) and ``ttft_ms`` the time to the first token (None:
    only a streamed call has one, and the providers do not stream)."""

    number: int
    prompt: str
    answer: str
    parsed_move: str | None
    move: str | None
    reasoning: str
    thinking: str | None
    input_tokens: int
    output_tokens: int
    cost_micros: int | None
    latency_ms: int
    error: str | None
    finish_reason: str | None = None
    truncated: bool = False
    reasoning_tokens: int | None = None
    ttft_ms: int | None = None

    @property
    def illegal(self) -> bool:
        """A refused answer that was the player's choice: not a provider error, not a cut-off answer."""
        return self.error is not None and not self.error.startswith("provider_") and not self.truncated

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def record_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``games.records.Attempt`` (its names, ints only)."""
        reasoning = "\n\n".join(p for p in (self.thinking, self.reasoning) if p)
        return {
            "attempt": self.number,
            "prompt": self.prompt,
            "answer": self.answer,
            "parsed": self.move or self.parsed_move,
            "reasoning": reasoning,
            "tokens_in": self.input_tokens,
            "tokens_out": self.output_tokens,
            "cost_micros": self.cost_micros or 0,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "finish_reason": self.finish_reason,
            "truncated": self.truncated,
            "reasoning_tokens": self.reasoning_tokens,
            "ttft_ms": self.ttft_ms,
        }


@dataclass(frozen=True)
class TurnResult:
    """A move, a forfeit, or a pause for budget (``paused_for_budget``: no move, no forfeit)."""

    player: str
    seat: Seat
    move: str | None = None
    forfeit: str | None = None
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    paused_for_budget: bool = False
    # The model cannot be called here at all (no provider configured for it, a key refused): a cause of
    # ours that will not pass by itself, not the model's fault. No forfeit: the game pauses instead.
    unavailable: bool = False
    error: str | None = None  # why there is no move: the last problem, in "code: message" form

    @property
    def input_tokens(self) -> int:
        return sum(a.input_tokens for a in self.attempts)

    @property
    def output_tokens(self) -> int:
        return sum(a.output_tokens for a in self.attempts)

    @property
    def cost_micros(self) -> int:
        """Known costs only; see ``priced``."""
        return sum(a.cost_micros or 0 for a in self.attempts)

    @property
    def priced(self) -> bool:
        return all(a.cost_micros is not None for a in self.attempts)

    @property
    def latency_ms(self) -> int:
        return sum(a.latency_ms for a in self.attempts)

    @property
    def illegal_attempts(self) -> int:
        return sum(1 for a in self.attempts if a.illegal)

    @property
    def truncated_attempts(self) -> int:
        """Answers cut off at the output limit that held no playable move."""
        return sum(1 for a in self.attempts if a.truncated and a.error is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "player": self.player,
            "seat": self.seat,
            "move": self.move,
            "forfeit": self.forfeit,
            "paused_for_budget": self.paused_for_budget,
            "error": self.error,
            "attempts": [a.to_dict() for a in self.attempts],
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_micros": self.cost_micros,
            "priced": self.priced,
            "latency_ms": self.latency_ms,
            "illegal_attempts": self.illegal_attempts,
            "truncated_attempts": self.truncated_attempts,
        }


def backoff_seconds(failures: int, retry_after: float | None, limits: ModelLimits, rng: random.Random) -> float:
    """Exponential backoff with jitter (half fixed, half random, so concurrent seats spread out), never
    shorter than the server's Retry-After, never longer than ``retry_max``."""
    delay = min(limits.retry_max, limits.retry_base * 2 ** (failures - 1))
    delay = delay / 2 + rng.uniform(0, delay / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, limits.retry_max)


def play_turn(
    rules: Rules,
    state: dict,
    seat: Seat,
    player_name: str,
    *,
    provider: Provider | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    budget: Budget | None = None,
    legal_moves_hint: bool | None = None,
    limits: ModelLimits | None = None,
) -> TurnResult:
    """Play ``seat``'s turn with the model ``player_name`` (``provider:model``).

    ``provider`` replaces the registry lookup (tests, judges). ``budget``: before each call its worst
    case is reserved (``llm.budget``) and after it settled to the recorded cost; when a reservation does
    not fit, the turn stops with ``paused_for_budget=True`` (calls of unknown price reserve nothing;
    ``TurnResult.priced`` tells the caller). ``legal_moves_hint``
    None follows the game's option. ``limits`` None: the player's own (``llm.limits.limits_for``).
    Raises IllegalMove if ``seat`` has nothing to play (a caller bug).
    """
    require_turn(rules, state, seat)
    turn = _Turn(
        rules, state, seat, player_name, limits or limits_for(player_name), sleep, clock, rng or random.Random()
    )
    return turn.play(provider, budget, legal_moves_hint)


class _Turn:
    """The bookkeeping of one play_turn call (one instance per call: nothing is shared between calls)."""

    def __init__(
        self,
        rules: Rules,
        state: dict,
        seat: Seat,
        player: str,
        limits: ModelLimits,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rng: random.Random,
    ) -> None:
        self.rules, self.state, self.seat, self.player = rules, state, seat, player
        self.limits, self.sleep, self.clock, self.rng = limits, sleep, clock, rng
        self.attempts: list[Attempt] = []

    def result(self, **outcome: Any) -> TurnResult:
        return TurnResult(self.player, self.seat, attempts=tuple(self.attempts), **outcome)

    def play(self, provider: Provider | None, budget: Budget | None, hint: bool | None) -> TurnResult:
        started = self.clock()
        try:
            provider, model = (provider, split_player(self.player)[1]) if provider else get_provider(self.player)
        except ProviderError as exc:
            self.record_failure("", exc, 0)
            return self.result(unavailable=True, error=f"provider_{exc.kind}: {exc.message}")
        price = pricing.price_for(self.player)
        messages = build_messages(self.rules, self.state, self.seat, legal_moves_hint=hint)
        failed_answers = truncated_answers = provider_failures = 0
        while True:
            remaining = self.limits.turn_deadline - (self.clock() - started)
            if remaining <= 0:
                return self.result(forfeit=Termination.FORFEIT_TIMEOUT, error="turn_timeout: the turn ran out of time")
            prompt = messages_as_text(messages)
            try:
                held = reserve_or_raise(budget, worst_case_micros(self.player, messages, self.limits.max_output_tokens))
            except BudgetExhausted as exc:
                return self.result(paused_for_budget=True, error=f"budget: {exc}")
            call_started = self.clock()
            try:
                completion = provider.complete(
                    model,
                    list(messages),
                    max_tokens=self.limits.max_output_tokens,
                    timeout=min(self.limits.call_timeout, remaining),
                    reasoning_effort=self.limits.reasoning_effort,
                )
            except ProviderError as exc:
                settle(budget, held, 0)
                self.record_failure(prompt, exc, _ms(self.clock() - call_started))
                provider_failures += 1
                delay = backoff_seconds(provider_failures, exc.retry_after, self.limits, self.rng)
                time_left = self.limits.turn_deadline - (self.clock() - started)
                if exc.kind in UNAVAILABLE_KINDS:  # our configuration, not the model: pause, never forfeit
                    return self.result(unavailable=True, error=f"provider_{exc.kind}: {exc.message}")
                if not exc.retryable or provider_failures > self.limits.max_provider_retries or delay >= time_left:
                    timed_out = exc.kind == "timeout"
                    reason = Termination.FORFEIT_TIMEOUT if timed_out else Termination.FORFEIT_PROVIDER_ERROR
                    return self.result(forfeit=reason, error=f"provider_{exc.kind}: {exc.message}")
                self.sleep(delay)
                continue
            try:
                move, problem = self.record_answer(prompt, completion, price)
            except BudgetExhausted as exc:  # the judge's next call did not fit (word association)
                return self.result(paused_for_budget=True, error=f"budget: {exc}")
            finally:
                cost = price.cost_micros(completion.input_tokens, completion.output_tokens) if price else 0
                settle(budget, held, cost)
            if move is not None:
                return self.result(move=move)
            failed_answers += 1
            truncated_answers += completion.truncated
            if failed_answers >= MAX_FAILED_ATTEMPTS:
                all_cut = truncated_answers == failed_answers
                reason = Termination.FORFEIT_TRUNCATED if all_cut else Termination.FORFEIT_ILLEGAL_MOVES
                return self.result(forfeit=reason, error=self.attempts[-1].error)
            left = MAX_FAILED_ATTEMPTS - failed_answers
            messages = [
                *messages,
                # Anthropic refuses an empty assistant turn; the placeholder keeps the conversation valid.
                Message("assistant", completion.text or "(empty answer)"),
                Message(
                    "user",
                    truncation_feedback(problem, attempts_left=left)
                    if completion.truncated
                    else feedback(problem, attempts_left=left),
                ),
            ]

    def record_answer(self, prompt: str, completion: Completion, price: pricing.Price | None) -> tuple[str | None, str]:
        """Record a completed call; returns (canonical move, "") or (None, problem shown to the model).

        A truncated answer with no playable move is recorded with the code ``truncated`` (whatever else was
        wrong with it: a MOVE line cut off mid-move is not the player's illegal move)."""
        move_text, reasoning = parse_answer(completion.text)
        move: str | None = None
        exhausted: BudgetExhausted | None = None
        if move_text is None:
            code, problem = "no_move_line", "no final line 'MOVE: <move>' was found in your answer"
        else:
            try:
                move = self.rules.parse_move(self.state, self.seat, move_text)
                code, problem = "", ""
            except BudgetExhausted as exc:  # the judge could not be asked: recorded, then the turn stops
                exhausted = exc
                code, problem = "budget", str(exc)
            except IllegalMove as exc:
                # Name the answer unless the rules' message already quotes it.
                named = move_text in exc.message
                code, problem = exc.code, exc.message if named else f"{move_text!r}: {exc.message}"
        if move is None and completion.truncated:
            cut = f"after {completion.output_tokens} output tokens" if completion.output_tokens else "early"
            problem = f"your answer was cut off at the output limit ({cut}) before a readable MOVE line" + (
                f" (the last MOVE line read: {problem})" if move_text is not None else ""
            )
            code = TRUNCATED
        self.attempts.append(
            Attempt(
                number=len(self.attempts) + 1,
                prompt=prompt,
                answer=completion.text,
                parsed_move=move_text,
                move=move,
                reasoning=reasoning,
                thinking=completion.reasoning,
                input_tokens=completion.input_tokens,
                output_tokens=completion.output_tokens,
                cost_micros=price.cost_micros(completion.input_tokens, completion.output_tokens) if price else None,
                latency_ms=completion.latency_ms,
                error=f"{code}: {problem}" if move is None else None,
                finish_reason=str(completion.finish_reason),
                truncated=completion.truncated,
                reasoning_tokens=completion.reasoning_tokens,
                ttft_ms=completion.ttft_ms,
            )
        )
        self.log(self.attempts[-1])
        if exhausted is not None:
            raise exhausted
        return move, problem

    def record_failure(self, prompt: str, exc: ProviderError, latency_ms: int) -> None:
        self.attempts.append(
            Attempt(
                number=len(self.attempts) + 1,
                prompt=prompt,
                answer="",
                parsed_move=None,
                move=None,
                reasoning="",
                thinking=None,
                input_tokens=0,
                output_tokens=0,
                cost_micros=0,
                latency_ms=latency_ms,
                error=f"provider_{exc.kind}: {exc.message}",
            )
        )
        self.log(self.attempts[-1])

    def log(self, attempt: Attempt) -> None:
        # Metadata only: prompts and answers are stored with the move, not written to logs.
        logger.info(
            "llm attempt",
            extra={
                "player": self.player,
                "seat": self.seat,
                "attempt": attempt.number,
                "tokens_in": attempt.input_tokens,
                "tokens_out": attempt.output_tokens,
                "cost_micros": attempt.cost_micros,
                "latency_ms": attempt.latency_ms,
                "accepted": attempt.move is not None,
                "finish_reason": attempt.finish_reason,
                "truncated": attempt.truncated,
                "reasoning_tokens": attempt.reasoning_tokens,
                "error": attempt.error,
            },
        )


def _ms(seconds: float) -> int:
    return max(0, int(seconds * 1000))
