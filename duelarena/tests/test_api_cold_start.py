"""What the first API request loads and builds (cold start, README "Benchmarks" and "Cost").

Each check runs in a fresh interpreter: in the test process other tests have long since imported the
rule engines and built the schemas.
"""

from __future__ import annotations

import json

import pytest

from duelarena.tests.fresh_process import last_line


def _fresh(code: str, env: dict[str, str] | None = None) -> dict:
    return json.loads(last_line("import django; django.setup()\n" + code, env))


def test_the_api_and_the_list_read_path_load_no_rule_engine():
    """The API's URL patterns (every router) and the modules a game list goes through leave python-chess
    and the word list alone; a rule engine is loaded by the first call that needs that game's rules."""
    out = _fresh(
        "import json, sys\n"
        "import duelarena.api_urls, games.selectors, games.access, games.store, games.records\n"
        "from games.rules import get_rules\n"
        "heavy = ('chess', 'games.rules.chess_rules', 'games.rules.words')\n"
        "seen = {'api': sorted(m for m in heavy if m in sys.modules)}\n"
        "get_rules('rps')\n"
        "seen['rps'] = sorted(m for m in ('chess', 'games.rules.rps', 'games.rules.words') if m in sys.modules)\n"
        "get_rules('chess')\n"
        "seen['chess'] = 'chess' in sys.modules\n"
        "print(json.dumps(seen))"
    )
    assert out == {"api": [], "rps": ["games.rules.rps"], "chess": True}


def test_the_api_schemas_are_built_on_first_use():
    """Loading the API declares its ~90 models (the routers' schemas, and those ninja derives for each
    operation's parameters and each status code of its answers) without building one validator; those
    a request uses are built when it first validates (the OpenAPI document is pinned unchanged by
    games/tests/test_openapi_contract.py)."""
    out = _fresh(
        "import json\n"
        "import ninja, pydantic\n"
        "def models(cls=pydantic.BaseModel):\n"
        "    for sub in cls.__subclasses__():\n"
        "        yield sub\n"
        "        yield from models(sub)\n"
        "known = set(models())\n"
        "import duelarena.api_urls\n"
        "from games.schemas import GameListOut, ChessGameOut\n"
        "declared = [m for m in set(models()) if m not in known]\n"
        "built = sorted(m.__name__ for m in declared if m.__pydantic_complete__)\n"
        "seen = {'declared': len(declared) > 60, 'built': built}\n"
        "GameListOut.model_validate({'items': [], 'next_cursor': None})\n"
        "seen['one_used'] = [GameListOut.__pydantic_complete__, ChessGameOut.__pydantic_complete__]\n"
        "print(json.dumps(seen))"
    )
    assert out == {"declared": True, "built": [], "one_used": [True, False]}


def test_django_start_up_loads_no_social_auth_and_no_http_client():
    """social_django is not an installed app (its app config imported social-core, requests, openid and
    cryptography at every start, ~0.08 s): start-up and the API tree load none of them; Google sign-in
    loads them on its first use (accounts/google.py)."""
    from duelarena.tests.fresh_process import loaded_after

    heavy = ("social_core", "social_django", "requests", "openid", "cryptography", "jwt")
    assert loaded_after("duelarena.wsgi", heavy) == []
    assert loaded_after("duelarena.wsgi, duelarena.api_urls", heavy) == []


def test_operations_share_one_response_wrapper_per_answer_type():
    """ninja wraps every documented answer of every operation in a model; the API shares one wrapper per
    answer type (duelarena.api._share_response_models) instead of making one per (operation, status)."""
    out = _fresh(
        "import json\n"
        "import duelarena.api_urls\n"
        "from duelarena.api import api\n"
        "pairs = [(op, code, model) for _, router in api._routers for view in router.path_operations.values()\n"
        "         for op in view.operations for code, model in op.response_models.items() if model is not None]\n"
        "wrappers = {id(model) for _, _, model in pairs}\n"
        "types = {repr(model.model_fields['response'].annotation) for _, _, model in pairs}\n"
        "print(json.dumps({'pairs': len(pairs), 'wrappers': len(wrappers), 'types': len(types)}))"
    )
    assert out["pairs"] > 100 and out["wrappers"] == out["types"] < 20, out


@pytest.mark.integration
def test_the_first_game_list_read_imports_no_boto3_and_pauses_the_collector(ddb_local):
    """The first ``GET /api/games`` of a process, against DynamoDB Local: its client is botocore's, built
    without importing boto3 (its session, resource factory and s3transfer, ~21 ms), and the item values
    are decoded by ``duelarena.dynamo.attributes``; the cyclic collector does not run while the
    process-lifetime client is built (~40 collections, ~25 ms, before). Cold start: README, "Cost"."""
    from django.conf import settings

    out = _fresh(
        "import gc, json, sys\n"
        "from django.test import Client\n"
        "from duelarena import aws\n"
        "runs = []\n"
        "built = aws._build\n"
        "def counted(spec):\n"
        "    gc.callbacks.append(hook := lambda phase, info: runs.append(phase))\n"
        "    try:\n"
        "        return built(spec)\n"
        "    finally:\n"
        "        gc.callbacks.remove(hook)\n"
        "aws._build = counted\n"
        "answer = Client().get('/api/games')\n"
        "print(json.dumps({'status': answer.status_code, 'items': answer.json()['items'], 'collections': len(runs),\n"
        "    'loaded': sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 's3transfer'))}))",
        {"DYNAMODB_ENDPOINT_URL": settings.DYNAMODB_ENDPOINT_URL, "DYNAMODB_TABLE": settings.DYNAMODB_TABLE},
    )
    assert out == {"status": 200, "items": [], "collections": 0, "loaded": []}


def test_the_api_modules_give_pydantic_and_ninja_annotations_not_strings():
    """``from __future__ import annotations`` in a module that declares operations or schemas turns each
    annotation into a string that pydantic and ninja evaluate one by one when the API tree loads (~10 ms
    of the first API request): no such module uses it (duelarena/api.py)."""
    import __future__

    import sys

    import duelarena.api_urls  # noqa: F401 - every router mounted
    from duelarena.api import api

    modules = {"games.schemas"} | {
        operation.view_func.__module__
        for _, router in api._routers
        for view in router.path_operations.values()
        for operation in view.operations
    }
    assert {"accounts.api", "games.api", "games.players_api", "games.leaderboard_api"} <= modules
    assert [m for m in sorted(modules) if getattr(sys.modules[m], "annotations", None) is __future__.annotations] == []
