"""Fast generators of host rows for the benchmarks (bulk_create: no signals, no marks).

``customers(n, merchants)`` makes ``merchants`` merchants and ``n`` customers spread over
them. ``mixed(n, merchants)`` makes about ``n`` mapped rows over ``merchants`` merchants:
per merchant, equal numbers of customers, issued invoices (one line each), payments
(one per invoice), vendors, bills (one line each) and bill payments (one per bill).
Rows reference each other so the engine resolves parents (payment → invoice → customer,
bill payment → bill → vendor). Deterministic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

COUNTRIES = [("GB", "GBP", "limited"), ("DE", "EUR", "gmbh"), ("NL", "EUR", "bv")]
ISSUED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def make_merchants(count: int):
    from sales.models import Merchant

    merchants = []
    for i in range(count):
        country, currency, legal_form = COUNTRIES[i % len(COUNTRIES)]
        merchants.append(
            Merchant(
                name=f"Bench Shop {i}",
                legal_name=f"Bench Shop {i} Ltd",
                legal_form=legal_form,
                email=f"owner{i}@bench.test",
                country=country,
                currency=currency,
                city="London",
                joined_on=date(2024, 1, 1),
            )
        )
    return list(Merchant.objects.bulk_create(merchants))


def merchant(name: str):
    """One GB merchant saved with ``create()``: its signals run, so it is marked like a
    merchant signing up (the Thred business of the records saved after it)."""
    from sales.models import Merchant

    return Merchant.objects.create(
        name=name,
        legal_name=f"{name} Ltd",
        legal_form="limited",
        email=f"owner@{name.split()[0].lower()}.test",
        country="GB",
        currency="GBP",
        joined_on=date(2024, 1, 1),
    )


def _customer(merchant, i: int):
    from sales.models import Customer

    return Customer(
        merchant=merchant,
        number=f"C{i:07d}",
        is_company=i % 3 == 0,
        name=f"Customer {i}",
        email=f"customer{i}@example.com",
        phone="+44 20 7946 0000",
        address=f"{i % 200 + 1} High Street",
        city="London",
        postal_code="N1 1AA",
        country=merchant.country,
    )


def customers(n: int, merchants: int = 10, batch: int = 5000) -> int:
    from sales.models import Customer

    owners = make_merchants(merchants)
    rows = []
    for i in range(n):
        rows.append(_customer(owners[i % merchants], i))
        if len(rows) >= batch:
            Customer.objects.bulk_create(rows)
            rows = []
    if rows:
        Customer.objects.bulk_create(rows)
    return n + merchants


def mixed(n: int, merchants: int = 8) -> dict[str, int]:
    """About ``n`` mapped rows (merchants included); returns the count per model."""
    from sales import models as s

    owners = make_merchants(merchants)
    # 6 rows per unit: customer, invoice, payment, vendor, bill, bill payment.
    units = max(1, (n - merchants) // 6)
    counts = {"merchant": merchants}
    for start in range(0, units, 1000):
        chunk = range(start, min(units, start + 1000))
        custs = s.Customer.objects.bulk_create([_customer(owners[i % merchants], i) for i in chunk])
        invoices = s.Invoice.objects.bulk_create(
            [
                s.Invoice(
                    merchant=c.merchant,
                    customer=c,
                    number=f"INV-{i:07d}",
                    issued_at=ISSUED + timedelta(minutes=i),
                    due_at=ISSUED + timedelta(days=14, minutes=i),
                    memo="Thank you",
                )
                for i, c in zip(chunk, custs, strict=True)
            ]
        )
        s.InvoiceLine.objects.bulk_create(
            [
                s.InvoiceLine(
                    invoice=inv,
                    position=1,
                    product="Espresso beans 1kg",
                    quantity=Decimal(2),
                    unit_price_cents=1500,
                    tax_rate=Decimal(20),
                )
                for inv in invoices
            ]
        )
        s.Payment.objects.bulk_create(
            [
                s.Payment(
                    merchant=inv.merchant,
                    invoice=inv,
                    amount_cents=3600,
                    method="bank_transfer",
                    received_on=date(2025, 1, 20),
                    reference=f"PAY-{inv.number}",
                )
                for inv in invoices
            ]
        )
        vendors = s.Vendor.objects.bulk_create(
            [
                s.Vendor(
                    merchant=owners[i % merchants],
                    name=f"Supplier {i}",
                    email=f"supplier{i}@example.com",
                    country=owners[i % merchants].country,
                )
                for i in chunk
            ]
        )
        bills = s.Bill.objects.bulk_create(
            [
                s.Bill(
                    merchant=v.merchant,
                    vendor=v,
                    number=f"BILL-{i:07d}",
                    vendor_reference=f"V-{i}",
                    bill_date=date(2025, 1, 10),
                    due_on=date(2025, 2, 10),
                )
                for i, v in zip(chunk, vendors, strict=True)
            ]
        )
        s.BillLine.objects.bulk_create(
            [
                s.BillLine(
                    bill=b,
                    description="Milk",
                    quantity=Decimal(10),
                    unit_price_cents=100,
                    tax_rate=Decimal(0),
                )
                for b in bills
            ]
        )
        s.BillPayment.objects.bulk_create(
            [
                s.BillPayment(
                    merchant=b.merchant,
                    bill=b,
                    amount_cents=1000,
                    method="bank_transfer",
                    paid_on=date(2025, 1, 25),
                    reference=f"BP-{b.number}",
                )
                for b in bills
            ]
        )
        for name, rows in (
            ("customer", custs),
            ("invoice", invoices),
            ("payment", invoices),
            ("vendor", vendors),
            ("bill", bills),
            ("bill_payment", bills),
        ):
            counts[name] = counts.get(name, 0) + len(rows)
    return counts
