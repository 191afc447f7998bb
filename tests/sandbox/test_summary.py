"""business_summary / partner_summary numbers."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import SENT_AT
from thred_django.sandbox.summary import business_summary, partner_summary


@pytest.mark.django_db
def test_counts_and_amounts_per_resource(biz, other_biz):
    customer = biz.customer()
    archived = biz.customer()
    biz.post(f"customers/{archived['id']}/archive/")
    invoice = biz.invoice(customer["id"], 10000)
    voided = biz.invoice(customer["id"], 500)
    biz.post(f"invoices/{voided['id']}/void/")
    p1 = biz.payment(customer["id"], invoice["id"], 3000)
    cancelled = biz.payment(customer["id"], invoice["id"], 1000, status="pending")
    biz.post(f"invoices/payments/{cancelled['id']}/delete/")
    refund = biz.refund(invoice["id"], amount_cents=700)
    biz.ok(
        biz.post(
            f"invoices/refunds/{refund['id']}/payments/",
            {"amount_cents": 300, "method": "CASH", "external_id": "rp"},
        )
    )
    biz.ok(
        biz.post(
            "payouts/",
            {
                "external_id": "po",
                "processor": "stripe",
                "paid_out_amount_cents": 2500,
                "payment_ids": [p1["id"]],
            },
        )
    )
    vendor = biz.vendor()
    bill = biz.bill(vendor["id"], 9000)
    biz.ok(biz.post("bills/payments/", biz.bill_payment_body(vendor["id"], bill["id"], 1200)))
    biz.ok(
        biz.post(
            "vendor-credits/",
            {"external_id": "vc", "vendor_id": vendor["id"], "line_items": [{"amount": 50}]},
        )
    )
    other_biz.customer()

    expected = {
        "customer": {"count": 2, "amount_cents": None},
        "vendor": {"count": 1, "amount_cents": None},
        "invoice": {"count": 2, "amount_cents": None},
        "payment": {"count": 2, "amount_cents": 4000},  # the cancelled one counts
        "payout": {"count": 1, "amount_cents": 2500},
        "refund": {"count": 1, "amount_cents": 700},
        "refund_payment": {"count": 1, "amount_cents": 300},
        "bill": {"count": 1, "amount_cents": None},
        "bill_payment": {"count": 1, "amount_cents": 1200},
        "vendor_credit": {"count": 1, "amount_cents": None},
    }
    assert business_summary(biz.id) == expected
    assert business_summary("tenant-1") == expected

    everything = partner_summary()
    assert set(everything) == {"tenant-1", "tenant-2"}
    assert everything["tenant-1"] == expected
    assert everything["tenant-2"]["customer"] == {"count": 1, "amount_cents": None}
    assert everything["tenant-2"]["payment"] == {"count": 0, "amount_cents": 0}


@pytest.mark.django_db
def test_unknown_business():
    with pytest.raises(LookupError):
        business_summary("no-such-business")


@pytest.mark.django_db
def test_sent_at_constant_is_used(biz):
    # Guards the helper the other tests rely on: invoices carry the sent date.
    invoice = biz.invoice(biz.customer()["id"])
    assert invoice["sent_at"] == SENT_AT
