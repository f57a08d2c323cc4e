"""The one AWS client factory (``duelarena.aws``): lazy, cached per process, settings in one place."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_the_model_loader_knows_exactly_the_services_botocore_lists(tmp_path):
    """``duelarena.aws_models``: membership is answered from one service's directory, and agrees with
    botocore's full scan for every service it lists and for names it does not know; the list itself, and
    botocore's error for an unknown service, are botocore's."""
    from botocore.exceptions import UnknownServiceError
    from botocore.loaders import Loader

    from duelarena.aws_models import KnownServices, ModelLoader

    ours, theirs = ModelLoader(), Loader()
    for type_name in ("service-2", "endpoint-rule-set-1", "paginators-1"):
        listed = theirs.list_available_services(type_name)
        known = ours.list_available_services(type_name)
        assert isinstance(known, KnownServices)
        assert all(name in known for name in listed)
        assert [n for n in ("dynamo", "no-such-service", "", "..", "dynamodb/2012-08-10", 7) if n in known] == []
        assert list(known) == listed and len(known) == len(listed) and known[0] == listed[0]
    assert ours.load_service_model("dynamodb", "service-2") == theirs.load_service_model("dynamodb", "service-2")
    with pytest.raises(UnknownServiceError, match=r"no-such-service.*dynamodb"):
        ours.load_service_model("no-such-service", "service-2")
    # An extra data path (AWS_DATA_PATH) is searched too, as botocore does.
    (tmp_path / "arena-test" / "2026-01-01").mkdir(parents=True)
    (tmp_path / "arena-test" / "2026-01-01" / "service-2.json").write_text("{}")
    extra = ModelLoader(extra_search_paths=[str(tmp_path)])
    assert "arena-test" in extra.list_available_services("service-2")
    assert "arena-test" not in ours.list_available_services("service-2")


def test_the_factory_session_uses_the_model_loader_and_honours_the_data_path(monkeypatch, tmp_path):
    from duelarena.aws_models import ModelLoader

    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    aws.reset()
    try:
        aws.client("sqs", region="us-east-1")
        loader = aws._session.get_component("data_loader")
        assert isinstance(loader, ModelLoader) and loader.search_paths[0] == str(tmp_path)
    finally:
        aws.reset()
