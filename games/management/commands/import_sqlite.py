"""``manage.py import_sqlite path/to/llm_duel_arena.db [--dry-run] [--batch-size N] [--report FILE]``.

Moves the earlier FastAPI + SQLite version's users and games in (see ``games.legacy_import``). Safe to
run again: rows already imported are counted as "already present" and not written. Rows that cannot be
converted are listed with their reason (all of them in ``--report`` as CSV) and skipped.
"""

from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

SHOWN_FAILURES = 50


class Command(BaseCommand):
    help = "Import users and games from the earlier SQLite version (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the legacy SQLite database (llm_duel_arena.db)")
        parser.add_argument("--dry-run", action="store_true", help="convert and count, write nothing")
        parser.add_argument("--batch-size", type=int, default=100, help="rows per batched write (default 100)")
        parser.add_argument("--report", help="write every row that could not be converted to this CSV file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **opts: Any) -> None:
        from games import legacy_import

        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(label: str, total: int) -> Any:
            from tqdm import tqdm

            return tqdm(total=total, desc=label, unit="row", file=sys.stderr, disable=opts["no_progress"])

        try:
            report = legacy_import.run(
                opts["path"], dry_run=opts["dry_run"], batch_size=opts["batch_size"], progress=progress
            )
        except legacy_import.LegacyDatabaseError as exc:
            raise CommandError(str(exc)) from None
        self._summary(report)
        if opts["report"]:
            with open(opts["report"], "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["table", "legacy_id", "reason", "message"])
                for f in report.failures:
                    writer.writerow([f.table, f.legacy_id, f.reason, f.message])
            self.stdout.write(f"every failed row is listed in {opts['report']}")
        if not report.reconciles:  # pragma: no cover - a bug, never a data problem
            raise CommandError("the counts do not reconcile; nothing was lost, but please report this")

    def _summary(self, report: Any) -> None:
        from games import legacy_import

        mode = "dry run: nothing was written; " if report.dry_run else ""
        verb = "would import" if report.dry_run else "imported"
        self.stdout.write(f"\n{mode}summary (read = {verb} + already present + failed):")
        for name, tally in (("users", report.users), ("games", report.games)):
            check = "ok" if tally.reconciles else "MISMATCH"
            self.stdout.write(
                f"  {name:<5}  read {tally.read:>6} = {verb} {tally.imported:>6} + already present "
                f"{tally.already_present:>6} + failed {tally.failed:>6}   [{check}]"
            )
        if report.game_types:
            types = ", ".join(f"{t} {n}" for t, n in sorted(report.game_types.items()))
            self.stdout.write(f"  games {verb} by type: {types}")
        if report.anonymous_games:
            created = " (owner created)" if report.anonymous_owner_created else ""
            self.stdout.write(
                f"  anonymous games {verb} under {legacy_import.ANONYMOUS_EMAIL}: {report.anonymous_games}{created}"
            )
        if not report.failures:
            self.stdout.write("  no row failed")
            return
        reasons = ", ".join(f"{reason} {n}" for reason, n in report.failures_by_reason().items())
        self.stdout.write(f"\nrows that could not be converted ({len(report.failures)}): {reasons}")
        for f in report.failures[:SHOWN_FAILURES]:
            self.stdout.write(f"  {f.table} id={f.legacy_id}: {f.reason}: {f.message}")
        if len(report.failures) > SHOWN_FAILURES:
            self.stdout.write(f"  ... and {len(report.failures) - SHOWN_FAILURES} more (use --report FILE)")
