"""Reconciliation when one host row feeds two Thred objects (an invoice row → an invoice
and its payment): each is judged as its own resource, by its own external id."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.ledgerhost import models as m
from tests.ledgerhost.test_ledger_sync import OSLO, build, records
from thred_django.engine.reconcile import Finding, reconcile
from thred_django.engine.runner import push_due

pytestmark = pytest.mark.django_db


def run(**kwargs) -> list[Finding]:
    found: list[Finding] = []
    reconcile(on_finding=found.append, **kwargs)
    return found


def test_a_row_feeding_two_resources_is_reconciled_per_resource(thred):
    _, _, invoice = build()
    invoice.amount_paid = Decimal("3349.90")
    invoice.paid_at = timezone.make_aware(datetime(2026, 3, 20, 12, 0), OSLO)
    invoice.status = m.Invoice.Status.PAID
    invoice.save()
    push_due()
    assert run() == [], [f.line() for f in run()]

    # The payment changes behind the engine's back: only the payment is named.
    m.Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("3000.00"))
    found = run()
    payment = records(invoice)["payment"]
    assert [(f.kind, f.resource, f.external_id) for f in found] == [
        ("edited_unmarked", "payment", payment.external_id)
    ]
    assert payment.external_id.endswith("-payment")
    run(repair=True)
    push_due()
    assert run() == [], [f.line() for f in run()]
