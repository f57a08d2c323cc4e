"""Provider clients against mocked HTTP (respx) and a stubbed Bedrock client (botocore Stubber).

The real SDK code runs: request building, auth headers, response parsing, error classes. The openai and
anthropic SDKs send through ``httpx2`` while respx patches ``httpx``/``httpcore``, so each SDK client here
gets an ``httpx2.Client`` whose transport hands every request to a respx router (``RespxBridge``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import boto3
import httpx
import httpx2
import pytest
import respx
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from games.rules import get_rules
from games.vocabulary import Termination
from llm import secrets
from llm.harness import play_turn
from llm.limits import FAMILY_DEFAULTS, STANDARD
from llm.providers import Message, ProviderError, anthropic_provider, get_provider, openai_compat, split_player
from llm.providers.anthropic_provider import AnthropicProvider
from llm.providers.bedrock import BedrockProvider
from llm.providers.openai_compat import OpenAICompatProvider

OPENAI_KEY = "sk-proj-testkey-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-api03-testkey-0123456789abcdef"
MESSAGES = [Message("system", "You play tic-tac-toe."), Message("user", "Your move.")]
FAST = replace(FAMILY_DEFAULTS[STANDARD], retry_base=0.5, retry_max=4.0)


class RespxBridge(httpx2.BaseTransport):
    """An httpx2 transport that answers from a respx router (converting requests, responses and the
    transport exceptions a route's side effect raises)."""

    def __init__(self, router: respx.Router) -> None:
        self.router = router

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        legacy = httpx.Request(request.method, str(request.url), headers=request.headers.raw, content=request.read())
        try:
            response = self.router.handler(legacy)
        except httpx.TransportError as exc:
            raise getattr(httpx2, type(exc).__name__)(str(exc), request=request) from exc
        response.read()
        headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-encoding"]
        return httpx2.Response(response.status_code, headers=headers, content=response.content, request=request)


def bridged(router: respx.Router) -> httpx2.Client:
    return httpx2.Client(transport=RespxBridge(router))


def chat_json(
    content: str = "I take the centre.\nMOVE: 5", *, prompt: int = 42, completion: int = 7, **message
) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4.1-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content, **message}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def claude_json(text: str = "MOVE: 5", *, thinking: str | None = None, stop: str = "end_turn") -> dict:
    content = [{"type": "thinking", "thinking": thinking, "signature": "sig"}] if thinking else []
    content.append({"type": "text", "text": text})
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 30, "output_tokens": 12},
    }


def error_json(message: str, kind: str = "error", code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "code": code}}


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)


@pytest.fixture
def openai_api(keys):
    with respx.mock(base_url="https://api.openai.com/v1", assert_all_called=False) as router:
        yield router, OpenAICompatProvider("openai", http_client=bridged(router))


@pytest.fixture
def anthropic_api(keys):
    with respx.mock(base_url="https://api.anthropic.com", assert_all_called=False) as router:
        yield router, AnthropicProvider(http_client=bridged(router))


def ttt_turn(provider, player="openai:gpt-4.1-mini", **kwargs):
    rules = get_rules("tictactoe")
    sleeps: list[float] = []
    kwargs.setdefault("limits", FAST)
    result = play_turn(
        rules, rules.initial_state({}, 1), "white", player, provider=provider, sleep=sleeps.append, **kwargs
    )
    return result, sleeps


# ------------------------------------------------------------------------------------------ OpenAI


def test_openai_success_reads_text_and_usage(openai_api):
    router, provider = openai_api
    route = router.post("/chat/completions").respond(200, json=chat_json())
    done = provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=300, timeout=10)
    assert (done.text, done.input_tokens, done.output_tokens) == ("I take the centre.\nMOVE: 5", 42, 7)
    assert done.reasoning is None and not done.truncated and isinstance(done.latency_ms, int)
    request = route.calls.last.request
    body = json.loads(request.content)
    assert body["model"] == "gpt-4.1-mini"
    assert body["messages"][0] == {"role": "system", "content": "You play tic-tac-toe."}
    assert body["max_completion_tokens"] == 300 and "max_tokens" not in body
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert route.call_count == 1


def test_openai_429_then_success_backs_off_and_records_both(openai_api):
    router, provider = openai_api
    route = router.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "2"}, json=error_json("Rate limit reached", "requests")),
            httpx.Response(200, json=chat_json()),
        ]
    )
    result, sleeps = ttt_turn(provider)
    assert result.move == "5" and result.forfeit is None
    assert route.call_count == 2  # the SDK itself did not retry
    assert len(sleeps) == 1 and 2 <= sleeps[0] <= FAST.retry_max  # never shorter than Retry-After
    first, second = result.attempts
    assert first.error.startswith("provider_rate_limited") and first.input_tokens == 0 and first.cost_micros == 0
    assert second.error is None and (second.input_tokens, second.output_tokens) == (42, 7)
    assert result.input_tokens == 42 and result.cost_micros == second.cost_micros


def test_openai_500s_until_forfeit_provider_error(openai_api, settings):
    settings.LLM_MAX_PROVIDER_RETRIES = 3
    router, provider = openai_api
    route = router.post("/chat/completions").respond(500, json=error_json("The server had an error"))
    result, sleeps = ttt_turn(provider, limits=None)
    assert result.forfeit == Termination.FORFEIT_PROVIDER_ERROR and result.move is None
    assert route.call_count == 4 and len(result.attempts) == 4  # 1 call + 3 retries, every one recorded
    assert all(a.error.startswith("provider_server_error") for a in result.attempts)
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]  # exponential
    assert [a.number for a in result.attempts] == [1, 2, 3, 4]


def test_openai_timeouts_forfeit_timeout(openai_api):
    router, provider = openai_api
    route = router.post("/chat/completions").mock(side_effect=httpx.ReadTimeout)
    result, sleeps = ttt_turn(provider)
    assert result.forfeit == Termination.FORFEIT_TIMEOUT and len(sleeps) == FAST.max_provider_retries
    assert route.call_count == FAST.max_provider_retries + 1
    assert all(a.error.startswith("provider_timeout") for a in result.attempts)
    with pytest.raises(ProviderError) as caught:
        provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=10, timeout=1)
    assert caught.value.kind == "timeout" and caught.value.retryable


def test_openai_401_is_not_retried(openai_api):
    router, provider = openai_api
    route = router.post("/chat/completions").respond(401, json=error_json("Incorrect API key provided"))
    result, sleeps = ttt_turn(provider)
    # A refused key is the deployment's configuration: no forfeit, the turn is unavailable (the game pauses)
    assert result.unavailable and result.forfeit is None and sleeps == [] and route.call_count == 1
    assert result.attempts[0].error.startswith("provider_auth: openai answered HTTP 401")


def test_openai_out_of_quota_is_not_retried(openai_api):
    router, provider = openai_api
    router.post("/chat/completions").respond(
        429, json=error_json("You exceeded your current quota", "insufficient_quota", "insufficient_quota")
    )
    with pytest.raises(ProviderError) as caught:
        provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=10, timeout=1)
    assert caught.value.kind == "rate_limited" and not caught.value.retryable


def test_openai_bad_request_and_truncation(openai_api):
    router, provider = openai_api
    router.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(400, json=error_json("Unsupported parameter")),
            httpx.Response(
                200,
                json={
                    **chat_json("Let me think", completion=300),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "Let me think"},
                            "finish_reason": "length",
                        }
                    ],
                },
            ),
        ]
    )
    with pytest.raises(ProviderError) as caught:
        provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=10, timeout=1)
    assert caught.value.kind == "bad_request" and not caught.value.retryable
    assert "Unsupported parameter" in caught.value.message
    assert provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=300, timeout=1).truncated


def test_openai_reasoning_model_gets_max_completion_tokens_and_effort_and_reports_its_tokens(openai_api):
    router, provider = openai_api
    usage = {
        "prompt_tokens": 900,
        "completion_tokens": 32000,
        "total_tokens": 32900,
        "completion_tokens_details": {"reasoning_tokens": 31800},
    }
    cut = {**chat_json("Considering Nf3 and", prompt=900, completion=32000), "usage": usage}
    cut["choices"][0]["finish_reason"] = "length"
    route = router.post("/chat/completions").respond(200, json=cut)
    done = provider.complete("o3", MESSAGES, max_tokens=32000, timeout=600, reasoning_effort="high")
    body = json.loads(route.calls.last.request.content)
    assert body["max_completion_tokens"] == 32000 and "max_tokens" not in body
    assert body["reasoning_effort"] == "high" and "temperature" not in body
    assert done.truncated and done.finish_reason == "length" and done.reasoning_tokens == 31800
    assert done.output_tokens == 32000 and done.ttft_ms is None
    provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=100, timeout=5)
    assert "reasoning_effort" not in json.loads(route.calls.last.request.content)


@pytest.mark.parametrize(
    ("finish", "normalised"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("content_filter", "content_filter"),
        ("tool_calls", "tool_calls"),
        ("function_call", "tool_calls"),
        (None, "other"),
    ],
)
def test_openai_finish_reasons_are_normalised(openai_api, finish, normalised):
    router, provider = openai_api
    answer = chat_json()
    answer["choices"][0]["finish_reason"] = finish
    router.post("/chat/completions").respond(200, json=answer)
    done = provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=100, timeout=5)
    assert done.finish_reason == normalised and done.reasoning_tokens is None


def test_compatible_servers_get_max_tokens_unless_the_model_is_an_openai_reasoning_model():
    with respx.mock(base_url="http://gateway.test/v1", assert_all_called=False) as router:
        route = router.post("/chat/completions").respond(200, json=chat_json())
        provider = OpenAICompatProvider(
            "gw", base_url="http://gateway.test/v1", key_name=None, http_client=bridged(router)
        )
        provider.complete("llama3.2", MESSAGES, max_tokens=100, timeout=5)
        assert json.loads(route.calls.last.request.content)["max_tokens"] == 100
        provider.complete("openai/o4-mini", MESSAGES, max_tokens=100, timeout=5, reasoning_effort="low")
        body = json.loads(route.calls.last.request.content)
        assert body["max_completion_tokens"] == 100 and "max_tokens" not in body and body["reasoning_effort"] == "low"


def test_missing_key_is_an_auth_error_without_a_call(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with respx.mock(assert_all_called=False) as router:
        route = router.route().respond(200)
        provider = OpenAICompatProvider("openai", http_client=bridged(router))
        with pytest.raises(ProviderError) as caught:
            provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=10, timeout=1)
    assert caught.value.kind == "auth" and "OPENAI_API_KEY" in caught.value.message and route.call_count == 0


# --------------------------------------------------------------------------------------- Anthropic


def test_anthropic_success_separates_system_and_reads_thinking(anthropic_api):
    router, provider = anthropic_api
    route = router.post("/v1/messages").respond(200, json=claude_json("Centre.\nMOVE: 5", thinking="hmm"))
    done = provider.complete("claude-haiku-4-5", MESSAGES, max_tokens=200, timeout=10)
    assert (done.text, done.reasoning, done.input_tokens, done.output_tokens) == ("Centre.\nMOVE: 5", "hmm", 30, 12)
    request = route.calls.last.request
    body = json.loads(request.content)
    assert body["system"] == "You play tic-tac-toe." and body["max_tokens"] == 200
    assert body["messages"] == [{"role": "user", "content": "Your move."}]
    # The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    assert ANTHROPIC_KEY in (request.headers.get("x-api-key"), request.headers.get("authorization", "")[7:])


def test_anthropic_reasoning_effort_turns_on_extended_thinking(anthropic_api):
    router, provider = anthropic_api
    route = router.post("/v1/messages").respond(
        200, json=claude_json("MOVE: 5", thinking="centre first", stop="max_tokens")
    )
    done = provider.complete("claude-haiku-4-5", MESSAGES, max_tokens=32000, timeout=600, reasoning_effort="medium")
    body = json.loads(route.calls.last.request.content)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 16000} and body["max_tokens"] == 32000
    assert "temperature" not in body
    assert done.truncated and done.finish_reason == "length" and done.reasoning == "centre first"
    assert done.reasoning_tokens is None  # Anthropic counts thinking inside output_tokens only
    provider.complete("claude-haiku-4-5", MESSAGES, max_tokens=8192, timeout=120)
    assert "thinking" not in json.loads(route.calls.last.request.content)


@pytest.mark.parametrize(
    ("stop", "normalised"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "other"),
    ],
)
def test_anthropic_stop_reasons_are_normalised(anthropic_api, stop, normalised):
    router, provider = anthropic_api
    router.post("/v1/messages").respond(200, json=claude_json(stop=stop))
    assert provider.complete("claude-haiku-4-5", MESSAGES, max_tokens=100, timeout=5).finish_reason == normalised


def test_anthropic_429_then_success(anthropic_api):
    router, provider = anthropic_api
    route = router.post("/v1/messages").mock(
        side_effect=[
            httpx.Response(429, json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}),
            httpx.Response(200, json=claude_json()),
        ]
    )
    result, sleeps = ttt_turn(provider, player="anthropic:claude-haiku-4-5")
    assert result.move == "5" and route.call_count == 2 and len(sleeps) == 1
    assert result.attempts[0].error == "provider_rate_limited: anthropic answered HTTP 429: slow down"
    # claude-haiku-4-5 lists at $1/$5 per Mtok: 30 * 1 + 12 * 5 = 90 µ$
    assert result.attempts[1].cost_micros == 90 == result.cost_micros


def test_anthropic_overloaded_is_retried_then_forfeits(anthropic_api):
    router, provider = anthropic_api
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    route = router.post("/v1/messages").respond(529, json=overloaded)
    result, sleeps = ttt_turn(provider, player="anthropic:claude-haiku-4-5")
    assert result.forfeit == Termination.FORFEIT_PROVIDER_ERROR and route.call_count == 4 and len(sleeps) == 3


def test_anthropic_timeout_and_401(anthropic_api):
    router, provider = anthropic_api
    router.post("/v1/messages").mock(
        side_effect=[
            httpx.ConnectTimeout,
            httpx.Response(401, json={"type": "error", "error": {"type": "authentication_error", "message": "bad"}}),
        ]
    )
    with pytest.raises(ProviderError) as first:
        provider.complete("claude-haiku-4-5", MESSAGES, max_tokens=10, timeout=1)
    with pytest.raises(ProviderError) as second:
        provider.complete("claude-haiku-4-5", MESSAGES, max_tokens=10, timeout=1)
    assert (first.value.kind, first.value.retryable) == ("timeout", True)
    assert (second.value.kind, second.value.retryable) == ("auth", False)


def test_anthropic_timeouts_forfeit_timeout(anthropic_api):
    router, provider = anthropic_api
    router.post("/v1/messages").mock(side_effect=httpx.ReadTimeout)
    result, _ = ttt_turn(provider, player="anthropic:claude-haiku-4-5")
    assert result.forfeit == Termination.FORFEIT_TIMEOUT and len(result.attempts) == 4


# ------------------------------------------------------------------------------ OpenAI-compatible


def test_ollama_by_base_url(settings):
    settings.OLLAMA_BASE_URL = "http://ollama.test:11434/v1"
    provider, model = get_provider("ollama:llama3.2")
    assert isinstance(provider, OpenAICompatProvider) and model == "llama3.2"
    assert (provider.base_url, provider.key_name) == ("http://ollama.test:11434/v1", None)
    with respx.mock(base_url="http://ollama.test:11434/v1", assert_all_called=False) as router:
        answer = chat_json("<think>centre is best</think>\nMOVE: 5", reasoning_content="centre is best")
        del answer["usage"]  # some local servers send no usage
        route = router.post("/chat/completions").respond(200, json=answer)
        local = OpenAICompatProvider("ollama", base_url=provider.base_url, key_name=None, http_client=bridged(router))
        done = local.complete(model, MESSAGES, max_tokens=100, timeout=5)
    body = json.loads(route.calls.last.request.content)
    assert body["max_tokens"] == 100 and "max_completion_tokens" not in body  # what compatible servers know
    assert done.reasoning == "centre is best" and (done.input_tokens, done.output_tokens) == (0, 0)


def test_ollama_server_down_is_unavailable_and_retryable():
    with respx.mock(base_url="http://ollama.test:11434/v1", assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=httpx.ConnectError)
        local = OpenAICompatProvider(
            "ollama", base_url="http://ollama.test:11434/v1", key_name=None, http_client=bridged(router)
        )
        with pytest.raises(ProviderError) as caught:
            local.complete("llama3.2", MESSAGES, max_tokens=10, timeout=1)
    assert caught.value.kind == "unavailable" and caught.value.retryable


def test_named_endpoint(settings, monkeypatch):
    settings.LLM_ENDPOINTS = {
        "together": {"base_url": "https://api.together.test/v1", "api_key_env": "TOGETHER_KEY", "models": ["x"]},
        "openai": {"base_url": "https://evil.test/v1"},  # may not shadow a built-in provider
    }
    provider, model = get_provider("together:meta-llama/Llama-3.3-70B:free")
    assert model == "meta-llama/Llama-3.3-70B:free"
    assert (provider.base_url, provider.key_name) == ("https://api.together.test/v1", "TOGETHER_KEY")
    assert get_provider("openai:gpt-4.1")[0].base_url == "https://api.openai.com/v1"
    monkeypatch.setenv("TOGETHER_KEY", "tk-together-0123456789")
    with respx.mock(base_url="https://api.together.test/v1", assert_all_called=False) as router:
        route = router.post("/chat/completions").respond(200, json=chat_json())
        bound = OpenAICompatProvider(
            "together", base_url=provider.base_url, key_name="TOGETHER_KEY", http_client=bridged(router)
        )
        assert bound.complete(model, MESSAGES, max_tokens=10, timeout=1).output_tokens == 7
    assert route.calls.last.request.headers["authorization"] == "Bearer tk-together-0123456789"


def test_player_names(settings):
    settings.BEDROCK_REGION = "eu-west-1"
    assert split_player("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0") == (
        "bedrock",
        "anthropic.claude-3-5-haiku-20241022-v1:0",
    )
    provider, model = get_provider("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0")
    assert isinstance(provider, BedrockProvider) and provider.region == "eu-west-1"
    assert model == "anthropic.claude-3-5-haiku-20241022-v1:0"
    assert isinstance(get_provider("anthropic:claude-sonnet-4-5")[0], AnthropicProvider)
    for bad, kind in (
        ("gpt-4", "bad_request"),
        ("openai:", "bad_request"),
        ("builtin:random", "unavailable"),
        ("human", "bad_request"),
        ("nope:model", "unavailable"),
    ):
        with pytest.raises(ProviderError) as caught:
            get_provider(bad)
        assert caught.value.kind == kind and not caught.value.retryable


def test_sdk_clients_are_cached_per_key_without_sdk_retries(monkeypatch):
    openai_compat.clear_clients()
    anthropic_provider.clear_clients()
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    first = OpenAICompatProvider("openai")._client()
    assert OpenAICompatProvider("openai")._client() is first and first.max_retries == 0
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY + "-rotated")
    assert OpenAICompatProvider("openai")._client() is not first
    claude = AnthropicProvider()._client()
    assert AnthropicProvider()._client() is claude and claude.max_retries == 0
    assert OPENAI_KEY not in repr(openai_compat._clients) + repr(OpenAICompatProvider("openai"))
    openai_compat.clear_clients()
    anthropic_provider.clear_clients()


# ---------------------------------------------------------------------------------------- Bedrock

HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"


def converse_response(text: str = "MOVE: 5") -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 25, "outputTokens": 5, "totalTokens": 30},
        "metrics": {"latencyMs": 120},
    }


@pytest.fixture
def bedrock():
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield stubber, BedrockProvider("us-east-1", client=client)
        stubber.assert_no_pending_responses()


def test_bedrock_converse_success(bedrock):
    stubber, provider = bedrock
    expected = {
        "modelId": HAIKU,
        "messages": [{"role": "user", "content": [{"text": "Your move."}]}],
        "inferenceConfig": {"maxTokens": 64},
        "system": [{"text": "You play tic-tac-toe."}],
    }
    stubber.add_response("converse", converse_response(), expected)
    done = provider.complete(HAIKU, MESSAGES, max_tokens=64, timeout=5)
    assert (done.text, done.input_tokens, done.output_tokens) == ("MOVE: 5", 25, 5)


def test_bedrock_claude_thinks_through_additional_model_request_fields(bedrock):
    stubber, provider = bedrock
    sonnet = "us.anthropic.claude-sonnet-4-20250514-v1:0"
    cut = {**converse_response("Thinking about"), "stopReason": "max_tokens"}
    expected = {
        "modelId": sonnet,
        "messages": [{"role": "user", "content": [{"text": "Your move."}]}],
        "inferenceConfig": {"maxTokens": 32000},
        "system": [{"text": "You play tic-tac-toe."}],
        "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 16000}},
    }
    stubber.add_response("converse", cut, expected)
    done = provider.complete(sonnet, MESSAGES, max_tokens=32000, timeout=600, reasoning_effort="medium")
    assert done.truncated and done.finish_reason == "length" and done.reasoning_tokens is None
    # other Bedrock families have no thinking field: the effort is not sent
    expected = {**expected, "modelId": "deepseek.r1-v1:0"}
    expected.pop("additionalModelRequestFields")
    stubber.add_response("converse", converse_response(), expected)
    done = provider.complete("deepseek.r1-v1:0", MESSAGES, max_tokens=32000, timeout=600, reasoning_effort="medium")
    assert done.finish_reason == "stop"


def test_bedrock_throttling_then_success_through_the_harness(bedrock):
    stubber, provider = bedrock
    stubber.add_client_error("converse", "ThrottlingException", "Too many requests", http_status_code=429)
    stubber.add_response("converse", converse_response())
    result, sleeps = ttt_turn(provider, player=f"bedrock:{HAIKU}")
    assert result.move == "5" and len(sleeps) == 1
    assert result.attempts[0].error.startswith("provider_rate_limited: bedrock ThrottlingException")
    assert result.attempts[1].cost_micros == 25 * 0.8 + 5 * 4 == result.cost_micros  # 40 µ$ exactly


def test_bedrock_errors(bedrock):
    stubber, provider = bedrock
    stubber.add_client_error("converse", "ValidationException", "bad model", http_status_code=400)
    stubber.add_client_error("converse", "AccessDeniedException", "no access", http_status_code=403)
    stubber.add_client_error("converse", "ModelTimeoutException", "slow", http_status_code=408)
    kinds = []
    for _ in range(3):
        with pytest.raises(ProviderError) as caught:
            provider.complete(HAIKU, MESSAGES, max_tokens=8, timeout=1)
        kinds.append((caught.value.kind, caught.value.retryable))
    assert kinds == [("bad_request", False), ("auth", False), ("timeout", True)]


def test_bedrock_read_timeout_forfeits_timeout():
    class SlowClient:
        def converse(self, **_):
            raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")

    result, sleeps = ttt_turn(BedrockProvider("us-east-1", client=SlowClient()), player=f"bedrock:{HAIKU}")
    assert result.forfeit == Termination.FORFEIT_TIMEOUT and len(sleeps) == FAST.max_provider_retries


# ---------------------------------------------------------------------------- secrets and imports


def test_keys_never_reach_logs_reprs_or_errors(openai_api, caplog):
    router, provider = openai_api
    # A server that echoes the key back in its 401 (some proxies do), then a normal answer.
    router.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(401, json=error_json(f"Incorrect API key provided: {OPENAI_KEY}")),
            httpx.Response(200, json=chat_json()),
            httpx.Response(403, json=error_json(f"Key {OPENAI_KEY} may not use this model")),
        ]
    )
    with caplog.at_level(logging.DEBUG):
        failed, _ = ttt_turn(provider)
        played, _ = ttt_turn(provider)
    assert failed.unavailable and failed.forfeit is None and played.move == "5"
    assert "[redacted]" in failed.attempts[0].error
    texts = [caplog.text, repr(provider), repr(failed), repr(played), json.dumps(failed.to_dict())]
    assert caplog.records and not [t for t in texts if OPENAI_KEY in t]
    with pytest.raises(ProviderError) as caught:
        OpenAICompatProvider("openai", http_client=bridged(router)).complete("m", MESSAGES, max_tokens=1, timeout=1)
    assert OPENAI_KEY not in repr(caught.value) + str(caught.value)


def test_importing_the_harness_imports_no_sdk():
    code = (
        "import llm.harness, llm.providers, llm.pricing, llm.secrets, sys; "
        "loaded = [m for m in ('openai', 'anthropic', 'httpx2', 'boto3') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "duelarena.settings"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------------- SSM Parameter Store

PATH = "/duelarena/prod"


@pytest.fixture
def secret_store(settings, monkeypatch):
    """A SecretStore on a real ssm client under Stubber, installed as the process store."""
    settings.APP_SECRETS_PATH = PATH
    settings.LLM_SECRETS_TTL_SECONDS = 300
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    now = [0.0]
    client = boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    store = secrets.SecretStore(client=client, clock=lambda: now[0])
    previous = secrets.use_store(store)
    with Stubber(client) as stubber:
        yield stubber, store, now
    secrets.use_store(previous)


def path_answer(values: dict[str, str]) -> dict:
    return {
        "Parameters": [
            {"Name": f"{PATH}/{name}", "Type": "SecureString", "Value": value, "Version": 1}
            for name, value in values.items()
        ]
    }


BY_PATH = {"Path": PATH, "Recursive": False, "WithDecryption": True, "MaxResults": 10}


def test_keys_come_from_the_path_and_are_cached_with_a_ttl(secret_store, monkeypatch):
    stubber, store, now = secret_store
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": OPENAI_KEY}), BY_PATH)
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": "sk-rotated-0123456789"}))
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    assert secrets.get_secret("OPENAI_API_KEY") == OPENAI_KEY
    assert secrets.get_secret("ANTHROPIC_API_KEY") == ANTHROPIC_KEY  # not under the path: the environment
    assert secrets.get_secret("MISSING_KEY") is None
    now[0] = 299
    assert secrets.get_secret("OPENAI_API_KEY") == OPENAI_KEY  # cached: no second call yet
    now[0] = 301
    assert secrets.get_secret("OPENAI_API_KEY") == "sk-rotated-0123456789"
    assert repr(store) == "SecretStore(cached_names=['OPENAI_API_KEY'])"
    assert secrets.redact("echo sk-rotated-0123456789 and tk-plain-value") == "echo [redacted] and tk-plain-value"


def test_the_entrypoints_read_at_start_counts_as_the_first_one(secret_store, monkeypatch):
    stubber, _, now = secret_store  # no answer queued: any call to SSM fails the test
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-start-0123456789")
    monkeypatch.setenv(secrets.LOADED_AT_VARIABLE, str(int(time.time()) - 100))
    assert secrets.get_secret("OPENAI_API_KEY") == "sk-from-start-0123456789"
    now[0] = 190  # 100 s before the store existed + 190 s: within the 300 s TTL of the start's read
    assert secrets.get_secret("OPENAI_API_KEY") == "sk-from-start-0123456789"
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": "sk-rotated-0123456789"}), BY_PATH)
    now[0] = 201
    assert secrets.get_secret("OPENAI_API_KEY") == "sk-rotated-0123456789"
    stubber.assert_no_pending_responses()


def test_a_stale_or_missing_start_read_is_not_adopted(secret_store, monkeypatch):
    stubber, _, _ = secret_store
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-start-0123456789")
    monkeypatch.setenv(secrets.LOADED_AT_VARIABLE, str(int(time.time()) - 400))
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": OPENAI_KEY}), BY_PATH)
    assert secrets.get_secret("OPENAI_API_KEY") == OPENAI_KEY
    stubber.assert_no_pending_responses()


def test_an_auth_error_makes_the_next_read_fetch_the_path_again(secret_store):
    stubber, _, _ = secret_store
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": "sk-old-0123456789"}))
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": OPENAI_KEY}))
    with respx.mock(base_url="https://api.openai.com/v1", assert_all_called=False) as router:
        route = router.post("/chat/completions").mock(
            side_effect=[httpx.Response(401, json=error_json("expired key")), httpx.Response(200, json=chat_json())]
        )
        provider = OpenAICompatProvider("openai", http_client=bridged(router))
        with pytest.raises(ProviderError):
            provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=5, timeout=1)
        assert provider.complete("gpt-4.1-mini", MESSAGES, max_tokens=5, timeout=1).output_tokens == 7
    assert [c.request.headers["authorization"] for c in route.calls] == [
        "Bearer sk-old-0123456789",
        f"Bearer {OPENAI_KEY}",
    ]


def test_secret_failures_say_what_failed_but_never_the_value(secret_store, caplog):
    stubber, _, _ = secret_store
    stubber.add_client_error("get_parameters_by_path", "AccessDeniedException", "User is not authorized")
    with pytest.raises(secrets.SecretsUnavailable) as denied:
        secrets.get_secret("OPENAI_API_KEY")
    assert "AccessDeniedException" in str(denied.value) and PATH in str(denied.value)
    assert not denied.value.retryable and denied.value.__cause__ is None
    # A provider turns it into an error the harness records (no call is made).
    with pytest.raises(ProviderError) as caught:
        stubber.add_client_error("get_parameters_by_path", "ThrottlingException", "slow down")
        OpenAICompatProvider("openai").complete("gpt-4.1-mini", MESSAGES, max_tokens=5, timeout=1)
    assert (caught.value.kind, caught.value.retryable) == ("unavailable", True)
    # Loaded: the log line names the keys, never a value.
    stubber.add_response("get_parameters_by_path", path_answer({"OPENAI_API_KEY": "sk-should-not-leak-123456"}))
    with caplog.at_level("DEBUG"):
        assert secrets.get_secret("OPENAI_API_KEY") == "sk-should-not-leak-123456"
    assert "provider secrets loaded" in caplog.text
    assert all("should-not-leak" not in repr(vars(r)) for r in caplog.records)


def test_redaction_scrubs_key_shapes_but_not_words():
    assert secrets.redact("key sk-abcdefgh12345 and Bearer abcdefghijk") == "key [redacted] and [redacted]"
    assert (
        secrets.redact("a risk-management-style task-oriented answer") == "a risk-management-style task-oriented answer"
    )
