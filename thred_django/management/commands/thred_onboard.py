"""Onboard the business of a single-business host (THRED["BUSINESS"]) now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thred_django import single
from thred_django.engine.marking import mark
from thred_django.engine.runner import push_due
from thred_django.exceptions import ThredConfigurationError
from thred_django.mappings import SINGLE_TENANT_ID
from thred_django.models import SyncRecord
from thred_django.resources import Resource


class Command(BaseCommand):
    help = (
        "Create the business of THRED['BUSINESS'] in Thred (or update it after the setting "
        "changed). Without it, the first push that needs the business does the same."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-push", action="store_true", help="Only mark it; the queue pushes it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not single.configured():
            raise CommandError(
                "THRED['BUSINESS'] is not set: businesses come from your tenant model's "
                "BusinessMapping (run thred_backfill to mark them)."
            )
        try:
            single.payload()
        except ThredConfigurationError as exc:
            raise CommandError(str(exc)) from None
        mark(single.business())  # a changed payload is sent as an update
        if not options["no_push"]:
            push_due(tenant_id=SINGLE_TENANT_ID, resource=Resource.BUSINESS)
        record = SyncRecord.objects.get(resource=Resource.BUSINESS, tenant_id=SINGLE_TENANT_ID)
        detail = f"thred id {record.thred_id}" if record.thred_id else record.last_error_message
        self.stdout.write(f"business {record.external_id}: {record.state} ({detail or '—'})")
        if not options["no_push"] and record.state != "synced":
            raise SystemExit(1)
