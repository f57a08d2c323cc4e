"""Player names to provider clients: ``provider:model``, where the model may itself contain colons
(``bedrock:anthropic.claude-3-5-haiku-20241022-v1:0``), so only the first colon splits.

Providers are cheap objects built per call from the current settings (tests override settings freely);
the expensive part, the SDK client, is cached inside each provider module.
"""

from __future__ import annotations

from django.conf import settings

from .anthropic_provider import AnthropicProvider
from .base import Provider, ProviderError
from .bedrock import BedrockProvider
from .openai_compat import OpenAICompatProvider

BUILTIN_PROVIDERS = frozenset({"openai", "anthropic", "bedrock", "ollama"})
# Names that are players but not providers; an endpoint may not take them either.
RESERVED = BUILTIN_PROVIDERS | {"builtin", "human"}
DEFAULT_OLLAMA_BASE_URL = "http://127.0.0.1:11434/v1"


def split_player(player_name: str) -> tuple[str, str]:
    """``("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0")`` from the full name."""
    provider, sep, model = (player_name or "").partition(":")
    if not sep or not provider or not model.strip():
        raise ProviderError("bad_request", f"{player_name!r} is not a provider:model name", False)
    return provider, model


def endpoints() -> dict[str, dict]:
    """``LLM_ENDPOINTS`` minus malformed entries and names that would shadow a built-in provider."""
    found = getattr(settings, "LLM_ENDPOINTS", None) or {}
    if not isinstance(found, dict):
        return {}
    return {
        name: spec
        for name, spec in found.items()
        if name not in RESERVED and isinstance(spec, dict) and isinstance(spec.get("base_url"), str)
    }


def bedrock_region() -> str | None:
    return getattr(settings, "BEDROCK_REGION", None) or getattr(settings, "AWS_REGION", None)


def get_provider(player_name: str) -> tuple[Provider, str]:
    """The provider client and the model id for a player name; ProviderError when none is configured."""
    name, model = split_player(player_name)
    if name == "openai":
        return OpenAICompatProvider("openai"), model
    if name == "anthropic":
        return AnthropicProvider(), model
    if name == "bedrock":
        region = bedrock_region()
        if not region:
            raise ProviderError("unavailable", "bedrock: no region configured (BEDROCK_REGION)", False)
        return BedrockProvider(region), model
    if name == "ollama":
        base_url = getattr(settings, "OLLAMA_BASE_URL", None) or DEFAULT_OLLAMA_BASE_URL
        return OpenAICompatProvider("ollama", base_url=base_url, key_name=None), model
    spec = endpoints().get(name)
    if spec is not None:
        key_name = spec.get("api_key_env") or None
        return OpenAICompatProvider(name, base_url=spec["base_url"], key_name=key_name), model
    raise ProviderError("unavailable", f"no provider named {name!r} is configured", False)
