"""Reconciling one business: Thred's objects against the outbox and the host, page by page.

``BusinessRun.run()`` does, for each resource in dependency order:

1. read Thred's objects a page at a time; for each page, one query finds their outbox
   records and one query per model loads their host rows; each object is judged
   (unknown, changed in Thred, edited in the host without a mark, host row deleted),
   and the ids of the records found are written to ``ReconcileSeen``;
2. list, in chunks, the records the outbox holds a Thred id for that Thred did not list
   (an anti-join with ``ReconcileSeen``): missing in Thred;
3. walk the host's rows of the business in primary-key chunks for rows with no outbox
   row at all (unmarked).

Memory is bounded by a page (100 objects) and a chunk (500 rows) whatever the size of
the business; the set of records seen lives in the database, not in the process.
A resource whose listing fails is not judged for missing objects (it was not read to
the end); the error is kept on the business's result.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef

from thred_django.client import ThredClient
from thred_django.engine import operations
from thred_django.engine.payload import digest
from thred_django.engine.reconcile import fix, host_side, thred_side
from thred_django.engine.reconcile.compare import diff
from thred_django.engine.reconcile.findings import FieldDiff, Finding, Kind, Tally
from thred_django.exceptions import ThredError, ThredNotFoundError
from thred_django.mappings import Mapping
from thred_django.models import ReconcileSeen, SyncRecord
from thred_django.resources import SETTLED, Action, Resource, State

# Engine notes meaning "the host's change was recorded but Thred cannot take it": such a
# record is not an unmarked edit, it is a known difference.
UNSENDABLE = ("update_not_supported", "update_partial")

Emit = Callable[[Finding], None]


class BusinessRun:
    def __init__(
        self,
        client: ThredClient,
        tenant: Any,
        record: SyncRecord | None,
        tally: Tally,
        *,
        resources: list[str],
        repair: bool,
        started: datetime,
        emit: Emit,
        step: Callable[[str], None],
    ) -> None:
        self.client = client
        self.tenant = tenant
        self.tenant_id = str(tenant.pk)
        self.record = record
        self.tally = tally
        self.resources = resources
        self.repair = repair
        self.started = started
        self._emit = emit
        self.step = step
        self.ctx = host_side.ReadOnlyContext(self.tenant_id)
        # Records missing in Thred, repaired once every resource was judged (creating
        # them again changes the Thred ids their dependents' payloads name). One int each.
        self.to_recreate: list[int] = []

    # --- reporting ----------------------------------------------------------------------
    def found(self, finding: Finding, outcome: tuple[str, str] | None = None) -> None:
        finding.business = self.tally.business
        if outcome is not None:
            finding.fix, finding.fix_note = outcome
        self.tally.add(finding)
        self._emit(finding)

    # --- the run ------------------------------------------------------------------------
    def run(self) -> None:
        in_thred = self._check_business()
        for resource in self.resources:
            if resource != Resource.BUSINESS and in_thred:
                try:
                    seen = self._scan(resource)
                except ThredError as exc:
                    self.tally.error += f"{resource}: {exc}\n"
                else:
                    self._missing(resource, seen)
            for mapping in thred_side.mappings_of(resource):
                self._unmarked(mapping)
            self.step(resource)
        self._recreate()
        self.tally.unsettled = (
            SyncRecord.objects.filter(tenant_id=self.tenant_id, resource__in=self.resources)
            .exclude(state__in=SETTLED)
            .count()
        )

    def _check_business(self) -> bool:
        """True when the business is in Thred (its objects can be read)."""
        record = self.record
        if record is None or not record.thred_id:
            return False
        try:
            response: Any = self.client.get_business(record.thred_id).data
        except ThredNotFoundError:
            if Resource.BUSINESS in self.resources:
                mapping = host_side.mapping_of(record)
                outcome = fix.repair_missing(record, mapping, self.tenant) if self.repair else None
                self.found(self._finding(Kind.MISSING, record), outcome)
            return False
        except ThredError as exc:
            self.tally.error += f"business: {exc}\n"
            return False
        held = dict(response) if isinstance(response, dict) else None
        if Resource.BUSINESS in self.resources and held is not None:
            self.tally.checked += 1
            mapping = host_side.mapping_of(record)
            if mapping is not None:
                self._judge(mapping, record, self.tenant, held)
        return True

    @staticmethod
    def _finding(kind: Kind, record: SyncRecord, **extra: Any) -> Finding:
        ct = ContentType.objects.get_for_id(record.content_type_id)
        return Finding(
            kind,
            record.resource,
            record.external_id,
            thred_id=record.thred_id,
            host=f"{ct.app_label}.{ct.model}:{record.object_id}",
            **extra,
        )

    # --- 1. Thred's objects -------------------------------------------------------------
    def _scan(self, resource: str) -> uuid.UUID:
        run = uuid.uuid4()
        business_id = self.record.thred_id if self.record else ""
        for page in thred_side.pages(self.client, resource, business_id):
            self.tally.checked += len(page)
            ours = {
                str(o["external_id"]): o
                for o in page
                if thred_side.is_ours(resource, o.get("external_id"))
            }
            records = list(
                SyncRecord.objects.filter(
                    resource=resource, tenant_id=self.tenant_id, external_id__in=list(ours)
                )
            )
            ReconcileSeen.objects.bulk_create(
                [ReconcileSeen(run=run, record_id=r.pk) for r in records]
            )
            known = {r.external_id for r in records}
            for external_id, obj in ours.items():
                if external_id not in known:
                    self._unknown(resource, business_id, external_id, obj)
            by_type: dict[int, list[SyncRecord]] = {}
            for r in records:
                by_type.setdefault(r.content_type_id, []).append(r)
            for batch in by_type.values():
                mapping = host_side.mapping_of(batch[0])
                if mapping is None:
                    continue
                rows = host_side.load(mapping, batch)
                self.ctx.learn(list(rows.values()))
                for r in batch:
                    self._judge(mapping, r, rows.get(r.object_id), ours[r.external_id])
        return run

    def _unknown(self, resource: str, business_id: str, external_id: str, obj: dict) -> None:
        key = thred_side.host_key(resource, external_id)
        if key is not None:
            mapping, pk = key
            try:
                if mapping.get_queryset().filter(pk=pk).exists():
                    return  # a host row whose mark was lost: reported by the host scan
            except (ValueError, TypeError):
                pass
        # Archived, voided, cancelled: what a host delete leaves behind, not drift.
        if operations.retired(resource, obj):
            return
        thred_id = str(obj.get("id", ""))
        outcome = None
        if self.repair:
            outcome = fix.repair_unknown(self.client, resource, business_id, thred_id)
        self.found(Finding(Kind.UNKNOWN, resource, external_id, thred_id=thred_id), outcome)

    def _judge(self, mapping: Mapping, record: SyncRecord, obj: Any, held: dict) -> None:
        held_id = str(held.get("id", ""))
        if record.thred_id and held_id and held_id != record.thred_id:
            fields = [FieldDiff("id", record.thred_id, held_id)]
            outcome = fix.repair_relinked(record, mapping, obj) if self.repair else None
            self.found(self._finding(Kind.DIFFERENT, record, fields=fields), outcome)
            return
        if record.state != State.SYNCED or record.action == Action.DELETE:
            return  # the engine has work queued or settled it otherwise
        if obj is None:
            outcome = fix.repair_host_deleted(record) if self.repair else None
            self.found(self._finding(Kind.HOST_DELETED, record), outcome)
            return
        payload = host_side.current_payload(mapping, obj, record, self.ctx)
        if payload is None:
            return
        edited = (
            record.acked_payload is not None
            and record.last_error_code not in UNSENDABLE
            and digest(payload) != record.payload_hash
        )
        fields = diff(record.resource, payload, held)
        if edited:
            fields = fields or diff(record.resource, payload, record.acked_payload or {})
            outcome = fix.repair_edited(record, mapping, obj) if self.repair else None
            self.found(self._finding(Kind.EDITED_UNMARKED, record, fields=fields), outcome)
        elif fields:
            outcome = fix.repair_different(record, mapping, obj) if self.repair else None
            self.found(self._finding(Kind.DIFFERENT, record, fields=fields), outcome)

    # --- 2. missing in Thred ------------------------------------------------------------
    def _missing(self, resource: str, run: uuid.UUID) -> None:
        seen = ReconcileSeen.objects.filter(run=run, record_id=OuterRef("pk"))
        scope = (
            SyncRecord.objects.filter(
                resource=resource, tenant_id=self.tenant_id, updated_at__lt=self.started
            )
            .exclude(thred_id="")
            .exclude(state=State.IN_FLIGHT)
            .filter(~Exists(seen))
            .order_by("pk")
        )
        last = 0
        try:
            while True:
                chunk = list(scope.filter(pk__gt=last)[: host_side.CHUNK])
                if not chunk:
                    return
                last = chunk[-1].pk
                for record in chunk:
                    self._report_missing(record)
        finally:
            ReconcileSeen.objects.filter(run=run).delete()

    def _report_missing(self, record: SyncRecord) -> None:
        if self.repair:
            self.to_recreate.append(record.pk)
        else:
            self.found(self._finding(Kind.MISSING, record))

    def _recreate(self) -> None:
        """Repair the records missing in Thred, parents first."""
        pks, self.to_recreate = self.to_recreate, []
        for start in range(0, len(pks), host_side.CHUNK):
            chunk = SyncRecord.objects.filter(pk__in=pks[start : start + host_side.CHUNK])
            for record in chunk.order_by("rank", "pk"):
                mapping = host_side.mapping_of(record)
                obj = host_side.load(mapping, [record]).get(record.object_id) if mapping else None
                outcome = fix.repair_missing(record, mapping, obj)
                self.found(self._finding(Kind.MISSING, record), outcome)

    # --- 3. host rows never marked ------------------------------------------------------
    def _unmarked(self, mapping: Mapping) -> None:
        for scanned, rows in host_side.unmarked_rows(mapping, self.tenant.pk):
            self.tally.checked += scanned
            if not rows:
                continue
            outcome = fix.repair_unmarked(rows) if self.repair else None
            label = mapping.model._meta.label_lower
            for row in rows:
                finding = Finding(
                    Kind.UNMARKED,
                    mapping.resource,
                    mapping.get_external_id(row),
                    host=f"{label}:{row.pk}",
                )
                self.found(finding, outcome)
