"""Build and validate the payloads of a sample of each mapped model's rows.

Runs the engine's own dry run (``engine.actions.preview``: the mapping's
``should_sync`` and ``build_payload``, normalisation, then Thred's documented rules)
for the latest ``--sample`` rows of every mapped model, sends nothing, writes nothing,
and prints each row that would fail with the reason. Parents not yet in Thred are
stood in for, so a fresh install can be checked before its first sync.
Exit status 1 when any row fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from thred_django.engine.actions import preview
from thred_django.engine.rows import new_record
from thred_django.mappings import Mapping, registry
from thred_django.models import SyncRecord
from thred_django.resources import RANK, Action


@dataclass
class Report:
    checked: int = 0
    skipped: int = 0
    failures: list[tuple[Any, str]] = field(default_factory=list)


def check_row(mapping: Mapping, obj: Any) -> tuple[str, list[str]]:
    """("ok" | "skip" | "fail", reasons) for one host row."""
    try:
        tenant = mapping.get_tenant_id(obj)
    except Exception as exc:
        return "fail", [f"business: {type(exc).__name__}: {exc}"]
    if not tenant:
        return "fail", [f"business: the row has no business ({mapping.business} is empty)"]
    try:
        record = SyncRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(mapping.model),
            object_id=str(obj.pk),
            resource=mapping.resource,
        ).first() or new_record(mapping, obj, Action.UPSERT, timezone.now())
        result = preview(record)
    except Exception as exc:
        return "fail", [f"mapping: {type(exc).__name__}: {exc}"]
    if result.operation == "skip":
        return "skip", []
    reasons = [f"{name}: {' '.join(messages)}" for name, messages in result.errors.items()]
    if result.operation == "none" and not reasons:
        reasons = [result.message or "nothing would be sent"]
    return ("fail" if reasons else "ok"), reasons


def check_mapping(mapping: Mapping, sample: int) -> Report:
    report = Report()
    for obj in mapping.get_queryset().order_by("-pk")[:sample]:
        report.checked += 1
        verdict, reasons = check_row(mapping, obj)
        if verdict == "skip":
            report.skipped += 1
        elif verdict == "fail":
            report.failures.extend((obj.pk, reason) for reason in reasons)
    return report


class Command(BaseCommand):
    help = (
        "Build and validate (without sending) the Thred payloads of a sample of each "
        "mapped model's rows, and print the failures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "models", nargs="*", metavar="app_label.Model", help="Default: every mapped model."
        )
        parser.add_argument(
            "--sample", type=int, default=20, help="Latest rows checked per model (default 20)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mappings = registry.mappings()
        if options["models"]:
            wanted = set()
            for label in options["models"]:
                try:
                    wanted.add(apps.get_model(label))
                except (LookupError, ValueError):
                    raise CommandError(f"Unknown model {label!r}; use app_label.Model.") from None
            mappings = [m for m in mappings if m.model in wanted]
            missing = wanted - {m.model for m in mappings}
            if missing:
                names = ", ".join(sorted(m._meta.label for m in missing))
                raise CommandError(f"{names}: not mapped to a Thred resource.")
        if not mappings:
            raise CommandError("No model is mapped to Thred; add a thred_mappings.py module.")
        failing = 0
        for mapping in sorted(mappings, key=lambda m: (RANK[m.resource], m.model._meta.label)):
            report = check_mapping(mapping, max(options["sample"], 0))
            rows = {pk for pk, _ in report.failures}
            failing += len(rows)
            self.stdout.write(
                f"{mapping.model._meta.label} ({mapping.resource}): {report.checked} checked, "
                f"{report.skipped} skipped, {len(rows)} failing"
            )
            for pk, reason in report.failures:
                self.stdout.write(f"    pk={pk}: {reason}")
        self.stdout.write(f"{failing} failing row(s).")
        if failing:
            raise SystemExit(1)
