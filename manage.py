#!/usr/bin/env python
"""Django's manage.py, with two differences for Duel Arena:

- commands that only make sense with a SQL database (`migrate`, `makemigrations`, `createsuperuser`)
  answer with what to use instead and exit 2: the data lives in DynamoDB only;
- when DynamoDB cannot be reached (DynamoDB Local not started, or on another port) or the table is
  missing, a command fails with one clear line on stderr and exit status 1 instead of a traceback.
"""

import os
import sys

INSTEAD = {
    "migrate": "there is no SQL database to migrate (DynamoDB only): create the table with "
    "`python manage.py dynamodb create-table` (idempotent; `dynamodb status` shows differences)",
    "makemigrations": "there are no ORM models to migrate (DynamoDB only); the table's definition is in "
    "duelarena/dynamo/schema.py, applied by `python manage.py dynamodb create-table`",
    "createsuperuser": "users live in DynamoDB: create an admin with "
    "`python manage.py createadmin --email you@example.com` (or an API token with `issuetoken --email ...`)",
}


def dynamodb_problem(exc: BaseException) -> str | None:
    """One line saying why DynamoDB failed, if that is what ``exc`` (or what caused it) is about."""
    from django.conf import settings

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        name = type(exc).__name__
        module = type(exc).__module__
        where = settings.DYNAMODB_ENDPOINT_URL or f"AWS ({getattr(settings, 'AWS_REGION', '')})"
        if name == "ResourceNotFoundException" or "ResourceNotFoundException" in str(exc):
            return (
                f"the table {settings.DYNAMODB_TABLE!r} does not exist at {where}: "
                "create it with `python manage.py dynamodb create-table`."
            )
        if (
            module.startswith("botocore")
            and name in {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
        ) or name == "StoreUnavailable":
            return (
                f"DynamoDB is unreachable at {where} ({name}). Start DynamoDB Local with `make run`, or point "
                "this shell at it: DYNAMODB_LOCAL_PORT=<port> (or DYNAMODB_ENDPOINT_URL=<url>)."
            )
        exc = exc.__cause__ or exc.__context__
    return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duelarena.settings")
    if len(sys.argv) > 1 and sys.argv[1] in INSTEAD:
        sys.stderr.write(f"manage.py {sys.argv[1]}: {INSTEAD[sys.argv[1]]}\n")
        sys.exit(2)
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except Exception as exc:
        problem = dynamodb_problem(exc)
        if problem is None:
            raise
        sys.stderr.write(f"manage.py {sys.argv[1] if len(sys.argv) > 1 else ''}: {problem}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
