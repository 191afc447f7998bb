"""Idempotent creates: external_id repeats and the Idempotency-Key header."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import SENT_AT, error_of
from thred_django.sandbox import faults
from thred_django.sandbox.models import BillPayment, Customer, Invoice, Payment


@pytest.mark.django_db
class TestExternalId:
    def test_repeats_return_the_stored_object_unchanged(self, biz):
        customer = biz.customer(external_id="c-1", company_name="First")
        again = biz.post("customers/", {"external_id": "c-1", "company_name": "Second"})
        assert again.status_code == 200
        assert again.json()["id"] == customer["id"]
        assert again.json()["company_name"] == "First"
        assert Customer.objects.count() == 1

    def test_every_resource_repeats_with_200(self, biz):
        customer = biz.customer()
        vendor = biz.vendor()
        invoice_body = {
            "external_id": "inv-x",
            "customer_id": customer["id"],
            "sent_at": SENT_AT,
            "line_items": [{"quantity": 1, "unit_price": 5000}],
        }
        bodies = {
            "vendors/": {"external_id": "ven-x", "company_name": "V"},
            "invoices/": invoice_body,
            "bills/": {
                "external_id": "bill-x",
                "vendor_id": vendor["id"],
                "line_items": [{"quantity": 1, "unit_price": 100}],
            },
            "vendor-credits/": {
                "external_id": "vc-x",
                "vendor_id": vendor["id"],
                "line_items": [{"amount": 5}],
            },
        }
        for path, body in bodies.items():
            first = biz.post(path, body)
            second = biz.post(path, body)
            assert (first.status_code, second.status_code) == (201, 200), path
            assert first.json()["id"] == second.json()["id"]
        invoice_id = biz.ok(biz.get("invoices/"), 200)["results"][0]["id"]
        payment = biz.payment_body(customer["id"], invoice_id, 100, external_id="pay-x")
        first, second = (
            biz.post("invoices/payments/", payment),
            biz.post("invoices/payments/", payment),
        )
        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json()["payment"]["id"] == first.json()["payment"]["id"]
        refund = {
            "invoice_id": invoice_id,
            "method": "CASH",
            "completed_at": SENT_AT,
            "external_id": "ref-x",
            "amount_cents": 10,
        }
        first, second = biz.post("invoices/refunds/", refund), biz.post("invoices/refunds/", refund)
        assert (first.status_code, second.status_code) == (201, 200)
        rp_path = f"invoices/refunds/{first.json()['id']}/payments/"
        rp = {"amount_cents": 10, "method": "CASH", "external_id": "rp-x"}
        assert (biz.post(rp_path, rp).status_code, biz.post(rp_path, rp).status_code) == (201, 200)
        assert Invoice.objects.count() == 1 and Payment.objects.count() == 1

    def test_scope_is_per_business(self, biz, other_biz):
        a = biz.customer(external_id="same")
        b = other_biz.customer(external_id="same")
        assert a["id"] != b["id"]

    def test_changing_external_id_to_a_taken_one_is_refused(self, biz):
        customer = biz.customer()
        first = biz.invoice(customer["id"], external_id="i-1")
        biz.invoice(customer["id"], external_id="i-2")
        clash = biz.put(f"invoices/{first['id']}/", {"external_id": "i-2"})
        assert "external_id" in error_of(clash)[2]


@pytest.mark.django_db
class TestIdempotencyKey:
    def test_payment_replay_and_reuse(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 1000)
        body = biz.payment_body(customer["id"], invoice["id"], 300)
        key = {"Idempotency-Key": "pay-1-v1"}
        first = biz.post("invoices/payments/", body, headers=key)
        second = biz.post("invoices/payments/", body, headers=key)
        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json() == first.json()
        assert first.json()["payment"]["idempotency_key"] == "pay-1-v1"
        assert Payment.objects.count() == 1
        changed = biz.post("invoices/payments/", {**body, "note": "different"}, headers=key)
        assert error_of(changed)[:2] == (409, "idempotency_key_reused")
        other_key = biz.post("invoices/payments/", body, headers={"Idempotency-Key": "pay-1-v2"})
        assert other_key.status_code == 201
        assert Payment.objects.count() == 2

    def test_a_failed_request_does_not_burn_the_key(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 1000)
        key = {"Idempotency-Key": "k"}
        bad = biz.payment_body(customer["id"], invoice["id"], 5000)
        assert biz.post("invoices/payments/", bad, headers=key).status_code == 400
        good = biz.payment_body(customer["id"], invoice["id"], 500)
        assert biz.post("invoices/payments/", good, headers=key).status_code == 201

    def test_key_format(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"])
        body = biz.payment_body(customer["id"], invoice["id"], 1)
        response = biz.post("invoices/payments/", body, headers={"Idempotency-Key": "x" * 256})
        assert "Idempotency-Key" in error_of(response)[2]

    def test_bill_payment_replay_and_reuse(self, biz):
        vendor = biz.vendor()
        bill = biz.bill(vendor["id"], 1000)
        body = biz.bill_payment_body(vendor["id"], bill["id"], 400)
        key = {"Idempotency-Key": "bp-1"}
        first = biz.post("bills/payments/", body, headers=key)
        second = biz.post("bills/payments/", body, headers=key)
        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json() == second.json()
        assert BillPayment.objects.count() == 1
        changed = biz.post("bills/payments/", {**body, "amount_cents": 401}, headers=key)
        assert error_of(changed)[:2] == (409, "idempotency_key_reused")

    def test_same_key_in_two_businesses_is_independent(self, biz, other_biz):
        for b in (biz, other_biz):
            customer = b.customer()
            invoice = b.invoice(customer["id"])
            body = b.payment_body(customer["id"], invoice["id"], 10)
            assert (
                b.post("invoices/payments/", body, headers={"Idempotency-Key": "k"}).status_code
                == 201
            )

    def test_retry_after_a_lost_response_gets_the_stored_response(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 1000)
        body = biz.payment_body(customer["id"], invoice["id"], 250)
        key = {"Idempotency-Key": "lost-1"}
        faults.set_faults(commit_then_500_rate=1.0)
        lost = biz.post("invoices/payments/", body, headers=key)
        assert lost.status_code == 500
        faults.reset_faults()
        retry = biz.post("invoices/payments/", body, headers=key)
        assert retry.status_code == 200
        assert retry.json()["payment"]["total_amount_cents"] == 250
        assert Payment.objects.count() == 1
