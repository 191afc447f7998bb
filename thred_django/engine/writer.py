"""Writing the outcomes of one claim's records in batches, fenced by its lease token.

A call Thred accepted, or a record settled without one (unchanged, skipped, drifted),
is not written at once: ``Outcomes`` keeps its values, its attempt row and the
dependency edges its payload read, and ``flush`` writes a batch in one transaction:

1. ``SELECT … FOR UPDATE`` of the batch's rows still under the lease token, with their
   revision (the rows a save re-marked meanwhile go back to pending, keeping what we
   learned, so the newest data is pushed next);
2. one ``UPDATE … WHERE lease_token = <ours> AND id IN (…)`` per group of rows that set
   the same columns, the values that differ from row to row in a ``CASE`` on the id;
3. the attempt rows (one INSERT) and the edges.

The runner flushes every FLUSH_EVERY outcomes or FLUSH_SECONDS, before a claim gives
records back, and always when a claim ends; failures and releases (rare) are written
at once, after a flush, so that rows commit in the order their outcomes happened.
Flushes are serialised: a child's outcome never commits before its parent's.

Why the guarantees hold:

* **Fencing.** Every statement names the lease token: a worker whose lease was taken
  over writes nothing (its SELECT finds no row, its UPDATE matches none).
* **A crash** (or a database error during a flush) loses the unflushed outcomes, never
  more: their rows are still in flight under the dead lease, which lapses; the next
  claim records that a create may have landed (``claim.SENT_SAME``) and pushes them
  again, and Thred answers a repeated create with what it holds (external id,
  Idempotency-Key), a repeated update or void with the same result: no double effect.
* **Children.** Within the run a parent's Thred id is known in memory (``Known``, and
  the pushed record itself for a waiting child): a child is sent with it before its
  parent's row is written. The parent's row commits in the same flush as the child's,
  or an earlier one; another worker sees the parent in flight, under a live lease, and
  waits.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Case, Field, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from thred_django.engine import observe, sql
from thred_django.engine.edges import write_edges
from thred_django.models import SyncAttempt, SyncRecord
from thred_django.resources import State
from thred_django.signals import sync_succeeded

logger = logging.getLogger("thred_django.engine")

# Outcomes written per flush, at most (a claim's worth, THRED["BATCH_SIZE"]'s default);
# and how long one may wait for its flush. A flush is a transaction of four statements
# and a commit whatever its size: per 50 outcomes, SQLite's push spent ~0.02 ms of CPU
# a record more than per 200 (benchmarks/README.md §7, "Ninth round"). A crash loses
# at most the unflushed ones, which are pushed again (see above).
FLUSH_EVERY = 200
FLUSH_SECONDS = 1.0

_REMARKED = {"state": State.PENDING, "attempts": 0}


@dataclass
class Pending:
    """One record's outcome, not written yet."""

    record: SyncRecord
    values: dict[str, Any]
    acknowledged: datetime | None = None  # when Thred accepted a call (None: no call)
    attempt: SyncAttempt | None = None


@dataclass
class Flushed:
    written: list[Pending] = field(default_factory=list)
    lost: list[Pending] = field(default_factory=list)  # the lease was taken over


class Outcomes:
    """The unwritten outcomes, attempt rows and edges of one claim (all its threads)."""

    def __init__(self, token: uuid.UUID | None = None) -> None:
        self.token = token
        self._pending: list[Pending] = []
        self.rows: list[SyncAttempt] = []
        self.read: dict[int, set[tuple[int, str]]] = {}
        self._since: float | None = None  # when the oldest unwritten one came
        self._lock = threading.Lock()  # the threads of one claim add
        self._flushing = threading.Lock()  # one flush at a time, in order
        # Told the ids of the records whose outcomes a flush wrote (push.Share.forget).
        self.on_written: Callable[[list[int]], None] | None = None

    def add(self, pending: Pending) -> None:
        with self._lock:
            self._pending.append(pending)
            if pending.attempt is not None:
                self.rows.append(pending.attempt)
            if self._since is None:
                self._since = time.monotonic()

    def attempt(self, row: SyncAttempt) -> None:
        """An attempt row without an outcome of its own here."""
        with self._lock:
            self.rows.append(row)

    def edges(self, record: SyncRecord, read: set[tuple[int, str]]) -> None:
        """``record``'s payload read the Thred ids of these (content type id, pk)."""
        with self._lock:
            self.read[record.id] = set(read)

    def __len__(self) -> int:
        return len(self._pending) + len(self.rows) + len(self.read)

    def due(self) -> bool:
        """Time to flush: enough outcomes (or attempt rows, or records' edges: a success
        brings one of each), or the oldest has waited long enough."""
        if max(len(self._pending), len(self.rows), len(self.read)) >= FLUSH_EVERY:
            return True
        since = self._since
        return since is not None and time.monotonic() - since >= FLUSH_SECONDS

    def flush(self) -> Flushed:
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, []
                rows, self.rows = self.rows, []
                read, self.read = self.read, {}
                self._since = None
            if not (pending or rows or read):
                return Flushed()
            try:
                with transaction.atomic():
                    done = self._write(pending)
                    if done.lost:  # a worker that lost its lease records nothing
                        lost = {p.record.id for p in done.lost}
                        rows = [row for row in rows if row.record_id not in lost]
                        read = {pk: keys for pk, keys in read.items() if pk not in lost}
                    if rows:
                        sql.insert(connection.alias, rows)
                    if read:
                        write_edges(read)
            except DatabaseError as exc:
                self._stranded(pending, exc)
                raise
        self._announce(done.written)
        if self.on_written is not None and done.written:
            self.on_written([item.record.id for item in done.written])
        return done

    def _write(self, pending: list[Pending]) -> Flushed:
        if not pending:
            return Flushed()
        now = timezone.now()
        ids = [p.record.id for p in pending]
        if sql.supported(connection.alias):
            held = sql.held_revisions(connection.alias, self.token, ids)
        else:
            held = dict(
                SyncRecord.objects.select_for_update()
                .filter(id__in=ids, lease_token=self.token)
                .values_list("id", "revision")
            )
        done = Flushed()
        rows: dict[int, dict[str, Any]] = {}
        for item in pending:
            record = item.record
            if record.id not in held:
                done.lost.append(item)
                continue
            values = {"last_attempt_at": now, "updated_at": now, **item.values}
            if held[record.id] != record.claimed_revision:
                # A save landed while we worked: keep what we learned, push the newest data.
                values.update(_REMARKED, next_attempt_at=now)
            item.values = values
            rows[record.id] = values
            done.written.append(item)
        if sql.updates_supported(connection.alias):
            sql.update_leased(connection.alias, self.token, rows)
        else:
            update_rows(self.token, rows)
        return done

    def _announce(self, written: list[Pending]) -> None:
        """After the commit: the records in memory, metrics and logs, signals."""
        listeners = sync_succeeded.has_listeners(SyncRecord)
        for item in written:
            record = item.record
            for name, value in item.values.items():
                setattr(record, name, value)
            observe.settled(record, item.values)
            if item.acknowledged is None:
                continue
            observe.acknowledged(record, item.acknowledged)
            if listeners:
                try:
                    record.refresh_from_db()
                    sync_succeeded.send(sender=SyncRecord, record=record)
                except Exception:  # a host's handler must not stop the push
                    logger.exception("A sync_succeeded handler failed for %s", record)

    def _stranded(self, pending: list[Pending], exc: BaseException) -> None:
        """The outbox failed while writing these outcomes: say so on their records,
        which keep their lease until it lapses and are pushed again. Best effort."""
        if not pending:
            return
        message = (
            f"The outbox database failed while this record was pushed "
            f"({type(exc).__name__}: {exc}); it is pushed again once its lease lapses."
        )[:2000]
        try:
            with transaction.atomic():
                SyncRecord.objects.filter(
                    id__in=[p.record.id for p in pending], lease_token=self.token
                ).update(
                    last_error_code="outcome_not_recorded",
                    last_error_message=message,
                    updated_at=timezone.now(),
                )
        except Exception:
            logger.debug("Could not note the stranded records", exc_info=True)


def update_rows(token: uuid.UUID | None, rows: dict[int, dict[str, Any]]) -> int:
    """Write ``rows`` (id → field values) under the lease ``token``: one UPDATE per group
    of rows setting the same fields; a value shared by the whole group is set once, the
    others by a ``CASE`` on the id (what ``QuerySet.bulk_update`` does for every field).
    Returns the number of rows written. The ORM form of ``sql.update_leased``, for the
    databases it does not cover: resolving the CASE costs ~1 ms per row in CPU
    (benchmarks/README.md, "Engine CPU per record")."""
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for pk, values in rows.items():
        groups.setdefault(tuple(sorted(values)), []).append((pk, values))
    written = 0
    for names, group in groups.items():
        changes: dict[str, Any] = {}
        for name in names:
            column = [v[name] for _, v in group]
            if _all_equal(column):
                changes[name] = column[0]
            else:
                changes[name] = _case(name, ((pk, v[name]) for pk, v in group))
        written += SyncRecord.objects.filter(
            lease_token=token, id__in=[pk for pk, _ in group]
        ).update(**changes)
    return written


def _all_equal(values: list[Any]) -> bool:
    first = values[0]
    return all(type(v) is type(first) and v == first for v in values[1:])


def _case(name: str, values: Iterable[tuple[int, Any]]) -> Any:
    model_field = SyncRecord._meta.get_field(name)
    assert isinstance(model_field, Field)  # a column of the row, not a reverse relation
    case = Case(
        *(When(id=pk, then=Value(value, output_field=model_field)) for pk, value in values),
        output_field=model_field,
    )
    if connection.features.requires_casted_case_in_updates:
        return Cast(case, output_field=model_field)
    return case
