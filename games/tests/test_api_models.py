"""`GET /api/llm/models`: only what this deployment can seat, with prices; no auth needed."""

from __future__ import annotations

import pytest

from games import catalog
from games.bots import BOTS
from games.rules import RULES

KEY = "sk-proj-testkey-0123456789abcdef"


@pytest.fixture
def nothing_configured(monkeypatch, settings):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings.APP_SECRETS_PATH = ""
    settings.BEDROCK_MODELS = []
    settings.OLLAMA_MODELS = []
    settings.LLM_ENDPOINTS = {}
    settings.LLM_PRICES = {}


def players(client) -> list[dict]:
    reply = client.get("/api/llm/models")
    assert reply.status_code == 200, reply.content[:300]
    body = reply.json()
    assert set(body) == {"players"}
    for player in body["players"]:
        assert set(player) == {"name", "kind", "games", "provider", "model", "price_in", "price_out"}
    return body["players"]


def test_nothing_configured_lists_humans_and_bots_only(client, nothing_configured):
    found = players(client)
    assert [p["kind"] for p in found] == ["human"] + ["builtin"] * len(BOTS)
    assert found[0] == {
        "name": "human",
        "kind": "human",
        "games": sorted(RULES),
        "provider": None,
        "model": None,
        "price_in": None,
        "price_out": None,
    }
    bots = {p["name"]: p["games"] for p in found[1:]}
    assert bots == {f"builtin:{name}": sorted(bot.games & set(RULES)) for name, bot in BOTS.items()}
    assert bots["builtin:random"] == sorted(RULES)


def test_an_openai_key_lists_the_priced_openai_models(client, nothing_configured, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    reply = client.get("/api/llm/models")
    assert KEY.encode() not in reply.content
    models = {p["name"]: p for p in players(client) if p["kind"] == "llm"}
    assert models and all(name.startswith("openai:") for name in models)
    mini = models["openai:gpt-4.1-mini"]
    assert (mini["provider"], mini["model"]) == ("openai", "gpt-4.1-mini")
    assert (mini["price_in"], mini["price_out"]) == (0.4, 1.6)
    assert mini["games"] == sorted(RULES)
    assert isinstance(mini["price_in"], float)


def test_every_kind_of_configuration(client, nothing_configured, monkeypatch, settings):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-testkey-0123456789abcdef")
    settings.LLM_PRICES = {"anthropic:claude-haiku-4-5": [0.9, "4.5"]}
    settings.BEDROCK_MODELS = ["us.anthropic.claude-3-5-haiku-20241022-v1:0"]
    settings.OLLAMA_MODELS = ["llama3.2"]
    settings.LLM_ENDPOINTS = {
        "groq": {"base_url": "https://api.groq.example/v1", "api_key_env": "GROQ_KEY", "models": ["llama-70b"]},
        "lab": {"base_url": "http://10.0.0.2:8000/v1", "models": ["qwen"]},
    }
    models = {p["name"]: p for p in players(client) if p["kind"] == "llm"}
    assert not any(name.startswith("openai:") for name in models)  # no key
    assert "groq:llama-70b" not in models  # its key is not set
    haiku = models["anthropic:claude-haiku-4-5"]
    assert (haiku["price_in"], haiku["price_out"]) == (0.9, 4.5)  # overridden in settings
    bedrock = models["bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0"]
    assert (bedrock["provider"], bedrock["price_in"], bedrock["price_out"]) == ("bedrock", 0.8, 4.0)
    assert (models["ollama:llama3.2"]["price_in"], models["ollama:llama3.2"]["price_out"]) == (0.0, 0.0)
    assert (models["lab:qwen"]["price_in"], models["lab:qwen"]["price_out"]) == (None, None)  # unknown price
    monkeypatch.setenv("GROQ_KEY", "gsk-test-0123456789")
    assert "groq:llama-70b" in {p["name"] for p in players(client)}


def test_the_catalog_gates_game_creation_the_same_way(nothing_configured, monkeypatch):
    assert catalog.find_player("openai:gpt-4.1-mini", "chess") is None
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    found = catalog.find_player("openai:gpt-4.1-mini", "chess")
    assert found is not None and found.kind == "llm" and str(found.price_out) == "1.60"
    assert catalog.find_player("openai:not-a-model", "chess") is None  # unpriced OpenAI names are not listed


def test_listed_in_the_openapi_schema(client, nothing_configured):
    spec = client.get("/api/openapi.json").json()
    assert "/api/llm/models" in spec["paths"]
    # Public: a token is optional (an empty requirement next to the bearer scheme).
    assert spec["paths"]["/api/llm/models"]["get"]["security"] == [{"BearerAuth": []}, {}]
