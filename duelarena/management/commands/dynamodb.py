"""``manage.py dynamodb create-table | status | delete-table``."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from duelarena.dynamo import tables
from duelarena.dynamo.errors import StoreError


class Command(BaseCommand):
    help = "Create or describe the DynamoDB table defined in duelarena/dynamo/schema.py."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["create-table", "status", "delete-table"])
        parser.add_argument("--table", default=None, help="table name (default: DYNAMODB_TABLE)")
        parser.add_argument("--yes", action="store_true", help="confirm delete-table")

    def handle(self, *args: Any, action: str, table: str | None, yes: bool, **options: Any) -> None:
        name = table or settings.DYNAMODB_TABLE
        where = settings.DYNAMODB_ENDPOINT_URL or f"AWS {settings.AWS_REGION}"
        try:
            if action == "create-table":
                created = tables.create_table(name)
                self.stdout.write(f"table {name} {'created' if created else 'already exists'} at {where}")
            elif action == "status":
                self.stdout.write(json.dumps(tables.describe(name), indent=2))
            else:
                if not yes:
                    raise CommandError("delete-table removes every item; pass --yes to confirm")
                tables.delete_table(name)
                self.stdout.write(f"table {name} deleted at {where}")
        except StoreError as exc:
            raise CommandError(f"DynamoDB at {where} failed: {exc}") from exc
        except Exception as exc:
            from botocore.exceptions import BotoCoreError, ClientError

            if isinstance(exc, BotoCoreError | ClientError):
                raise CommandError(f"DynamoDB at {where} failed: {exc}") from exc
            raise
