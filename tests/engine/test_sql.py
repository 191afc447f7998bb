"""engine.sql writes and reads what the ORM forms would (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tests.testapp import models as m
from thred_django.engine import fenced, marking, remark, sql, upsert
from thred_django.models import SyncDependency, SyncRecord

pytestmark = pytest.mark.django_db

SAME = ["state", "action", "rank", "attempts", "tenant_id", "thred_id", "force", "payload_hash",
        "acked_payload", "lease_token", "inactive_in_thred", "last_error_code",
        "last_error_details", "next_attempt_at", "resource"]  # fmt: skip


def test_a_mark_sets_every_column_whose_default_varies_per_row():
    """engine.sql prepares the other columns' defaults once: none of them may be a
    callable or auto_now, or every mark would share one value."""
    per_row = {
        f.attname
        for f in SyncRecord._meta.concrete_fields
        if not f.primary_key
        and (
            (f.has_default() and callable(f.default))
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        )
    }
    shop = m.Shop(pk=1, name="S")
    values = marking.mark_values(marking.registry.for_model(m.Shop), shop, "upsert", None)
    assert per_row <= set(values)


def rows(*pks):
    return [
        SyncRecord.objects.values(*SAME).get(object_id=str(pk), resource="customer") for pk in pks
    ]


def test_the_upsert_writes_what_bulk_create_writes(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}  # no marks by signals
    shop = m.Shop.objects.create(name="Acme")
    a, b = (
        m.Client.objects.create(shop=shop, name="A"),
        m.Client.objects.create(shop=shop, name="B"),
    )
    mapping = marking.registry.for_model(m.Client)
    now = timezone.now()
    for action in ("upsert", "delete"):  # insert, then re-mark
        marks = [marking.mark_values(mapping, obj, action, now) for obj in (a, b)]
        sql.upsert([marks[0]], "default", upsert.UNIQUE_FIELDS, upsert.remark_fields(marks[0]))
        upsert.upsert_orm([marks[1]], "default")
        ours, orms = rows(a.pk, b.pk)
        assert ours == orms and ours["action"] == action
        SyncRecord.objects.update(state="synced", thred_id="t", attempts=2, acked_payload={"x": 1})
    ours, orms = rows(a.pk, b.pk)
    assert ours == orms and ours["thred_id"] == "t"


def test_many_marks_go_in_batches_under_the_parameter_limit(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    shop = m.Shop.objects.create(name="Acme")
    clients = m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(120)])
    mapping = marking.registry.for_model(m.Client)
    marks = [marking.mark_values(mapping, c, "upsert", timezone.now()) for c in clients]
    upsert.upsert(marks, "default")
    upsert.upsert(marks, "default")  # every row again: re-marked, none added
    assert SyncRecord.objects.filter(resource="customer").count() == 120


def claimed(thred):
    shop = m.Shop.objects.create(name="Acme")
    m.Client.objects.create(shop=shop, name="A")
    m.Client.objects.create(shop=shop, name="B")
    token = uuid.uuid4()
    a, b = SyncRecord.objects.filter(resource="customer").order_by("id")
    SyncRecord.objects.filter(id__in=[a.id, b.id]).update(
        lease_token=token, claimed_revision=F("revision")
    )
    return a, b, token


def test_the_fenced_update_writes_what_queryset_update_writes(thred):
    a, b, token = claimed(thred)
    now = timezone.now()
    changes = {
        "state": "synced",
        "thred_id": "cus_1",
        "attempts": 0,
        "force": False,
        "blocked_by": a,  # a foreign key given as an instance
        "acked_payload": {"name": "Ünïcode", "lines": [1, 2.5, None], "ok": True},
        "last_error_details": None,
        "last_error_status": None,
        "lease_token": None,
        "lease_until": now + timedelta(seconds=30),
        "synced_at": now,
        "updated_at": now,
        "payload_hash": "h" * 64,
    }
    assert sql.fenced_update("default", a.id, token, changes, True) == 1
    assert fenced.update_orm(b.id, token, changes, same_revision=True) == 1
    fields = [*changes, "blocked_by_id"]
    fields.remove("blocked_by")
    ours, orms = (SyncRecord.objects.values(*fields).get(id=i) for i in (a.id, b.id))
    assert ours == orms
    assert ours["acked_payload"]["name"] == "Ünïcode" and ours["blocked_by_id"] == a.id


@pytest.mark.parametrize("form", ["sql", "orm"])
def test_both_fenced_forms_write_nothing_without_the_lease(thred, form):
    a, b, token = claimed(thred)
    write = (
        (lambda i, t, c, same: sql.fenced_update("default", i, t, c, same))
        if form == "sql"
        else (lambda i, t, c, same: fenced.update_orm(i, t, c, same_revision=same))
    )
    assert write(a.id, uuid.uuid4(), {"state": "synced"}, False) == 0
    SyncRecord.objects.filter(id=b.id).update(revision=uuid.uuid4())  # saved again meanwhile
    assert write(b.id, token, {"state": "synced"}, True) == 0
    assert write(b.id, token, {"state": "synced"}, False) == 1
    assert SyncRecord.objects.get(id=a.id).state == "pending"


def test_the_dependents_lookup_finds_what_the_orm_finds(thred):
    a, b, _ = claimed(thred)
    ct = a.content_type_id
    SyncDependency.objects.create(child=a, parent_type_id=ct, parent_id="7")
    SyncDependency.objects.create(child=b, parent_type_id=ct, parent_id="8")
    for ids in (["7"], ["7", "8"], ["9"]):
        orm = SyncDependency.objects.filter(parent_type_id=ct, parent_id__in=ids)
        assert sorted(sql.dependents("default", ct, ids)) == sorted(
            orm.values_list("child_id", flat=True)
        )
    assert remark._dependents("default", ct, ["8"]) == [b.id]


def test_a_batch_upsert_writes_what_bulk_create_writes(settings):
    """Many rows at once (PostgreSQL: the UNNEST form) against bulk_create's rows."""
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    shop = m.Shop.objects.create(name="Acme")
    clients = m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(6)])
    mapping = marking.registry.for_model(m.Client)
    now = timezone.now()
    marks = [marking.mark_values(mapping, c, "upsert", now) for c in clients]
    sql.upsert(marks[:3], "default", upsert.UNIQUE_FIELDS, upsert.remark_fields(marks[0]))
    upsert.upsert_orm(marks[3:], "default")
    written = rows(*(c.pk for c in clients))
    assert all(row == written[0] for row in written), written
