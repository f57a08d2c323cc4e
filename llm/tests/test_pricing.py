"""Prices, exact integer costs, overrides, and the models a deployment can seat."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ImproperlyConfigured

from llm import pricing, secrets
from llm.pricing import PRICES, Price, configured_models, cost_micros, price_for

HAIKU = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"


@pytest.fixture(autouse=True)
def no_keys(monkeypatch, settings):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "TOGETHER_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings.APP_SECRETS_PATH = ""
    settings.LLM_PRICES = {}


def test_costs_are_exact_and_rounded_up_once_per_call():
    mini = Price(Decimal("0.40"), Decimal("1.60"))
    assert mini.cost_micros(1234, 567) == 1401  # 493.6 + 907.2 = 1400.8
    assert mini.cost_micros(0, 0) == 0
    assert mini.cost_micros(5, 0) == 2  # 2.0 exactly: no rounding up of an exact value
    nova = Price(Decimal("0.035"), Decimal("0.14"))
    assert nova.cost_micros(1, 0) == 1  # 0.035 µ$ is charged as 1 µ$, never 0
    assert Price(Decimal(15), Decimal(75)).cost_micros(10_000_000, 1_000_000) == 225_000_000


def test_costs_match_rational_arithmetic():
    rng = random.Random(1)
    for name, price in PRICES.items():
        for _ in range(50):
            tokens_in, tokens_out = rng.randrange(0, 2_000_000), rng.randrange(0, 200_000)
            exact = tokens_in * Fraction(price.input) + tokens_out * Fraction(price.output)
            assert price.cost_micros(tokens_in, tokens_out) == math.ceil(exact), name


def test_catalog_covers_each_provider_and_known_names():
    for name in (
        "openai:gpt-4.1-mini",
        "openai:gpt-4.1",
        "openai:gpt-4o-mini",
        "anthropic:claude-sonnet-4-5",
        "anthropic:claude-haiku-4-5",
        HAIKU,
    ):
        assert name in PRICES
    assert price_for("openai:gpt-4.1-mini").micros_per_mtok() == (400_000, 1_600_000)


def test_lookup_rules():
    assert price_for("bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0") == PRICES[HAIKU]
    assert price_for("ollama:llama3.2") == Price(Decimal(0), Decimal(0))
    assert cost_micros("ollama:llama3.2", 10_000, 10_000) == 0
    assert price_for("openai:unreleased") is None and cost_micros("openai:unreleased", 1, 1) is None


def test_overrides_replace_and_add_prices_exactly(settings):
    settings.LLM_PRICES = {"openai:gpt-4.1-mini": [0.1, 0.3], "together:llama": ["0.88", 0.88], "ollama:big": [1, 2]}
    assert price_for("openai:gpt-4.1-mini") == Price(Decimal("0.1"), Decimal("0.3"))  # not 0.1000000000000000055
    assert cost_micros("openai:gpt-4.1-mini", 10, 10) == 4
    assert price_for("together:llama").input == Decimal("0.88")
    assert cost_micros("ollama:big", 1, 1) == 3


@pytest.mark.parametrize(
    "bad", [{"x:y": [-1, 2]}, {"x:y": ["abc", 1]}, {"x:y": [1]}, {"x:y": 3}, ["x:y"], {"x:y": [float("nan"), 1]}]
)
def test_bad_overrides_fail_loudly(settings, bad):
    settings.LLM_PRICES = bad
    with pytest.raises(ImproperlyConfigured):
        price_for("openai:gpt-4.1")


# ------------------------------------------------------------------------------- configured models


def names() -> list[str]:
    return [m["name"] for m in configured_models()]


def test_nothing_configured_lists_nothing(settings):
    settings.BEDROCK_MODELS = []
    settings.OLLAMA_MODELS = []
    settings.LLM_ENDPOINTS = {}
    assert configured_models() == []


def test_keyed_providers_are_listed_with_their_prices(monkeypatch, settings):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    settings.LLM_PRICES = {"openai:gpt-9": [5, 20]}
    models = {m["name"]: m for m in configured_models()}
    assert "anthropic:claude-sonnet-4-5" not in models
    mini = models["openai:gpt-4.1-mini"]
    assert mini == {
        "name": "openai:gpt-4.1-mini",
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "price_in": Decimal("0.40"),
        "price_out": Decimal("1.60"),
    }
    assert models["openai:gpt-9"]["price_out"] == Decimal(20)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    assert "anthropic:claude-haiku-4-5" in names()


def test_bedrock_ollama_and_endpoints_are_listed_from_settings(monkeypatch, settings):
    settings.BEDROCK_REGION = "eu-central-1"
    settings.BEDROCK_MODELS = ["anthropic.claude-3-5-haiku-20241022-v1:0", "mistral.unpriced-v1:0"]
    settings.OLLAMA_MODELS = ["llama3.2", "qwen3:8b"]
    settings.LLM_ENDPOINTS = {
        "together": {"base_url": "https://t.test/v1", "api_key_env": "TOGETHER_KEY", "models": ["llama"]},
        "lab": {"base_url": "http://gpu.lab:8000/v1", "models": ["mixtral"]},
    }
    models = {m["name"]: m for m in configured_models()}
    assert set(models) == {HAIKU, "bedrock:mistral.unpriced-v1:0", "ollama:llama3.2", "ollama:qwen3:8b", "lab:mixtral"}
    assert models[HAIKU]["price_in"] == Decimal("0.80") and models["bedrock:mistral.unpriced-v1:0"]["price_in"] is None
    assert models["ollama:qwen3:8b"]["model"] == "qwen3:8b" and models["ollama:qwen3:8b"]["price_out"] == 0
    assert models["lab:mixtral"]["price_in"] is None
    monkeypatch.setenv("TOGETHER_KEY", "tk-0123456789")
    assert "together:llama" in names()
    settings.BEDROCK_REGION = None
    settings.AWS_REGION = None
    assert HAIKU not in names()


def test_unreadable_secret_hides_keyed_providers(settings, monkeypatch):
    class Broken(secrets.SecretStore):
        def get(self, name):
            raise secrets.SecretsUnavailable("could not read the provider secret (AccessDeniedException)", False)

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    previous = secrets.use_store(Broken())
    try:
        assert not [n for n in names() if n.startswith("openai:")]
    finally:
        secrets.use_store(previous)
    assert pricing.price_for("openai:gpt-4.1") is not None
