"""The one AWS client factory (``duelarena.aws``): lazy, cached per process, settings in one place."""

from __future__ import annotations

import subprocess
import sys

from duelarena import aws


def test_importing_the_factory_imports_no_boto3():
    code = "import sys, duelarena.aws; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_client_is_built_once_per_spec_and_forgotten_on_reset():
    aws.reset()
    first = aws.client("sqs", region="eu-west-1", read_timeout=3)
    assert aws.client("sqs", region="eu-west-1", read_timeout=3) is first
    assert aws.client("sqs", region="eu-west-1", read_timeout=4) is not first
    aws.reset("sqs")
    assert aws.client("sqs", region="eu-west-1", read_timeout=3) is not first


def test_region_retries_and_timeouts_come_from_the_spec():
    made = aws.client("bedrock-runtime", region="us-west-2", total_max_attempts=1, connect_timeout=2, read_timeout=9)
    config = made.meta.config
    assert made.meta.region_name == "us-west-2"
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert (config.connect_timeout, config.read_timeout) == (2, 9)
    dynamo = aws.client("dynamodb", region="us-east-1", max_attempts=4)
    assert dynamo.meta.config.retries == {"mode": "standard", "total_max_attempts": 5}  # 4 retries after the first


def test_a_local_endpoint_gets_placeholder_credentials_only_when_none_are_set(monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    local = aws.client("sqs", region="us-east-1", endpoint_url="http://127.0.0.1:9324")
    assert local.meta.endpoint_url == "http://127.0.0.1:9324"
    assert local._request_signer._credentials.access_key == "local"
    remote = aws.ClientSpec("sqs", endpoint_url="https://sqs.example.com")
    assert "aws_access_key_id" not in aws._endpoint(remote)


def test_prepare_runs_once_on_a_new_client():
    aws.reset("sts")
    prepared = []
    first = aws.client("sts", region="us-east-1", prepare=prepared.append)
    aws.client("sts", region="us-east-1", prepare=prepared.append)
    assert prepared == [first]
