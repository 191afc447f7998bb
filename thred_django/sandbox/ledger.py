"""Balances and statuses derived from allocations, recomputed after every change.

One ``Settled`` per kind of document money is allocated to (invoices, bills, declared
in their kind modules) says where its money comes from: each kind whose rows pay into
it adds its ``Source`` (``pays_into``: payment allocations, vendor-credit allocations)
and each that takes money back out adds its own (``refunds_from``: refunds).
``refresh(kind, documents)`` recomputes what each document has received (rows of
its sources that count), refunded, its status and ``paid_at``, then whatever depends
on them (``after``: the customers' outstanding balances, for invoices).

Call it inside the write transaction, after the allocations changed. It takes
instances already locked in this transaction (updated in place, so a response can be
rendered without reading them again) or ids (locked here), and costs a fixed number of
queries however many documents it touches. ``lock`` takes row locks (PostgreSQL) in id
order, so concurrent allocations to one document cannot overspend it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

from thred_django.sandbox import rows as rows_
from thred_django.sandbox.tables import Business


@dataclass(frozen=True)
class Source:
    """Rows whose ``amount_cents`` count towards a document (``key``: the document fk);
    ``owner``: the fk to the object they belong to (a payment), so an update of that
    object can leave its own rows out; ``statuses``: when given, only the rows whose
    owner has one of these statuses count."""

    model: type[Model]
    key: str
    statuses: tuple[str, ...] = ()
    owner: str = ""


@dataclass(eq=False)
class Settled:
    name: str  # invoice, bill
    model: type[Model]
    role: str  # its counterparty: customer, vendor
    received: str  # the column holding what the document has received
    status: Callable[[Any], str]
    refunded: str = ""  # the column holding what was refunded of it (invoices)
    after: Callable[[list[Any]], None] | None = None  # runs after a refresh
    sources: list[Source] = field(default_factory=list)
    refunds: list[Source] = field(default_factory=list)

    def pays_into(self, source: Source) -> None:
        """Rows of ``source`` count towards what these documents have received."""
        if source not in self.sources:  # a module imported again adds nothing twice
            self.sources.append(source)

    def refunds_from(self, source: Source) -> None:
        """Rows of ``source`` are refunds of these documents (``refunded``)."""
        if source not in self.refunds:
            self.refunds.append(source)


def lock(kind: Settled, business: Business, ids: Iterable[Any]) -> dict[str, Any]:
    """The business's documents with these ids, row-locked in id order, by str(id)."""
    wanted = sorted({str(i) for i in ids})
    rows = rows_.find(kind.model, for_update=True, business=business, id=wanted)
    return {str(row.pk): row for row in rows}


def totals(source: Source, keys: Iterable[Any], exclude: dict[str, Any] | None = None) -> dict:
    """``{document id: sum of amount_cents}`` of the source's counting rows; ``exclude``
    (``{"payment_id": id}``) leaves one owner's rows out. One statement built once per
    shape: the ``values_list(key).annotate(Sum)`` it stands for costs ~0.4 ms of CPU
    to compile, as much as the rest of a payment's ledger work."""
    return totals_of([(source, exclude)], keys)[0]


def totals_of(
    parts: Sequence[tuple[Source, dict[str, Any] | None]],
    keys: Iterable[Any],
    inserting: Sequence[Sequence[Model]] = (),
) -> list[dict]:
    """``totals(source, keys, exclude)`` of each ``(source, exclude)`` part, in order,
    from one statement (the parts' sums joined by ``UNION ALL``, each row tagged with
    its part): a payment's documents are summed over every source in one round trip.

    ``inserting``: groups of new rows (``rows.insert_together``) stored first, counted
    in the sums. On PostgreSQL their INSERTs go in the sums' statement (its ``WITH``),
    whose sums do not see them: what each new row adds to a part (a row of its source,
    for one of ``keys``, whose owner's status counts, not excluded) is added here."""
    keys = list(keys)
    groups = [list(group) for group in inserting if group]
    if groups and not (keys and parts and rows_.together(type(groups[0][0]))):
        rows_.insert_together(*groups)  # then summed with the rest (or nothing to sum)
        groups = []
    if not keys or not parts:
        return [{} for _ in parts]
    using = router.db_for_read(parts[0][0].model)
    connection = connections[using]
    params: list[Any] = []
    shape = []
    for source, exclude in parts:
        model = source.model
        key: Any = model._meta.get_field(source.key)
        params += [key.get_db_prep_value(k, connection) for k in keys]
        if source.statuses:
            params += list(source.statuses)
        owner: Any = None
        if exclude:
            ((name, value),) = exclude.items()
            owner = model._meta.get_field(name)
            params.append(owner.get_db_prep_value(value, connection))
        shape.append((source, owner.name if owner else ""))
    out: list[dict] = [{} for _ in parts]
    sql = _union_sql(tuple(shape), using, len(keys))
    if groups:
        sql, stored = rows_.inserting(*groups, then=sql)
        params = stored + params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, k, total in cursor.fetchall():
            # to_python: the keys as the ORM gives them (UUIDs, not SQLite's text)
            key = parts[part][0].model._meta.get_field(parts[part][0].key)
            out[part][key.to_python(k)] = int(total or 0)
    for part, (source, exclude) in enumerate(parts):
        for row in (row for group in groups for row in group):
            _count_new(out[part], source, exclude, row, keys)
    return out


def _count_new(
    found: dict[Any, int], source: Source, exclude: dict[str, Any] | None, row: Any, keys: list
) -> None:
    """Add a new row's ``amount_cents`` to ``found`` as the source's sum would count it."""
    model: Any = source.model
    if type(row) is not model:
        return
    field: Any = model._meta.get_field(source.key)
    key = field.to_python(getattr(row, field.attname))
    if key is None or str(key) not in {str(k) for k in keys}:
        return
    if source.statuses and getattr(row, source.owner).status not in source.statuses:
        return
    if exclude:
        ((name, value),) = exclude.items()
        if str(getattr(row, name)) == str(value):
            return
    found[key] = found.get(key, 0) + int(row.amount_cents)


@functools.lru_cache(maxsize=64)
def _union_sql(shape: tuple[tuple[Source, str], ...], using: str, count: int) -> str:
    return " UNION ALL ".join(
        _totals_sql(source, using, count, excluded, part)
        for part, (source, excluded) in enumerate(shape)
    )


def _totals_sql(source: Source, using: str, count: int, excluded: str, part: int) -> str:
    model = source.model
    key = rows_.column(model, source.key, using, "a")
    amount = rows_.column(model, "amount_cents", using, "a")
    sql = f"SELECT {part}, {key}, SUM({amount}) FROM {rows_.table(model, using)} a"  # noqa: S608
    if source.statuses:
        owner: Any = model._meta.get_field(source.owner).related_model
        link = rows_.column(model, source.owner, using, "a")
        pk = rows_.column(owner, owner._meta.pk.name, using, "o")
        status = rows_.column(owner, "status", using, "o")
        sql += f" INNER JOIN {rows_.table(owner, using)} o ON {link} = {pk}"
        sql += f" WHERE {key} IN ({rows_.marks(count)})"
        sql += f" AND {status} IN ({rows_.marks(len(source.statuses))})"
    else:
        sql += f" WHERE {key} IN ({rows_.marks(count)})"
    if excluded:
        sql += f" AND NOT ({rows_.column(model, excluded, using, 'a')} = %s)"
    return f"{sql} GROUP BY {key}"


def _added(found: Iterable[dict[Any, int]]) -> dict[Any, int]:
    """The parts' totals added up per document."""
    out: dict[Any, int] = {}
    for part in found:
        for key, total in part.items():
            out[key] = out.get(key, 0) + total
    return out


def _locked(model: type[Model], given: Iterable[Any]) -> list[Any]:
    """Instances as given, plus the ids given, loaded with row locks (in id order)."""
    items = list(given)
    instances = [item for item in items if isinstance(item, model)]
    known = {str(obj.pk) for obj in instances}
    ids = sorted({str(item) for item in items if not isinstance(item, model)} - known)
    if ids:
        instances += rows_.find(model, for_update=True, id=ids)
    return instances


def refresh(
    kind: Settled, documents: Iterable[Any], inserting: Sequence[Sequence[Model]] = ()
) -> None:
    """Recompute documents given as locked instances (updated in place) or ids;
    ``inserting``: groups of new rows stored first (``totals_of``: on PostgreSQL in the
    statement of the sums), counted in them."""
    instances = _locked(kind.model, documents)
    if not instances:
        rows_.insert_together(*inserting)
        return
    keys = [doc.pk for doc in instances]
    # What they received and (invoices) what was refunded of them, in one statement.
    refunds = kind.refunds if kind.refunded else []
    parts = [(source, None) for source in [*kind.sources, *refunds]]
    found = totals_of(parts, keys, inserting)
    received = _added(found[: len(kind.sources)])
    refunded = _added(found[len(kind.sources) :])
    now = timezone.now()
    for doc in instances:
        setattr(doc, kind.received, received.get(doc.pk, 0))
        if kind.refunded:
            setattr(doc, kind.refunded, refunded.get(doc.pk, 0))
        doc.status = kind.status(doc)
        doc.paid_at = (doc.paid_at or now) if doc.status == "PAID" else None
        doc.updated_at = now
    fields = [kind.received, "status", "paid_at", "updated_at"]
    if kind.refunded:
        fields.append(kind.refunded)
    rows_.update(kind.model, fields, ([d.pk, *(getattr(d, f) for f in fields)] for d in instances))
    if kind.after is not None:
        kind.after(instances)


def refresh_existing(kind: Settled, ids: Iterable[Any]) -> Callable[[], None]:
    """A call recomputing those of the documents that still exist then (``tamper``)."""
    wanted = set(ids)

    def run() -> None:
        found = kind.model._default_manager.filter(id__in=wanted)
        refresh(kind, list(found.values_list("id", flat=True)))

    return run


def outstanding(kind: Settled, document: Any) -> int:
    return max(0, document.total_cents - getattr(document, kind.received))
