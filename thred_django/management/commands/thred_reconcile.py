"""Compare what Thred holds with the outbox and the host; with --fix, repair what can be.

With django-tenants it reconciles every tenant schema in turn (``--schema``: one); a
schema that fails is reported and counted as an error, and the others still run.

Output: one line per finding on stdout (or, with --json, one JSON document naming each
object by its external id); progress on stderr — one bar on a terminal (tqdm), quiet
lines otherwise (``management.progress``) plus one line per business. Exit status 0
when the two sides agree, 1 when drift was found (or a business could not be read).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thred_django import tenancy
from thred_django.engine.reconcile import Finding, Summary, Tally, reconcile
from thred_django.management.progress import progress
from thred_django.management.schemas import add_schema_argument, per_schema, tag
from thred_django.mappings import registry
from thred_django.resources import Resource


class _JsonStream:
    """``{"findings": [...], "businesses": [...], "summary": {...}}`` written as it goes:
    findings are never all held in memory. Nothing is written before the first finding
    (or the close), so a refused ``--schema`` leaves no half document."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.count = 0

    def finding(self, finding: Finding, schema: str | None) -> None:
        item = {**finding.as_dict(), **({"schema": schema} if schema else {})}
        self.out.write(('{"findings": [' if not self.count else ",") + "\n  " + json.dumps(item))
        self.count += 1

    def close(self, businesses: list[dict[str, Any]], summary: dict[str, Any]) -> None:
        self.out.write(('{"findings": [' if not self.count else "") + "\n],\n")
        self.out.write('"businesses": ' + json.dumps(businesses))
        self.out.write(',\n"summary": ' + json.dumps(summary) + "}\n")


class Command(BaseCommand):
    help = "Reconcile Thred with the outbox and the host; exit 1 when they differ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business", metavar="EXTERNAL_ID", help="Only this business.")
        parser.add_argument(
            "--resource",
            action="append",
            choices=Resource.values,
            help="Only this resource (repeatable).",
        )
        parser.add_argument(
            "--fix", action="store_true", help="Repair what can be repaired; say what cannot."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        add_schema_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.options = options
        self.stream = _JsonStream(self.stdout) if options["json"] else None
        self.stderr.ending = ""  # the bar redraws its line; quiet lines end themselves
        self.tallies: list[dict[str, Any]] = []
        summary = Summary()
        runs = per_schema(self, self.reconcile_schema, options)
        for run in runs:
            if run.error is not None:
                summary.errors += 1
            elif run.result is not None:
                summary.merge(run.result)
        if options["business"] and all(r.error is None and r.result is None for r in runs):
            raise CommandError(
                f"No business with external id {options['business']!r} is in any schema's "
                "outbox; see `manage.py thred_status` for the known ones."
            )
        self.finish(summary)

    def reconcile_schema(self) -> Summary | None:
        """Reconcile the businesses of the current schema (None: with django-tenants, the
        ``--business`` asked for lives in another schema)."""
        options, err, stream = self.options, self.stderr, self.stream
        on_tty = err.isatty()
        schema = tenancy.current_schema()
        mapping = registry.business_mapping()
        businesses = (
            1 if options["business"] or mapping is None else mapping.backfill_queryset().count()
        )
        steps = len(options["resource"] or Resource.values)
        bar = progress(businesses * steps, f"{tag()}thred_reconcile", err)

        def on_finding(finding: Finding) -> None:
            if stream is not None:
                stream.finding(finding, schema)
            else:
                self.stdout.write(f"{tag()}{finding.business}: {finding.line()}")

        def on_business(tally: Tally) -> None:
            self.tallies.append({**tally.as_dict(), **({"schema": schema} if schema else {})})
            if not on_tty:
                verdict = "agree" if tally.agreed else f"{tally.drift} difference(s)"
                if tally.unsettled:
                    verdict += f"; {tally.unsettled} record(s) not synced yet (thred_status)"
                err.write(f"thred_reconcile: {tag()}{tally.business}: {verdict}\n")
                if tally.error:
                    err.write(f"thred_reconcile: {tag()}{tally.business}: error: {tally.error}\n")

        try:
            summary = reconcile(
                business=options["business"],
                resources=options["resource"],
                repair=options["fix"],
                on_finding=on_finding,
                on_business=on_business,
                on_step=lambda business, resource: bar.advance(),
            )
        except LookupError as exc:
            if schema:
                return None  # django-tenants: the business lives in another schema
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        return summary

    def finish(self, summary: Summary) -> None:
        options, stream, tallies = self.options, self.stream, self.tallies
        if stream is not None:
            stream.close(tallies, summary.as_dict())
        else:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.counts.items()))
            fixed = (
                f"; {summary.repaired} repaired, {summary.unrepairable} cannot be"
                if options["fix"]
                else ""
            )
            self.stdout.write(
                f"{summary.businesses} business(es): "
                + ("Thred and the host agree." if summary.agreed else f"drift: {counts or 'none'}")
                + fixed
                + (f"; {summary.errors} could not be read" if summary.errors else "")
            )
        if not summary.agreed:
            raise SystemExit(1)
