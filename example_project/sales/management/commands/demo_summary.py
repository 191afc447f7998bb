"""Print the demo's outcome: sync states per resource, and per business what the
embedded sandbox holds next to what the platform's database says it should hold.

Exit status 1 when a record failed, is still waiting, or the sandbox disagrees.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sales.demo.report import STATE_COLUMNS, build_report
from sales.money import format_cents


class Command(BaseCommand):
    help = "Summarise the demo: outbox states, and sandbox holdings against the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = build_report()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self._print(report)
        if not report["ok"]:
            raise SystemExit(1)

    def _print(self, report: dict[str, Any]) -> None:
        write = self.stdout.write
        write("Sync to Thred, per resource")
        write(f"  {'resource':<16}" + "".join(f"{c:>9}" for c in STATE_COLUMNS))
        for resource, row in report["outbox"].items():
            write(f"  {resource:<16}" + "".join(f"{row[c]:>9}" for c in STATE_COLUMNS))
        write("")
        if not report["sandbox_available"]:
            write("The embedded Thred sandbox is not installed: nothing to compare.")
        for business in report["businesses"]:
            write(f"{business['name']} ({business['external_id']}, {business['currency']})")
            write(f"  {'resource':<16}{'records':>9}{'in Thred':>10}{'amount':>20}{'in Thred':>20}")
            for resource, row in business["resources"].items():
                want, got = row["expected"], row["sandbox"]
                flag = "" if row["match"] else "   <-- differs"
                write(
                    f"  {resource:<16}{want['count']:>9}{got['count']:>10}"
                    f"{self._amount(want, business):>20}{self._amount(got, business):>20}{flag}"
                )
            write("")
        verdict = "OK" if report["ok"] else "NOT OK"
        write(
            f"{verdict}: {report['failed']} failed, {report['waiting']} still waiting, "
            f"{report['mismatches']} difference(s) between the database and the sandbox."
        )

    @staticmethod
    def _amount(row: dict[str, Any], business: dict[str, Any]) -> str:
        if row.get("amount_cents") is None:
            return ""
        return format_cents(row["amount_cents"], business["currency"])
