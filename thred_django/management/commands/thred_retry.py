"""Retry records by state, resource, business or error code (what the admin's retry
action does): they become due now with their attempts reset, and a push is requested."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thred_django.engine.actions import resync, retry
from thred_django.management.selection import add_filter_arguments, select
from thred_django.resources import State

DEFAULT_STATES = [State.FAILED, State.BLOCKED]


class Command(BaseCommand):
    help = (
        "Retry sync records: by default every failed or blocked one; narrow it with "
        "--state, --resource, --business and --code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_filter_arguments(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Resync: push even when the payload is unchanged since Thred acknowledged it.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the count only.")

    def handle(self, *args: Any, **options: Any) -> None:
        records = select(options, default_states=DEFAULT_STATES)
        if options["dry_run"]:
            self.stdout.write(f"{records.count()} record(s) would be retried.")
            return
        in_flight = records.filter(state=State.IN_FLIGHT).count()
        queued = (resync if options["force"] else retry)(records)
        note = f" ({in_flight} in flight left alone)" if in_flight else ""
        self.stdout.write(f"Queued {queued} record(s) for retry{note}.")
