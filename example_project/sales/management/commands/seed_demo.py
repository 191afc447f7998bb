"""Create demo merchants with sales, payouts and bills, deterministically.

    manage.py seed_demo --businesses 3 --per-business 20 --seed 1 --json

Rows are created through ordinary model saves, so thred_django marks each for sync; no
sync needs to have happened. With ``--json`` stdout carries only the manifest (see
``sales.demo.manifest``); progress goes to stderr.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sales.demo.manifest import build_manifest
from sales.demo.seed import seed
from sales.models import Merchant


class Command(BaseCommand):
    help = "Create N demo merchants with about M records of every Thred resource each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--businesses", type=int, default=3, metavar="N")
        parser.add_argument("--per-business", type=int, default=20, metavar="M")
        parser.add_argument("--seed", type=int, default=0, metavar="S")
        parser.add_argument("--json", action="store_true", help="Print the manifest as JSON.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but still print the manifest) when merchants already exist.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["businesses"] < 0 or options["per_business"] < 1:
            raise CommandError("--businesses must be >= 0 and --per-business >= 1.")
        existing = Merchant.objects.count()
        if existing and not options["if_empty"]:
            raise CommandError(
                f"The database already has {existing} merchant(s); seed an empty database "
                "(or pass --if-empty to leave it as it is)."
            )
        if existing:
            self.stderr.write(f"Already seeded ({existing} merchants): nothing created.")
        else:
            seed(
                options["businesses"],
                options["per_business"],
                options["seed"],
                progress=self.stderr.write,
            )
        manifest = build_manifest()
        if options["json"]:
            self.stdout.write(json.dumps(manifest, indent=2))
        else:
            self._print_table(manifest)

    def _print_table(self, manifest: dict[str, Any]) -> None:
        for business in manifest["businesses"]:
            self.stdout.write(business["external_id"])
            for name, row in business["resources"].items():
                amount = (
                    "" if row["amount_cents"] is None else f"  amount_cents={row['amount_cents']}"
                )
                self.stdout.write(f"  {name:<15} {row['count']:>6}{amount}")
