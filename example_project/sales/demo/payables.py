"""Demo purchases: vendors, bills with taxed lines, vendor credit notes, bill payments.

A credit note that corrects a bill is applied to it in full; the bill's payments then
cover at most what is left, so a bill never receives more than its total.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sales import money
from sales.models import Bill, BillLine, BillPayment, Vendor, VendorCredit, VendorCreditLine

from . import people
from .catalog import COMPANY_WORDS, VENDOR_KINDS, VendorKind
from .context import PERIOD_DAYS, DemoContext, later


def create_vendors(ctx: DemoContext) -> list[tuple[Vendor, VendorKind]]:
    vendors = []
    for index in range(ctx.per_business):
        kind = (
            VENDOR_KINDS[index % len(VENDOR_KINDS)]
            if index < len(VENDOR_KINDS)
            else (ctx.rng.choice(VENDOR_KINDS))
        )
        name = f"{ctx.rng.choice(COMPANY_WORDS)} {kind.trade} {index + 1}"
        domain = f"{people.slug(name)}.example.net"
        vendor = Vendor.objects.create(
            merchant=ctx.merchant,
            name=name,
            email=people.email_for(name, domain, "billing"),
            phone=people.phone(ctx.rng, ctx.country),
            address=f"{people.street_address(ctx.rng)}, {ctx.rng.choice(ctx.country.cities)}",
            country=ctx.country.code,
            vat_number=people.vat_number(ctx.rng, ctx.country) if ctx.rng.random() < 0.8 else "",
        )
        vendors.append((vendor, kind))
    return vendors


def create_bills(
    ctx: DemoContext, vendors: list[tuple[Vendor, VendorKind]]
) -> list[tuple[Bill, int]]:
    dates = sorted(ctx.day(0, PERIOD_DAYS - 10) for _ in range(ctx.per_business))
    bills = []
    for number, bill_date in enumerate(dates, start=1):
        vendor, kind = ctx.rng.choice(vendors)
        bill = Bill.objects.create(
            merchant=ctx.merchant,
            vendor=vendor,
            number=f"BILL-{number:04d}",
            vendor_reference=f"SI-{ctx.rng.randint(10000, 99999)}",
            bill_date=bill_date,
            due_on=bill_date + timedelta(days=30),
        )
        total = 0
        for position in range(1, ctx.rng.randint(1, 3) + 1):
            supply = ctx.rng.choice(kind.supplies)
            line = BillLine.objects.create(
                bill=bill,
                position=position,
                description=supply.description,
                quantity=Decimal(ctx.rng.choice((1, 1, 1, 2, 4))),
                unit_price_cents=ctx.price(*supply.price),
                tax_rate=ctx.country.standard_rate if supply.taxed else Decimal(0),
            )
            total += line.total_cents
        bills.append((bill, total))
    return bills


def _credit_lines(ctx: DemoContext, credit: VendorCredit, target: int, rate: Decimal, text: str):
    net = max(1, money.round_cents(Decimal(target) * 100 / (100 + rate)))
    line = VendorCreditLine.objects.create(
        credit=credit,
        position=1,
        description=text,
        net_cents=net,
        tax_cents=money.tax_on(net, rate),
    )
    return line.total_cents


def create_vendor_credits(
    ctx: DemoContext, vendors: list[tuple[Vendor, VendorKind]], bills: list[tuple[Bill, int]]
) -> dict[int, int]:
    """Credit notes, half of them applied to a bill; returns credit applied per bill id."""
    applied: dict[int, int] = defaultdict(int)
    uncredited = list(bills)
    rate = ctx.country.standard_rate
    for number in range(1, ctx.per_business + 1):
        if uncredited and ctx.rng.random() < 0.5:
            bill, total = uncredited.pop(ctx.rng.randrange(len(uncredited)))
            if total < 10:
                continue
            credit = VendorCredit.objects.create(
                merchant=ctx.merchant,
                vendor=bill.vendor,
                bill=bill,
                number=f"CN-{bill.vendor_reference}-{number}",
                received_at=ctx.moment(later(bill.bill_date, 2, 20, ctx.rng)),
            )
            target = money.percent_of(total, ctx.fraction(5, 25))
            applied[bill.pk] += _credit_lines(ctx, credit, target, rate, "Price correction")
        else:
            vendor, kind = ctx.rng.choice(vendors)
            credit = VendorCredit.objects.create(
                merchant=ctx.merchant,
                vendor=vendor,
                number=f"CN-{ctx.rng.randint(10000, 99999)}-{number}",
                received_at=ctx.moment(ctx.day()),
            )
            target = ctx.price(*kind.supplies[0].price) // 10
            _credit_lines(ctx, credit, target, rate, "Volume rebate")
    return applied


def _bill_payment_method(ctx: DemoContext) -> str:
    roll = ctx.rng.random()
    if roll < 0.7:
        return "bank_transfer"
    return "card" if roll < 0.85 else "cheque" if roll < 0.95 else "cash"


def create_bill_payments(
    ctx: DemoContext, bills: list[tuple[Bill, int]], credited: dict[int, int]
) -> list[BillPayment]:
    payments = []
    for bill, total in bills:
        outstanding = total - credited.get(bill.pk, 0)
        roll = ctx.rng.random()
        if roll < 0.15 or outstanding < 4:
            continue
        amounts = [outstanding]
        if roll >= 0.80:
            part = max(1, money.percent_of(outstanding, ctx.fraction(30, 70)))
            amounts = [part, outstanding - part] if roll < 0.95 else [part]
        day = bill.bill_date
        for amount in amounts:
            day = later(day, 3, 30, ctx.rng)
            method = _bill_payment_method(ctx)
            payments.append(
                BillPayment.objects.create(
                    merchant=ctx.merchant,
                    bill=bill,
                    amount_cents=amount,
                    method=method,
                    paid_on=day,
                    reference=f"BP-{bill.number}-{len(payments) + 1}",
                    cheque_number=str(ctx.rng.randint(100000, 999999))
                    if method == "cheque"
                    else "",
                )
            )
    return payments
