"""The container entrypoint's secret loading: the parameters under one SSM path (GetParametersByPath,
decrypted, paginated; read with the one AWS client factory's client), the JWT key derived when unset,
and never a value in what it prints."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.stub import Stubber

from deploy import entrypoint
from deploy.entrypoint import MissingSecrets, derived_jwt_key, load_secrets
from duelarena import aws
from duelarena.parameters import SECRET_NAMES, ParametersUnavailable

PATH = "/duelarena/prod"
DJANGO_KEY = "d" * 64
FIRST_PAGE = {"Path": PATH, "Recursive": False, "WithDecryption": True, "MaxResults": 10}


def page(values: dict[str, str], next_token: str | None = None) -> dict:
    answer: dict = {
        "Parameters": [
            {"Name": f"{PATH}/{name}", "Type": "SecureString", "Value": value, "Version": 1}
            for name, value in values.items()
        ]
    }
    if next_token:
        answer["NextToken"] = next_token
    return answer


def stubbed(*pages: dict):
    """A real ssm client under Stubber answering ``pages`` in order (NextToken chains them)."""
    client = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    token = None
    for answer in pages:
        stubber.add_response(
            "get_parameters_by_path", answer, {**FIRST_PAGE, **({"NextToken": token} if token else {})}
        )
        token = answer.get("NextToken")
    stubber.activate()
    return client, stubber


def test_every_page_of_the_path_loads_and_the_jwt_key_is_derived_when_absent():
    client, stubber = stubbed(
        page({"DJANGO_SECRET_KEY": DJANGO_KEY, "GOOGLE_OAUTH2_CLIENT_ID": "cid"}, next_token="t1"),
        page({"OPENAI_API_KEY": "sk-1", "ANTHROPIC_API_KEY": ""}, next_token="t2"),
        page({"GOOGLE_OAUTH2_CLIENT_SECRET": "gsecret"}),
    )
    environ = {"APP_SECRETS_PATH": PATH + "/"}  # a trailing slash is accepted
    loaded = load_secrets(environ, client)
    stubber.assert_no_pending_responses()
    assert sorted(loaded) == [
        "DJANGO_SECRET_KEY",
        "GOOGLE_OAUTH2_CLIENT_ID",
        "GOOGLE_OAUTH2_CLIENT_SECRET",
        "JWT_SIGNING_KEY",
        "OPENAI_API_KEY",
    ]
    assert environ["DJANGO_SECRET_KEY"] == DJANGO_KEY and environ["OPENAI_API_KEY"] == "sk-1"
    assert environ["GOOGLE_OAUTH2_CLIENT_SECRET"] == "gsecret" and "ANTHROPIC_API_KEY" not in environ
    jwt_key = environ["JWT_SIGNING_KEY"]
    assert jwt_key == derived_jwt_key(DJANGO_KEY) and len(jwt_key) == 64
    assert jwt_key != DJANGO_KEY and DJANGO_KEY not in jwt_key
    assert derived_jwt_key("e" * 64) != jwt_key  # a new Django key rotates the derived JWT key too


def test_a_jwt_key_under_the_path_or_in_the_environment_wins():
    client, _ = stubbed(page({"DJANGO_SECRET_KEY": DJANGO_KEY, "JWT_SIGNING_KEY": "j" * 64}))
    environ = {"APP_SECRETS_PATH": PATH}
    load_secrets(environ, client)
    assert environ["JWT_SIGNING_KEY"] == "j" * 64
    client, _ = stubbed(page({"DJANGO_SECRET_KEY": DJANGO_KEY}))
    environ = {"APP_SECRETS_PATH": PATH, "JWT_SIGNING_KEY": "k" * 64}
    assert "JWT_SIGNING_KEY" not in load_secrets(environ, client)
    assert environ["JWT_SIGNING_KEY"] == "k" * 64


def test_a_missing_django_key_stops_the_start_naming_it_and_changes_nothing():
    client, stubber = stubbed(page({"OPENAI_API_KEY": "sk-not-in-the-message-123"}))
    environ = {"APP_SECRETS_PATH": PATH}
    with pytest.raises(MissingSecrets) as missing:
        load_secrets(environ, client)
    stubber.assert_no_pending_responses()
    assert str(missing.value).startswith(f"missing under {PATH}: DJANGO_SECRET_KEY")
    assert "sk-not-in" not in str(missing.value)
    assert environ == {"APP_SECRETS_PATH": PATH}
    # ...unless the environment has it (a variable set on the function wins over the path).
    client, _ = stubbed(page({"OPENAI_API_KEY": "sk-2"}))
    environ = {"APP_SECRETS_PATH": PATH, "DJANGO_SECRET_KEY": DJANGO_KEY}
    assert sorted(load_secrets(environ, client)) == ["JWT_SIGNING_KEY", "OPENAI_API_KEY"]


def test_one_secrets_parameter_fills_its_names_and_a_parameter_of_its_own_wins():
    """SECRETS (one JSON parameter, one KMS Decrypt a read) fills the names it holds, of SECRET_NAMES only;
    a parameter named after a variable wins over the same name in it (one value rotated alone)."""
    bundle = {"OPENAI_API_KEY": "sk-in-bundle", "GOOGLE_OAUTH2_CLIENT_SECRET": "g-old", "PATH": "/evil", "X": ""}
    client, stubber = stubbed(
        page({"DJANGO_SECRET_KEY": DJANGO_KEY, "SECRETS": json.dumps(bundle), "GOOGLE_OAUTH2_CLIENT_SECRET": "g-new"})
    )
    environ = {"APP_SECRETS_PATH": PATH}
    loaded = load_secrets(environ, client)
    stubber.assert_no_pending_responses()
    assert sorted(loaded) == ["DJANGO_SECRET_KEY", "GOOGLE_OAUTH2_CLIENT_SECRET", "JWT_SIGNING_KEY", "OPENAI_API_KEY"]
    assert environ["OPENAI_API_KEY"] == "sk-in-bundle" and environ["GOOGLE_OAUTH2_CLIENT_SECRET"] == "g-new"
    assert "PATH" not in environ and "SECRETS" not in environ and "X" not in environ


@pytest.mark.parametrize(
    "text", ["sk-not-json-0123456789", '["sk-in-a-list-0123456789"]', '{"OPENAI_API_KEY": 12345678901}']
)
def test_a_secrets_parameter_that_is_not_an_object_of_text_stops_the_start_without_its_value(text):
    client, _ = stubbed(page({"DJANGO_SECRET_KEY": DJANGO_KEY, "SECRETS": text}))
    environ = {"APP_SECRETS_PATH": PATH}
    with pytest.raises(ParametersUnavailable) as bad:
        load_secrets(environ, client)
    assert str(bad.value) == f"{PATH}/SECRETS is not a JSON object of names to text values"
    assert not bad.value.retryable and bad.value.__cause__ is None and bad.value.__context__ is None
    assert environ == {"APP_SECRETS_PATH": PATH}


def test_an_ssm_error_names_the_path_and_the_code_only():
    client = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_parameters_by_path", "AccessDeniedException", "not authorized")
        with pytest.raises(ParametersUnavailable) as denied:
            load_secrets({"APP_SECRETS_PATH": PATH}, client)
    assert str(denied.value) == f"could not read the parameters under {PATH} (AccessDeniedException)"
    assert not denied.value.retryable and denied.value.__cause__ is None


def test_no_path_loads_nothing_and_makes_no_client():
    aws.reset("ssm")
    environ: dict[str, str] = {"DJANGO_SECRET_KEY": DJANGO_KEY}
    assert load_secrets(environ) == [] and "JWT_SIGNING_KEY" not in environ
    assert not [spec for spec in aws._made if spec.service == "ssm"]


def test_secrets_are_loaded_with_the_factory_client_and_never_override_the_environment():
    aws.reset("ssm")
    client = aws.client("ssm", region="eu-west-1")  # the client load_secrets will get
    environ = {"APP_SECRETS_PATH": PATH, "AWS_REGION": "eu-west-1", "JWT_SIGNING_KEY": "from-env"}
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_parameters_by_path",
            page({"DJANGO_SECRET_KEY": "from-ssm", "JWT_SIGNING_KEY": "ignored", "EMPTY": ""}),
            FIRST_PAGE,
        )
        loaded = load_secrets(environ)
        stubber.assert_no_pending_responses()
    assert loaded == ["DJANGO_SECRET_KEY"]
    assert environ["DJANGO_SECRET_KEY"] == "from-ssm" and environ["JWT_SIGNING_KEY"] == "from-env"
    assert abs(int(environ[entrypoint.LOADED_AT_VARIABLE]) - time.time()) < 5  # llm.secrets adopts this read
    assert "EMPTY" not in environ
    aws.reset("ssm")


@pytest.fixture
def start(monkeypatch):
    """main() on the factory's (stubbed) client, with gunicorn's exec caught; restores the environment."""
    monkeypatch.setenv("APP_SECRETS_PATH", PATH)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    for name in (*SECRET_NAMES, entrypoint.LOADED_AT_VARIABLE):
        monkeypatch.setenv(name, "")  # restored (removed) afterwards, whatever main() sets
    execs: list[list[str]] = []
    monkeypatch.setattr(entrypoint.os, "execv", lambda path, argv: execs.append(argv))
    aws.reset("ssm")
    client = aws.client("ssm", region="eu-west-1")
    with Stubber(client) as stubber:
        yield stubber, execs
    aws.reset("ssm")


def test_no_secret_value_reaches_what_the_entrypoint_prints(start, capsys, caplog):
    stubber, execs = start
    values = {
        "DJANGO_SECRET_KEY": "django-secret-value-0123456789",
        "GOOGLE_OAUTH2_CLIENT_SECRET": "google-secret-value-0123456789",
        "OPENAI_API_KEY": "sk-openai-secret-value-0123456789",
    }
    stubber.add_response("get_parameters_by_path", page(values), FIRST_PAGE)
    entrypoint.main()
    out, err = capsys.readouterr()
    assert execs and execs[0][-1] == "deploy/gunicorn.conf.py"
    assert json.loads(out) == {"message": "secrets loaded", "keys": sorted([*values, "JWT_SIGNING_KEY"])}
    printed = out + err + caplog.text
    for value in [*values.values(), derived_jwt_key(values["DJANGO_SECRET_KEY"])]:
        assert value not in printed


def test_a_failed_start_exits_with_a_message_and_no_value(start, capsys):
    stubber, execs = start
    stubber.add_response("get_parameters_by_path", page({"OPENAI_API_KEY": "sk-secret-value-0123456789"}), FIRST_PAGE)
    with pytest.raises(SystemExit) as exited:
        entrypoint.main()
    out, err = capsys.readouterr()
    assert exited.value.code == 1 and not execs and out == ""
    assert json.loads(err)["error"].startswith(f"missing under {PATH}: DJANGO_SECRET_KEY")
    assert "sk-secret-value" not in err


@pytest.mark.parametrize("name", ["AppFunction", "TurnFunction", "EngineFunction"])
def test_each_function_may_read_and_decrypt_only_its_own_path(name):
    import yaml

    from deploy.tests.test_template import REPO, _CfnLoader

    template = yaml.load((REPO / "template.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    assert not [k for k, r in template["Resources"].items() if r["Type"].startswith("AWS::SecretsManager::")]
    function = template["Resources"][name]["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["APP_SECRETS_PATH"] == {"Sub": "/duelarena/${EnvironmentName}"}
    assert "APP_SECRETS_ARNS" not in variables and "LLM_SECRETS_ARN" not in variables
    statements = [s for p in function["Policies"] if isinstance(p, dict) and "Statement" in p for s in p["Statement"]]
    assert not [s for s in statements if "secretsmanager" in str(s)]
    reads = [s for s in statements if "ssm:" in str(s["Action"])]
    assert len(reads) == 1 and reads[0]["Action"] == "ssm:GetParametersByPath"
    parameter = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/duelarena/${EnvironmentName}"
    assert reads[0]["Resource"] == [{"Sub": parameter}, {"Sub": parameter + "/*"}]
    decrypts = [s for s in statements if "kms:" in str(s["Action"])]
    assert len(decrypts) == 1 and decrypts[0]["Action"] == "kms:Decrypt"
    condition = decrypts[0]["Condition"]
    assert condition["StringEquals"]["kms:ViaService"] == {"Sub": "ssm.${AWS::Region}.amazonaws.com"}
    assert condition["StringLike"]["kms:EncryptionContext:PARAMETER_ARN"] == {"Sub": parameter + "/*"}
    assert condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == "alias/aws/ssm"
