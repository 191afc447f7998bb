"""Push what is due to Thred, in this process.

Exit status: 0 when every record in scope ended synced, skipped, voided or orphaned;
1 when any is failed or blocked (or still waiting when the run stopped).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thred_django.engine.runner import push_due
from thred_django.management.progress import ProgressBar
from thred_django.models import SyncRecord
from thred_django.resources import SETTLED, Resource


class Command(BaseCommand):
    help = "Push due sync records to Thred in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="Keep going, waiting out backoffs, until nothing is pending or retrying.",
        )
        parser.add_argument("--business", metavar="EXTERNAL_ID", help="Only this business.")
        parser.add_argument(
            "--resource", choices=Resource.values, help="Only records of this resource."
        )
        parser.add_argument(
            "--time-limit", type=float, default=None, help="Stop after this many seconds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant_id = None
        if options["business"]:
            business = SyncRecord.objects.filter(
                resource=Resource.BUSINESS, external_id=options["business"]
            ).first()
            if business is None:
                raise CommandError(
                    f"No business with external_id {options['business']!r} is in the outbox; "
                    "see `manage.py thred_status` for the known ones."
                )
            tenant_id = business.tenant_id
        scope = SyncRecord.objects.all()
        if tenant_id is not None:
            scope = scope.filter(tenant_id=tenant_id)
        if options["resource"]:
            scope = scope.filter(resource=options["resource"])
        total = scope.exclude(state__in=SETTLED).count()
        bar = ProgressBar(total, "thred_sync")
        stats = push_due(
            tenant_id=tenant_id,
            resource=options["resource"],
            until_idle=options["until_idle"],
            time_limit=options["time_limit"],
            on_progress=bar.advance,
        )
        bar.close()
        unsettled = scope.exclude(state__in=SETTLED)
        summary = {s: unsettled.filter(state=s).count() for s in ("failed", "blocked")}
        left = unsettled.count()
        self.stdout.write(
            f"Pushed {stats.claimed} record(s) in {stats.rounds} round(s); "
            f"{summary['failed']} failed, {summary['blocked']} blocked, {left} not settled."
        )
        if left:
            raise SystemExit(1)
