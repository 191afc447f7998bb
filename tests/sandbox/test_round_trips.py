"""The sandbox's round trips per call: a create that writes once opens no transaction
(in autocommit), and the ledger sums every source in one statement; what each create
answers and stores stays what it was (``test_answers.py``, ``test_idempotency.py``,
``test_concurrency.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from tests.sandbox.conftest import Biz
from thred_django.sandbox import ledger
from thred_django.sandbox.kinds import bill as bills
from thred_django.sandbox.kinds import invoice as invoices
from thred_django.sandbox.models import (
    Bill,
    BillPaymentAllocation,
    Customer,
    PaymentAllocation,
    VendorCreditAllocation,
)
from thred_django.sandbox.tables import Business


class Inserts:
    """For each sandbox table a statement inserted into: whether a transaction was open."""

    def __init__(self) -> None:
        self.atomic: dict[str, list[bool]] = {}
        self.statements = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements += 1
        if sql.startswith('INSERT INTO "thred_sandbox_') and "requestlog" not in sql:
            table = sql.split('"')[1].removeprefix("thred_sandbox_")
            self.atomic.setdefault(table, []).append(context["connection"].in_atomic_block)
        return execute(sql, params, many, context)


@pytest.fixture
def inserts() -> Iterator[Inserts]:
    seen = Inserts()
    with connection.execute_wrapper(seen):
        yield seen


@pytest.mark.django_db(transaction=True)
def test_a_create_that_writes_once_opens_no_transaction(biz: Biz, inserts: Inserts) -> None:
    """Autocommit (as under a server): customers, vendors, bills, vendor credits without
    allocations insert outside any transaction; what writes more keeps its own."""
    customer = biz.customer()
    vendor = biz.vendor()
    bill = biz.bill(vendor["id"], unit_price=500)
    credit = {"external_id": biz.ext("vc"), "vendor_id": vendor["id"]}
    biz.ok(biz.post("vendor-credits/", {**credit, "line_items": [{"amount": 5}]}))
    plain = {table: list(flags) for table, flags in inserts.atomic.items()}
    assert plain == {
        "customer": [False],
        "vendor": [False],
        "bill": [False],
        "vendorcredit": [False],
    }

    inserts.atomic.clear()
    biz.invoice(customer["id"])  # and the customer's balance: one transaction
    allocated = {"bill_id": bill["id"], "amount": 200}
    credit = {**credit, "external_id": biz.ext("vc"), "line_items": [{"amount": 300}]}
    biz.ok(biz.post("vendor-credits/", {**credit, "allocations": [allocated]}))
    made = {
        "external_id": biz.ext("vc"),
        "vendor_external_id": "new",
        "line_items": [{"amount": 1}],
    }
    biz.ok(biz.post("vendor-credits/", made))  # makes its vendor too
    assert inserts.atomic == {
        "invoice": [True],
        "vendorcredit": [True, True],
        "vendorcreditallocation": [True],
        "vendor": [True],
    }
    assert Bill.objects.get(id=bill["id"]).paid_cents == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["customers/", "vendors/"])
def test_a_repeated_single_write_create_answers_the_first(biz: Biz, path: str) -> None:
    """Without a transaction the refused INSERT still leaves the first object as the
    answer (200), and nothing else is stored."""
    body = {"external_id": "same", "company_name": "First"}
    first = biz.ok(biz.post(path, body))
    again = biz.ok(biz.post(path, {**body, "company_name": "Second"}), 200)
    assert again == first
    missing = {"external_id": biz.ext("bill"), "vendor_id": first["id"], "line_items": []}
    if path == "customers/":  # a bill naming a customer's id: 400, no bill
        response = biz.post("bills/", {**missing, "line_items": [{"unit_price": 1}]})
        assert response.status_code == 400, response.text
        assert not Bill.objects.exists()


@pytest.mark.django_db
def test_inside_a_transaction_a_refused_single_write_leaves_it_usable(biz: Biz) -> None:
    """In a caller's transaction (a test's, a host calling the sandbox in process) the
    insert runs in a savepoint: a duplicate answers 200 and the transaction goes on."""
    with transaction.atomic():
        first = biz.customer(external_id="dup")
        again = {"external_id": "dup", "company_name": "Other"}
        assert biz.ok(biz.post("customers/", again), 200) == first
        assert Customer.objects.filter(external_id="dup").count() == 1


@pytest.fixture
def payables(biz: Biz) -> dict[str, Any]:
    """Bills paid by bill payments (one failed: it does not count) and vendor credits."""
    vendor = biz.vendor()
    ids = [biz.bill(vendor["id"], unit_price=price)["id"] for price in (1_000, 2_000, 3_000)]
    pays = [(ids[0], 400, "completed"), (ids[0], 100, "failed"), (ids[1], 2_000, "completed")]
    for bill_id, amount, status in pays:
        body = biz.bill_payment_body(vendor["id"], bill_id, amount, status=status)
        biz.ok(biz.post("bills/payments/", body))
    credit = {
        "external_id": biz.ext("vc"),
        "vendor_id": vendor["id"],
        "line_items": [{"amount": 700}],
        "allocations": [{"bill_id": ids[0], "amount": 250}, {"bill_id": ids[2], "amount": 450}],
    }
    biz.ok(biz.post("vendor-credits/", credit))
    return {"bills": ids}


@pytest.mark.django_db
def test_totals_of_sums_each_source_as_the_orm_does(
    payables: dict[str, Any], django_assert_num_queries: Any
) -> None:
    ids = payables["bills"]
    paid_source, credit_source = bills.LEDGER.sources
    assert (paid_source.model, credit_source.model) == (
        BillPaymentAllocation,
        VendorCreditAllocation,
    )

    def orm(model: Any, **filters: Any) -> dict[Any, int]:
        found = model.objects.filter(bill_id__in=ids, **filters)
        grouped = found.values_list("bill_id").annotate(total=Sum("amount_cents")).order_by()
        return {key: int(total) for key, total in grouped}

    paid = orm(BillPaymentAllocation, bill_payment__status__in=paid_source.statuses)
    credited = orm(VendorCreditAllocation)
    with django_assert_num_queries(1):
        found = ledger.totals_of([(paid_source, None), (credit_source, None)], ids)
    assert found == [paid, credited]
    assert [sum(f.get(Bill.objects.get(id=i).pk, 0) for f in found) for i in ids] == [
        650,
        2000,
        450,
    ]
    assert found[0] == ledger.totals(paid_source, ids) and found[1] == ledger.totals(
        credit_source, ids
    )
    first = BillPaymentAllocation.objects.filter(bill_id=ids[0], amount_cents=400).get()
    own = {"bill_payment_id": first.bill_payment_id}
    without = ledger.totals_of([(paid_source, own), (credit_source, None)], ids)
    assert without == [ledger.totals(paid_source, ids, own), credited]
    assert first.bill_id not in without[0]  # its only counting payment left out
    with django_assert_num_queries(0):
        assert ledger.totals_of([(paid_source, None), (credit_source, None)], []) == [{}, {}]
    assert ledger.totals_of([], ids) == []


@pytest.mark.django_db
def test_a_refresh_sums_received_and_refunded_in_one_statement(
    biz: Biz, django_assert_num_queries: Any
) -> None:
    """An invoice's refresh: one statement for its payments and refunds, one UPDATE, one
    for its customer's balance (PostgreSQL; two elsewhere); stored values unchanged."""
    customer = biz.customer()
    invoice = biz.invoice(customer["id"], unit_price=9_000)
    biz.payment(customer["id"], invoice["id"], 5_000)
    biz.refund(invoice["id"], amount_cents=1_200)
    stored = Customer.objects.get(id=customer["id"])
    doc = invoices.Invoice.objects.get(id=invoice["id"])
    before = (doc.received_cents, doc.refunded_cents, doc.status, stored.outstanding_cents)
    invoices.Invoice.objects.filter(id=doc.id).update(received_cents=0, refunded_cents=0)
    Customer.objects.filter(id=stored.id).update(outstanding_cents=0)
    doc.customer = stored
    statements = 4 if connection.vendor == "postgresql" else 5  # lock, sums, UPDATE, balance
    with transaction.atomic(), django_assert_num_queries(statements):
        invoices.refresh([doc.id])
    doc.refresh_from_db()
    stored.refresh_from_db()
    after = (doc.received_cents, doc.refunded_cents, doc.status, stored.outstanding_cents)
    assert after == before == (5_000, 1_200, "PARTIALLY_PAID", 4_000)


@pytest.mark.django_db
def test_outstanding_balances_stored_in_place(biz: Biz) -> None:
    """``refresh_customers``: loaded instances get the stored values, a customer without
    invoices 0, an unknown id nothing."""
    ann, bob = biz.customer(), biz.customer()
    biz.invoice(ann["id"], unit_price=3_000)
    Customer.objects.update(outstanding_cents=99)
    loaded = [Customer.objects.get(id=ann["id"]), Customer.objects.get(id=bob["id"])]
    unknown = "9c0ffee0-0000-4000-8000-000000000000"
    invoices.refresh_customers({one.pk for one in loaded} | {unknown}, loaded)
    assert [one.outstanding_cents for one in loaded] == [3_000, 0]
    assert dict(Customer.objects.values_list("external_id", "outstanding_cents")) == {
        ann["external_id"]: 3_000,
        bob["external_id"]: 0,
    }
    assert Business.objects.count() == 1
    assert not PaymentAllocation.objects.exists()
