"""Per-model limits: families by model name, LLM_MODEL_LIMITS overrides (most specific wins), the cap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from llm.limits import (
    REASONING,
    STANDARD,
    check_settings,
    family_of,
    limits_for,
    longest_turn_deadline,
    thinking_budget,
    turn_lease_seconds,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("player", "family"),
    [
        ("openai:o1", REASONING),
        ("openai:o3", REASONING),
        ("openai:o3-mini", REASONING),
        ("openai:o4-mini", REASONING),
        ("openai:gpt-5", REASONING),
        ("openai:gpt-5.5", REASONING),
        ("openai:gpt-5-mini", REASONING),
        ("anthropic:claude-sonnet-4-5", REASONING),
        ("anthropic:claude-opus-4-1", REASONING),
        ("anthropic:claude-3-7-sonnet-latest", REASONING),
        ("bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0", REASONING),
        ("gemini:gemini-3.1-pro-preview", REASONING),
        ("gemini:gemini-2.5-pro", REASONING),
        ("deepseek:deepseek-reasoner", REASONING),
        ("ollama:deepseek-r1:14b", REASONING),
        ("bedrock:deepseek.r1-v1:0", REASONING),
        ("ollama:qwq", REASONING),
        ("router:openai/o3", REASONING),
        ("openai:gpt-4.1-mini", STANDARD),
        ("openai:gpt-4o", STANDARD),
        ("anthropic:claude-3-5-haiku-latest", STANDARD),
        ("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", STANDARD),
        ("gemini:gemini-2.5-flash", STANDARD),
        ("ollama:llama3.2", STANDARD),
        ("ollama:phi3:o3-quant", STANDARD),  # "o3" inside another model's tag is not the o-series
        ("deepseek:deepseek-chat", STANDARD),
    ],
)
def test_family_by_model_name(player, family):
    assert family_of(player) == family
    assert limits_for(player).family == family


def test_family_defaults_and_reasoning_effort_only_where_the_provider_takes_one():
    o3 = limits_for("openai:o3")
    assert (o3.call_timeout, o3.turn_deadline, o3.max_output_tokens, o3.reasoning_effort) == (600, 840, 32000, "medium")
    assert limits_for("anthropic:claude-sonnet-4-5").reasoning_effort == "medium"  # extended thinking
    assert limits_for("gemini:gemini-2.5-pro").reasoning_effort is None
    assert limits_for("deepseek:deepseek-reasoner").reasoning_effort is None
    mini = limits_for("openai:gpt-4.1-mini")
    assert (mini.call_timeout, mini.turn_deadline, mini.max_output_tokens, mini.reasoning_effort) == (
        120,
        300,
        8192,
        None,
    )
    assert (mini.max_provider_retries, mini.retry_base, mini.retry_max) == (3, 1.0, 30.0)


def test_retry_settings_are_every_models_defaults(settings):
    settings.LLM_MAX_PROVIDER_RETRIES = 5
    settings.LLM_RETRY_MAX_SECONDS = 8.0
    assert limits_for("openai:o3").max_provider_retries == 5 and limits_for("ollama:x").retry_max == 8.0


def test_overrides_most_specific_wins_field_by_field(settings):
    settings.LLM_MODEL_LIMITS = {
        "*": {"max_output_tokens": 1000, "retry_max": 9},
        "openai:*": {"max_output_tokens": 2000, "call_timeout": 100},
        "openai:o*": {"reasoning_effort": "high", "max_output_tokens": 3000},
        "openai:o3": {"max_output_tokens": 4000},
    }
    o3 = limits_for("openai:o3")
    assert (o3.max_output_tokens, o3.reasoning_effort, o3.call_timeout, o3.retry_max) == (4000, "high", 100, 9)
    assert o3.turn_deadline == 840  # not overridden: the family's
    o4 = limits_for("openai:o4-mini")
    assert (o4.max_output_tokens, o4.reasoning_effort) == (3000, "high")
    mini = limits_for("openai:gpt-4.1-mini")
    assert (mini.max_output_tokens, mini.call_timeout, mini.reasoning_effort) == (2000, 100, None)
    assert limits_for("ollama:llama3.2").max_output_tokens == 1000
    settings.LLM_MODEL_LIMITS = {"ollama:llama3.2": {"reasoning_effort": None, "max_output_tokens": 50}}
    assert limits_for("ollama:llama3.2").max_output_tokens == 50


def test_lease_and_longest_deadline(settings):
    assert turn_lease_seconds("openai:o3") == 870 and turn_lease_seconds("openai:gpt-4.1-mini") == 330
    assert longest_turn_deadline() == 840
    settings.TURN_WORKER_SECONDS = 1500
    settings.LLM_MODEL_LIMITS = {"openai:o3-pro": {"turn_deadline": 1400}, "ollama:*": {"turn_deadline": 200}}
    assert longest_turn_deadline() == 1400 and turn_lease_seconds("openai:o3-pro") == 1430


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"openai:o3": {"turn_deadline": 900}}, "over TURN_WORKER_SECONDS - 60 = 840"),
        ({"openai:o3": {"call_timeout": 840}}, "must be shorter than turn_deadline"),
        ({"ollama:*": {"turn_deadline": 100}}, "must be shorter than turn_deadline 100 s"),
        ({"openai:o3": {"timeout": 5}}, "unknown fields"),
        ({"openai:o3": {"reasoning_effort": "extreme"}}, "reasoning_effort"),
        ({"openai:o3": {"max_output_tokens": 0}}, "positive whole number"),
        ({"openai:o3": {"max_output_tokens": 10.5}}, "positive whole number"),
        ({"openai:o3": {"call_timeout": "600"}}, "non-negative number"),
        ({"openai:o3": {}}, "must be an object"),
        (["openai:o3"], "must map"),
        ("{not json", "must be JSON"),
    ],
)
def test_bad_overrides_are_refused(overrides, fragment):
    with pytest.raises(ImproperlyConfigured) as caught:
        check_settings(overrides, 900)
    assert fragment in str(caught.value)


def test_the_cap_applies_to_the_family_defaults_too():
    with pytest.raises(ImproperlyConfigured, match="reasoning models' default limits"):
        check_settings({}, 600)
    raised = {"openai:o*": {"turn_deadline": 500, "call_timeout": 400}, "*:gemini-*-pro": {"turn_deadline": 500}}
    with pytest.raises(ImproperlyConfigured):  # the gemini entry leaves the reasoning call timeout (600) too long
        check_settings(raised, 600)


def test_valid_overrides_pass_and_come_back_parsed():
    text = json.dumps(
        {"openai:o*": {"reasoning_effort": "high", "turn_deadline": 800}, "ollama:*": {"call_timeout": 30}}
    )
    assert check_settings(text, 900) == {
        "openai:o*": {"reasoning_effort": "high", "turn_deadline": 800.0},
        "ollama:*": {"call_timeout": 30.0},
    }


def test_a_combination_that_breaks_the_chain_is_refused_at_first_use(settings):
    # settings changed after load (or entries that are each fine but not together) are checked again
    settings.LLM_MODEL_LIMITS = {"openai:o3": {"turn_deadline": 900}}
    with pytest.raises(ImproperlyConfigured, match="limits of openai:o3"):
        limits_for("openai:o3")
    settings.LLM_MODEL_LIMITS = {}
    settings.TURN_WORKER_SECONDS = 600
    with pytest.raises(ImproperlyConfigured):
        limits_for("openai:o3")


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("LLM_MODEL_LIMITS", "TURN_WORKER_SECONDS")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.LLM_MODEL_LIMITS)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "duelarena.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_settings_refuse_to_load_with_limits_that_break_the_chain():
    bad = _load_settings({"LLM_MODEL_LIMITS": '{"openai:o3": {"turn_deadline": 900}}'})
    assert bad.returncode != 0 and "ImproperlyConfigured" in bad.stderr and "turn_deadline 900" in bad.stderr
    short_worker = _load_settings({"TURN_WORKER_SECONDS": "600"})
    assert short_worker.returncode != 0 and "TURN_WORKER_SECONDS" in short_worker.stderr
    good = _load_settings({"LLM_MODEL_LIMITS": '{"openai:o*": {"reasoning_effort": "high"}}'})
    assert good.returncode == 0, good.stderr
    assert "'reasoning_effort': 'high'" in good.stdout


def test_thinking_budget_fits_anthropics_rules():
    assert thinking_budget(None, 32000) is None and thinking_budget("none", 32000) is None
    assert thinking_budget("medium", 32000) == 16000
    assert thinking_budget("high", 8192) == 6144
    assert thinking_budget("max", 4096) == 3072  # always less than max_tokens
    assert thinking_budget("minimal", 4096) == 1024  # never under Anthropic's minimum
    assert thinking_budget("high", 2048) is None  # no room for 1,024 thinking tokens and an answer
