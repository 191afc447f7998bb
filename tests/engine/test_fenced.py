"""Fenced UPDATEs write under the lease token, and only then."""

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


def test_writes_the_changes_and_refreshes_updated_at(thred):
    a, b, token = two_claimed_records(thred)
    before = SyncRecord.objects.get(id=a.id).updated_at
    changes = {
        "state": "synced",
        "thred_id": "cus_1",
        "blocked_by": b,  # a foreign key given as an instance
        "acked_payload": {"name": "Ünïcode", "lines": [1, 2.5, None], "ok": True},
        "lease_until": timezone.now() + timedelta(seconds=30),
        "payload_hash": "h" * 64,
    }
    assert fenced.update(a.id, token, changes, same_revision=True) == 1
    row = SyncRecord.objects.get(id=a.id)
    assert (row.state, row.thred_id, row.blocked_by_id) == ("synced", "cus_1", b.id)
    assert row.acked_payload == changes["acked_payload"]
    assert row.updated_at > before  # QuerySet.update sends no auto_now: set here
    assert SyncRecord.objects.get(id=b.id).state == "pending"


def test_writes_nothing_without_the_lease_or_after_a_re_mark(thred):
    a, b, token = two_claimed_records(thred)
    assert fenced.update(a.id, uuid.uuid4(), {"state": "synced"}, same_revision=False) == 0
    SyncRecord.objects.filter(id=b.id).update(revision=uuid.uuid4())  # saved again meanwhile
    assert fenced.update(b.id, token, {"state": "synced"}, same_revision=True) == 0
    assert fenced.update(b.id, token, {"state": "synced"}, same_revision=False) == 1
    assert SyncRecord.objects.get(id=a.id).state == "pending"
