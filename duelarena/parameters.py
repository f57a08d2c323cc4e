"""The app's secrets in SSM Parameter Store: every parameter directly under one path, read with
``GetParametersByPath`` (``WithDecryption``, 10 a page, paginated).

On AWS the path is ``APP_SECRETS_PATH`` (``/duelarena/<environment>``; template.yaml). Each parameter is
named after the environment variable it fills: ``/duelarena/prod/DJANGO_SECRET_KEY``,
``/duelarena/prod/OPENAI_API_KEY``... Several values may instead share one parameter, ``SECRETS``
(``BUNDLE_NAME``): a JSON object of names to values, e.g. ``{"OPENAI_API_KEY": "...",
"GOOGLE_OAUTH2_CLIENT_SECRET": "..."}``. Every SecureString parameter read costs one KMS Decrypt
($0.03 per 10,000; each function reads the path at its cold start), so the values in one parameter cost
one Decrypt a read where a parameter per value costs one each. A parameter named after a variable wins
over the same name in ``SECRETS`` (so one value can be rotated alone); names outside ``SECRET_NAMES`` in
it are ignored. The operator creates them as standard SecureString parameters (CloudFormation cannot
create SecureString parameters; README "Deploying to AWS"). Standard parameters and standard-throughput
calls cost nothing; Secrets Manager cost $0.40 a secret a month plus calls.

Django-free (the container entrypoint reads the path before Django starts; ``llm.secrets`` re-reads it
after its TTL), and botocore is imported only by the one AWS client factory, on the first read. Values
never appear in a log line, a repr or an exception message: errors name the path and the error code only.
"""

from __future__ import annotations

import json
from typing import Any

# What the app reads from the path: the names are the environment variables they fill.
SECRET_NAMES: tuple[str, ...] = (
    "DJANGO_SECRET_KEY",
    "JWT_SIGNING_KEY",
    "GOOGLE_OAUTH2_CLIENT_ID",
    "GOOGLE_OAUTH2_CLIENT_SECRET",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
)
# Without it production refuses to start (settings); the entrypoint says which one is missing instead.
REQUIRED_NAMES: tuple[str, ...] = ("DJANGO_SECRET_KEY",)
# The one parameter that may hold several of them, as a JSON object of names to values.
BUNDLE_NAME = "SECRETS"
PAGE_SIZE = 10  # GetParametersByPath's maximum
# Error codes worth another try later (the rest, such as AccessDeniedException, will not pass by themselves).
RETRYABLE_CODES = frozenset({"ThrottlingException", "InternalServerError", "ServiceUnavailable"})


class ParametersUnavailable(Exception):
    """The path could not be read. The message names the path and the error code, never a value."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def normalized_path(path: str) -> str:
    """``path`` as GetParametersByPath takes it: one leading slash, no trailing slash."""
    return "/" + path.strip().strip("/")


def ssm_client(region: str | None) -> Any:
    """The process's SSM client, from the one AWS client factory."""
    from duelarena import aws

    return aws.client("ssm", region=region)


def read_path(path: str, client: Any) -> dict[str, str]:
    """Every non-empty parameter directly under ``path``, decrypted: {last name segment: value}, with the
    ``SECRETS`` parameter's names (``SECRET_NAMES`` only) in its place.

    Raises ``ParametersUnavailable`` when SSM answers with an error or cannot be reached, or when
    ``SECRETS`` is not a JSON object of names to text."""
    from botocore.exceptions import BotoCoreError, ClientError

    prefix = normalized_path(path)
    values: dict[str, str] = {}
    try:
        pages = client.get_paginator("get_parameters_by_path").paginate(
            Path=prefix, Recursive=False, WithDecryption=True, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        for page in pages:
            for parameter in page.get("Parameters", []):
                name = str(parameter.get("Name", "")).rsplit("/", 1)[-1]
                value = parameter.get("Value")
                if name and isinstance(value, str) and value:
                    values[name] = value
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise ParametersUnavailable(
            f"could not read the parameters under {prefix} ({code})", code in RETRYABLE_CODES
        ) from None
    except BotoCoreError as exc:
        raise ParametersUnavailable(
            f"could not reach SSM for the parameters under {prefix} ({type(exc).__name__})", True
        ) from None
    bundle = values.pop(BUNDLE_NAME, None)
    return {**_bundled(bundle, prefix), **values} if bundle is not None else values


def _bundled(text: str, prefix: str) -> dict[str, str]:
    """The ``SECRETS`` parameter's values (``SECRET_NAMES`` only, non-empty). Its text is never quoted."""
    try:
        bundle = json.loads(text)
    except ValueError:
        bundle = None
    if not isinstance(bundle, dict) or not all(isinstance(v, str) for v in bundle.values()):
        raise ParametersUnavailable(
            f"{prefix}/{BUNDLE_NAME} is not a JSON object of names to text values", retryable=False
        ) from None
    return {name: value for name, value in bundle.items() if name in SECRET_NAMES and value}
