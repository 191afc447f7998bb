"""AR: customers, invoices, payments, refunds, refund payments, payouts."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import SENT_AT, error_of

MISSING = "9c0ffee0-0000-4000-8000-000000000000"


@pytest.mark.django_db
class TestCustomers:
    def test_create_get_and_validation(self, biz):
        customer = biz.customer(email="ann@example.com", individual_name="Ann", company_name="")
        assert customer["type"] == "Customer"
        assert customer["status"] == "active" and customer["is_archived"] is False
        assert customer["display_name"] == "Ann"
        fetched = biz.ok(biz.get(f"customers/{customer['id']}/"), 200)
        assert fetched["email"] == "ann@example.com"
        status, code, details = error_of(biz.post("customers/", {"email": "bad"}))
        assert (status, code) == (400, "validation_error")
        assert {"external_id", "email", "individual_name", "company_name"} <= set(details)
        assert error_of(biz.get(f"customers/{MISSING}/"))[:2] == (404, "customer_not_found")
        assert error_of(biz.get("customers/nope/"))[:2] == (404, "customer_not_found")

    def test_archive_and_unarchive(self, biz):
        customer = biz.customer()
        path = f"customers/{customer['id']}/"
        archived = biz.ok(biz.post(path + "archive/", {}), 200)
        assert archived["is_archived"] is True and archived["archived_at"]
        again = biz.post(path + "archive/", {})
        assert error_of(again)[:2] == (409, "customer_already_archived")
        listed = biz.ok(biz.get("customers/"), 200)
        assert listed["count"] == 0
        assert biz.ok(biz.get("customers/", params={"include_archived": "true"}), 200)["count"] == 1
        restored = biz.ok(biz.post(path + "unarchive/", {}), 200)
        assert restored["is_archived"] is False and restored["archived_at"] is None
        assert error_of(biz.post(path + "unarchive/"))[:2] == (409, "customer_not_archived")

    def test_list_filters(self, biz):
        biz.customer(external_id="shop-1", company_name="Blue Bottle")
        biz.customer(external_id="shop-2", company_name="Red Cup")
        biz.customer(external_id="web-3", individual_name="Ann Blue", company_name="")

        def ids(**params):
            body = biz.ok(biz.get("customers/", params=params), 200)
            return sorted(c["external_id"] for c in body["results"])

        assert ids(external_id="shop-2") == ["shop-2"]
        assert ids(external_id_contains="SHOP") == ["shop-1", "shop-2"]
        assert ids(name="Red Cup") == ["shop-2"]
        assert ids(name_contains="blue") == ["shop-1", "web-3"]
        assert error_of(biz.get("customers/", params={"include_archived": "maybe"}))[0] == 400


@pytest.mark.django_db
class TestInvoices:
    def test_create_computes_totals_in_minor_units(self, biz):
        customer = biz.customer()
        lines = [
            {"quantity": 2, "unit_price": 1250, "discount_amount": 100},
            {
                "quantity": "1.5",
                "unit_price": 333,  # 499.5 rounds half up to 500
                "sales_taxes": [{"amount": 100, "discount_amount": 10}],
            },
        ]
        invoice = biz.invoice(
            customer["id"],
            line_items=lines,
            additional_discount=50,
            tips=25,
            invoice_number="INV-1",
        )
        assert invoice["total_amount_cents"] == 2500 - 100 + 500 + 90 - 50 + 25
        assert invoice["currency"] == "GBP"
        assert invoice["status"] == "SENT"
        assert invoice["customer"]["id"] == customer["id"]
        assert invoice["outstanding_amount_cents"] == invoice["total_amount_cents"]
        assert invoice["customer"]["outstanding_balance"] == invoice["total_amount_cents"]
        assert invoice["sent_at"] == SENT_AT
        assert [line["total_amount"] for line in invoice["line_items"]] == [2400, 590]

    def test_a_wide_utc_offset_is_the_same_instant(self, biz):
        """ISO 8601 allows +16:34; PostgreSQL refuses it: the sandbox stores UTC."""
        customer = biz.customer()
        body = {
            "external_id": biz.ext("inv"),
            "customer_id": customer["id"],
            "sent_at": "2025-01-02T16:34:00+16:34",
            "line_items": [{"quantity": 1, "unit_price": 100, "description": "Tea"}],
        }
        invoice = biz.ok(biz.post("invoices/", body))
        assert invoice["sent_at"] == "2025-01-02T00:00:00Z"

    def test_customer_reference_rules(self, biz):
        base = {"sent_at": SENT_AT, "line_items": [{"quantity": 1, "unit_price": 1}]}
        missing = biz.post("invoices/", {**base, "external_id": "i1", "customer_id": MISSING})
        status, code, details = error_of(missing)
        assert (status, code) == (400, "validation_error") and "customer_id" in details
        unknown = biz.post("invoices/", {**base, "external_id": "i2", "customer_external_id": "x"})
        assert "customer_external_id" in error_of(unknown)[2]
        customer = biz.customer(external_id="known")
        by_ext = biz.post(
            "invoices/", {**base, "external_id": "i3", "customer_external_id": "known"}
        )
        assert biz.ok(by_ext)["customer_id"] == customer["id"]
        biz.post(f"customers/{customer['id']}/archive/")
        archived = biz.post(
            "invoices/", {**base, "external_id": "i4", "customer_id": customer["id"]}
        )
        assert "customer_id" in error_of(archived)[2]

    def test_customer_of_another_business_is_missing(self, biz, other_biz):
        foreign = other_biz.customer()
        body = {
            "external_id": "i1",
            "customer_id": foreign["id"],
            "sent_at": SENT_AT,
            "line_items": [{"quantity": 1, "unit_price": 1}],
        }
        assert "customer_id" in error_of(biz.post("invoices/", body))[2]

    def test_put_keeps_omitted_fields_and_replaces_lines(self, biz):
        invoice = biz.invoice(biz.customer()["id"], memo="first", invoice_number="A-1")
        path = f"invoices/{invoice['id']}/"
        updated = biz.ok(
            biz.put(path, {"line_items": [{"quantity": 3, "unit_price": 700}], "memo": "second"}),
            200,
        )
        assert updated["total_amount_cents"] == 2100
        assert len(updated["line_items"]) == 1
        assert updated["memo"] == "second"
        assert updated["invoice_number"] == "A-1"
        kept = biz.ok(biz.put(path, {"due_at": "2025-02-15T00:00:00Z"}), 200)
        assert kept["total_amount_cents"] == 2100 and kept["due_at"] == "2025-02-15T00:00:00Z"
        assert "line_items" in error_of(biz.put(path, {"line_items": []}))[2]
        assert error_of(biz.put(f"invoices/{MISSING}/", {}))[:2] == (404, "invoice_not_found")

    def test_put_cannot_drop_below_what_was_paid(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], unit_price=1000)
        biz.payment(customer["id"], invoice["id"], 800)
        path = f"invoices/{invoice['id']}/"
        low = biz.put(path, {"line_items": [{"quantity": 1, "unit_price": 700}]})
        assert "line_items" in error_of(low)[2]
        higher = biz.ok(biz.put(path, {"line_items": [{"quantity": 1, "unit_price": 900}]}), 200)
        assert higher["outstanding_amount_cents"] == 100

    def test_void(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"])
        voided = biz.ok(biz.post(f"invoices/{invoice['id']}/void/", {}), 200)
        assert voided["status"] == "VOID" and voided["voided_at"]
        again = biz.post(f"invoices/{invoice['id']}/void/")
        assert error_of(again)[:2] == (409, "invoice_already_voided")
        update = biz.put(f"invoices/{invoice['id']}/", {"memo": "x"})
        assert error_of(update)[:2] == (409, "invoice_voided")
        pay = biz.post("invoices/payments/", biz.payment_body(customer["id"], invoice["id"], 100))
        assert "allocations[0].invoice_id" in error_of(pay)[2]

    def test_void_refused_with_payments_until_cancelled(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"])
        payment = biz.payment(customer["id"], invoice["id"], 500, status="pending")
        refused = biz.post(f"invoices/{invoice['id']}/void/")
        assert error_of(refused)[:2] == (409, "invoice_has_payments")
        biz.ok(biz.post(f"invoices/payments/{payment['id']}/delete/"), 200)
        assert biz.post(f"invoices/{invoice['id']}/void/").status_code == 200

    def test_list_filters(self, biz):
        alice, bob = biz.customer(external_id="alice"), biz.customer(external_id="bob")
        small = biz.invoice(alice["id"], unit_price=500, due_at="2025-02-01T00:00:00Z")
        big = biz.invoice(bob["id"], unit_price=5000, due_at="2025-03-01T00:00:00Z")
        biz.payment(bob["id"], big["id"], 5000)

        def ids(**params):
            body = biz.ok(biz.get("invoices/", params=params), 200)
            return {i["id"] for i in body["results"]}

        assert ids(customer_id=alice["id"]) == {small["id"]}
        assert ids(customer_id=f"{alice['id']},{bob['id']}") == {small["id"], big["id"]}
        assert ids(customer_external_id="bob") == {big["id"]}
        assert ids(max_amount=1000) == {small["id"]}
        assert ids(min_amount=1000) == {big["id"]}
        assert ids(due_at_start="2025-02-15T00:00:00Z") == {big["id"]}
        assert ids(due_at_end="2025-02-15") == {small["id"]}
        assert ids(status="paid") == {big["id"]}
        assert ids(status="unpaid") == {small["id"]}
        assert error_of(biz.get("invoices/", params={"customer_id": "x"}))[2].keys() == {
            "customer_id"
        }


@pytest.mark.django_db
class TestPayments:
    def test_create_applies_to_invoices(self, biz):
        customer = biz.customer()
        first, second = biz.invoice(customer["id"], 1000), biz.invoice(customer["id"], 3000)
        body = biz.payment_body(customer["id"], first["id"], 1000, processing_fee_cents=30)
        body["total_amount_cents"] = 2500
        body["allocations"].append({"invoice_id": second["id"], "amount_cents": 1000})
        response = biz.post("invoices/payments/", body)
        assert response.status_code == 201
        payment = response.json()["payment"]
        assert payment["status"] == "completed"
        assert payment["currency"] == "GBP"
        assert payment["allocated_amount_cents"] == 2000
        assert payment["unapplied_amount_cents"] == 500
        applied = {a["id"]: a for a in payment["applied_invoices"]}
        assert applied[first["id"]]["status"] == "paid"
        assert applied[second["id"]]["outstanding_amount_cents"] == 2000
        assert biz.ok(biz.get(f"invoices/{first['id']}/"), 200)["status"] == "PAID"
        partly = biz.ok(biz.get(f"invoices/{second['id']}/"), 200)
        assert partly["status"] == "PARTIALLY_PAID"
        assert biz.ok(biz.get(f"customers/{customer['id']}/"), 200)["outstanding_balance"] == 2000

        detail = biz.ok(biz.get(f"invoices/payments/{payment['id']}/"), 200)
        assert detail["customer"]["id"] == customer["id"]
        assert detail["net_amount_cents"] == 2470
        assert detail["is_fully_allocated"] is False
        assert {a["invoice_id"] for a in detail["allocations"]} == {first["id"], second["id"]}

    def test_reference_and_amount_errors(self, biz):
        alice, bob = biz.customer(), biz.customer()
        invoice = biz.invoice(alice["id"], 1000)
        missing_customer = biz.payment_body(MISSING, invoice["id"], 100)
        assert "customer_id" in error_of(biz.post("invoices/payments/", missing_customer))[2]
        missing_invoice = biz.payment_body(alice["id"], MISSING, 100)
        details = error_of(biz.post("invoices/payments/", missing_invoice))[2]
        assert "allocations[0].invoice_id" in details
        other_customer = biz.payment_body(bob["id"], invoice["id"], 100)
        details = error_of(biz.post("invoices/payments/", other_customer))[2]
        assert "another customer" in details["allocations[0].invoice_id"][0]
        too_much = biz.payment_body(alice["id"], invoice["id"], 1001)
        details = error_of(biz.post("invoices/payments/", too_much))[2]
        assert "allocations[0].amount_cents" in details
        over_total = biz.payment_body(alice["id"], invoice["id"], 500, total_amount_cents=400)
        assert "allocations" in error_of(biz.post("invoices/payments/", over_total))[2]
        euro = biz.payment_body(alice["id"], invoice["id"], 100, currency="EUR")
        assert "currency" in error_of(biz.post("invoices/payments/", euro))[2]
        # Two payments cannot together overpay one invoice.
        biz.payment(alice["id"], invoice["id"], 700)
        second = biz.payment_body(alice["id"], invoice["id"], 301)
        assert "allocations[0].amount_cents" in error_of(biz.post("invoices/payments/", second))[2]

    def test_patch(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 1000)
        payment = biz.payment(customer["id"], invoice["id"], 600, status="pending")
        path = f"invoices/payments/{payment['id']}/"
        patched = biz.ok(
            biz.patch(
                path,
                {
                    "total_amount_cents": 1000,
                    "allocations": [{"invoice_id": invoice["id"], "amount_cents": 1000}],
                    "payment_reference": "REF-9",
                    "status": "completed",
                },
            ),
            200,
        )
        assert set(patched) == {"payment"}
        assert patched["payment"]["allocated_amount_cents"] == 1000
        assert patched["payment"]["payment_reference"] == "REF-9"
        assert patched["payment"]["status"] == "completed"
        assert biz.ok(biz.get(f"invoices/{invoice['id']}/"), 200)["status"] == "PAID"
        assert "allocations" in error_of(biz.patch(path, {"total_amount_cents": 999}))[2]
        assert "status" in error_of(biz.patch(path, {"status": "cancelled"}))[2]
        failed = biz.ok(biz.patch(path, {"status": "failed"}), 200)["payment"]
        assert failed["status"] == "failed"
        assert biz.ok(biz.get(f"invoices/{invoice['id']}/"), 200)["status"] == "SENT"

    def test_cancel_rules(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 1000)
        completed = biz.payment(customer["id"], invoice["id"], 100)
        refused = biz.post(f"invoices/payments/{completed['id']}/delete/")
        status, code, _ = error_of(refused)
        assert (status, code) == (409, "payment_not_cancellable")

        for state in ("pending", "failed"):
            payment = biz.payment(customer["id"], invoice["id"], 100, status=state)
            response = biz.post(f"invoices/payments/{payment['id']}/delete/")
            body = biz.ok(response, 200)
            assert set(body) == {"message", "payment_id", "status", "updated_at"}
            assert (body["payment_id"], body["status"]) == (payment["id"], "cancelled")
            again = biz.post(f"invoices/payments/{payment['id']}/delete/")
            assert error_of(again)[:2] == (409, "payment_already_cancelled")
            patch = biz.patch(f"invoices/payments/{payment['id']}/", {"note": "x"})
            assert error_of(patch)[:2] == (409, "payment_cancelled")
        assert biz.ok(biz.get(f"invoices/{invoice['id']}/"), 200)["outstanding_amount_cents"] == 900
        missing = biz.post(f"invoices/payments/{MISSING}/delete/")
        assert error_of(missing)[:2] == (404, "payment_not_found")

    def test_list_filters(self, biz):
        alice, bob = biz.customer(company_name="Alice Cafe"), biz.customer(company_name="Bob Bar")
        ia, ib = biz.invoice(alice["id"], 1000), biz.invoice(bob["id"], 1000)
        pa = biz.payment(alice["id"], ia["id"], 1000, payment_date="2025-01-05")
        pb = biz.payment(
            bob["id"],
            ib["id"],
            400,
            payment_date="2025-02-05",
            status="pending",
            payment_method="cash",
            payment_reference="ZX-42",
        )

        def ids(**params):
            body = biz.ok(biz.get("invoices/payments/", params=params), 200)
            return [p["id"] for p in body["results"]]

        assert ids() == [pb["id"], pa["id"]]  # newest payment_date first
        assert ids(order="asc") == [pa["id"], pb["id"]]
        assert ids(customer_id=alice["id"]) == [pa["id"]]
        assert ids(invoice_id=ib["id"]) == [pb["id"]]
        assert ids(status="pending") == [pb["id"]]
        assert ids(payment_method="cash") == [pb["id"]]
        assert ids(date_from="2025-02-01") == [pb["id"]]
        assert ids(date_to="2025-01-31T00:00:00Z") == [pa["id"]]
        assert ids(min_amount=500) == [pa["id"]]
        assert ids(max_amount=500) == [pb["id"]]
        assert ids(fully_allocated="true") == [pb["id"], pa["id"]]
        assert ids(fully_allocated="false") == []
        assert ids(search="zx-4") == [pb["id"]]
        assert ids(search="alice") == [pa["id"]]
        assert ids(sort_by="amount", order="asc") == [pb["id"], pa["id"]]
        assert error_of(biz.get("invoices/payments/", params={"sort_by": "x"}))[0] == 400


@pytest.mark.django_db
class TestRefunds:
    def test_refund_limits_and_refund_payments(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 1000)
        refund = biz.refund(invoice["id"], amount_cents=600, memo="broken mug")
        assert refund["status"] == "pending"
        assert refund["amount_cents"] == 600 and refund["customer_id"] == customer["id"]
        assert refund["allocations"][0]["invoice_id"] == invoice["id"]
        over = biz.post(
            "invoices/refunds/",
            {
                "invoice_id": invoice["id"],
                "method": "CASH",
                "completed_at": SENT_AT,
                "external_id": "r-over",
                "amount_cents": 401,
            },
        )
        assert "amount_cents" in error_of(over)[2]
        rest = biz.refund(invoice["id"])  # no amount: the remainder
        assert rest["amount_cents"] == 400
        nothing = biz.post(
            "invoices/refunds/",
            {
                "invoice_id": invoice["id"],
                "method": "CASH",
                "completed_at": SENT_AT,
                "external_id": "r-none",
            },
        )
        assert error_of(nothing)[:2] == (400, "validation_error")

        path = f"invoices/refunds/{refund['id']}/payments/"
        first = biz.ok(
            biz.post(path, {"amount_cents": 200, "method": "CASH", "external_id": "rp1"})
        )
        assert first["refund_id"] == refund["id"]
        assert biz.ok(biz.get(f"invoices/refunds/{refund['id']}/"), 200)["status"] == "processing"
        too_much = biz.post(path, {"amount_cents": 401, "method": "CASH", "external_id": "rp2"})
        assert "amount_cents" in error_of(too_much)[2]
        biz.ok(biz.post(path, {"amount_cents": 400, "method": "CASH", "external_id": "rp3"}))
        paid = biz.ok(biz.get(f"invoices/refunds/{refund['id']}/"), 200)
        assert paid["status"] == "paid" and len(paid["refund_payments"]) == 2
        listed = biz.ok(biz.get(path), 200)
        assert listed["count"] == 2
        one = biz.ok(biz.get(f"{path}{first['id']}/"), 200)
        assert one["amount_cents"] == 200
        assert error_of(biz.get(f"{path}{MISSING}/"))[:2] == (404, "refund_payment_not_found")

    def test_references(self, biz):
        missing = biz.post(
            "invoices/refunds/",
            {"invoice_id": MISSING, "method": "CASH", "completed_at": SENT_AT, "external_id": "r"},
        )
        assert "invoice_id" in error_of(missing)[2]
        response = biz.post(
            f"invoices/refunds/{MISSING}/payments/",
            {"amount_cents": 1, "method": "CASH", "external_id": "rp"},
        )
        assert error_of(response)[:2] == (404, "refund_not_found")
        customer = biz.customer()
        voided = biz.invoice(customer["id"])
        biz.post(f"invoices/{voided['id']}/void/")
        refused = biz.post(
            "invoices/refunds/",
            {
                "invoice_id": voided["id"],
                "method": "CASH",
                "completed_at": SENT_AT,
                "external_id": "rv",
            },
        )
        assert error_of(refused)[0] == 400

    def test_refund_payment_external_id_of_another_refund(self, biz):
        invoice = biz.invoice(biz.customer()["id"], 1000)
        r1, r2 = (
            biz.refund(invoice["id"], amount_cents=100),
            biz.refund(invoice["id"], amount_cents=100),
        )
        body = {"amount_cents": 50, "method": "CASH", "external_id": "rp-shared"}
        biz.ok(biz.post(f"invoices/refunds/{r1['id']}/payments/", body))
        clash = biz.post(f"invoices/refunds/{r2['id']}/payments/", body)
        assert error_of(clash)[:2] == (409, "duplicate_external_id")

    def test_list_filters(self, biz):
        customer = biz.customer()
        a, b = biz.invoice(customer["id"]), biz.invoice(customer["id"])
        ra = biz.refund(a["id"], amount_cents=10)
        biz.refund(b["id"], amount_cents=10)
        body = biz.ok(biz.get("invoices/refunds/", params={"invoice_id": a["id"]}), 200)
        assert [r["id"] for r in body["results"]] == [ra["id"]]


@pytest.mark.django_db
class TestPayouts:
    def _chain(self, biz):
        customer = biz.customer()
        invoice = biz.invoice(customer["id"], 10000)
        p1 = biz.payment(customer["id"], invoice["id"], 6000)
        p2 = biz.payment(customer["id"], invoice["id"], 4000)
        refund = biz.refund(invoice["id"], amount_cents=500)
        rp = biz.ok(
            biz.post(
                f"invoices/refunds/{refund['id']}/payments/",
                {"amount_cents": 500, "method": "BANK_TRANSFER", "external_id": "rp"},
            )
        )
        return p1, p2, rp

    def test_upsert(self, biz):
        p1, p2, rp = self._chain(biz)
        body = {
            "external_id": "po_1",
            "processor": "stripe",
            "paid_out_amount_cents": 9200,
            "fee_cents": 300,
            "status": "pending",
            "completed_at": "2025-01-31T00:00:00Z",
            "payment_ids": [p1["id"]],
            "refund_payment_ids": [rp["id"]],
        }
        created = biz.post("payouts/", body)
        assert created.status_code == 201
        payout = created.json()
        assert payout["payment_count"] == 1 and payout["refund_payment_count"] == 1
        assert payout["gross_payments_amount_cents"] == 6000
        assert payout["net_amount_cents"] == 8900
        assert payout["currency"] == "GBP"
        updated = biz.post(
            "payouts/", {**body, "status": "paid", "payment_ids": [p1["id"], p2["id"]]}
        )
        assert updated.status_code == 200
        again = updated.json()
        assert again["id"] == payout["id"]
        assert again["status"] == "paid"
        assert again["gross_payments_amount_cents"] == 10000
        assert again["expected_net_amount_cents"] == 10000 - 500 - 300
        assert again["amount_variance_cents"] == 9200 - 9200
        minimal = {"external_id": "po_1", "processor": "stripe", "paid_out_amount_cents": 9200}
        kept = biz.ok(biz.post("payouts/", {**minimal, "memo": "m"}), 200)
        assert (kept["payment_count"], kept["status"], kept["memo"]) == (2, "paid", "m")
        assert biz.ok(biz.get("payouts/"), 200)["count"] == 1
        assert biz.ok(biz.get(f"payouts/{payout['id']}/"), 200)["status"] == "paid"
        payment = biz.ok(biz.get(f"invoices/payments/{p2['id']}/"), 200)
        assert payment["payout_id"] == payout["id"]

    def test_references(self, biz, other_biz):
        p1, _, _ = self._chain(biz)
        body = {"external_id": "po_x", "processor": "adyen", "paid_out_amount_cents": 1}
        unknown = biz.post("payouts/", {**body, "payment_ids": [p1["id"], MISSING]})
        assert set(error_of(unknown)[2]) == {"payment_ids[1]"}
        unknown_rp = biz.post("payouts/", {**body, "refund_payment_ids": [MISSING]})
        assert "refund_payment_ids[0]" in error_of(unknown_rp)[2]
        biz.ok(biz.post("payouts/", {**body, "payment_ids": [p1["id"]]}))
        twice = biz.post("payouts/", {**body, "external_id": "po_y", "payment_ids": [p1["id"]]})
        assert "already settled" in error_of(twice)[2]["payment_ids[0]"][0]
        foreign = other_biz.post("payouts/", {**body, "payment_ids": [p1["id"]]})
        assert "payment_ids[0]" in error_of(foreign)[2]
        assert "processor" in error_of(biz.post("payouts/", {"external_id": "e"}))[2]

    def test_list_filters(self, biz):
        base = {"processor": "stripe", "paid_out_amount_cents": 100}
        biz.post(
            "payouts/",
            {**base, "external_id": "stripe_po_1", "completed_at": "2025-01-01T00:00:00Z"},
        )
        biz.post(
            "payouts/",
            {
                **base,
                "external_id": "mollie_9",
                "processor": "mollie",
                "paid_out_amount_cents": 5000,
                "completed_at": "2025-03-01T00:00:00Z",
            },
        )

        def exts(**params):
            body = biz.ok(biz.get("payouts/", params=params), 200)
            return sorted(p["external_id"] for p in body["results"])

        assert exts(external_id="STRIPE") == ["stripe_po_1"]
        assert exts(processor="mollie") == ["mollie_9"]
        assert exts(max_amount=1000) == ["stripe_po_1"]
        assert exts(completed_at_start="2025-02-01T00:00:00Z") == ["mollie_9"]
        # ISO 8601 allows offsets PostgreSQL refuses (past ±15:59): the same instant.
        assert exts(completed_at_start="2025-02-01T16:34:00+16:34") == ["mollie_9"]
        assert exts(completed_at_end="2025-02-01T00:00:00Z") == ["stripe_po_1"]
