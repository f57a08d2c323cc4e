"""The container entrypoint's secret loading: one Secrets Manager secret (read with the one AWS client
factory's client), the JWT key derived when unset."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from deploy.entrypoint import derived_jwt_key, load_secrets
from duelarena import aws

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:duelarena/prod/app-AbCdEf"
DJANGO_KEY = "d" * 64


def stubbed(secret: dict[str, str]):
    client = boto3.client("secretsmanager", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_response(
        "get_secret_value",
        {"ARN": ARN, "Name": "duelarena/prod/app", "SecretString": json.dumps(secret)},
        {"SecretId": ARN},
    )
    stubber.activate()
    return client, stubber


def test_one_secret_loads_and_the_jwt_key_is_derived_when_empty():
    client, stubber = stubbed({"DJANGO_SECRET_KEY": DJANGO_KEY, "JWT_SIGNING_KEY": "", "OPENAI_API_KEY": "sk-1"})
    environ = {"APP_SECRETS_ARNS": ARN}
    loaded = load_secrets(environ, client)
    stubber.assert_no_pending_responses()
    assert sorted(loaded) == ["DJANGO_SECRET_KEY", "JWT_SIGNING_KEY", "OPENAI_API_KEY"]
    assert environ["DJANGO_SECRET_KEY"] == DJANGO_KEY and environ["OPENAI_API_KEY"] == "sk-1"
    jwt_key = environ["JWT_SIGNING_KEY"]
    assert jwt_key == derived_jwt_key(DJANGO_KEY) and len(jwt_key) == 64
    assert jwt_key != DJANGO_KEY and DJANGO_KEY not in jwt_key
    assert derived_jwt_key("e" * 64) != jwt_key  # a new Django key rotates the derived JWT key too


def test_a_jwt_key_set_in_the_secret_or_the_environment_wins():
    client, _ = stubbed({"DJANGO_SECRET_KEY": DJANGO_KEY, "JWT_SIGNING_KEY": "j" * 64})
    environ = {"APP_SECRETS_ARNS": ARN}
    load_secrets(environ, client)
    assert environ["JWT_SIGNING_KEY"] == "j" * 64
    client, _ = stubbed({"DJANGO_SECRET_KEY": DJANGO_KEY})
    environ = {"APP_SECRETS_ARNS": ARN, "JWT_SIGNING_KEY": "k" * 64}
    assert "JWT_SIGNING_KEY" not in load_secrets(environ, client)
    assert environ["JWT_SIGNING_KEY"] == "k" * 64


def test_no_secret_named_loads_nothing_and_makes_no_client():
    environ: dict[str, str] = {"DJANGO_SECRET_KEY": DJANGO_KEY}
    assert load_secrets(environ, client=object()) == [] and "JWT_SIGNING_KEY" not in environ


@pytest.mark.parametrize("name", ["AppFunction", "TurnFunction"])
def test_the_template_has_one_secret_and_each_function_reads_only_it(name):
    import yaml

    from deploy.tests.test_template import REPO, _CfnLoader

    template = yaml.load((REPO / "template.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    secrets = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::SecretsManager::Secret"]
    assert secrets == ["AppSecret"]
    generated = template["Resources"]["AppSecret"]["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "DJANGO_SECRET_KEY"
    assert "JWT_SIGNING_KEY" in json.loads(generated["SecretStringTemplate"])
    function = template["Resources"][name]["Properties"]
    assert function["Environment"]["Variables"]["APP_SECRETS_ARNS"] == {"Ref": "AppSecret"}
    statements = [s for p in function["Policies"] if isinstance(p, dict) and "Statement" in p for s in p["Statement"]]
    reads = [s for s in statements if "secretsmanager:GetSecretValue" in str(s["Action"])]
    assert len(reads) == 1 and reads[0]["Resource"] == {"Ref": "AppSecret"}


def test_secrets_are_loaded_with_the_factory_client_and_never_override_the_environment():
    aws.reset("secretsmanager")
    client = aws.client("secretsmanager", region="eu-west-1")  # the client load_secrets will get
    environ = {"APP_SECRETS_ARNS": ARN, "AWS_REGION": "eu-west-1", "JWT_SIGNING_KEY": "from-env"}
    secret = {"DJANGO_SECRET_KEY": "from-secret", "JWT_SIGNING_KEY": "ignored", "EMPTY": ""}
    with Stubber(client) as stubber:
        stubber.add_response("get_secret_value", {"SecretString": json.dumps(secret)}, {"SecretId": ARN})
        loaded = load_secrets(environ)
        stubber.assert_no_pending_responses()
    assert loaded == ["DJANGO_SECRET_KEY"]
    assert environ["DJANGO_SECRET_KEY"] == "from-secret" and environ["JWT_SIGNING_KEY"] == "from-env"
    assert "EMPTY" not in environ
    aws.reset("secretsmanager")


def test_no_secrets_named_builds_no_client():
    aws.reset("secretsmanager")
    assert load_secrets({}) == []
    assert not [spec for spec in aws._made if spec.service == "secretsmanager"]
