"""Push what is due to Thred, in this process.

The summary describes this run: the records pushed or settled since it started (each
counted once, however many times it was claimed) by the state they ended in, then what
is still unsettled in the scope (the whole outbox without --business/--resource).
Exit status: 0 when every record in scope is settled (synced, skipped, voided,
orphaned, drifted: the outbox says why Thred differs); 1 when any is failed or blocked
(or still waiting when the run stopped).

With django-tenants it pushes in every tenant schema in turn (``--schema``: one); a
failure in one schema is reported and the others still run (exit 1).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from thred_django import tenancy
from thred_django.engine.runner import freeze_startup_objects, push_due
from thred_django.management.progress import progress
from thred_django.management.schemas import add_schema_argument, any_failed, per_schema, tag
from thred_django.management.selection import add_scope_arguments, scope
from thred_django.models import SyncRecord
from thred_django.resources import SETTLED


def _by_state(qs: Any) -> dict[str, int]:
    rows = qs.order_by().values_list("state").annotate(n=Count("id"))
    return {state: n for state, n in sorted(rows)}


def _line(states: dict[str, int]) -> str:
    return ", ".join(f"{n} {state}" for state, n in states.items()) or "none"


class Command(BaseCommand):
    help = "Push due sync records to Thred in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="Keep going, waiting out backoffs, until nothing is pending or retrying.",
        )
        add_scope_arguments(parser)
        parser.add_argument(
            "--time-limit", type=float, default=None, help="Stop after this many seconds."
        )
        add_schema_argument(parser)

    def run_from_argv(self, argv: list[str]) -> None:
        # ``manage.py thred_sync``: a process that exists to push (never call_command's).
        freeze_startup_objects()
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        runs = per_schema(self, lambda: self.sync(options), options)
        if options["business"] and all(run.result is None for run in runs):
            raise CommandError(
                f"No business with external_id {options['business']!r} is in the outbox; "
                "see `manage.py thred_status` for the known ones."
            )
        if any_failed(runs) or any(run.result for run in runs):
            raise SystemExit(1)

    def sync(self, options: dict[str, Any]) -> int | None:
        """Push in the current schema; how many records in scope are not settled (None:
        the --business is in another schema)."""
        try:
            records, tenant_id = scope(options)
        except CommandError:
            if tenancy.active():
                return None  # django-tenants: the business lives in another schema
            raise
        total = records.exclude(state__in=SETTLED).count()
        started = timezone.now()
        bar = progress(total, f"{tag()}thred_sync")
        try:
            stats = push_due(
                tenant_id=tenant_id,
                resource=options["resource"],
                until_idle=options["until_idle"],
                time_limit=options["time_limit"],
                on_progress=bar.advance,
            )
        finally:
            bar.close()
        # Every outcome stamps last_attempt_at: the records settled or attempted since the
        # run began, each once however often it was claimed (parents pulled forward from
        # outside the scope included; with several workers at once, theirs too).
        touched = _by_state(SyncRecord.objects.filter(last_attempt_at__gte=started))
        self.stdout.write(
            f"{tag()}{sum(touched.values())} record(s) pushed or settled since the run started: "
            f"{_line(touched)} ({stats.claimed} claim(s) in {stats.rounds} round(s))."
        )
        unsettled = _by_state(records.exclude(state__in=SETTLED))
        where = "in scope" if (tenant_id or options["resource"]) else "in the outbox"
        self.stdout.write(f"{tag()}Not settled {where}: {_line(unsettled)}.")
        return sum(unsettled.values())
