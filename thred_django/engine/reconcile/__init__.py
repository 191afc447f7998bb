"""Reconciliation: prove that Thred holds what the host says, or name every difference.

    from thred_django.engine.reconcile import reconcile

    summary = reconcile(business=None, resources=None, repair=False)
    summary.agreed        # True when the two sides agree everywhere

For each business (one tenant row at a time) and each resource, Thred's objects are
read page by page through the client's list and get endpoints and compared with the
outbox and the host (``business``); findings (``findings.Kind``) go to ``on_finding``
as they are made and are counted per business; each business's last result is stored
(``models.ReconcileResult``, its first ``THRED["RECONCILE_KEEP_FINDINGS"]`` findings in
full) and ``signals.drift_found`` is sent for a business with drift. ``repair=True``
repairs what can be repaired (``fix``) and says what cannot.

Modules: ``thred_side`` (reading Thred), ``host_side`` (current payloads, unmarked rows),
``compare`` (field by field), ``fix`` (repairs), ``business`` (one business),
``findings`` (what is reported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from thred_django.client import ThredClient, get_client
from thred_django.conf import thred_settings
from thred_django.engine.reconcile import fix, host_side, thred_side
from thred_django.engine.reconcile.business import BusinessRun
from thred_django.engine.reconcile.findings import Finding, Kind, Tally
from thred_django.exceptions import ThredConfigurationError, ThredError
from thred_django.mappings import Mapping, registry
from thred_django.models import ReconcileResult, SyncRecord
from thred_django.resources import RANK, Resource
from thred_django.signals import drift_found

__all__ = ["Finding", "Kind", "Summary", "Tally", "reconcile"]

# The partner-level check (businesses in Thred nobody here knows) is stored under this.
PARTNER = "(partner)"


@dataclass
class Summary:
    """Totals of a run (per-business results are stored and passed to ``on_business``)."""

    businesses: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    repaired: int = 0
    unrepairable: int = 0
    errors: int = 0

    def add(self, tally: Tally) -> None:
        self.businesses += tally.tenant_id != PARTNER
        for kind, n in tally.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        self.repaired += tally.repaired
        self.unrepairable += tally.unrepairable
        self.errors += bool(tally.error)

    def merge(self, other: Summary) -> None:
        """Add another run's totals (another tenant schema's)."""
        self.businesses += other.businesses
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        self.repaired += other.repaired
        self.unrepairable += other.unrepairable
        self.errors += other.errors

    @property
    def drift(self) -> int:
        return sum(self.counts.values())

    @property
    def agreed(self) -> bool:
        return not self.drift and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "agreed": self.agreed,
            "businesses": self.businesses,
            "counts": dict(self.counts),
            "drift": self.drift,
            "repaired": self.repaired,
            "unrepairable": self.unrepairable,
            "errors": self.errors,
        }


def _business_mapping() -> Mapping:
    mapping = registry.business_mapping()
    if mapping is None:
        raise ThredConfigurationError(
            "No business mapping is registered: nothing to reconcile. Map your tenant model "
            "with @mappings.register(Tenant) class TenantMapping(mappings.BusinessMapping)."
        )
    return mapping


def _tenants(business: str | None) -> Iterator[tuple[Any, SyncRecord | None]]:
    """(tenant row, its business record or None), in primary-key chunks."""
    mapping = _business_mapping()
    if business is not None:
        record = SyncRecord.objects.filter(resource=Resource.BUSINESS, external_id=business).first()
        tenant = None
        if record is not None:
            tenant = mapping.get_queryset().filter(pk=record.tenant_id).first()
        if record is None or tenant is None:
            raise LookupError(
                f"No business with external id {business!r} is in the outbox (or its tenant "
                "row is gone); see `manage.py thred_status` for the known ones."
            )
        yield tenant, record
        return
    base = mapping.backfill_queryset().order_by("pk")  # django-tenants: this schema's own
    last: Any = None
    while True:
        rows = list((base if last is None else base.filter(pk__gt=last))[: host_side.CHUNK])
        if not rows:
            return
        last = rows[-1].pk
        records = {
            r.tenant_id: r
            for r in SyncRecord.objects.filter(
                resource=Resource.BUSINESS, tenant_id__in=[str(t.pk) for t in rows]
            )
        }
        for tenant in rows:
            yield tenant, records.get(str(tenant.pk))


def _store(tally: Tally, started: Any, repair: bool) -> ReconcileResult:
    result, _ = ReconcileResult.objects.update_or_create(
        tenant_id=tally.tenant_id,
        defaults={
            "business": tally.business,
            "started_at": started,
            "finished_at": timezone.now(),
            "agreed": tally.agreed,
            "fixed": repair,
            "counts": dict(sorted(tally.counts.items())),
            "repaired": tally.repaired,
            "unrepairable": tally.unrepairable,
            "findings": [f.as_dict() for f in tally.kept],
            "error": tally.error.strip(),
        },
    )
    if tally.drift:
        drift_found.send(sender=ReconcileResult, result=result, findings=list(tally.kept))
    return result


def _unknown_businesses(
    client: ThredClient, tally: Tally, emit: Callable[[Finding], None], repair: bool
) -> None:
    """Businesses in Thred with our external id that no outbox record or tenant row has."""
    try:
        for page in thred_side.business_pages(client):
            tally.checked += len(page)
            ours = [o for o in page if thred_side.is_ours(Resource.BUSINESS, o.get("external_id"))]
            known = set(
                SyncRecord.objects.filter(
                    resource=Resource.BUSINESS, external_id__in=[o["external_id"] for o in ours]
                ).values_list("external_id", flat=True)
            )
            for obj in ours:
                external_id = str(obj["external_id"])
                key = thred_side.host_key(Resource.BUSINESS, external_id)
                if external_id in known or (
                    key and key[0].get_queryset().filter(pk=key[1]).exists()
                ):
                    continue
                finding = Finding(
                    Kind.UNKNOWN,
                    Resource.BUSINESS,
                    external_id,
                    business=external_id,
                    thred_id=str(obj.get("id", "")),
                )
                if repair:
                    finding.fix, finding.fix_note = fix.repair_unknown(
                        client, Resource.BUSINESS, "", ""
                    )
                tally.add(finding)
                emit(finding)
    except ThredError as exc:
        tally.error += f"businesses: {exc}\n"


def _stepper(on_step: Callable[[str, str], None] | None, name: str) -> Callable[[str], None]:
    def step(resource: str) -> None:
        if on_step is not None:
            on_step(name, resource)

    return step


def reconcile(
    *,
    business: str | None = None,
    resources: list[str] | None = None,
    repair: bool = False,
    on_finding: Callable[[Finding], None] | None = None,
    on_business: Callable[[Tally], None] | None = None,
    on_step: Callable[[str, str], None] | None = None,
    client: ThredClient | None = None,
) -> Summary:
    """Reconcile every business (or the one with external id ``business``) for every
    resource (or ``resources``); ``repair`` fixes what it can. Raises LookupError for an
    unknown ``business``."""
    client = client or get_client()
    wanted = sorted(resources or Resource.values, key=lambda r: RANK[r])
    emit = on_finding or (lambda finding: None)
    keep = int(thred_settings.RECONCILE_KEEP_FINDINGS)
    summary = Summary()
    for tenant, record in _tenants(business):
        started = timezone.now()
        name = record.external_id if record else _business_mapping().get_external_id(tenant)
        tally = Tally(business=name, tenant_id=str(tenant.pk), keep=keep)
        BusinessRun(
            client,
            tenant,
            record,
            tally,
            resources=wanted,
            repair=repair,
            started=started,
            emit=emit,
            step=_stepper(on_step, name),
        ).run()
        _store(tally, started, repair)
        summary.add(tally)
        if on_business:
            on_business(tally)
    if business is None and Resource.BUSINESS in wanted:
        started = timezone.now()
        tally = Tally(business=PARTNER, tenant_id=PARTNER, keep=keep)
        _unknown_businesses(client, tally, emit, repair)
        _store(tally, started, repair)
        summary.add(tally)
        if on_business:
            on_business(tally)
    return summary
