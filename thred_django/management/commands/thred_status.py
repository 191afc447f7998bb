"""Counts of the outbox by state, per resource and per business."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thred_django.engine.status import counts


class Command(BaseCommand):
    help = "Show sync counts by state per resource and per business."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = counts()
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
