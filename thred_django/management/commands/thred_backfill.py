"""Mark existing host rows for sync, in bulk and in constant memory.

With django-tenants it marks in every tenant schema in turn (``--schema``: one).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thred_django.engine.marking import mark_queryset
from thred_django.management.progress import progress
from thred_django.management.schemas import add_schema_argument, any_failed, per_schema, tag
from thred_django.mappings import CURRENT_TENANT, Mapping, registry
from thred_django.resources import RANK


class Command(BaseCommand):
    help = "Mark existing rows of mapped models for sync (after installing, or to repair)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "models", nargs="*", metavar="app_label.Model", help="Default: every mapped model."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the counts only.")
        parser.add_argument("--batch-size", type=int, default=2000)
        add_schema_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        mappings = registry.mappings()
        if options["models"]:
            mappings = []
            for label in options["models"]:
                try:
                    model = apps.get_model(label)
                except (LookupError, ValueError):
                    raise CommandError(f"Unknown model {label!r}; use app_label.Model.") from None
                mapping = registry.get(model)
                if mapping is None:
                    raise CommandError(f"{label} is not mapped to a Thred resource.")
                mappings.append(mapping)
        if not mappings:
            raise CommandError("No model is mapped to Thred; add a thred_mappings.py module.")
        # A model feeding several resources is backfilled once (a mark covers them all).
        primaries = {m.model: registry.get(m.model) or m for m in mappings}
        mappings = sorted(primaries.values(), key=lambda m: RANK[m.resource])
        if any_failed(per_schema(self, lambda: self.backfill(mappings, options), options)):
            raise SystemExit(1)

    def backfill(self, mappings: list[Mapping], options: dict[str, Any]) -> None:
        """Mark every mapped row of the current schema."""
        for mapping in mappings:
            resources = ", ".join(m.resource for m in registry.mappings_for(mapping.model))
            qs = mapping.backfill_queryset().order_by("pk")
            hops = [] if mapping.business == CURRENT_TENANT else mapping.business.split("__")[:-1]
            if hops:  # tenant lookups would otherwise cost a query per row
                qs = qs.select_related("__".join(hops))
            count = qs.count()
            label = tag() + mapping.model._meta.label
            if options["dry_run"]:
                self.stdout.write(f"{label} ({resources}): {count} row(s) would be marked")
                continue
            bar = progress(count, label)
            marked = mark_queryset(qs, batch_size=options["batch_size"], on_batch=bar.advance)
            bar.close()
            unit = "row(s)" if resources == mapping.resource else "record(s)"
            self.stdout.write(f"{label} ({resources}): {marked} {unit} marked")
