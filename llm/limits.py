"""Per-model limits: how long one provider call and one turn may take, how many output tokens an answer
may use, and the reasoning effort to ask for (shared/GAMES.md, the product's game rules: "Model limits").

A model's limits are its family's defaults, matched on the model name, with ``LLM_MODEL_LIMITS`` applied
on top:

- ``reasoning`` (OpenAI o1/o3/o4*, gpt-5*, gpt-oss; Claude 3.7 and 4.x, which think; gemini-*-pro;
  deepseek-r1/reasoner, qwq, any ``*thinking*`` model): call 600 s, turn 840 s, 32,000 output tokens, and
  reasoning effort ``medium`` where the provider takes one (OpenAI's o-series and gpt-5 ``reasoning_effort``;
  Claude's extended thinking, whose token budget the provider derives from the effort).
- ``standard`` (everything else): call 120 s, turn 300 s, 8,192 output tokens, no reasoning effort.

``LLM_MODEL_LIMITS`` (JSON) maps a player name (``openai:o3``) or a glob over player names
(``openai:o*``, ``*:gpt-5*``, ``*``) to any of the fields of ``ModelLimits``. Several entries may match one
player: each field comes from the most specific entry that sets it (an exact name beats any glob; among
globs, the one with more literal characters wins).

The retry settings (``LLM_MAX_PROVIDER_RETRIES``, ``LLM_RETRY_BASE_SECONDS``, ``LLM_RETRY_MAX_SECONDS``) are
the defaults of every family, also overridable per model.

The hard cap: a turn runs inside one turn worker, which may run ``TURN_WORKER_SECONDS`` (default 900). Every
effective limit must keep ``call_timeout < turn_deadline <= TURN_WORKER_SECONDS - 60``; a setting that
breaks it is refused with ImproperlyConfigured when the settings load (``check_settings``, called by
``duelarena.settings``), and ``limits_for`` checks the combination it resolves again (several overrides
may combine into a broken one).

No I/O and no SDK import: this module is read on every turn and by the settings.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured

REASONING, STANDARD = "reasoning", "standard"
FAMILIES = (REASONING, STANDARD)
# What OpenAI's chat completions accept (openai SDK ReasoningEffort); Claude's thinking budget is derived
# from it (``thinking_budget``). "none" asks for no reasoning where the model allows it.
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
WORKER_MARGIN_SECONDS = 60.0  # a turn's deadline leaves this much of the worker's time for its write
LEASE_MARGIN_SECONDS = 30.0  # a turn claim outlives the turn's deadline by this much
DEFAULT_TURN_WORKER_SECONDS = 900.0


@dataclass(frozen=True)
class ModelLimits:
    """The limits one model plays under (see the module docstring)."""

    call_timeout: float
    turn_deadline: float
    max_output_tokens: int
    reasoning_effort: str | None
    max_provider_retries: int = 3
    retry_base: float = 1.0
    retry_max: float = 30.0
    family: str = STANDARD  # which defaults applied (informational: the fields above are what counts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FAMILY_DEFAULTS = {
    REASONING: ModelLimits(600.0, 840.0, 32000, "medium", family=REASONING),
    STANDARD: ModelLimits(120.0, 300.0, 8192, None, family=STANDARD),
}

# Model names (the part after "provider:", any gateway prefix like "openai/" or Bedrock's
# "us.anthropic." included) that reason before answering. Searched, lower case.
_REASONING_MODELS = re.compile(
    r"""(?:^|[/.])(?:o1|o3|o4)(?:$|[-_.:])     # OpenAI o-series: o1, o3-mini, o4-mini, o3-pro
      | (?:^|[/.])gpt-5 | gpt-oss              # gpt-5, gpt-5-mini, gpt-5.5; open-weight gpt-oss
      | claude-3-7-sonnet | claude-(?:opus|sonnet|haiku)-4 | claude-4   # Claude with extended thinking
      | gemini-[\w.]*-pro | deepseek-r1 | deepseek-reasoner | deepseek\.r1 | qwq | thinking
    """,
    re.VERBOSE,
)
# Of those, the ones whose provider takes a reasoning effort: OpenAI's (reasoning_effort) and Claude's
# (extended thinking). The others (Gemini, DeepSeek, QwQ) decide how long to think by themselves.
_EFFORT_MODELS = re.compile(
    r"(?:^|[/.])(?:o1|o3|o4)(?:$|[-_.:])|(?:^|[/.])gpt-5|claude-3-7-sonnet|claude-(?:opus|sonnet|haiku)-4|claude-4"
)
_INT_FIELDS = {"max_output_tokens", "max_provider_retries"}
_FLOAT_FIELDS = {"call_timeout", "turn_deadline", "retry_base", "retry_max"}
OVERRIDE_FIELDS = frozenset(_INT_FIELDS | _FLOAT_FIELDS | {"reasoning_effort"})


def family_of(player: str) -> str:
    """``reasoning`` or ``standard`` from the model name (``provider:model``)."""
    model = player.partition(":")[2].lower() or player.lower()
    return REASONING if _REASONING_MODELS.search(model) else STANDARD


def _settings() -> Any:
    from django.conf import settings

    return settings


def worker_seconds(settings: Any = None) -> float:
    settings = settings or _settings()
    return float(getattr(settings, "TURN_WORKER_SECONDS", DEFAULT_TURN_WORKER_SECONDS))


def _retry_defaults(settings: Any) -> dict[str, Any]:
    return {
        "max_provider_retries": int(getattr(settings, "LLM_MAX_PROVIDER_RETRIES", 3)),
        "retry_base": float(getattr(settings, "LLM_RETRY_BASE_SECONDS", 1.0)),
        "retry_max": float(getattr(settings, "LLM_RETRY_MAX_SECONDS", 30.0)),
    }


def family_limits(family: str, player: str | None = None, settings: Any = None) -> ModelLimits:
    """A family's defaults with the global retry settings (and no effort where the provider has none)."""
    settings = settings or _settings()
    limits = replace(FAMILY_DEFAULTS[family], **_retry_defaults(settings))
    if player is not None and family == REASONING:
        model = player.partition(":")[2].lower()
        if not _EFFORT_MODELS.search(model):
            limits = replace(limits, reasoning_effort=None)
    return limits


# ----------------------------------------------------------------------------------------- overrides


def parse_overrides(raw: object) -> dict[str, dict[str, Any]]:
    """``LLM_MODEL_LIMITS`` as ``{pattern: {field: value}}`` with checked types; ImproperlyConfigured if not.

    Accepts the parsed JSON (a dict) or the JSON text."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ImproperlyConfigured("LLM_MODEL_LIMITS must be JSON") from None
    if not isinstance(raw, dict):
        raise ImproperlyConfigured(
            'LLM_MODEL_LIMITS must map a player name or glob to limits, e.g. {"openai:o*": {"call_timeout": 300}}'
        )
    parsed: dict[str, dict[str, Any]] = {}
    for pattern, values in raw.items():
        where = f"LLM_MODEL_LIMITS[{pattern!r}]"
        if not isinstance(pattern, str) or not pattern.strip():
            raise ImproperlyConfigured("LLM_MODEL_LIMITS keys must be player names or globs")
        if not isinstance(values, dict) or not values:
            raise ImproperlyConfigured(f"{where} must be an object of limits ({', '.join(sorted(OVERRIDE_FIELDS))})")
        unknown = sorted(set(values) - OVERRIDE_FIELDS)
        if unknown:
            raise ImproperlyConfigured(f"{where} has unknown fields {unknown}; known: {sorted(OVERRIDE_FIELDS)}")
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "reasoning_effort":
                if value is not None and value not in REASONING_EFFORTS:
                    raise ImproperlyConfigured(f"{where}.reasoning_effort must be null or one of {REASONING_EFFORTS}")
                checked[name] = value
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ImproperlyConfigured(f"{where}.{name} must be a non-negative number")
            if name in _INT_FIELDS:
                if value != int(value) or (name == "max_output_tokens" and value < 1):
                    raise ImproperlyConfigured(f"{where}.{name} must be a positive whole number")
                checked[name] = int(value)
            else:
                if value <= 0 and name != "retry_base":
                    raise ImproperlyConfigured(f"{where}.{name} must be more than 0 seconds")
                checked[name] = float(value)
        parsed[pattern.strip()] = checked
    return parsed


def _specificity(pattern: str) -> tuple[int, int]:
    """Exact names first, then globs by how many literal characters they have."""
    is_glob = any(c in pattern for c in "*?[")
    literal = len(re.sub(r"\*|\?|\[[^\]]*\]", "", pattern))
    return (0 if is_glob else 1, literal)


def _apply(base: ModelLimits, player: str, overrides: dict[str, dict[str, Any]]) -> ModelLimits:
    matching = [p for p in overrides if fnmatch.fnmatchcase(player, p)]
    merged: dict[str, Any] = {}
    for pattern in sorted(matching, key=_specificity):  # least specific first: later ones win per field
        merged.update(overrides[pattern])
    return replace(base, **merged) if merged else base


def check(limits: ModelLimits, cap_seconds: float, where: str) -> ModelLimits:
    """Refuse limits that break ``call_timeout < turn_deadline <= TURN_WORKER_SECONDS - 60``."""
    ceiling = cap_seconds - WORKER_MARGIN_SECONDS
    if limits.turn_deadline > ceiling:
        raise ImproperlyConfigured(
            f"{where}: turn_deadline {limits.turn_deadline:g} s is over TURN_WORKER_SECONDS - "
            f"{WORKER_MARGIN_SECONDS:g} = {ceiling:g} s (a turn must end before its worker is stopped)"
        )
    if limits.call_timeout >= limits.turn_deadline:
        raise ImproperlyConfigured(
            f"{where}: call_timeout {limits.call_timeout:g} s must be shorter than turn_deadline "
            f"{limits.turn_deadline:g} s"
        )
    if limits.retry_max < limits.retry_base:
        raise ImproperlyConfigured(f"{where}: retry_max must not be below retry_base")
    return limits


def check_settings(raw_overrides: object, cap_seconds: float, retries: dict[str, Any] | None = None) -> dict:
    """Called by the settings module: the parsed ``LLM_MODEL_LIMITS``, after checking every family's
    defaults and every override applied to each family against the cap. ImproperlyConfigured if not."""
    if cap_seconds <= WORKER_MARGIN_SECONDS:
        raise ImproperlyConfigured(f"TURN_WORKER_SECONDS must be more than {WORKER_MARGIN_SECONDS:g}")
    overrides = parse_overrides(raw_overrides)
    for family, defaults in FAMILY_DEFAULTS.items():
        base = replace(defaults, **(retries or {}))
        check(base, cap_seconds, f"the {family} models' default limits")
        for pattern, values in overrides.items():
            check(replace(base, **values), cap_seconds, f"LLM_MODEL_LIMITS[{pattern!r}] on a {family} model")
    return overrides


# ------------------------------------------------------------------------------------------ lookups


def limits_for(player: str) -> ModelLimits:
    """The effective limits of ``player`` (``provider:model``). ImproperlyConfigured when the overrides
    that apply combine into limits that break the timeout chain."""
    settings = _settings()
    base = family_limits(family_of(player), player, settings)
    overrides = parse_overrides(getattr(settings, "LLM_MODEL_LIMITS", None))
    return check(_apply(base, player, overrides), worker_seconds(settings), f"limits of {player}")


def longest_turn_deadline() -> float:
    """The longest turn deadline any model may have: the families' defaults and every override."""
    settings = _settings()
    overrides = parse_overrides(getattr(settings, "LLM_MODEL_LIMITS", None))
    found = [d.turn_deadline for d in FAMILY_DEFAULTS.values()]
    found += [float(v["turn_deadline"]) for v in overrides.values() if "turn_deadline" in v]
    return max(found)


def turn_lease_seconds(player: str) -> float:
    """How long a claim on ``player``'s turn should hold: its turn deadline plus a margin."""
    return limits_for(player).turn_deadline + LEASE_MARGIN_SECONDS


def thinking_budget(effort: str | None, max_output_tokens: int) -> int | None:
    """Claude's extended-thinking budget for an effort (None: no thinking). Anthropic requires at least
    1,024 tokens and less than ``max_tokens``; the rest of ``max_tokens`` is left for the visible answer."""
    if effort in (None, "none") or max_output_tokens <= 2048:
        return None
    share = {"minimal": 0.125, "low": 0.25, "medium": 0.5, "high": 0.75, "xhigh": 0.85, "max": 0.9}[effort]
    return max(1024, min(int(max_output_tokens * share), max_output_tokens - 1024))
