from __future__ import annotations

import pytest

from tests.engine.fake_transport import TRANSPORT
from tests.testapp import models as m


@pytest.fixture
def thred(settings):
    """Queue mode (marks only; tests call push_due), requests go through a recorder."""
    settings.THRED = {
        **settings.THRED,
        "SYNC_MODE": "queue",
        "TRANSPORT": "tests.engine.fake_transport.factory",
        "BACKOFF_BASE": 0.01,
        "BACKOFF_MAX": 0.05,
        "DEPENDENCY_WAIT": 0.01,
        "CONCURRENCY": 1,
    }
    TRANSPORT.reset()
    yield TRANSPORT
    TRANSPORT.reset()


@pytest.fixture
def shop(thred):
    return m.Shop.objects.create(name="Acme Coffee Ltd", email="owner@acme.test")


def ar_chain(shop: m.Shop) -> dict:
    """A customer with an invoice, a payment, a refund, a refund payment and a payout."""
    client = m.Client.objects.create(shop=shop, name="Jane Buyer", email="jane@example.com")
    sale = m.Sale.objects.create(shop=shop, client=client, number="INV-1", amount_cents=12000)
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=12000)
    refund = m.Refund.objects.create(shop=shop, sale=sale, amount_cents=2000)
    refund_payout = m.RefundPayout.objects.create(refund=refund, amount_cents=2000)
    settlement = m.Settlement.objects.create(shop=shop, amount_cents=11500, fee_cents=500)
    settlement.receipts.add(receipt)
    settlement.save()
    return locals()


def ap_chain(shop: m.Shop) -> dict:
    supplier = m.Supplier.objects.create(shop=shop, name="Beans Wholesale")
    bill = m.PurchaseBill.objects.create(shop=shop, supplier=supplier, number="B-1")
    bill_payment = m.BillPayment.objects.create(shop=shop, bill=bill, amount_cents=3000)
    credit = m.SupplierCredit.objects.create(shop=shop, supplier=supplier, amount_cents=500)
    return locals()
