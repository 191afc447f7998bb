"""What a mark writes to the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.testapp import models as m
from thred_django.engine import marking, upsert
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def test_a_re_mark_overwrites_every_column_a_mark_sets_but_identity(thred):
    shop = m.Shop.objects.create(name="Acme")
    record = SyncRecord.objects.get(object_id=str(shop.pk), resource="business")
    mapping = marking.registry.for_model(m.Shop)
    later = timezone.now() + timedelta(hours=1)
    values = marking.mark_values(mapping, shop, "delete", later, tenant_id="other")
    values["external_id"] = "changed"
    upsert.upsert([values], "default")
    row = SyncRecord.objects.filter(pk=record.pk).values(*values).get()
    kept = {"external_id", "created_at"}
    assert {k: row[k] for k in kept} == {
        "external_id": record.external_id,
        "created_at": record.created_at,
    }
    for attname in set(values) - kept - {"updated_at"}:  # updated_at: auto_now
        assert row[attname] == values[attname], attname
    assert row["updated_at"] > record.updated_at


def test_a_new_mark_has_the_defaults_and_a_re_mark_keeps_identity(thred, settings):
    with transaction.atomic():
        shop = m.Shop.objects.create(name="Acme")
        client = m.Client.objects.create(shop=shop, name="Jane")
    record = SyncRecord.objects.get(object_id=str(client.pk), resource="customer")
    blank = SyncRecord()
    assert (record.state, record.action, record.attempts) == ("pending", "upsert", 0)
    assert (record.thred_id, record.payload_hash, record.force) == ("", "", False)
    assert record.acked_payload is None and record.lease_token is None
    assert record.tenant_id == str(shop.pk) and record.external_id
    assert record.revision != blank.revision
    assert abs(record.created_at - timezone.now()) < timedelta(seconds=5)

    SyncRecord.objects.filter(pk=record.pk).update(
        state="synced", thred_id="cus_1", attempts=3, payload_hash="h"
    )
    client.name = "Jane Doe"
    client.save()
    again = SyncRecord.objects.get(pk=record.pk)
    assert (again.state, again.attempts, again.thred_id) == ("pending", 0, "cus_1")
    assert again.payload_hash == "h"  # unchanged data is still recognised at push time
    assert again.revision != record.revision and again.created_at == record.created_at
    assert again.updated_at >= record.updated_at


def test_many_marks_in_one_statement_each_get_their_own_revision(thred):
    shop = m.Shop.objects.create(name="Acme")
    clients = m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(5)])
    assert marking.mark_objects(clients) == 5
    revisions = SyncRecord.objects.filter(resource="customer").values_list("revision", flat=True)
    assert len(set(revisions)) == 5


def test_mark_delete_on_an_existing_record_gets_the_delete_rank(thred):
    from thred_django.resources import claim_rank

    shop = m.Shop.objects.create(name="Acme")
    client = m.Client.objects.create(shop=shop, name="Jane")
    record = SyncRecord.objects.get(resource="customer")
    assert record.rank == claim_rank("customer", "upsert")
    marking.mark(client, action="delete")
    record.refresh_from_db()
    assert (record.action, record.rank) == ("delete", claim_rank("customer", "delete"))
    marking.mark(client)  # and back
    record.refresh_from_db()
    assert (record.action, record.rank) == ("upsert", claim_rank("customer", "upsert"))


def test_every_mark_path_goes_through_one_function(thred, monkeypatch):
    seen: list[tuple[str, str]] = []
    real = marking.mark_many

    def spy(objs, **kwargs):
        objs = list(objs)
        seen.extend((type(o).__name__, kwargs.get("action", "upsert")) for o in objs)
        return real(objs, **kwargs)

    monkeypatch.setattr(marking, "mark_many", spy)
    shop = m.Shop.objects.create(name="Acme")  # post_save
    client = m.Client.objects.create(shop=shop, name="Jane")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1")
    m.SaleLine.objects.create(sale=sale, unit_price_cents=100)  # a touching row
    marking.mark(client)
    marking.mark_objects([client])
    marking.mark_queryset(m.Client.objects.all())
    sale.delete()  # post_delete (its lines go first)
    assert seen == [
        ("Shop", "upsert"),
        ("Client", "upsert"),
        ("Sale", "upsert"),
        ("SaleLine", "upsert"),
        ("Client", "upsert"),
        ("Client", "upsert"),
        ("Client", "upsert"),
        ("SaleLine", "delete"),
        ("Sale", "delete"),
    ]
