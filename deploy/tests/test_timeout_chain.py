"""The timeout chain (ARCHITECTURE.md "Turns", README "Turns"), read from template.yaml and the settings:

    a model's call timeout < its turn deadline < the time a turn worker may run (the turn function's
    timeout) <= gunicorn's worker timeout in that process; the turn's lease lies between the turn
    deadline and the SQS visibility timeout; the visibility timeout is at least 6x the turn function's.

A turn that needs longer than any link would be killed by the next one (gunicorn answering 500, LWA
failing the batch, SQS redelivering while the turn still runs), so each link is checked here, for the
turn function with its queue and for the engine function with its queue (engine work: a chess game's
analysis under its lease, a Stockfish player's turn).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.tests.test_template import template

REPO = Path(__file__).resolve().parents[2]


def _parameter_default(resources_template: dict, value: object) -> int:
    if isinstance(value, dict) and "Ref" in value:
        return int(resources_template["Parameters"][value["Ref"]]["Default"])
    return int(value)  # type: ignore[arg-type]


def _gunicorn_timeout(env: dict[str, str]) -> int:
    """gunicorn's worker timeout as deploy/gunicorn.conf.py computes it in an environment."""
    code = "import runpy; print(runpy.run_path('deploy/gunicorn.conf.py')['timeout'])"
    chain = ("GUNICORN_TIMEOUT", "TASK_BACKEND", "TURN_WORKER_SECONDS")
    clean = {k: v for k, v in os.environ.items() if k not in chain}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


@pytest.mark.parametrize(("function", "queue"), [("TurnFunction", "TurnQueue"), ("EngineFunction", "EngineQueue")])
def test_the_turn_and_engine_functions_chain_holds(settings, function, queue):
    from games import service
    from llm import limits

    doc = template()
    turns = doc["Resources"][function]["Properties"]
    env = turns["Environment"]["Variables"]
    function_timeout = _parameter_default(doc, turns["Timeout"])
    worker_seconds = _parameter_default(doc, env["TURN_WORKER_SECONDS"])
    gunicorn_timeout = _gunicorn_timeout(
        {
            "TASK_BACKEND": env["TASK_BACKEND"],
            "GUNICORN_TIMEOUT": str(_parameter_default(doc, env["GUNICORN_TIMEOUT"])),
        }
    )
    visibility = int(doc["Resources"][queue]["Properties"]["VisibilityTimeout"])
    events = [e for e in turns["Events"].values() if e["Type"] == "SQS"]
    assert [e["Properties"]["Queue"] for e in events] == [{"GetAtt": f"{queue}.Arn"}]
    assert service.ANALYSIS_LEASE_SECONDS < function_timeout
    settings.TURN_WORKER_SECONDS = worker_seconds
    deadline = limits.longest_turn_deadline()
    longest_call = max(limits.limits_for(p).call_timeout for p in ("openai:o3", "openai:gpt-4.1-mini"))
    lease = max(limits.turn_lease_seconds(p) for p in ("openai:o3", "openai:gpt-4.1-mini"))

    assert worker_seconds == function_timeout <= 900  # Lambda's maximum
    assert longest_call < deadline < worker_seconds <= gunicorn_timeout
    assert deadline < lease <= function_timeout < visibility
    assert visibility >= 6 * function_timeout
    assert settings.BOT_TURN_LEASE_SECONDS < function_timeout


def test_the_api_function_never_waits_for_a_model():
    """API requests answer within API Gateway's 30 s; gunicorn there gives up no later than Lambda."""
    doc = template()
    api = doc["Resources"]["AppFunction"]["Properties"]
    timeout = _parameter_default(doc, api["Timeout"])
    gunicorn = _parameter_default(doc, api["Environment"]["Variables"]["GUNICORN_TIMEOUT"])
    assert timeout <= 30 and gunicorn == timeout


def test_a_process_serving_events_defaults_gunicorn_to_the_turn_worker_time():
    assert _gunicorn_timeout({"TASK_BACKEND": "sqs", "TURN_WORKER_SECONDS": "900"}) == 900
    assert _gunicorn_timeout({"TASK_BACKEND": "inprocess"}) == 60  # turns run on threads, not in requests


def test_local_defaults_follow_the_same_chain(settings):
    """`make run` (in-process turns on threads): the settings' own defaults keep the chain too."""
    from llm import limits

    settings_module = importlib.import_module("duelarena.settings")
    assert limits.longest_turn_deadline() < settings_module.TURN_WORKER_SECONDS
    assert settings.TURN_GRACE_SECONDS < settings.BOT_TURN_LEASE_SECONDS + 60
