"""A create answers exactly what a GET of the new object answers then.

Some creates render the object as they built it instead of reading it back
(``writes.common.create``'s ``built``): the values held in memory must render
as the stored ones do (time zones, quantities given as text, nested metadata, the
counterparty's refreshed balance).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Biz

METADATA = {"z": [1, 2.5, {"b": None, "a": "ü"}], "a": {"nested": True}}


def same_as_get(biz: Biz, path: str, created: dict[str, Any]) -> None:
    fetched = biz.ok(biz.get(f"{path}{created['id']}/"), 200)
    assert created == fetched


@pytest.mark.django_db
def test_parties_answer_as_stored(biz: Biz) -> None:
    customer = biz.customer(
        individual_name="Ann",
        email="ann@example.com",
        country="GB",
        city="Leeds",
        tax_exempt=True,
        payment_terms_days=30,
        transaction_tags=["b", "a"],
        metadata=METADATA,
    )
    same_as_get(biz, "customers/", customer)
    same_as_get(biz, "vendors/", biz.vendor(email="v@example.com", metadata=METADATA))


@pytest.mark.django_db
def test_an_invoice_answers_as_stored(biz: Biz) -> None:
    customer = biz.customer()
    biz.invoice(customer["id"], unit_price=700)  # the customer owes something already
    invoice = biz.invoice(
        customer["id"],
        sent_at="2025-01-15T09:00:00.123456+02:00",
        due_at="2025-01-01T00:00:00-05:00",  # overdue
        invoice_number="INV-7",
        memo="Thanks",
        metadata=METADATA,
        line_items=[
            {"quantity": "1.50", "unit_price": 1000, "description": "Beans", "external_id": "l1"},
            {"quantity": 2, "unit_price": 250, "discount_amount": 100},
        ],
    )
    assert invoice["customer"]["outstanding_balance_cents"] == 700 + invoice["total_amount_cents"]
    same_as_get(biz, "invoices/", invoice)


@pytest.mark.django_db
def test_documents_and_settlements_answer_as_stored(biz: Biz) -> None:
    customer = biz.customer()
    invoice = biz.invoice(customer["id"], unit_price=5000)
    refund = biz.refund(invoice["id"], amount_cents=1200, memo="Broken cup")
    same_as_get(biz, "invoices/refunds/", refund)
    payment = biz.ok(
        biz.post(
            f"invoices/refunds/{refund['id']}/payments/",
            {
                "external_id": biz.ext("rp"),
                "amount_cents": 700,
                "method": "BANK_TRANSFER",
                "completed_at": "2025-02-01T10:00:00+01:00",
                "memo": "Part one",
                "metadata": METADATA,
            },
        )
    )
    refreshed = biz.ok(biz.get(f"invoices/refunds/{refund['id']}/"), 200)
    assert [payment] == refreshed["refund_payments"]
    vendor = biz.vendor()
    same_as_get(biz, "bills/", biz.bill(vendor["id"], due_at="2025-03-01T12:00:00Z"))


@pytest.mark.django_db
def test_a_vendor_credit_answers_as_stored(biz: Biz) -> None:
    vendor = biz.vendor()
    bills = [biz.bill(vendor["id"], unit_price=price) for price in (300, 500, 700)]
    credit = biz.ok(
        biz.post(
            "vendor-credits/",
            {
                "external_id": biz.ext("vc"),
                "vendor_id": vendor["id"],
                "line_items": [{"amount": 900, "tax_amount_cents": 60, "memo": "returned"}],
                "allocations": [
                    {"bill_id": bills[2]["id"], "amount": 200},
                    {"bill_id": bills[0]["id"], "amount": 300},
                    {"bill_id": bills[1]["id"], "amount": 100},
                ],
                "tags": ["b"],
            },
        )
    )
    assert [a["bill_outstanding_balance_cents"] for a in credit["allocations"]] == [500, 0, 400]
    same_as_get(biz, "vendor-credits/", credit)
    same_as_get(
        biz,
        "vendor-credits/",
        biz.ok(
            biz.post(
                "vendor-credits/",
                {
                    "external_id": biz.ext("vc"),
                    "vendor_external_id": "new-one",
                    "line_items": [{"amount": 5}],
                },
            )
        ),
    )


@pytest.mark.django_db
def test_a_new_payout_answers_as_stored(biz: Biz) -> None:
    """A new payout answers from the rows it locked and linked (customers loaded for
    them), not from a read back: payments of two customers, refund payments of refunds
    of two customers, in id order whatever order they were sent in."""
    ann = biz.customer(company_name="Ann Co")
    bob = biz.customer(company_name="Bob Ltd")
    payments, refund_payments = [], []
    for who in (ann, bob, ann):
        invoice = biz.invoice(who["id"], unit_price=5000)
        payments.append(biz.payment(who["id"], invoice["id"], 3000, external_id=biz.ext("p")))
        refund = biz.refund(invoice["id"], amount_cents=800)
        refund_payments.append(
            biz.ok(
                biz.post(
                    f"invoices/refunds/{refund['id']}/payments/",
                    {
                        "external_id": biz.ext("rp"),
                        "amount_cents": 500,
                        "method": "BANK_TRANSFER",
                        "completed_at": "2025-02-01T10:00:00+01:00",
                    },
                )
            )
        )
    body = {
        "external_id": biz.ext("po"),
        "processor": "stripe",
        "paid_out_amount_cents": 7000,
        "fee_cents": 120,
        "status": "paid",
        "completed_at": "2025-02-03T23:30:00.250000-05:00",
        "processor_payout_id": "po_x",
        "memo": "February",
        "metadata": METADATA,
        "payment_ids": [p["id"] for p in reversed(payments)],
        "refund_payment_ids": [rp["id"] for rp in refund_payments],
    }
    payout = biz.ok(biz.post("payouts/", body))
    assert [p["id"] for p in payout["payments"]] == sorted(p["id"] for p in payments)
    assert {p["customer_name"] for p in payout["refund_payments"]} == {"Ann Co", "Bob Ltd"}
    same_as_get(biz, "payouts/", payout)
    bare = {"external_id": biz.ext("po"), "processor": "adyen", "paid_out_amount_cents": 1}
    same_as_get(biz, "payouts/", biz.ok(biz.post("payouts/", bare)))  # nothing linked
