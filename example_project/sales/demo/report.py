"""The demo's verdict: did every record reach Thred, and does the sandbox hold exactly
what the platform's database says it should?

``build_report()`` compares the manifest (``sales.demo.manifest``, counted from the
platform's tables) with the embedded sandbox's holdings
(``thred_django.sandbox.summary.partner_summary``) and summarises the outbox by state.
It reads the sandbox's tables directly, so it only sees a sandbox that shares this
project's database (the embedded one).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sales.models import Merchant
from thred_django.engine.status import counts

from .manifest import build_manifest

# Outbox states folded into the columns of the report.
STATE_COLUMNS = {
    "synced": ("synced",),
    "failed": ("failed", "blocked"),
    "waiting": ("pending", "retrying", "in_flight"),
    "other": ("skipped", "voided", "orphaned", "drifted"),
}


def sandbox_holdings() -> dict[str, dict[str, Any]] | None:
    """``{business external_id: summary}`` of this partner in the embedded sandbox."""
    try:
        from thred_django.sandbox.summary import partner_summary
    except ImportError:
        return None
    return partner_summary(str(settings.THRED["PARTNER_ID"]))


def outbox_by_resource() -> dict[str, dict[str, int]]:
    """``{resource: {synced, failed, waiting, other}}`` from the outbox."""
    table: dict[str, dict[str, int]] = {}
    for resource, states in counts()["resources"].items():
        table[resource] = {
            column: sum(states.get(state, 0) for state in members)
            for column, members in STATE_COLUMNS.items()
        }
    return table


def _held(summary: dict[str, Any] | None, resource: str, amount: int | None) -> dict[str, Any]:
    if resource == "business":
        return {"count": int(summary is not None), "amount_cents": None}
    if summary is None:
        return {"count": 0, "amount_cents": None if amount is None else 0}
    return dict(summary.get(resource) or {"count": 0, "amount_cents": None})


def build_report() -> dict[str, Any]:
    manifest = build_manifest()
    holdings = sandbox_holdings()
    names = dict(Merchant.objects.values_list("pk", "name"))
    currencies = dict(Merchant.objects.values_list("pk", "currency"))
    merchants = list(Merchant.objects.order_by("pk").values_list("pk", flat=True))
    businesses = []
    mismatches = 0
    for pk, expected in zip(merchants, manifest["businesses"], strict=True):
        summary = holdings.get(expected["external_id"]) if holdings is not None else None
        rows = {}
        for resource, want in expected["resources"].items():
            got = _held(summary, resource, want["amount_cents"])
            match = got == want
            mismatches += not match
            rows[resource] = {"expected": want, "sandbox": got, "match": match}
        businesses.append(
            {
                "external_id": expected["external_id"],
                "name": names[pk],
                "currency": currencies[pk],
                "resources": rows,
            }
        )
    outbox = outbox_by_resource()
    failed = sum(row["failed"] for row in outbox.values())
    waiting = sum(row["waiting"] for row in outbox.values())
    return {
        "outbox": outbox,
        "businesses": businesses,
        "sandbox_available": holdings is not None,
        "failed": failed,
        "waiting": waiting,
        "mismatches": mismatches,
        "ok": failed == 0 and waiting == 0 and mismatches == 0 and holdings is not None,
    }
