"""template.yaml declares exactly the table the code defines, routes only public paths, and lints clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from duelarena.dynamo.schema import TTL_ATTRIBUTE, table_definition

REPO = Path(__file__).resolve().parents[2]


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub...) as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}


_CfnLoader.add_multi_constructor("!", _tag)


def template() -> dict:
    return yaml.load((REPO / "template.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def test_table_matches_the_code_definition():
    table = template()["Resources"]["Table"]["Properties"]
    code = table_definition("any")
    assert table["BillingMode"] == code["BillingMode"] == "PAY_PER_REQUEST"
    assert sorted(map(str, table["AttributeDefinitions"])) == sorted(map(str, code["AttributeDefinitions"]))
    assert table["KeySchema"] == code["KeySchema"]

    def by_name(gsis):
        return {g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in gsis}

    assert by_name(table["GlobalSecondaryIndexes"]) == by_name(code["GlobalSecondaryIndexes"])
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_events_path_is_never_routed_over_http():
    function = template()["Resources"]["AppFunction"]["Properties"]
    paths = [e["Properties"].get("Path", "") for e in function["Events"].values() if e["Type"] == "HttpApi"]
    assert paths and not any(p.startswith("/events") or p in ("/{proxy+}", "$default") for p in paths)
    assert function["Environment"]["Variables"]["AWS_LWA_PASS_THROUGH_PATH"] == "/events"
    assert function["Environment"]["Variables"]["AWS_LWA_READINESS_CHECK_PATH"] == "/health"


def test_the_turn_function_gets_only_events_and_the_api_never_calls_models():
    resources = template()["Resources"]
    turns = resources["TurnFunction"]["Properties"]
    assert {e["Type"] for e in turns["Events"].values()} == {"SQS", "Schedule"}
    assert turns["Events"]["Sweep"]["Properties"]["Schedule"] == "rate(1 minute)"
    assert turns["Environment"]["Variables"]["AWS_LWA_PASS_THROUGH_PATH"] == "/events"
    api_sids = {s["Sid"] for s in resources["AppFunction"]["Properties"]["Policies"][0]["Statement"]}
    assert "InvokeBedrockModels" not in api_sids  # no model call runs inside an API request


def _statements(resources: dict, function: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in resources[function]["Properties"]["Policies"][0]["Statement"]}


def test_engine_work_has_its_own_queue_and_function():
    """EngineQueue (+DLQ, alarm) feeds EngineFunction, the same image with its own memory; the turn
    function and the API may send to it; only the engine function is its event source."""
    doc = template()
    resources = doc["Resources"]
    engine = resources["EngineFunction"]["Properties"]
    turns = resources["TurnFunction"]["Properties"]
    assert resources["EngineFunction"]["Metadata"] == resources["TurnFunction"]["Metadata"]  # the same image
    assert engine["MemorySize"] == {"Ref": "EngineMemorySize"}
    assert int(doc["Parameters"]["EngineMemorySize"]["Default"]) == 1024
    assert int(doc["Parameters"]["TurnMemorySize"]["Default"]) < 496  # sized without Stockfish
    assert {e["Type"] for e in engine["Events"].values()} == {"SQS"}  # the sweep stays on the turn function
    (source,) = engine["Events"].values()
    assert source["Properties"]["Queue"] == {"GetAtt": "EngineQueue.Arn"}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    env = engine["Environment"]["Variables"]
    assert env["ENGINE_WORKER"] == "true" and env["ENGINE_QUEUE_URL"] == {"Ref": "EngineQueue"}
    assert env["AWS_LWA_PASS_THROUGH_PATH"] == "/events"
    for function in ("TurnFunction", "AppFunction"):
        variables = resources[function]["Properties"]["Environment"]["Variables"]
        assert variables["ENGINE_QUEUE_URL"] == {"Ref": "EngineQueue"} and "ENGINE_WORKER" not in variables
        send = _statements(resources, function)["EnqueueTurns"]
        assert send["Action"] == "sqs:SendMessage" and {"GetAtt": "EngineQueue.Arn"} in send["Resource"]
    redrive = resources["EngineQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"GetAtt": "EngineDeadLetterQueue.Arn"}
    alarm = resources["EngineDeadLetterDepthAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"GetAtt": "EngineDeadLetterQueue.QueueName"}}]
    assert resources["EngineFunctionErrorsAlarm"]["Properties"]["Dimensions"][0]["Value"] == {"Ref": "EngineFunction"}
    engine_sids = set(_statements(resources, "EngineFunction"))
    assert "InvokeBedrockModels" not in engine_sids  # the engine calls no model
    assert "TableReadWrite" in engine_sids and "TableReadWrite" in _statements(resources, "TurnFunction")
    assert turns["MemorySize"] == {"Ref": "TurnMemorySize"}


def test_iam_is_scoped_to_own_resources():
    resources = template()["Resources"]
    statements = [
        *resources["AppFunction"]["Properties"]["Policies"][0]["Statement"],
        *resources["TurnFunction"]["Properties"]["Policies"][0]["Statement"],
        *resources["EngineFunction"]["Properties"]["Policies"][0]["Statement"],
    ]
    for statement in statements:
        assert statement["Resource"] != "*", statement["Sid"]
        assert not any(action.endswith(":*") for action in statement["Action"] if isinstance(action, str))
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert "dynamodb:Scan" not in actions and "dynamodb:DeleteTable" not in actions


@pytest.mark.slow
def test_cfn_lint_is_clean():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "template.yaml"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_static_files_from_s3_and_the_api_behind_one_distribution():
    doc = template()
    resources = doc["Resources"]
    bucket = resources["StaticBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())  # only CloudFront reads it
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["static"]["OriginAccessControlId"] == {"GetAtt": "StaticOriginAccessControl.Id"}
    assert origins["api"]["OriginPath"] == {"Sub": "/${EnvironmentName}"}
    assert "HttpApi" in origins["api"]["DomainName"]["Sub"]
    targets = {b["PathPattern"]: b["TargetOriginId"] for b in config["CacheBehaviors"]}
    assert targets == {
        "/static/*": "static",
        "/api/*": "api",
        "/auth/*": "api",
        "/admin/*": "api",
        "/health*": "api",
        "/watch*": "api",
    }
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "api"
    caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert all(b["CachePolicyId"] == caching_disabled for b in config["CacheBehaviors"] if b["TargetOriginId"] == "api")
    statement = resources["StaticBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"} and statement["Action"] == "s3:GetObject"
    assert "${Distribution}" in statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Sub"]
