"""Model prices and the models this deployment can seat.

Units: a price is USD per million tokens, which is the same number as micro-dollars (µ$) per token. So
the cost of a call in µ$ is ``input_tokens * price_in + output_tokens * price_out``, computed exactly with
Decimal and rounded **up once per call** to a whole micro-dollar: a stored cost never under-reports and is
off by less than 1 µ$ per call. Turn and game totals are plain integer sums of those per-call costs.

The prices below are list prices (standard tier, no batch/caching discounts) as of when this was written;
they change. Override or add any of them with the setting ``LLM_PRICES = {"provider:model": [in, out]}``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from llm import secrets

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Price:
    input: Decimal  # USD per 1M input tokens (= µ$ per input token)
    output: Decimal  # USD per 1M output tokens

    def cost_micros(self, input_tokens: int, output_tokens: int) -> int:
        exact = input_tokens * self.input + output_tokens * self.output
        return int(exact.to_integral_value(rounding=ROUND_CEILING))

    def micros_per_mtok(self) -> tuple[int, int]:
        """(in, out) in µ$ per million tokens, rounded up: integers for storage."""
        million = Decimal(1_000_000)
        return tuple(  # type: ignore[return-value]
            int((p * million).to_integral_value(rounding=ROUND_CEILING)) for p in (self.input, self.output)
        )


def _p(price_in: str, price_out: str) -> Price:
    return Price(Decimal(price_in), Decimal(price_out))


# List prices, USD per million tokens (input, output), as of when written. Override with LLM_PRICES.
PRICES: dict[str, Price] = {
    "openai:gpt-4.1": _p("2.00", "8.00"),
    "openai:gpt-4.1-mini": _p("0.40", "1.60"),
    "openai:gpt-4.1-nano": _p("0.10", "0.40"),
    "openai:gpt-4o": _p("2.50", "10.00"),
    "openai:gpt-4o-mini": _p("0.15", "0.60"),
    "openai:o4-mini": _p("1.10", "4.40"),
    "openai:o3": _p("2.00", "8.00"),
    "openai:gpt-5": _p("1.25", "10.00"),
    "openai:gpt-5-mini": _p("0.25", "2.00"),
    "openai:gpt-5-nano": _p("0.05", "0.40"),
    "anthropic:claude-sonnet-4-5": _p("3.00", "15.00"),
    "anthropic:claude-haiku-4-5": _p("1.00", "5.00"),
    "anthropic:claude-opus-4-1": _p("15.00", "75.00"),
    "anthropic:claude-sonnet-4-0": _p("3.00", "15.00"),
    "anthropic:claude-3-5-haiku-latest": _p("0.80", "4.00"),
    "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0": _p("0.80", "4.00"),
    "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0": _p("3.00", "15.00"),
    "bedrock:anthropic.claude-3-haiku-20240307-v1:0": _p("0.25", "1.25"),
    "bedrock:amazon.nova-micro-v1:0": _p("0.035", "0.14"),
    "bedrock:amazon.nova-lite-v1:0": _p("0.06", "0.24"),
    "bedrock:amazon.nova-pro-v1:0": _p("0.80", "3.20"),
    "bedrock:meta.llama3-1-8b-instruct-v1:0": _p("0.22", "0.22"),
}
# Models on your own hardware cost nothing per token (override per model with LLM_PRICES if you meter).
FREE_PROVIDERS = frozenset({"ollama"})
# Bedrock cross-region inference profiles ("us.anthropic...") are priced like the model they route to.
_BEDROCK_GEO_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "global.")


def _decimal(value: object, name: str) -> Decimal:
    try:
        # str() first: a float from JSON settings (0.4) must become Decimal("0.4"), not 0.40000000000000002.
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ImproperlyConfigured(f"LLM_PRICES[{name!r}] must hold numbers") from None
    if not found.is_finite() or found < 0:
        raise ImproperlyConfigured(f"LLM_PRICES[{name!r}] must hold non-negative numbers")
    return found


def price_table() -> dict[str, Price]:
    """The built-in prices with ``LLM_PRICES`` applied on top."""
    table = dict(PRICES)
    overrides = getattr(settings, "LLM_PRICES", None) or {}
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured("LLM_PRICES must map 'provider:model' to [input, output] USD per 1M tokens")
    for name, pair in overrides.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ImproperlyConfigured(f"LLM_PRICES[{name!r}] must be [input, output] USD per 1M tokens")
        table[name] = Price(_decimal(pair[0], name), _decimal(pair[1], name))
    return table


def price_for(player_name: str, table: dict[str, Price] | None = None) -> Price | None:
    table = price_table() if table is None else table
    if player_name in table:
        return table[player_name]
    provider, _, model = player_name.partition(":")
    if provider == "bedrock":
        for prefix in _BEDROCK_GEO_PREFIXES:
            if model.startswith(prefix) and f"bedrock:{model[len(prefix) :]}" in table:
                return table[f"bedrock:{model[len(prefix) :]}"]
    if provider in FREE_PROVIDERS:
        return Price(Decimal(0), Decimal(0))
    return None


def cost_micros(player_name: str, input_tokens: int, output_tokens: int) -> int | None:
    """The call's cost in µ$, or None when the model's price is unknown."""
    price = price_for(player_name)
    return None if price is None else price.cost_micros(input_tokens, output_tokens)


# ----------------------------------------------------------------------------- configured models


def _has_key(name: str) -> bool:
    try:
        return bool(secrets.get_secret(name))
    except secrets.SecretsUnavailable as exc:
        logger.warning("provider keys unavailable; their models are not listed", extra={"error": str(exc)})
        return False


def _names(setting: str) -> list[str]:
    found = getattr(settings, setting, None) or []
    return [n.strip() for n in found if isinstance(n, str) and n.strip()]


def configured_models() -> list[dict]:
    """The models this deployment can really seat, each ``{name, provider, model, price_in, price_out}``.

    Prices are Decimal USD per 1M tokens (None when unknown). OpenAI and Anthropic count when their key is
    available, and then offer every model with a known price (built-in or LLM_PRICES); Bedrock offers
    ``BEDROCK_MODELS`` when a region is set; Ollama ``OLLAMA_MODELS``; each ``LLM_ENDPOINTS`` entry its
    ``models`` (when its ``api_key_env``, if any, is available).
    """
    from llm.providers.registry import bedrock_region, endpoints

    table = price_table()
    names: list[str] = []
    for provider, key_name in (("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")):
        if _has_key(key_name):
            names += sorted(n for n in table if n.startswith(provider + ":"))
    if bedrock_region():
        names += [f"bedrock:{m}" for m in _names("BEDROCK_MODELS")]
    names += [f"ollama:{m}" for m in _names("OLLAMA_MODELS")]
    for endpoint, spec in sorted(endpoints().items()):
        key_env = spec.get("api_key_env")
        if key_env and not _has_key(key_env):
            continue
        names += [f"{endpoint}:{m}" for m in spec.get("models", []) if isinstance(m, str) and m.strip()]
    models = []
    for name in dict.fromkeys(names):  # de-duplicated, order kept
        provider, _, model = name.partition(":")
        price = price_for(name, table)
        models.append(
            {
                "name": name,
                "provider": provider,
                "model": model,
                "price_in": price.input if price else None,
                "price_out": price.output if price else None,
            }
        )
    return models
