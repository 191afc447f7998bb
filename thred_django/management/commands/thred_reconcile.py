"""Compare what Thred holds with the outbox and the host; with --fix, repair what can be.

Output: one line per finding on stdout (or, with --json, one JSON document naming each
object by its external id); progress on stderr — one bar on a terminal (tqdm), quiet
lines otherwise (``management.progress``) plus one line per business. Exit status 0
when the two sides agree, 1 when drift was found (or a business could not be read).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thred_django.engine.reconcile import Finding, Tally, reconcile
from thred_django.management.progress import progress
from thred_django.mappings import registry
from thred_django.resources import Resource


class _JsonStream:
    """``{"findings": [...], "businesses": [...], "summary": {...}}`` written as it goes:
    findings are never all held in memory."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.first = True
        out.write('{"findings": [')

    def finding(self, finding: Finding) -> None:
        self.out.write(("" if self.first else ",") + "\n  " + json.dumps(finding.as_dict()))
        self.first = False

    def close(self, businesses: list[dict[str, Any]], summary: dict[str, Any]) -> None:
        self.out.write('\n],\n"businesses": ' + json.dumps(businesses))
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

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        stream = _JsonStream(self.stdout) if as_json else None
        err = self.stderr
        err.ending = ""  # the bar redraws its line; quiet lines end themselves
        on_tty = err.isatty()
        mapping = registry.business_mapping()
        businesses = 1 if options["business"] or mapping is None else mapping.get_queryset().count()
        steps = len(options["resource"] or Resource.values)
        bar = progress(businesses * steps, "thred_reconcile", err)
        tallies: list[dict[str, Any]] = []

        def on_finding(finding: Finding) -> None:
            if stream is not None:
                stream.finding(finding)
            else:
                self.stdout.write(f"{finding.business}: {finding.line()}")

        def on_business(tally: Tally) -> None:
            tallies.append(tally.as_dict())
            if not on_tty:
                verdict = "agree" if tally.agreed else f"{tally.drift} difference(s)"
                if tally.unsettled:
                    verdict += f"; {tally.unsettled} record(s) not synced yet (thred_status)"
                err.write(f"thred_reconcile: {tally.business}: {verdict}\n")
                if tally.error:
                    err.write(f"thred_reconcile: {tally.business}: error: {tally.error}\n")

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
            raise CommandError(str(exc)) from None
        bar.close()
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
