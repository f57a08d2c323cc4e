"""The container entrypoint loads Secrets Manager secrets through the one AWS client factory."""

from __future__ import annotations

import json

from botocore.stub import Stubber

from deploy.entrypoint import load_secrets
from duelarena import aws

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf"


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
