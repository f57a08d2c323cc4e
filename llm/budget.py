"""The spending port of a model turn: reserve a call's worst case before it, settle to its cost after.

The harness (and the word-association judge) call ``reserve`` before every provider call with the most
that call can cost at list price: every prompt byte as an input token (a tokenizer never makes more
tokens than bytes; a few per message for the chat template) and the whole output limit (reasoning
tokens are output tokens). ``reserve`` is one conditional write that fails when the reservation would
take the owner past the daily budget (``accounts.limits.OwnerBudget``), so concurrent turns can never
spend more than the budget together. After the call, ``settle`` replaces the reservation by the exact
recorded cost (0 for a call that failed). A process that dies between the two leaves the reservation
counted: the error is on the safe side, and the counter expires with the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from llm import pricing
from llm.providers import Message

PER_MESSAGE_TOKENS = 16  # chat-template tokens around each message, generously


@dataclass(frozen=True)
class Reservation:
    """What one call holds: ``micros`` on the budget's counter of ``day`` (UTC date)."""

    micros: int
    day: str


class Budget(Protocol):
    def reserve(self, micros: int) -> Reservation | None:
        """Hold ``micros`` of the budget for one call; None (nothing held) when it does not fit."""
        ...

    def settle(self, reservation: Reservation, actual: int) -> None:
        """The call that held ``reservation`` cost ``actual``: count that instead."""
        ...


class BudgetExhausted(Exception):
    """The next call's worst case does not fit in what is left of the owner's budget."""


def worst_case_micros(player: str, messages: Sequence[Message], max_output_tokens: int) -> int:
    """The most one call of ``player`` with ``messages`` can cost (0 when its price is unknown)."""
    price = pricing.price_for(player)
    if price is None:
        return 0
    prompt_tokens = sum(len(m.content.encode()) + PER_MESSAGE_TOKENS for m in messages)
    return price.cost_micros(prompt_tokens, max_output_tokens)


def reserve_or_raise(budget: Budget | None, micros: int) -> Reservation | None:
    """Reserve ``micros`` (nothing to hold without a budget or for a call of unknown price). Returns the
    reservation for ``settle``; raises BudgetExhausted when it does not fit."""
    if budget is None or micros <= 0:
        return None
    reservation = budget.reserve(micros)
    if reservation is None:
        raise BudgetExhausted(f"the next call may cost up to {micros} µ$, more than the budget has left")
    return reservation


def settle(budget: Budget | None, reservation: Reservation | None, actual: int) -> None:
    if budget is not None and reservation is not None:
        budget.settle(reservation, actual)
