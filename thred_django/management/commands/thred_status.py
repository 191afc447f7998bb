"""Counts of the outbox by state, per resource and per business; or the records
themselves, with their reasons (``--failed``, ``--drifted``, ``--state X``, ``--code C``).

With django-tenants: one report per tenant schema (``--schema``: one); with ``--json``,
``{"schemas": {schema: report}}`` (and ``"errors"`` for schemas that failed).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thred_django import tenancy
from thred_django.engine.status import business_names, counts
from thred_django.management.schemas import add_schema_argument, any_failed, per_schema
from thred_django.management.selection import add_filter_arguments, is_listing, scope, select
from thred_django.models import SyncRecord


def describe(record: SyncRecord, business: str) -> dict[str, Any]:
    return {
        "id": record.pk,
        "resource": record.resource,
        "external_id": record.external_id,
        "object": f"{record.content_type.app_label}.{record.content_type.model}:{record.object_id}",
        "business": business,
        "state": record.state,
        "action": record.action,
        "code": record.last_error_code,
        "status": record.last_error_status,
        "reason": record.last_error_message,
        "details": record.last_error_details,
        "attempts": record.attempts,
        "last_attempt_at": record.last_attempt_at.isoformat() if record.last_attempt_at else None,
        "thred_id": record.thred_id,
    }


class Command(BaseCommand):
    help = (
        "Show sync counts by state per resource and per business; with --failed, "
        "--drifted, --state or --code, list those records with their reasons."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_filter_arguments(parser)
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")
        parser.add_argument(
            "--limit", type=int, default=100, help="Records listed at most (default 100)."
        )
        add_schema_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        runs = per_schema(self, lambda: self.report(options), options)
        if not tenancy.active():
            self.show(runs[0].result or {}, options)
            return
        if options["json"]:
            out: dict[str, Any] = {
                "schemas": {run.schema: run.result for run in runs if run.error is None}
            }
            errors = {run.schema: str(run.error) for run in runs if run.error is not None}
            if errors:
                out["errors"] = errors
            self.stdout.write(json.dumps(out, indent=2, sort_keys=True))
        else:
            for run in runs:
                self.stdout.write(f"=== Schema {run.schema}")
                if run.error is None:
                    self.show(run.result or {}, options)
                self.stdout.write("")
        if any_failed(runs):
            raise SystemExit(1)

    def report(self, options: dict[str, Any]) -> dict[str, Any]:
        """The counts (or the listed records) of the current schema's outbox."""
        if is_listing(options):
            return self.list_records(options)
        qs, tenant_id = scope(options)
        return counts(qs if (tenant_id or options["resource"]) else None)

    def show(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        if is_listing(options):
            self.show_records(data, options)
            return
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, sort_keys=True))
            return
        for title, key in (("Resource", "resources"), ("Business", "businesses")):
            self.stdout.write(f"{title:<28} states")
            for name, states in data[key].items():
                line = ", ".join(f"{state}={n}" for state, n in sorted(states.items()))
                self.stdout.write(f"{name:<28} {line}")
            self.stdout.write("")
        age = data["oldest_pending_seconds"]
        self.stdout.write("Oldest pending: " + ("none" if age is None else f"{age:.0f} s"))

    def list_records(self, options: dict[str, Any]) -> dict[str, Any]:
        qs = select(options).select_related("content_type").order_by("resource", "id")
        total = qs.count()
        limit = max(options["limit"], 0)
        records = list(qs[:limit])
        names = business_names(sorted({r.tenant_id for r in records}))
        rows = [describe(r, names.get(r.tenant_id, f"tenant:{r.tenant_id}")) for r in records]
        return {"count": total, "records": rows}

    def show_records(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        rows, total = data["records"], data["count"]
        for row in rows:
            code = f" [{row['code']}]" if row["code"] else ""
            self.stdout.write(
                f"{row['resource']} {row['external_id']} ({row['object']}, business "
                f"{row['business']}): {row['state']}{code}, {row['attempts']} attempt(s)"
            )
            if row["reason"]:
                self.stdout.write(f"    {row['reason']}")
        shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
        self.stdout.write(f"{shown} record(s).")
