"""Reconciliation in single-business mode (THRED["BUSINESS"], no tenant model)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.shophost.models import Order
from tests.shophost.test_one_shop import record_of, shop_orders
from thred_django.engine.reconcile import Finding, reconcile
from thred_django.engine.runner import push_due


@pytest.mark.django_db(transaction=True)
def test_one_shop_reconciles_and_repairs(one_shop):
    _, _, orders, _ = shop_orders()  # eager mode: each commit pushes
    found: list[Finding] = []
    summary = reconcile(on_finding=found.append)
    assert found == [] and summary.agreed and summary.businesses == 1

    Order.objects.filter(pk=orders[0].pk).update(total=Decimal("50.00"))
    summary = reconcile(on_finding=found.append)
    assert [(f.kind, f.resource, f.external_id) for f in found] == [
        ("edited_unmarked", "invoice", record_of(orders[0]).external_id)
    ]
    reconcile(repair=True)
    push_due(until_idle=True)
    found.clear()
    assert reconcile(on_finding=found.append).agreed, [f.line() for f in found]
