"""What a reconciliation finds: one ``Finding`` per object that differs, and a per-business
``Tally`` that counts them all but keeps only the first few (bounded memory).

Kinds of drift (``Kind``):

* ``missing`` — the outbox has a Thred id for the object, Thred no longer holds it;
* ``unknown`` — Thred holds an object with our external id prefix that no host row and
  no outbox row accounts for;
* ``different`` — Thred's object differs from what the host's current payload says (it
  was changed in Thred), listed per field;
* ``edited_unmarked`` — the host row changed without a mark (``QuerySet.update()``, raw
  SQL): its current payload is not what Thred acknowledged, and nothing is queued;
* ``unmarked`` — a host row of a mapped model has no outbox row at all (a lost mark, a
  ``bulk_create``);
* ``host_deleted`` — the outbox says synced, but the host row is gone without a delete
  mark (raw SQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    DIFFERENT = "different"
    EDITED_UNMARKED = "edited_unmarked"
    UNMARKED = "unmarked"
    HOST_DELETED = "host_deleted"


DESCRIPTIONS = {
    Kind.MISSING: "in the outbox as sent, but Thred does not hold it",
    Kind.UNKNOWN: "in Thred with our external id, unknown to the host",
    Kind.DIFFERENT: "changed in Thred: differs from the host's data",
    Kind.EDITED_UNMARKED: "changed in the host without a mark: Thred has the old data",
    Kind.UNMARKED: "a host row with no outbox row (never marked)",
    Kind.HOST_DELETED: "deleted in the host without a mark: Thred still has it",
}


@dataclass(frozen=True)
class FieldDiff:
    """One field where the two sides disagree (``None``: absent on that side)."""

    field: str
    host: Any
    thred: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "host": self.host, "thred": self.thred}


@dataclass
class Finding:
    """One object that differs, named by its external id."""

    kind: Kind
    resource: str
    external_id: str
    business: str = ""  # the business's external id
    thred_id: str = ""
    host: str = ""  # "app_label.model:pk" of the host row, when there is one
    fields: list[FieldDiff] = field(default_factory=list)
    # After --fix: "repaired" (re-marked / reset / voided) or "cannot" with the reason.
    fix: str = ""
    fix_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": str(self.kind),
            "resource": self.resource,
            "external_id": self.external_id,
            "business": self.business,
            "thred_id": self.thred_id,
            "host": self.host,
        }
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        if self.fix:
            out["fix"] = self.fix
            out["fix_note"] = self.fix_note
        return out

    def line(self) -> str:
        """One line for people: kind, resource, external id, fields, fix."""
        text = f"{self.kind}: {self.resource} {self.external_id}"
        if self.fields:
            parts = [f"{f.field} host={f.host!r} thred={f.thred!r}" for f in self.fields[:5]]
            more = f" (+{len(self.fields) - 5} more)" if len(self.fields) > 5 else ""
            text += " [" + "; ".join(parts) + more + "]"
        if self.fix:
            text += f" -> {self.fix}" + (f": {self.fix_note}" if self.fix_note else "")
        return text


@dataclass
class Tally:
    """Per-business counts of every finding, the first ``keep`` of them in full."""

    business: str
    tenant_id: str
    keep: int = 100
    counts: dict[str, int] = field(default_factory=dict)
    kept: list[Finding] = field(default_factory=list)
    repaired: int = 0
    unrepairable: int = 0
    checked: int = 0  # objects looked at (Thred objects + host rows)
    # Outbox records the engine has not settled (pending, retrying, failed, blocked): not
    # drift — the outbox says so itself — but not in Thred as the host says either.
    unsettled: int = 0
    error: str = ""

    def add(self, finding: Finding) -> None:
        kind = str(finding.kind)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if finding.fix == "repaired":
            self.repaired += 1
        elif finding.fix == "cannot":
            self.unrepairable += 1
        if len(self.kept) < self.keep:
            self.kept.append(finding)

    @property
    def drift(self) -> int:
        return sum(self.counts.values())

    @property
    def agreed(self) -> bool:
        return not self.drift and not self.error

    def as_dict(self) -> dict[str, Any]:
        return {
            "business": self.business,
            "tenant_id": self.tenant_id,
            "agreed": self.agreed,
            "counts": dict(self.counts),
            "checked": self.checked,
            "unsettled": self.unsettled,
            "repaired": self.repaired,
            "unrepairable": self.unrepairable,
            "error": self.error,
        }
