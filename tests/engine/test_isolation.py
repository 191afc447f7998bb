"""A record never kills a run and never sticks: whatever goes wrong while one record is
built, validated, sent or recorded becomes that record's outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from tests.engine.conftest import ar_chain
from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.engine import operations
from thred_django.engine.runner import push_due
from thred_django.engine.writer import Outcomes
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("where", ["create", "validate", "digest"])
def test_an_unexpected_exception_fails_that_record_alone(thred, shop, monkeypatch, where):
    ar = ar_chain(shop)
    victim = "invoice"

    def boom(*args, **kwargs):
        raise KeyError("surprise")

    if where == "create":
        real = operations.create
        monkeypatch.setattr(
            operations,
            "create",
            lambda c, r, b, p, k: boom() if r == victim else real(c, r, b, p, k),
        )
    elif where == "validate":
        from thred_django.engine import pipeline

        real_validate = pipeline.validate_payload
        monkeypatch.setattr(
            pipeline,
            "validate_payload",
            lambda r, *a, **kw: boom() if r == victim else real_validate(r, *a, **kw),
        )
    else:
        from thred_django.engine import send

        real_digest = send.digest
        monkeypatch.setattr(
            send,
            "digest",
            lambda p: boom() if "invoice_number" in p else real_digest(p),
        )

    push_due()  # does not raise

    rec = record_of(ar["sale"])
    assert rec.state == "failed"
    assert rec.last_error_code == "internal_error"
    assert rec.last_error_message == "KeyError: 'surprise'"
    assert rec.lease_token is None
    # The rest of the business went on: its customer synced; the invoice's children are
    # blocked by it (they need its Thred id), nothing is left in flight.
    assert record_of(ar["client"]).state == "synced"
    assert not SyncRecord.objects.filter(state="in_flight").exists()
    assert record_of(ar["receipt"]).state == "blocked"


def test_a_database_error_recording_an_outcome_leaves_an_error_on_the_record(
    thred, shop, monkeypatch
):
    client = m.Client.objects.create(shop=shop, name="C")
    push_due(resource="business")
    real = Outcomes._write

    def broken(self, pending):
        if any(p.record.resource == "customer" for p in pending):
            raise OperationalError("database went away")
        return real(self, pending)

    monkeypatch.setattr(Outcomes, "_write", broken)
    with pytest.raises(OperationalError):
        push_due()
    monkeypatch.setattr(Outcomes, "_write", real)

    rec = record_of(client)
    assert rec.state == "in_flight"  # leased until it lapses …
    assert rec.last_error_code == "outcome_not_recorded"  # … but never silently
    assert "OperationalError: database went away" in rec.last_error_message

    with time_machine.travel(timezone.now() + timedelta(seconds=200), tick=False):
        push_due()
    rec = record_of(client)
    assert rec.state == "synced" and rec.last_error_code == ""
