"""What a game costs on AWS, measured: dollars per 1,000 games of each type and a month of 5,000 games.

Plays games through the real stack, in-process: Django middleware, django-ninja, service, store, on a
DynamoDB Local it starts itself (deploy/dynamodb_local.py). Turns take the queue path as on AWS:
``TASK_BACKEND=sqs``, the app's SendMessage calls go to a local SQS stand-in
(deploy/tests/test_lwa_sqs.py), and each message is POSTed to ``/events`` as the Lambda Web Adapter
would (one invocation per message: of the turn function for the turn queue's messages, of the engine
function, ``ENGINE_WORKER`` on, for the engine queue's: a chess game's Stockfish analysis). One seat
is a model played by the fake OpenAI-compatible server (tests/fakes/openai_server.py; priced, so the
budget writes happen), the other the game's built-in bot; every game runs at its default options (plus
``legal_moves_hint``, which the fake needs to play legal moves).

Pricing (us-east-1 list prices, no free tier; ``PRICES`` below, each with its source):

- DynamoDB on-demand. Every data call asks for ``ReturnConsumedCapacity=INDEXES``
  (duelarena/dynamo/connection.py, ``observe_calls``). Reads are priced as DynamoDB Local reports
  them. Writes are priced by AWS's rules from the items themselves, because DynamoDB Local
  over-reports transactions: 1 WRU per started KB of the larger of the item before and after (2 in a
  transaction), and for each GSI whose entry changes, 1 WRU per started KB of the projected entry (2
  writes when its key changes: delete + put). Item sizes follow AWS's rules (attribute names + values).
- Lambda: requests and GB-seconds at the template's MemorySize and architecture: the API function's,
  the turn function's (``TurnMemorySize``) and, for engine work, the engine function's
  (``EngineMemorySize``). An invocation's time is the measured time of the request in-process plus, for
  a turn, ``--model-seconds`` per model call (the function waits for the model); a cold start per game
  (``--init-seconds``) of each function the game used is added too.
- SQS: per message SendMessage + ReceiveMessage + DeleteMessage, and the idle long polls of each event
  source mapping (the turn queue's and the engine queue's: a fixed cost). API Gateway HTTP API: per
  request. Secrets: Secrets Manager per secret the template declares
  (none now); the SSM Parameter Store path each function reads (``APP_SECRETS_PATH``): standard parameters
  and GetParametersByPath at standard throughput are free, each SecureString parameter read is one KMS
  Decrypt (one read per cold start of each function; two parameters, ``PATH_PARAMETERS``: the Django key
  and one ``SECRETS`` parameter holding the other values, as README "Deploying to AWS" sets them up).
  CloudWatch Logs: ingestion of the bytes the app logs plus Lambda's START/END/REPORT lines.

Model tokens are not AWS cost and are excluded. The polling line: one watcher per live game sending a
conditional ``GET /api/games/{id}`` (``If-None-Match``) every 2 s, answered 304 after one GetItem, and
one ``GET .../moves?after=`` per turn.

    .venv/bin/python bench/cost.py [--games 2] [--model-seconds 2] [--only chess]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy import dynamodb_local  # noqa: E402

# USD, us-east-1, list prices (checked against the AWS pricing pages named; change here when they move).
PRICES = {
    # https://aws.amazon.com/dynamodb/pricing/on-demand/ (since 2024-11-01: halved from $1.25 / $0.25)
    "dynamodb_wru": 0.625 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,
    # https://aws.amazon.com/lambda/pricing/ (first tier)
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_s_x86_64": 0.0000166667,
    "lambda_gb_s_arm64": 0.0000133334,
    # https://aws.amazon.com/sqs/pricing/ (standard queue, 64 KB chunks)
    "sqs_request": 0.40 / 1e6,
    # https://aws.amazon.com/secrets-manager/pricing/ (per secret the template declares)
    "secret_month": 0.40,
    "secret_api_call": 0.05 / 1e4,
    # https://aws.amazon.com/systems-manager/pricing/ (Parameter Store: standard parameters and standard
    # throughput API calls, no additional charge)
    "ssm_standard_parameter_month": 0.0,
    "ssm_standard_api_call": 0.0,
    # https://aws.amazon.com/kms/pricing/ (symmetric key requests; the AWS managed key aws/ssm has no
    # monthly fee): SSM decrypts each SecureString value with one KMS Decrypt per read
    "kms_request": 0.03 / 1e4,
    # https://aws.amazon.com/cloudwatch/pricing/ (standard logs ingestion)
    "logs_gb": 0.50,
    # https://aws.amazon.com/api-gateway/pricing/ (HTTP API, first 300 M)
    "http_api_request": 1.00 / 1e6,
}
EARLIER_PRODUCT = "$1.50-5.50 a month for 5,000 games"
TARGET_MONTH = 5.00
MONTH_GAMES = 5000
CHESS_DEFAULT_PLIES = 300  # games/rules/chess_rules.py: the ``max_plies`` default
MONTH_SECONDS = 30 * 24 * 3600
POLL_SECONDS = 2.0
# Lambda writes START, END and REPORT lines per invocation (~320 bytes together, measured on AWS logs).
PLATFORM_LOG_BYTES = 320
# The SQS event source mapping long-polls an idle queue (20 s waits) with about 5 pollers at rest.
ESM_IDLE_RECEIVES_MONTH = 5 * MONTH_SECONDS / 20
EVENT_SOURCE_QUEUES = 2  # TurnQueue -> TurnFunction, EngineQueue -> EngineFunction (template.yaml)
GAME_TYPES = ("chess", "tictactoe", "rps", "racing", "words")
BOTS = {
    "chess": "builtin:random",
    "tictactoe": "builtin:random",
    "rps": "builtin:random",
    "racing": "builtin:racer",
    "words": "builtin:wordsmith",
}
MODEL = "fake:seat"
# A realistic price for the model seat, so the budget counters are written as for any priced model.
MODEL_PRICE = ["0.40", "1.60"]
KEY_NAME, KEY = "FAKE_KEY", "bench-endpoint-key-0123456789"


# ------------------------------------------------------------------------------------ item sizes


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes of one DynamoDB-JSON value by AWS's sizing rules (names counted by the caller)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_size(v) for k, v in inner.items())
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: v}) for v in inner)
    raise ValueError(kind)


def item_size(item: dict[str, Any] | None, only: set[str] | None = None) -> int:
    if not item:
        return 0
    return sum(len(k.encode()) + attribute_size(v) for k, v in item.items() if only is None or k in only)


def kb_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


# ------------------------------------------------------------------------------ the call observer


@dataclass
class Bill:
    """DynamoDB use of a stretch of work, priced by AWS's rules."""

    calls: int = 0
    rru: float = 0.0
    wru_table: float = 0.0
    wru_index: float = 0.0
    reported_wcu: float = 0.0  # what DynamoDB Local said, for comparison
    by_operation: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # write units by kind of item (``<pk prefix>/<sk prefix>``, e.g. ``GAME/META``, ``GAME/MOVE``) and
    # by index (``gsi5``): where a turn's writes go
    wru_by_item: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def wru(self) -> float:
        return self.wru_table + self.wru_index

    def add(self, other: Bill) -> None:
        self.calls += other.calls
        self.rru += other.rru
        self.wru_table += other.wru_table
        self.wru_index += other.wru_index
        self.reported_wcu += other.reported_wcu
        for name, count in other.by_operation.items():
            self.by_operation[name] += count
        for name, units in other.wru_by_item.items():
            self.wru_by_item[name] += units

    def dollars(self) -> float:
        return self.rru * PRICES["dynamodb_rru"] + self.wru * PRICES["dynamodb_wru"]


class Meter:
    """Observes every DynamoDB call of the app and prices it (see the module docstring).

    Keeps the last known version of every item written (from the Put itself, or read back after an
    update with a client of its own that is not observed), so a write is priced on the larger of the
    item before and after, and each GSI entry on what changed in it."""

    def __init__(self, client: Any, table: str, indexes: dict[str, dict[str, Any]]):
        self.client = client
        self.table = table
        self.indexes = indexes  # name -> {"keys": (pk, sk), "projection": {...}}
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.bill = Bill()

    def take(self) -> Bill:
        with self.lock:
            bill, self.bill = self.bill, Bill()
        return bill

    def __call__(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        consumed = parsed.get("ConsumedCapacity")
        consumed_list = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        reported = sum(float(c.get("CapacityUnits") or 0) for c in consumed_list)
        with self.lock:
            bill = self.bill
            bill.calls += 1
            bill.by_operation[operation] += 1
            if operation in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
                bill.rru += reported
                return
            bill.reported_wcu += reported
            if "Error" in parsed:
                return  # a failed conditional write costs too, but the bench's games do not race
        if operation == "PutItem":
            self._written(params["Item"], transactional=False, put=True)
        elif operation in ("UpdateItem", "DeleteItem"):
            self._written(params["Key"], transactional=False, put=False, delete=operation == "DeleteItem")
        elif operation == "TransactWriteItems":
            for action in params["TransactItems"]:
                ((kind, body),) = action.items()
                if kind == "Put":
                    self._written(body["Item"], transactional=True, put=True)
                elif kind in ("Update", "Delete"):
                    self._written(body["Key"], transactional=True, put=False, delete=kind == "Delete")
                elif kind == "ConditionCheck":
                    before = self.items.get(self._key(body["Key"]))
                    with self.lock:
                        self.bill.wru_table += 2 * kb_units(item_size(before))
                        self.bill.wru_by_item[self._kind(body["Key"])] += 2 * kb_units(item_size(before))
        elif operation == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                for request in requests:
                    if "PutRequest" in request:
                        self._written(request["PutRequest"]["Item"], transactional=False, put=True)
                    else:
                        self._written(request["DeleteRequest"]["Key"], transactional=False, put=False, delete=True)

    @staticmethod
    def _key(item: dict[str, Any]) -> tuple[str, str]:
        return item["pk"]["S"], item["sk"]["S"]

    @staticmethod
    def _kind(item: dict[str, Any]) -> str:
        return f"{item['pk']['S'].split('#')[0]}/{item['sk']['S'].split('#')[0]}"

    def _written(self, item_or_key: dict[str, Any], *, transactional: bool, put: bool, delete: bool = False) -> None:
        key = self._key(item_or_key)
        before = self.items.get(key)
        if delete:
            after = None
        elif put:
            after = item_or_key
        else:
            answer = self.client.get_item(
                TableName=self.table, Key={"pk": item_or_key["pk"], "sk": item_or_key["sk"]}, ConsistentRead=True
            )
            after = answer.get("Item")
        table_units = kb_units(max(item_size(before), item_size(after)))
        per_index = {name: self._index_units(spec, before, after) for name, spec in self.indexes.items()}
        index_units = sum(per_index.values())
        with self.lock:
            self.bill.wru_table += table_units * (2 if transactional else 1)
            self.bill.wru_index += index_units
            self.bill.wru_by_item[self._kind(item_or_key)] += table_units * (2 if transactional else 1)
            for name, units in per_index.items():
                if units:
                    self.bill.wru_by_item[name] += units
            if after is None:
                self.items.pop(key, None)
            else:
                self.items[key] = after

    @staticmethod
    def _index_units(spec: dict[str, Any], before: dict | None, after: dict | None) -> int:
        pk_name, sk_name = spec["keys"]

        def entry(item: dict | None) -> dict | None:
            if not item or pk_name not in item or sk_name not in item:
                return None
            projection = spec["projection"]
            if projection["ProjectionType"] == "ALL":
                return item
            names = {"pk", "sk", pk_name, sk_name, *projection.get("NonKeyAttributes", [])}
            return {k: v for k, v in item.items() if k in names}

        old, new = entry(before), entry(after)
        if old is None and new is None:
            return 0
        if old is None:
            return kb_units(item_size(new))
        if new is None:
            return kb_units(item_size(old))
        if (old[pk_name], old[sk_name]) != (new[pk_name], new[sk_name]):
            return kb_units(item_size(old)) + kb_units(item_size(new))
        return kb_units(item_size(new)) if old != new else 0


# ---------------------------------------------------------------------------------- measurements


@dataclass
class Invocation:
    seconds: float  # measured in-process, model calls excluded
    model_calls: int
    log_bytes: int
    bill: Bill


@dataclass
class GameRun:
    game_type: str
    plies: int
    turns: list[Invocation]
    api: list[Invocation]
    sqs_messages: int
    poll_304: Invocation
    poll_moves: Invocation
    game_item_bytes: int
    termination: str | None
    engine: list[Invocation] = field(default_factory=list)  # the engine function's invocations


class LogCounter(io.TextIOBase):
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        return len(text)


def template_function() -> tuple[int, int, int, str, int, int]:
    """From template.yaml: the API's, the turn function's and the engine function's memory (defaults), the
    architecture, the Secrets Manager secrets it declares, and how many of the API and turn functions read
    an SSM secrets path at start (every game uses both; the engine function is counted per game that
    used it, ``game_cost``)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", tag)
    template = yaml.load((REPO / "template.yaml").read_text(), Loader=Loader)  # noqa: S506 - SafeLoader subclass
    parameters = template["Parameters"]
    memory = {}
    for name in ("AppFunction", "TurnFunction", "EngineFunction"):
        value = template["Resources"][name]["Properties"]["MemorySize"]
        memory[name] = int(parameters[value["Ref"]]["Default"] if isinstance(value, dict) else value)
    arch = template.get("Globals", {}).get("Function", {}).get("Architectures", ["x86_64"])[0]
    secrets = sum(1 for r in template["Resources"].values() if r["Type"] == "AWS::SecretsManager::Secret")
    path_readers = sum(
        1
        for name in ("AppFunction", "TurnFunction")
        if "APP_SECRETS_PATH" in template["Resources"][name]["Properties"]["Environment"]["Variables"]
    )
    return memory["AppFunction"], memory["TurnFunction"], memory["EngineFunction"], arch, secrets, path_readers


def path_reads_per_game(path_readers: int) -> int:
    """Reads of the secrets path per game: one per function at its cold start (the entrypoint; the
    provider-key store counts that read as its first, ``llm.secrets``, and re-reads only after its 300 s
    TTL, which a sandbox that lives one game does not reach)."""
    return path_readers


# The SecureString parameters under the secrets path as README "Deploying to AWS" has the operator make
# them: DJANGO_SECRET_KEY (deploy/deploy.sh creates it on the first deploy) and one SECRETS parameter
# holding the other values (``duelarena.parameters.BUNDLE_NAME``). A parameter per value would be
# ``len(SECRET_NAMES)``: six.
PATH_PARAMETERS = 2


def path_read_dollars() -> float:
    """One read of the path: GetParametersByPath pages (free) and one KMS Decrypt per SecureString
    parameter (``PATH_PARAMETERS``)."""
    from duelarena.parameters import PAGE_SIZE

    pages = math.ceil(PATH_PARAMETERS / PAGE_SIZE)
    return pages * PRICES["ssm_standard_api_call"] + PATH_PARAMETERS * PRICES["kms_request"]


def measure_init_seconds() -> float:
    """Time to import the app and build its WSGI handler in a fresh interpreter (the INIT phase)."""
    code = (
        "import time; t = time.perf_counter(); import django; from django.core.wsgi import "
        "get_wsgi_application; get_wsgi_application(); print(time.perf_counter() - t)"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="duelarena.settings")
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def play_games(args: argparse.Namespace) -> tuple[list[GameRun], Invocation]:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts import tokens, users
    from deploy.tests.test_lwa_sqs import SQSStandIn, sqs_event
    from duelarena.dynamo import connection, schema, tables
    from games import store
    from games.events import LWA_EVENT_CONTEXT

    devnull_counter = LogCounter()
    for handler in logging.getLogger().handlers + logging.getLogger("django").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull_counter)

    tables.create_table()
    import boto3

    own_client = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"], region_name="us-east-1")
    definition = schema.table_definition(os.environ["DYNAMODB_TABLE"])
    indexes = {
        g["IndexName"]: {"keys": tuple(k["AttributeName"] for k in g["KeySchema"]), "projection": g["Projection"]}
        for g in definition["GlobalSecondaryIndexes"]
    }
    meter = Meter(own_client, os.environ["DYNAMODB_TABLE"], indexes)
    connection.observe_calls(meter)

    sqs: SQSStandIn = args.sqs
    fake = args.fake
    user = users.create("bench-cost@example.com")[0]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue_access(user)}"}
    client = Client()

    def timed(method: str, path: str, **kwargs: Any) -> tuple[Any, Invocation]:
        meter.take()
        served = len(fake.served())
        logged = devnull_counter.bytes
        started = time.perf_counter()
        reply = getattr(client, method)(path, **kwargs)
        seconds = time.perf_counter() - started
        return reply, Invocation(seconds, len(fake.served()) - served, devnull_counter.bytes - logged, meter.take())

    runs: list[GameRun] = []
    types = [args.only] if args.only else list(GAME_TYPES)
    for game_type in types:
        for n in range(args.games):
            api: list[Invocation] = []
            turns: list[Invocation] = []
            reply, inv = timed(
                "post",
                "/api/games",
                data={
                    "game_type": game_type,
                    "white_model": MODEL,
                    "black_model": BOTS[game_type],
                    "options": {"legal_moves_hint": True, "seed": 1000 + n},
                },
                content_type="application/json",
                **auth,
            )
            assert reply.status_code == 201, reply.content[:300]
            api.append(inv)
            game_id = reply.json()["id"]
            reply, inv = timed("post", f"/api/games/{game_id}/autoplay", **auth)
            assert reply.status_code == 200, reply.content[:300]
            api.append(inv)
            engine_turns: list[Invocation] = []
            messages = 0
            idle = 0
            while True:
                batch = [(False, m) for m in sqs.take()] + [(True, m) for m in sqs.take(args.engine_queue_url)]
                if not batch:
                    game = store.get(game_id)
                    if game is None or not game.is_live or idle > 3:
                        break
                    idle += 1
                    time.sleep(0.05)
                    continue
                idle = 0
                for on_engine, message in batch:  # one game: one message at a time, one invocation each
                    messages += 1
                    settings.ENGINE_WORKER = on_engine  # this process stands for the engine function
                    try:
                        reply, inv = timed(
                            "post",
                            "/events",
                            data=json.dumps(sqs_event([message])),
                            content_type="application/json",
                            HTTP_X_AMZN_REQUEST_CONTEXT=LWA_EVENT_CONTEXT,
                        )
                    finally:
                        settings.ENGINE_WORKER = False
                    assert reply.status_code == 200 and not reply.json()["batchItemFailures"], reply.content[:300]
                    (engine_turns if on_engine else turns).append(inv)
            game = store.get(game_id)
            assert game is not None
            etag_reply = client.get(f"/api/games/{game_id}")
            _, poll_304 = timed("get", f"/api/games/{game_id}", HTTP_IF_NONE_MATCH=etag_reply["ETag"])
            _, poll_moves = timed("get", f"/api/games/{game_id}/moves?after={max(0, game.ply - 2)}")
            raw = own_client.get_item(
                TableName=os.environ["DYNAMODB_TABLE"], Key={"pk": {"S": f"GAME#{game_id}"}, "sk": {"S": "META"}}
            )["Item"]
            runs.append(
                GameRun(
                    game_type,
                    game.ply,
                    turns,
                    api,
                    messages,
                    poll_304,
                    poll_moves,
                    item_size(raw),
                    game.termination,
                    engine_turns,
                )
            )
            print(
                f"  {game_type:10} game {n + 1}: {game.ply} plies, {game.status}/{game.termination}, "
                f"{len(turns)} turn + {len(engine_turns)} engine invocations, game item {item_size(raw)} B",
                file=sys.stderr,
            )

    # One scheduled sweep (every minute on AWS) with nothing overdue: its Queries and time.
    sweep_event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    _, sweep = timed(
        "post",
        "/events",
        data=json.dumps(sweep_event),
        content_type="application/json",
        HTTP_X_AMZN_REQUEST_CONTEXT=LWA_EVENT_CONTEXT,
    )
    connection.observe_calls(None)
    return runs, sweep


# ------------------------------------------------------------------------------------------ prices


@dataclass
class Cost:
    dynamodb: float = 0.0
    lambda_: float = 0.0
    sqs: float = 0.0
    api: float = 0.0
    logs: float = 0.0
    secrets: float = 0.0

    @property
    def total(self) -> float:
        return self.dynamodb + self.lambda_ + self.sqs + self.api + self.logs + self.secrets

    def scaled(self, k: float) -> Cost:
        return Cost(*(getattr(self, f) * k for f in ("dynamodb", "lambda_", "sqs", "api", "logs", "secrets")))

    def plus(self, other: Cost) -> Cost:
        return Cost(
            *(getattr(self, f) + getattr(other, f) for f in ("dynamodb", "lambda_", "sqs", "api", "logs", "secrets"))
        )


def lambda_dollars(inv: Invocation, gb: float, gb_s_price: float, model_seconds: float) -> float:
    billed = math.ceil((inv.seconds + inv.model_calls * model_seconds) * 1000) / 1000
    return PRICES["lambda_request"] + billed * gb * gb_s_price


def invocation_cost(inv: Invocation, gb: float, gb_s_price: float, model_seconds: float, *, http: bool) -> Cost:
    return Cost(
        dynamodb=inv.bill.dollars(),
        lambda_=lambda_dollars(inv, gb, gb_s_price, model_seconds),
        api=PRICES["http_api_request"] if http else 0.0,
        logs=(inv.log_bytes + PLATFORM_LOG_BYTES) / 1e9 * PRICES["logs_gb"],
    )


def game_cost(
    run: GameRun, api_gb: float, gb: float, engine_gb: float, gb_s_price: float, args: argparse.Namespace
) -> tuple[Cost, Cost, float]:
    """(the game's cost, its polling cost, its live seconds); ``gb``: the turn function's memory,
    ``engine_gb`` the engine function's (its invocations: a chess game's analysis)."""
    cost = Cost()
    for inv in run.api:
        cost = cost.plus(invocation_cost(inv, api_gb, gb_s_price, 0, http=True))
    live = 0.0
    for inv in run.turns:
        cost = cost.plus(invocation_cost(inv, gb, gb_s_price, args.model_seconds, http=False))
        live += inv.seconds + inv.model_calls * args.model_seconds
    for inv in run.engine:
        cost = cost.plus(invocation_cost(inv, engine_gb, gb_s_price, args.model_seconds, http=False))
    cost.sqs += run.sqs_messages * 3 * PRICES["sqs_request"]  # send, receive, delete
    # A cold start per game for each function it used (INIT is billed for container images), and each
    # one's read of the secrets path at its start.
    starts = 2 + (1 if run.engine else 0)
    cost.lambda_ += args.init_seconds * (api_gb + gb + (engine_gb if run.engine else 0.0)) * gb_s_price
    cost.secrets += starts * args.secret_calls_per_start * PRICES["secret_api_call"]
    cost.secrets += (args.path_reads_per_game + (1 if run.engine else 0)) * path_read_dollars()
    polls = live / POLL_SECONDS
    polling = invocation_cost(run.poll_304, api_gb, gb_s_price, 0, http=True).scaled(polls)
    polling = polling.plus(invocation_cost(run.poll_moves, api_gb, gb_s_price, 0, http=True).scaled(len(run.turns)))
    return cost, polling, live


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=2, help="games per type (averaged)")
    parser.add_argument("--model-seconds", type=float, default=2.0, help="latency of one model call")
    parser.add_argument("--init-seconds", type=float, default=None, help="INIT time per cold start (measured)")
    parser.add_argument(
        "--secret-calls-per-start",
        type=int,
        default=None,
        help="GetSecretValue calls per cold start (default: the template's secret count)",
    )
    parser.add_argument(
        "--path-reads-per-game",
        type=int,
        default=None,
        help="reads of the SSM secrets path per game (default: one per function that reads it)",
    )
    parser.add_argument("--memory", type=int, help="override the API function's memory (MB)")
    parser.add_argument("--turn-memory", type=int, help="override the turn function's memory (MB)")
    parser.add_argument("--engine-memory", type=int, help="override the engine function's memory (MB)")
    parser.add_argument("--arch", choices=("x86_64", "arm64"), help="override the template's architecture")
    parser.add_argument("--only", choices=GAME_TYPES)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()

    memory, turn_memory, engine_memory, arch, secret_count, path_readers = template_function()
    memory = args.memory or memory
    turn_memory = args.turn_memory or turn_memory
    engine_memory = args.engine_memory or engine_memory
    arch = args.arch or arch
    if args.secret_calls_per_start is None:
        args.secret_calls_per_start = secret_count
    if args.path_reads_per_game is None:
        args.path_reads_per_game = path_reads_per_game(path_readers)
    api_gb, gb, engine_gb = memory / 1024, turn_memory / 1024, engine_memory / 1024
    gb_s_price = PRICES[f"lambda_gb_s_{arch}"]

    from deploy.tests.test_lwa_sqs import SQSStandIn
    from tests.fakes.openai_server import FakeOpenAI

    port = dynamodb_local.free_port()
    ddb = dynamodb_local.start(port, None)
    sqs = SQSStandIn()
    args.engine_queue_url = sqs.add_queue("bench-engine")
    threading.Thread(target=sqs.serve_forever, daemon=True).start()
    fake = FakeOpenAI(api_key=KEY, seed=7).start()
    args.sqs, args.fake = sqs, fake
    os.environ.update(
        DJANGO_SETTINGS_MODULE="duelarena.settings",
        DUELARENA_ENV="local",
        DJANGO_DEBUG="0",
        DYNAMODB_TABLE="bench-cost",
        DYNAMODB_ENDPOINT_URL=dynamodb_local.endpoint(port),
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - DynamoDB Local accepts anything
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        LOG_LEVEL="INFO",
        TASK_BACKEND="sqs",
        TURN_QUEUE_URL=sqs.queue_url,
        ENGINE_QUEUE_URL=args.engine_queue_url,
        SQS_ENDPOINT_URL=sqs.endpoint,
        LLM_ENDPOINTS=json.dumps({"fake": {"base_url": fake.base_url, "api_key_env": KEY_NAME, "models": ["seat"]}}),
        LLM_PRICES=json.dumps({MODEL: MODEL_PRICE}),
        APP_SECRETS_PATH="",
        AUTOPLAY_TURN_DELAY_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        **{KEY_NAME: KEY},
    )
    if args.init_seconds is None:
        args.init_seconds = measure_init_seconds()
    try:
        runs, sweep = play_games(args)
    finally:
        fake.stop()
        sqs.shutdown()
        dynamodb_local.stop_process(ddb)

    by_type: dict[str, list[GameRun]] = defaultdict(list)
    for run in runs:
        by_type[run.game_type].append(run)

    print(
        f"AWS cost per game, measured on DynamoDB Local through the queue path (API {memory} MB, turns "
        f"{turn_memory} MB, engine {engine_memory} MB, {arch}, "
        f"{args.model_seconds:g} s per model call, no free tier, us-east-1 list prices)"
    )
    header = (
        f"{'game':10} {'plies':>6} {'calls/turn':>10} {'RRU/turn':>9} {'WRU/turn':>9} {'idx WRU %':>9} "
        f"{'item B':>7} {'ms/turn':>8} {'DynamoDB':>9} {'Lambda':>8} {'other':>7} {'$/1000':>8} "
        f"{'$/1k ply':>8} {'poll $/1000':>11}"
    )
    print(header)
    per_game: dict[str, Cost] = {}
    per_poll: dict[str, float] = {}
    per_ply: dict[str, float] = {}
    figures: dict[str, Any] = {}
    for game_type, group in by_type.items():
        costs = [game_cost(r, api_gb, gb, engine_gb, gb_s_price, args) for r in group]
        mean = Cost()
        for c, _, _ in costs:
            mean = mean.plus(c.scaled(1 / len(costs)))
        poll = sum(p.total for _, p, _ in costs) / len(costs)
        plies = statistics.mean(r.plies for r in group)
        turns = [t for r in group for t in r.turns]
        bill = Bill()
        for t in turns:
            bill.add(t.bill)
        n = max(1, len(turns))
        per_game[game_type], per_poll[game_type] = mean, poll
        per_ply[game_type] = mean.total / max(plies, 1)
        index_share = bill.wru_index / bill.wru * 100 if bill.wru else 0.0
        other = mean.sqs + mean.api + mean.logs + mean.secrets
        item_bytes = max(r.game_item_bytes for r in group)
        ms_turn = statistics.mean(t.seconds for t in turns) * 1000 if turns else 0.0
        print(
            f"{game_type:10} {plies:6.0f} {bill.calls / n:10.2f} {bill.rru / n:9.2f} {bill.wru / n:9.2f} "
            f"{index_share:8.0f}% {item_bytes:7d} {ms_turn:8.1f} {mean.dynamodb * 1000:9.3f} "
            f"{mean.lambda_ * 1000:8.3f} {other * 1000:7.3f} {mean.total * 1000:8.3f} "
            f"{per_ply[game_type] * 1e6:8.3f} {poll * 1000:11.3f}"
        )
        figures[game_type] = {
            "plies": plies,
            "calls_per_turn": bill.calls / n,
            "rru_per_turn": bill.rru / n,
            "wru_per_turn": bill.wru / n,
            "index_wru_share": index_share,
            "game_item_bytes": item_bytes,
            "ms_per_turn": ms_turn,
            "per_1000_games": mean.total * 1000,
            "poll_per_1000_games": poll * 1000,
            "reported_wcu_per_turn": bill.reported_wcu / n,
            # per ply too: a turn that writes a bot's reply with a model's move plays two plies
            "turns_per_game": len(turns) / len(group),
            "calls_per_ply": bill.calls / max(1.0, plies * len(group)),
            "wru_per_ply": bill.wru / max(1.0, plies * len(group)),
            "rru_per_ply": bill.rru / max(1.0, plies * len(group)),
            "wru_per_ply_by_item": {
                name: round(units / max(1.0, plies * len(group)), 2)
                for name, units in sorted(bill.wru_by_item.items(), key=lambda kv: -kv[1])
            },
            "operations": dict(sum((Counter(t.bill.by_operation) for t in turns), Counter())),
            "engine_invocations_per_game": sum(len(r.engine) for r in group) / len(group),
            "engine_ms_per_game": sum(i.seconds for r in group for i in r.engine) * 1000 / len(group),
        }

    month_games = MONTH_GAMES / len(per_game)
    month = Cost()
    for cost in per_game.values():
        month = month.plus(cost.scaled(month_games))
    sweeps = MONTH_SECONDS / 60
    fixed = Cost(
        secrets=secret_count * PRICES["secret_month"]
        + (PATH_PARAMETERS * PRICES["ssm_standard_parameter_month"] if path_readers else 0.0),
        # Each SQS event source mapping (the turn queue's, the engine queue's) long-polls its queue when idle.
        sqs=EVENT_SOURCE_QUEUES * ESM_IDLE_RECEIVES_MONTH * PRICES["sqs_request"],
    ).plus(invocation_cost(sweep, gb, gb_s_price, 0, http=False).scaled(sweeps))
    month_total = month.plus(fixed)
    polling_month = sum(p * month_games for p in per_poll.values())
    print()
    print(f"a month of {MONTH_GAMES} games (even mix, default options), AWS only, model tokens excluded:")
    print(
        f"  DynamoDB ${month_total.dynamodb:.2f}  Lambda ${month_total.lambda_:.2f}  SQS ${month_total.sqs:.2f}  "
        f"API ${month_total.api:.2f}  logs ${month_total.logs:.2f}  secrets ${month_total.secrets:.2f}"
    )
    print(
        f"  games ${month.total:.2f} + fixed ${fixed.total:.2f} (secrets, the sweeper every minute, idle polls of "
        f"{EVENT_SOURCE_QUEUES} queues ${fixed.sqs:.2f}) = ${month_total.total:.2f}   "
        f"(earlier product: {EARLIER_PRODUCT}; target <= ${TARGET_MONTH:.2f})"
    )
    print(
        f"  with one watcher per live game polling every {POLL_SECONDS:g} s: +${polling_month:.2f} "
        f"= ${month_total.total + polling_month:.2f}"
    )
    # Chess games end when they end (random against random mostly reaches the limit, sometimes a mate
    # comes first), so the month also as if every chess game ran to its default limit: the measured cost
    # per chess ply times the default plies. The target is judged on the larger of the two.
    worst_month = month_total.total
    if "chess" in per_game:
        full = CHESS_DEFAULT_PLIES * per_ply["chess"]
        worst_month = month_total.total + (full - per_game["chess"].total) * month_games
        print(
            f"  with every chess game at its {CHESS_DEFAULT_PLIES}-ply default (measured "
            f"{figures['chess']['plies']:.0f} on average): ${worst_month:.2f}"
        )
    if "chess" in per_ply and "tictactoe" in per_ply:
        ratio = per_ply["chess"] / per_ply["tictactoe"]
        print(f"  chess per ply / tic-tac-toe per ply: {ratio:.2f}x (target <= 3x)")
    print(
        f"  (INIT {args.init_seconds:.2f} s per cold start, one per game per function; sweep invocation "
        f"{sweep.seconds * 1000:.0f} ms, {sweep.bill.calls} calls; peak RSS of this process, app + bench: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "month": month_total.total,
                    "month_chess_at_default_plies": worst_month,
                    "polling_month": polling_month,
                    "memory": memory,
                    "turn_memory": turn_memory,
                    "engine_memory": engine_memory,
                    "fixed": fixed.total,
                    "fixed_sqs_idle_polls": fixed.sqs,
                    "lines": {
                        "dynamodb": month_total.dynamodb,
                        "lambda": month_total.lambda_,
                        "sqs": month_total.sqs,
                        "api": month_total.api,
                        "logs": month_total.logs,
                        "secrets": month_total.secrets,
                    },
                    "arch": arch,
                    "types": figures,
                },
                indent=1,
            )
        )
    ok = max(month_total.total, worst_month) <= TARGET_MONTH
    if "chess" in per_ply and "tictactoe" in per_ply:
        ok &= per_ply["chess"] / per_ply["tictactoe"] <= 3
    return 0 if ok or args.only else 1


if __name__ == "__main__":
    sys.exit(main())
