"""AP: vendors, bills, bill payments, vendor credits."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import error_of
from thred_django.sandbox.models import Vendor

MISSING = "9c0ffee0-0000-4000-8000-000000000000"


@pytest.mark.django_db
class TestVendors:
    def test_create_get_list_and_unarchive(self, biz):
        vendor = biz.vendor(external_id="sup-1", company_name="Beans BV", email="b@beans.example")
        assert vendor["type"] == "VendorData" and vendor["status"] == "ACTIVE"
        assert biz.ok(biz.get(f"vendors/{vendor['id']}/"), 200)["company_name"] == "Beans BV"
        assert "external_id" in error_of(biz.post("vendors/", {"company_name": "x"}))[2]
        assert error_of(biz.get(f"vendors/{MISSING}/"))[:2] == (404, "vendor_not_found")

        refused = biz.post(f"vendors/{vendor['id']}/unarchive/", {})
        assert error_of(refused)[:2] == (409, "vendor_not_archived")
        Vendor.objects.filter(id=vendor["id"]).update(status="ARCHIVED")  # no archive endpoint
        assert biz.ok(biz.get("vendors/"), 200)["count"] == 0
        listed = biz.ok(biz.get("vendors/", params={"include_archived": "true"}), 200)
        assert listed["count"] == 1
        restored = biz.ok(biz.post(f"vendors/{vendor['id']}/unarchive/", {}), 200)
        assert restored["status"] == "ACTIVE"

    def test_list_filters(self, biz):
        biz.vendor(external_id="sup-1", company_name="Beans BV")
        biz.vendor(external_id="sup-2", company_name="Milk Ltd")

        def exts(**params):
            return [
                v["external_id"] for v in biz.ok(biz.get("vendors/", params=params), 200)["results"]
            ]

        assert exts(external_id="sup-2") == ["sup-2"]
        assert exts(name="Beans BV") == ["sup-1"]
        assert exts(name_contains="milk") == ["sup-2"]
        assert sorted(exts(external_id_contains="SUP")) == ["sup-1", "sup-2"]


@pytest.mark.django_db
class TestBills:
    def test_create_and_vendor_rules(self, biz):
        vendor = biz.vendor(external_id="sup")
        bill = biz.bill(vendor["id"], unit_price=1500, bill_date="2025-01-10", currency="GBP")
        assert bill["type"] == "Bill" and bill["status"] == "OPEN"
        assert bill["total_amount_cents"] == 1500 and bill["vendor"]["id"] == vendor["id"]
        assert bill["issue_date"] == "2025-01-10"
        by_ext = biz.post(
            "bills/",
            {
                "external_id": "b-ext",
                "vendor_external_id": "sup",
                "line_items": [{"quantity": 2, "unit_price": 10}],
            },
        )
        assert biz.ok(by_ext)["vendor_id"] == vendor["id"]
        missing = biz.post(
            "bills/",
            {
                "external_id": "b-x",
                "vendor_id": MISSING,
                "line_items": [{"quantity": 1, "unit_price": 1}],
            },
        )
        assert "vendor_id" in error_of(missing)[2]
        unknown_ext = biz.post(
            "bills/",
            {
                "external_id": "b-y",
                "vendor_external_id": "nobody",
                "line_items": [{"quantity": 1, "unit_price": 1}],
            },
        )
        assert "vendor_external_id" in error_of(unknown_ext)[2]
        euro = biz.post(
            "bills/",
            {
                "external_id": "b-z",
                "vendor_id": vendor["id"],
                "currency": "EUR",
                "line_items": [{"quantity": 1, "unit_price": 1}],
            },
        )
        assert "currency" in error_of(euro)[2]

    def test_put_replaces_lines_only_when_sent(self, biz):
        vendor = biz.vendor()
        bill = biz.bill(vendor["id"], unit_price=1000, memo="m1")
        path = f"bills/{bill['id']}/"
        kept = biz.ok(biz.put(path, {"memo": "m2"}), 200)
        assert kept["memo"] == "m2" and kept["total_amount_cents"] == 1000
        assert len(kept["line_items"]) == 1
        replaced = biz.ok(
            biz.put(
                path,
                {
                    "line_items": [
                        {"quantity": 1, "unit_price": 300},
                        {"quantity": 2, "unit_price": 100},
                    ]
                },
            ),
            200,
        )
        assert replaced["total_amount_cents"] == 500 and len(replaced["line_items"]) == 2
        assert error_of(biz.put(f"bills/{MISSING}/", {}))[:2] == (404, "bill_not_found")

    def test_put_cannot_drop_below_paid(self, biz):
        vendor = biz.vendor()
        bill = biz.bill(vendor["id"], unit_price=1000)
        biz.ok(biz.post("bills/payments/", biz.bill_payment_body(vendor["id"], bill["id"], 800)))
        low = biz.put(f"bills/{bill['id']}/", {"line_items": [{"quantity": 1, "unit_price": 799}]})
        assert "line_items" in error_of(low)[2]

    def test_list_filters(self, biz):
        v1, v2 = biz.vendor(), biz.vendor()
        b1 = biz.bill(v1["id"], unit_price=100)
        biz.bill(v2["id"], unit_price=100)
        biz.ok(biz.post("bills/payments/", biz.bill_payment_body(v1["id"], b1["id"], 100)))
        by_vendor = biz.ok(biz.get("bills/", params={"vendor_id": v1["id"]}), 200)
        assert [b["id"] for b in by_vendor["results"]] == [b1["id"]]
        paid = biz.ok(biz.get("bills/", params={"status": "paid"}), 200)
        assert [b["id"] for b in paid["results"]] == [b1["id"]]


@pytest.mark.django_db
class TestBillPayments:
    def test_create_allocates(self, biz):
        vendor = biz.vendor()
        b1, b2 = biz.bill(vendor["id"], 600), biz.bill(vendor["id"], 1000)
        body = biz.bill_payment_body(vendor["id"], b1["id"], 600, processing_fee_cents=25)
        body["amount_cents"] = 1200
        body["allocations"].append(
            {"bill_id": b2["id"], "amount_cents": 400, "description": "part"}
        )
        payment = biz.ok(biz.post("bills/payments/", body))
        assert payment["status"] == "completed"
        assert payment["allocated_amount_cents"] == 1000
        assert payment["unallocated_amount_cents"] == 200
        assert payment["net_amount_cents"] == 1175
        assert payment["vendor_name"] == vendor["company_name"]
        assert biz.ok(biz.get(f"bills/{b1['id']}/"), 200)["status"] == "PAID"
        second = biz.ok(biz.get(f"bills/{b2['id']}/"), 200)
        assert second["status"] == "PARTIALLY_PAID"
        assert second["bill_payment_allocations"][0]["amount_cents"] == 400
        got = biz.ok(biz.get(f"bills/payments/{payment['id']}/"), 200)
        assert {a["bill_id"] for a in got["allocations"]} == {b1["id"], b2["id"]}

    def test_validation_and_references(self, biz):
        vendor, other = biz.vendor(), biz.vendor()
        bill = biz.bill(vendor["id"], 500)
        check = biz.bill_payment_body(vendor["id"], bill["id"], 100, payment_method="check")
        assert set(error_of(biz.post("bills/payments/", check))[2]) == {"check_number"}
        check["check_number"] = "000017"
        assert biz.post("bills/payments/", check).status_code == 201
        missing_vendor = biz.bill_payment_body(MISSING, bill["id"], 100)
        assert "vendor_id" in error_of(biz.post("bills/payments/", missing_vendor))[2]
        other_vendor = biz.bill_payment_body(other["id"], bill["id"], 100)
        details = error_of(biz.post("bills/payments/", other_vendor))[2]
        assert "another vendor" in details["allocations[0].bill_id"][0]
        too_much = biz.bill_payment_body(vendor["id"], bill["id"], 401)
        assert "allocations[0].amount_cents" in error_of(biz.post("bills/payments/", too_much))[2]
        missing_bill = biz.bill_payment_body(vendor["id"], MISSING, 1)
        assert "allocations[0].bill_id" in error_of(biz.post("bills/payments/", missing_bill))[2]
        no_currency = biz.bill_payment_body(vendor["id"], bill["id"], 1)
        del no_currency["currency"]
        assert biz.post("bills/payments/", no_currency).status_code == 201  # GBP business

    def test_patch_and_cancel(self, biz):
        vendor = biz.vendor()
        bill = biz.bill(vendor["id"], 1000)
        body = biz.bill_payment_body(vendor["id"], bill["id"], 700, status="pending")
        payment = biz.ok(biz.post("bills/payments/", body))
        path = f"bills/payments/{payment['id']}/"
        patched = biz.ok(
            biz.patch(
                path,
                {"memo": "m", "allocations": [{"bill_id": bill["id"], "amount_cents": 500}]},
            ),
            200,
        )
        assert patched["memo"] == "m" and patched["allocated_amount_cents"] == 500
        assert biz.ok(biz.get(f"bills/{bill['id']}/"), 200)["outstanding_amount_cents"] == 500
        over = biz.patch(path, {"allocations": [{"bill_id": bill["id"], "amount_cents": 701}]})
        assert "allocations" in error_of(over)[2]
        cancelled = biz.ok(biz.post(path + "delete/"), 200)
        assert cancelled["status"] == "cancelled" and cancelled["payment_id"] == payment["id"]
        assert biz.ok(biz.get(f"bills/{bill['id']}/"), 200)["status"] == "OPEN"
        assert error_of(biz.post(path + "delete/"))[:2] == (409, "bill_payment_already_cancelled")
        assert error_of(biz.patch(path, {"memo": "x"}))[:2] == (409, "bill_payment_cancelled")

        done = biz.ok(
            biz.post("bills/payments/", biz.bill_payment_body(vendor["id"], bill["id"], 10))
        )
        refused = biz.post(f"bills/payments/{done['id']}/delete/")
        assert error_of(refused)[:2] == (409, "bill_payment_not_cancellable")

    def test_list_filters(self, biz):
        v1, v2 = biz.vendor(), biz.vendor()
        b1, b2 = biz.bill(v1["id"], 1000), biz.bill(v2["id"], 1000)
        p1 = biz.ok(
            biz.post(
                "bills/payments/",
                biz.bill_payment_body(
                    v1["id"],
                    b1["id"],
                    100,
                    payment_method="check",
                    check_number="CHK-77",
                    payment_date="2025-01-01",
                ),
            )
        )
        p2 = biz.ok(
            biz.post(
                "bills/payments/",
                biz.bill_payment_body(
                    v2["id"], b2["id"], 100, status="failed", payment_date="2025-03-01"
                ),
            )
        )

        def ids(**params):
            return [
                p["id"] for p in biz.ok(biz.get("bills/payments/", params=params), 200)["results"]
            ]

        assert ids() == [p2["id"], p1["id"]]
        assert ids(vendor_id=v1["id"]) == [p1["id"]]
        assert ids(bill_id=b2["id"]) == [p2["id"]]
        assert ids(status="failed") == [p2["id"]]
        assert ids(payment_method="check") == [p1["id"]]
        assert ids(payment_date_start="2025-02-01") == [p2["id"]]
        assert ids(payment_date_end="2025-02-01") == [p1["id"]]
        assert ids(search="chk-7") == [p1["id"]]


@pytest.mark.django_db
class TestVendorCredits:
    def test_creates_the_vendor_from_its_external_id(self, biz):
        credit = biz.ok(
            biz.post(
                "vendor-credits/",
                {
                    "external_id": "vc-1",
                    "vendor_external_id": "new-sup",
                    "line_items": [{"amount": 300, "tax_amount_cents": 60, "memo": "returned"}],
                },
            )
        )
        assert credit["vendor"]["external_id"] == "new-sup"
        assert credit["total_amount_cents"] == 360 and credit["status"] == "open"
        vendors = biz.ok(biz.get("vendors/", params={"external_id": "new-sup"}), 200)
        assert vendors["count"] == 1
        second = biz.ok(
            biz.post(
                "vendor-credits/",
                {
                    "external_id": "vc-2",
                    "vendor_external_id": "new-sup",
                    "line_items": [{"amount": 1}],
                },
            )
        )
        assert second["vendor"]["id"] == credit["vendor"]["id"]  # not created twice

    def test_allocations(self, biz):
        vendor, other = biz.vendor(), biz.vendor()
        bill = biz.bill(vendor["id"], 1000)
        credit = biz.ok(
            biz.post(
                "vendor-credits/",
                {
                    "external_id": "vc",
                    "vendor_id": vendor["id"],
                    "line_items": [{"amount": 400}],
                    "allocations": [{"bill_id": bill["id"], "amount": 250}],
                },
            )
        )
        assert credit["applied_amount_cents"] == 250 and credit["status"] == "partially_applied"
        assert credit["allocations"][0]["bill_outstanding_balance_cents"] == 750
        assert biz.ok(biz.get(f"bills/{bill['id']}/"), 200)["paid_amount_cents"] == 250
        over_bill = biz.post(
            "vendor-credits/",
            {
                "external_id": "vc2",
                "vendor_id": vendor["id"],
                "line_items": [{"amount": 900}],
                "allocations": [{"bill_id": bill["id"], "amount": 751}],
            },
        )
        assert "allocations[0].amount" in error_of(over_bill)[2]
        over_credit = biz.post(
            "vendor-credits/",
            {
                "external_id": "vc3",
                "vendor_id": vendor["id"],
                "line_items": [{"amount": 10}],
                "allocations": [{"bill_id": bill["id"], "amount": 11}],
            },
        )
        assert "allocations" in error_of(over_credit)[2]
        foreign = biz.post(
            "vendor-credits/",
            {
                "external_id": "vc4",
                "vendor_id": other["id"],
                "line_items": [{"amount": 10}],
                "allocations": [{"bill_id": bill["id"], "amount": 1}],
            },
        )
        assert "allocations[0].bill_id" in error_of(foreign)[2]
        missing = biz.post(
            "vendor-credits/",
            {"external_id": "vc5", "vendor_id": MISSING, "line_items": [{"amount": 10}]},
        )
        assert "vendor_id" in error_of(missing)[2]
        assert biz.ok(biz.get(f"vendor-credits/{credit['id']}/"), 200)["external_id"] == "vc"
        listed = biz.ok(biz.get("vendor-credits/", params={"vendor_id": vendor["id"]}), 200)
        assert listed["count"] == 1
        assert error_of(biz.get(f"vendor-credits/{MISSING}/"))[:2] == (
            404,
            "vendor_credit_not_found",
        )
