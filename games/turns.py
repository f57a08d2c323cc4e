"""How a non-human seat plays one turn: ask the player, check the answer with the rules, record attempts.

- Built-in bots are played here. Their randomness comes from ``random.Random`` seeded with the game's
  secret (``Game.bot_secret``, revealed when the game ends), its seed and the ply, so replaying a game
  from (secret, seed, moves) chooses the same moves while nobody, the creator who picked the seed
  included, can compute a bot's hidden choice during the game.
- Provider models (catalog kind ``llm``) play through ``llm.harness.play_turn``: prompts, feedback and
  retries, forfeits, budget stop. Every harness attempt becomes a ``games.records.Attempt``.
- Word association with a ``judge_model``: the rules are wrapped so that a word the rules accept is then
  ruled on by the judge (``llm.judge``); a word ruled not associated is refused like any illegal answer
  (feedback and retry, 3 failures forfeit), and the accepted word's verdict is stored in the state with
  ``games.rules.words.record_judgement``. Each judged attempt keeps the judge's ruling and cost.

A player only ever gets the state as its seat may see it (``rules.public_view``): another seat's pending
simultaneous choice is not in what it is given. Nothing here writes: the service records the turn.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from games.catalog import BUILTIN_PREFIX, kind_of
from games.records import Attempt
from games.rules import IllegalMove, RuleError, Rules, Seat
from games.vocabulary import MAX_FAILED_ATTEMPTS, Termination
from llm.budget import Budget, BudgetExhausted

NOT_ASSOCIATED = "not_associated"


class PlayerUnavailable(Exception):
    """The seat's player cannot be played by this deployment (e.g. a model whose provider is not wired)."""


@dataclass
class Turn:
    """The result of one seat's turn: a canonical move and the state after it, a forfeit, or ``paused``
    (the budget stopped the turn before it found a move: no move, no forfeit, attempts still paid)."""

    seat: Seat
    move: str | None
    raw: str
    state: dict
    attempts: list[Attempt] = field(default_factory=list)
    forfeit: str | None = None
    paused: bool = False

    @property
    def charged_micros(self) -> int:
        return sum(a.charged_micros for a in self.attempts)


def bot_rng(seed: int, ply: int, seat: Seat | None = None, secret: int | None = None) -> random.Random:
    """The bot's randomness for one turn: a pure function of the game's secret, its seed and the turn:
    the ply in a sequential game, the ply and the seat when seats choose at once (both are asked from
    the same ply and must not share a random stream). ``secret`` None: a game stored before secrets
    existed, whose bots drew from the seed alone (kept so that its replay stays exact)."""
    base = f"{seed}:{ply}" if seat is None else f"{seed}:{ply}:{seat}"
    return random.Random(base if secret is None else f"{secret}:{base}")


def judge_of(options: dict) -> str | None:
    return options.get("judge_model") or None


def calls_a_model(player: str, options: dict) -> bool:
    """Whether playing this seat's turn may call a provider (its own model, or the game's judge)."""
    return kind_of(player) == "llm" or judge_of(options) is not None


def play_turn(
    rules: Rules,
    state: dict,
    seat: Seat,
    player: str,
    seed: int,
    *,
    bot_secret: int | None = None,
    options: dict | None = None,
    budget: Budget | None = None,
    history: list[str] | None = None,
) -> Turn:
    """Play ``seat``'s turn from ``state`` (the full state; the player sees only its seat's view)."""
    options = options or {}
    judge = judge_of(options) if rules.game_type == "words" else None
    asked: Rules = _JudgedWords(rules, judge, budget) if judge else rules
    kind = kind_of(player)
    if kind == "builtin":  # a bot's strategy is only ever given rules.public_view (games.bots.base)
        turn = _play_bot(asked, state, seat, player.removeprefix(BUILTIN_PREFIX), seed, bot_secret)
    elif kind == "llm":
        view = rules.public_view(state, seat)
        if history is not None and rules.game_type == "chess":
            from games.rules.chess_rules import HISTORY_KEY

            view[HISTORY_KEY] = history  # the prompt's whole move list; never part of the stored state
        turn = _play_model(asked, view, seat, player, options, budget)
    else:
        raise PlayerUnavailable(f"{player} is not played automatically")
    if turn.move is not None:
        turn.state = rules.apply(state, seat, turn.move)  # on the real state (a model's view hides things)
        if isinstance(asked, _JudgedWords):
            turn.state = asked.record_accepted(turn.state, turn.move)
    else:
        turn.state = state
    return turn


# ----------------------------------------------------------------------------------------------- bots


def _play_bot(rules: Rules, state: dict, seat: Seat, name: str, seed: int, secret: int | None) -> Turn:
    from games.bots import BOTS

    bot = BOTS.get(name)
    if bot is None:
        raise PlayerUnavailable(f"there is no built-in bot named {name!r}")
    rng = bot_rng(seed, rules.ply(state), seat if rules.simultaneous else None, secret)
    judged = rules if isinstance(rules, _JudgedWords) else None
    attempts: list[Attempt] = []
    raw = ""
    for number in range(1, MAX_FAILED_ATTEMPTS + 1):
        started = time.perf_counter()
        asked_before = len(judged.verdicts) if judged else 0
        try:
            raw = bot.choose(rules, state, seat, rng)
            move = rules.parse_move(state, seat, raw)
        except BudgetExhausted:  # the judge's next call does not fit in the owner's budget
            return Turn(seat, None, raw, state, attempts, paused=True)
        except (IllegalMove, RuleError) as exc:
            attempt = Attempt(number, answer=raw, error=f"{exc.code}: {exc.message}", latency_ms=_ms(started))
        else:
            attempt = Attempt(number, answer=raw, parsed=move, latency_ms=_ms(started))
        if judged and len(judged.verdicts) > asked_before:
            attempt.judge = judged.verdicts[-1].record_fields()
        attempts.append(attempt)
        if attempt.error is None:
            return Turn(seat, attempt.parsed, raw, state, attempts)
    return Turn(seat, None, raw, state, attempts, forfeit=Termination.FORFEIT_ILLEGAL_MOVES)


# --------------------------------------------------------------------------------------------- models


def _play_model(rules: Rules, state: dict, seat: Seat, player: str, options: dict, budget: Budget | None) -> Turn:
    from llm import harness

    result = harness.play_turn(
        rules,
        state,
        seat,
        player,
        budget=budget,
        legal_moves_hint=bool(options.get("legal_moves_hint", False)),
    )
    attempts = [Attempt(**a.record_fields()) for a in result.attempts]
    if isinstance(rules, _JudgedWords):
        _attach_verdicts(attempts, rules.verdicts)
    raw = result.attempts[-1].answer if result.attempts else ""
    if result.unavailable:
        raise PlayerUnavailable(f"{player} cannot be called here: {result.error}")
    if result.move is not None:
        return Turn(seat, result.move, raw, state, attempts)
    if result.paused_for_budget:
        return Turn(seat, None, raw, state, attempts, paused=True)
    return Turn(seat, None, raw, state, attempts, forfeit=result.forfeit or Termination.FORFEIT_PROVIDER_ERROR)


def _attach_verdicts(attempts: list[Attempt], verdicts: list[Any]) -> None:
    """The judge was asked once for every answer the rules accepted, in order: those attempts are the
    accepted one and the ones refused as not associated."""
    judged = [a for a in attempts if a.error is None or a.error.startswith(NOT_ASSOCIATED + ":")]
    for attempt, verdict in zip(judged, verdicts, strict=False):
        attempt.judge = verdict.record_fields()


# ---------------------------------------------------------------------------------------------- judge


class _JudgedWords:
    """The word rules, with the judge's ruling added to ``parse_move`` (everything else delegated)."""

    def __init__(self, rules: Rules, judge: str, budget: Budget | None = None) -> None:
        self._rules = rules
        self.judge = judge
        self.budget = budget
        self.verdicts: list[Any] = []  # llm.judge.Verdict, one per word the rules accepted

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rules, name)

    def parse_move(self, state: dict, seat: Seat, text: str) -> str:
        from games.rules.words import previous_word
        from llm import judge

        word = self._rules.parse_move(state, seat, text)
        previous = previous_word(state)
        verdict = judge.ask(self.judge, previous, word, budget=self.budget)
        self.verdicts.append(verdict)
        if verdict.associated is False:
            why = f" ({verdict.reason})" if verdict.reason else ""
            raise IllegalMove(
                NOT_ASSOCIATED,
                f"the judge ruled {word!r} not associated with {previous!r}{why}; answer a word associated with it",
            )
        return word

    def record_accepted(self, state: dict, word: str) -> dict:
        """Store the accepted word's ruling in the state (left as not judged when the judge gave none)."""
        from games.rules.words import record_judgement

        verdict = self.verdicts[-1] if self.verdicts else None
        if verdict is None or verdict.associated is None:
            return state
        index = len(state["words"]) - 1
        assert state["words"][index]["word"] == word
        return record_judgement(state, index, verdict.associated, self.judge)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
