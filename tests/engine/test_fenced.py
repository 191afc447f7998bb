"""The compiled fenced UPDATE writes what QuerySet.update() would."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tests.testapp import models as m
from thred_django.engine import fenced
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db

FIELDS = [
    "state",
    "thred_id",
    "attempts",
    "force",
    "blocked_by_id",
    "acked_payload",
    "last_error_details",
    "last_error_status",
    "lease_token",
    "lease_until",
    "synced_at",
    "payload_hash",
]


def two_claimed_records(thred) -> tuple[SyncRecord, SyncRecord, uuid.UUID]:
    shop = m.Shop.objects.create(name="Acme")
    m.Client.objects.create(shop=shop, name="A")
    m.Client.objects.create(shop=shop, name="B")
    token = uuid.uuid4()
    a, b = SyncRecord.objects.filter(resource="customer").order_by("id")
    SyncRecord.objects.filter(id__in=[a.id, b.id]).update(
        lease_token=token, claimed_revision=F("revision")
    )
    return a, b, token


def test_writes_the_same_values_as_the_orm(thred):
    a, b, token = two_claimed_records(thred)
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
        "payload_hash": "h" * 64,
    }
    assert fenced.update(a.id, token, changes, same_revision=True) == 1
    SyncRecord.objects.filter(id=b.id, lease_token=token).update(**changes)
    ours, orms = (SyncRecord.objects.values(*FIELDS).get(id=i) for i in (a.id, b.id))
    assert ours == orms
    assert ours["acked_payload"]["name"] == "Ünïcode" and ours["blocked_by_id"] == a.id


def test_writes_nothing_without_the_lease_or_after_a_re_mark(thred):
    a, b, token = two_claimed_records(thred)
    assert fenced.update(a.id, uuid.uuid4(), {"state": "synced"}, same_revision=False) == 0
    SyncRecord.objects.filter(id=b.id).update(revision=uuid.uuid4())  # saved again meanwhile
    assert fenced.update(b.id, token, {"state": "synced"}, same_revision=True) == 0
    assert fenced.update(b.id, token, {"state": "synced"}, same_revision=False) == 1
    assert SyncRecord.objects.get(id=a.id).state == "pending"
