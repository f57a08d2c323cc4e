"""``manage.py backfill_indexes [--dry-run]``: bring items stored before this round's index changes up to
date, once, after deploying them to a table that already holds data (README "Deploying to AWS").

- users (``accounts.users.backfill_index_keys``): the ``USERS`` feed and the email lookup moved from
  gsi1/gsi2 to gsi6/gsi7; a user without them is missing from the admin's user list and is not found by
  email (the admin's password sign-in);
- audit entries (``duelarena.audit.backfill_index_keys``): the ``AUDIT`` feed moved from gsi1 to gsi6;
- ended games (``games.store.backfill_list_progress``): list rows show an ended game's progress from its
  ``ended_*`` copies, which games that ended before them lack.

Each write is conditioned on the item still lacking what it adds (and a game on its version), so the
command can run while the service runs, be stopped, and run again: what is done is skipped. It reads
the whole table with one paginated Scan (charged for every item it reads): maintenance only.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Backfill gsi6/gsi7 keys of users and audit entries and the list progress of ended games."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be written, write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        verb = "would write" if opts["dry_run"] else "written"
        counts = backfill(dry_run=opts["dry_run"])
        self.stdout.write(
            ", ".join(f"{kind}: {written} {verb} of {read} read" for kind, (written, read) in counts.items())
        )


def backfill(*, dry_run: bool = False) -> dict[str, tuple[int, int]]:
    """Scan the table once and backfill each item that needs it: per kind (users, audit entries, games),
    how many were written (with ``dry_run``: would be) and how many were read."""
    from accounts import users
    from duelarena import audit
    from duelarena.dynamo import items
    from games import store

    writers = {"user": users.backfill_index_keys, audit.KIND: audit.backfill_index_keys}
    writers[store.GAME_KIND] = store.backfill_list_progress
    written, read = Counter[str](), Counter[str]()
    for item in items.scan(kinds=list(writers)):
        kind = item["kind"]
        read[kind] += 1
        written[kind] += writers[kind](item, write=not dry_run)
    return {kind: (written[kind], read[kind]) for kind in writers}
