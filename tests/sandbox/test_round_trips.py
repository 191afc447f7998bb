"""The sandbox's round trips per call: a create that writes once opens no transaction
(in autocommit), and the ledger sums every source in one statement; what each create
answers and stores stays what it was (``test_answers.py``, ``test_idempotency.py``,
``test_concurrency.py``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.sandbox.conftest import SENT_AT, Biz
from thred_django.sandbox import ledger, rows
from thred_django.sandbox.kinds import bill as bills
from thred_django.sandbox.kinds import invoice as invoices
from thred_django.sandbox.models import (
    Bill,
    BillPaymentAllocation,
    Customer,
    Payment,
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
        for table in re.findall(r'INSERT INTO "thred_sandbox_(\w+)"', sql):
            if table != "requestlog":
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
    biz.invoice(customer["id"])  # and the customer's balance
    allocated = {"bill_id": bill["id"], "amount": 200}
    credit = {**credit, "external_id": biz.ext("vc"), "line_items": [{"amount": 300}]}
    biz.ok(biz.post("vendor-credits/", {**credit, "allocations": [allocated]}))
    made = {
        "external_id": biz.ext("vc"),
        "vendor_external_id": "new",
        "line_items": [{"amount": 1}],
    }
    biz.ok(biz.post("vendor-credits/", made))  # makes its vendor too
    # PostgreSQL: the invoice and its customer's balance in one statement
    assert inserts.atomic == {
        "invoice": [connection.vendor != "postgresql"],
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


@pytest.mark.django_db
def test_insert_together_stores_what_insert_stores(
    biz: Biz, django_assert_num_queries: Any
) -> None:
    """A payment and its allocations in one statement (PostgreSQL), the same rows as an
    ``insert`` per model; a refused row (a taken external_id) stores none of them."""
    customer = biz.customer()
    docs = [biz.invoice(customer["id"], unit_price=price)["id"] for price in (100, 200)]
    business = Business.objects.get(id=biz.id)
    party = Customer.objects.get(id=customer["id"])
    invoice_rows = list(invoices.Invoice.objects.filter(id__in=docs).order_by("id"))

    def made(external_id: str) -> tuple[Payment, list[PaymentAllocation]]:
        payment = Payment(
            business=business,
            customer=party,
            external_id=external_id,
            total_amount_cents=300,
            currency="GBP",
            payment_date="2025-01-20",
            data={"memo": "ü \"quoted\" 'single'"},
        )
        lines = [
            PaymentAllocation(payment=payment, invoice=doc, amount_cents=doc.total_cents)
            for doc in invoice_rows
        ]
        return payment, lines

    ours, theirs = made("together"), made("apart")
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        rows.insert_together([ours[0]], ours[1], [])
    rows.insert([theirs[0]])
    rows.insert(theirs[1])

    def stored(external_id: str) -> list[Any]:
        payment = Payment.objects.filter(external_id=external_id).values().get()
        lines = PaymentAllocation.objects.filter(payment_id=payment["id"]).order_by("invoice_id")
        skip = ("id", "external_id", "payment_id", "created_at", "updated_at")
        return [
            {k: v for k, v in payment.items() if k not in skip},
            [{k: v for k, v in line.items() if k not in skip} for line in lines.values()],
        ]

    assert stored("together") == stored("apart")
    assert len(stored("together")[1]) == 2
    again = made("together")
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert_together([again[0]], again[1])
    assert PaymentAllocation.objects.count() == 4  # the refused statement stored nothing


@pytest.mark.django_db
def test_a_new_invoice_stores_its_customers_balance_with_it(
    biz: Biz, django_assert_num_queries: Any
) -> None:
    """``store_new``: the invoice as ``insert`` stores it and the balance as
    ``refresh_customers`` then stores it (the ORM aggregate of the customer's invoices),
    in one statement on PostgreSQL; a void one adds nothing."""
    customer = biz.customer()
    biz.invoice(customer["id"], unit_price=1_000)
    biz.payment(customer["id"], biz.invoice(customer["id"], unit_price=500)["id"], 200)
    business = Business.objects.get(id=biz.id)
    party = Customer.objects.get(id=customer["id"])
    assert party.outstanding_cents == 1_300

    def invoice(number: str, voided: bool = False) -> invoices.Invoice:
        doc = invoices.Invoice(
            business=business,
            customer=party,
            external_id=number,
            currency="GBP",
            total_cents=700,
            voided_at=timezone.now() if voided else None,
        )
        doc.status = invoices.status(doc)
        return doc

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        invoices.store_new(invoice("new"), party)
    invoices.store_new(invoice("void", voided=True), party)
    owed = (
        invoices.Invoice.objects.filter(customer=party)
        .exclude(status="VOID")
        .aggregate(total=Sum(F("total_cents") - F("received_cents")))["total"]
    )
    assert party.outstanding_cents == owed == 2_000
    assert Customer.objects.get(id=party.id).outstanding_cents == 2_000
    stored = invoices.Invoice.objects.filter(external_id__in=["new", "void"]).order_by("id")
    assert sorted(one.status for one in stored) == ["SENT", "VOID"]


# Round trips per create in autocommit, as under a server (PostgreSQL): the fault
# settings and business read, the request's reads and writes, BEGIN and COMMIT where it
# needs a transaction, the request log. Before this round (4fb9d27): 5, 5, 6, 8, 15,
# 14, 12, 6 and 14 (one lock of the bills twice). A create's rows are stored by the
# statement that sums its documents' sources (``ledger.totals_of``).
CREATES = {
    "customers/": 3,
    "vendors/": 3,
    "bills/": 4,
    "invoices/": 4,
    "invoices/payments/": 11,
    "bills/payments/": 10,
    "invoices/refunds/": 9,
    "vendor-credits/ (no allocations)": 4,
    "vendor-credits/ (allocations)": 9,
}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)  # autocommit, as under a server
def test_statements_per_create(biz: Biz) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL's statements")
    counted: dict[str, int] = {}

    def post(name: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        with CaptureQueriesContext(connection) as queries:
            answer = biz.ok(biz.post(name.split(" ")[0], body), status)
        counted[name] = len(queries)
        return answer

    customer = post("customers/", {"external_id": biz.ext("c"), "company_name": "C"})
    vendor = post("vendors/", {"external_id": biz.ext("v"), "company_name": "V"})
    lines = [{"quantity": 1, "unit_price": 1_000, "description": "x"}]
    bill = post(
        "bills/", {"external_id": biz.ext("b"), "vendor_id": vendor["id"], "line_items": lines}
    )
    body = {"external_id": biz.ext("i"), "customer_id": customer["id"], "line_items": lines}
    invoice = post("invoices/", {**body, "sent_at": "2025-01-15T09:00:00Z"})
    key = {"Idempotency-Key": "k-1"}
    pay = biz.payment_body(customer["id"], invoice["id"], 400)
    with CaptureQueriesContext(connection) as queries:
        biz.ok(biz.post("invoices/payments/", pay, headers=key))
    counted["invoices/payments/"] = len(queries)
    paid = biz.bill_payment_body(vendor["id"], bill["id"], 300)
    with CaptureQueriesContext(connection) as queries:
        biz.ok(biz.post("bills/payments/", paid, headers=key))
    counted["bills/payments/"] = len(queries)
    refund = {"invoice_id": invoice["id"], "method": "BANK_TRANSFER", "amount_cents": 100}
    post("invoices/refunds/", {**refund, "external_id": biz.ext("r"), "completed_at": SENT_AT})
    credit = {"vendor_id": vendor["id"], "line_items": [{"amount": 50}]}
    post("vendor-credits/ (no allocations)", {**credit, "external_id": biz.ext("vc")})
    allocated = {**credit, "allocations": [{"bill_id": bill["id"], "amount": 50}]}
    post("vendor-credits/ (allocations)", {**allocated, "external_id": biz.ext("vc")})
    assert counted == CREATES


@pytest.mark.django_db
def test_rows_stored_with_the_sums_are_counted_as_the_sums_count_them(
    biz: Biz, django_assert_num_queries: Any
) -> None:
    """``totals_of(…, inserting)``: the new rows are stored, and each part is what it
    is when summed after storing them (a failed payment's allocation does not count, an
    excluded owner's neither, one for another document is not summed), in one statement
    on PostgreSQL."""
    customer = biz.customer()
    docs = [biz.invoice(customer["id"], unit_price=5_000)["id"] for _ in range(3)]
    biz.payment(customer["id"], docs[0], 1_000)
    business = Business.objects.get(id=biz.id)
    party = Customer.objects.get(id=customer["id"])
    first, second, third = (invoices.Invoice.objects.get(id=one) for one in docs)

    def paying(status: str, *lines: tuple[Any, int]) -> list[list[Any]]:
        payment = Payment(
            business=business,
            customer=party,
            total_amount_cents=sum(amount for _, amount in lines),
            currency="GBP",
            payment_date="2025-01-20",
            status=status,
        )
        made = [PaymentAllocation(payment=payment, invoice=d, amount_cents=a) for d, a in lines]
        return [[payment], made]

    source = next(s for s in invoices.LEDGER.sources if s.model is PaymentAllocation)
    refunds = invoices.LEDGER.refunds[0]
    counted = paying("completed", (first, 300), (second, 400), (third, 50))
    failed = paying("failed", (first, 2_000))
    keys = [first.pk, second.pk]  # the third is not summed
    own = {"payment_id": counted[0][0].pk}
    parts = [(source, None), (source, own), (refunds, None)]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 5):
        found = ledger.totals_of(parts, keys, [*counted, *failed])
    assert PaymentAllocation.objects.count() == 5  # all stored
    assert found == [ledger.totals(source, keys), ledger.totals(source, keys, own), {}]
    assert found[0] == {first.pk: 1_300, second.pk: 400}
    assert found[1] == {first.pk: 1_000}
    more = paying("completed", (first, 1))
    stores = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(stores):  # nothing to sum: stored all the same
        assert ledger.totals_of(parts, [], more) == [{}, {}, {}]
    assert PaymentAllocation.objects.count() == 6
