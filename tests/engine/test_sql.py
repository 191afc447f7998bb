"""engine.sql writes and reads what the ORM forms would (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.testapp import models as m
from thred_django.engine import marking, remark, sql, upsert
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
    return SyncRecord.objects.filter(resource="customer").order_by("id")


def test_the_dependents_lookup_finds_what_the_orm_finds(thred):
    a, b = claimed(thred)
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
