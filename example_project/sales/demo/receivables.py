"""Demo sales: customers, invoices with taxed lines, payments, refunds, refund payments.

The invariants that Thred enforces hold by construction: an invoice never receives more
than its total, a refund never exceeds what its invoice received minus earlier refunds,
and a refund's payments never exceed the refund.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sales import money
from sales.models import Customer, Invoice, InvoiceLine, Payment, Refund, RefundPayment

from . import people
from .catalog import REFUND_REASONS
from .context import PERIOD_DAYS, DemoContext, later

CARD_FEE_PERCENT = Decimal("1.5")
CARD_FEE_FIXED = 20  # minor units, times the currency scale


def create_customers(ctx: DemoContext) -> list[Customer]:
    customers = []
    for number in range(1, ctx.per_business + 1):
        is_company = ctx.rng.random() < 0.4
        name = people.company(ctx.rng) if is_company else people.person(ctx.rng)
        customer = Customer.objects.create(
            merchant=ctx.merchant,
            number=f"C-{number:04d}",
            is_company=is_company,
            name=name,
            email=people.email_for(name, "customers.example.com", f"c{number}.{people.slug(name)}"),
            phone=people.phone(ctx.rng, ctx.country) if ctx.rng.random() < 0.7 else "",
            address=people.street_address(ctx.rng),
            city=ctx.rng.choice(ctx.country.cities),
            postal_code=people.postal_code(ctx.rng, ctx.country),
            country=ctx.country.code,
            payment_terms_days=ctx.rng.choice((7, 14, 14, 30)) if is_company else 7,
        )
        customers.append(customer)
    return customers


def _add_lines(ctx: DemoContext, invoice: Invoice) -> int:
    """1-4 lines from the merchant's catalogue; returns the invoice total."""
    total = 0
    for position in range(1, ctx.rng.randint(1, 4) + 1):
        product = ctx.rng.choice(ctx.kind.products)
        if product.hourly:
            quantity = Decimal(ctx.rng.randint(2, 16)) / 2
        else:
            quantity = Decimal(ctx.rng.choice((1, 1, 1, 2, 3, 5)))
        unit_price = ctx.price(*product.price)
        subtotal = money.line_subtotal(quantity, unit_price)
        discount = money.percent_of(subtotal, Decimal(10)) if ctx.rng.random() < 0.1 else 0
        rate = ctx.country.reduced_rate if product.reduced else ctx.country.standard_rate
        line = InvoiceLine.objects.create(
            invoice=invoice,
            position=position,
            product=product.name,
            description=f"{product.name} for {invoice.customer.name}",
            quantity=quantity,
            unit_price_cents=unit_price,
            discount_cents=discount,
            tax_rate=rate,
        )
        total += line.total_cents
    return total


def create_invoices(ctx: DemoContext, customers: list[Customer]) -> list[tuple[Invoice, int]]:
    """``(invoice, total)`` pairs, numbered in the order they were issued."""
    plans = sorted(
        (
            (ctx.moment(ctx.day(0, PERIOD_DAYS - 15)), ctx.rng.choice(customers))
            for _ in range(ctx.per_business)
        ),
        key=lambda plan: plan[0],
    )
    invoices = []
    for number, (issued_at, customer) in enumerate(plans, start=1):
        invoice = Invoice.objects.create(
            merchant=ctx.merchant,
            customer=customer,
            number=f"INV-2025-{number:04d}",
            status=Invoice.Status.ISSUED,
            issued_at=issued_at,
            due_at=issued_at + timedelta(days=customer.payment_terms_days),
            memo=f"Thank you for your business, {customer.name}." if ctx.rng.random() < 0.3 else "",
        )
        invoices.append((invoice, _add_lines(ctx, invoice)))
    return invoices


def _card_fee(ctx: DemoContext, amount: int) -> int:
    fee = money.percent_of(amount, CARD_FEE_PERCENT) + CARD_FEE_FIXED * ctx.country.scale
    return min(fee, amount // 2)


def _payment_method(ctx: DemoContext) -> str:
    roll = ctx.rng.random()
    return "card" if roll < 0.75 else "cash" if roll < 0.9 else "bank_transfer"


def _instalments(ctx: DemoContext, total: int, first: bool) -> list[int]:
    """How an invoice gets paid: nothing, in full, in two parts, or partly."""
    if first:  # every merchant has at least one fully paid card sale
        return [total]
    roll = ctx.rng.random()
    if roll < 0.15 or total < 4:
        return []
    if roll < 0.70:
        return [total]
    part = max(1, money.percent_of(total, ctx.fraction(30, 70)))
    if roll < 0.90:
        return [part, total - part]
    return [part]


def create_payments(ctx: DemoContext, invoices: list[tuple[Invoice, int]]) -> list[Payment]:
    payments = []
    for index, (invoice, total) in enumerate(invoices):
        day = invoice.issued_at.date()
        for amount in _instalments(ctx, total, first=index == 0):
            day = later(day, 0, invoice.customer.payment_terms_days, ctx.rng)
            method = "card" if index == 0 else _payment_method(ctx)
            payment = Payment.objects.create(
                merchant=ctx.merchant,
                invoice=invoice,
                amount_cents=amount,
                method=method,
                received_on=day,
                reference=f"{'ch' if method == 'card' else 'rc'}_{ctx.token(14)}",
                processor_fee_cents=_card_fee(ctx, amount) if method == "card" else 0,
            )
            payments.append(payment)
    return payments


def create_refunds(ctx: DemoContext, payments: list[Payment]) -> list[Refund]:
    """About one refund per invoice's worth of sales, each within what is refundable."""
    received: dict[int, int] = defaultdict(int)
    last_paid: dict[int, date] = {}
    method: dict[int, str] = {}
    invoices = {}
    for payment in payments:
        received[payment.invoice_id] += payment.amount_cents
        last_paid[payment.invoice_id] = max(
            last_paid.get(payment.invoice_id, payment.received_on), payment.received_on
        )
        method[payment.invoice_id] = payment.method
        invoices[payment.invoice_id] = payment.invoice
    refunds: list[Refund] = []
    for number in range(1, ctx.per_business + 1):
        open_ids = [i for i in sorted(received) if received[i] >= 100]
        if not open_ids:
            break
        invoice_id = ctx.rng.choice(open_ids)
        refundable = received[invoice_id]
        if ctx.rng.random() < 0.1:
            amount = refundable
        else:
            amount = max(1, money.percent_of(refundable, ctx.fraction(5, 30)))
        received[invoice_id] -= amount
        refunded_at = ctx.moment(later(last_paid[invoice_id], 1, 14, ctx.rng))
        last_paid[invoice_id] = refunded_at.date()  # a later refund comes after this one
        refunds.append(
            Refund.objects.create(
                merchant=ctx.merchant,
                invoice=invoices[invoice_id],
                amount_cents=amount,
                method=method[invoice_id],
                refunded_at=refunded_at,
                reason=ctx.rng.choice(REFUND_REASONS),
                reference=f"RF-{number:04d}",
            )
        )
    return refunds


def create_refund_payments(ctx: DemoContext, refunds: list[Refund]) -> list[RefundPayment]:
    """Most refunds are paid back at once, some in two parts, some not yet."""
    paid = []
    for refund in refunds:
        roll = ctx.rng.random()
        if roll < 0.15:
            continue
        amounts = [refund.amount_cents]
        if roll >= 0.8 and refund.amount_cents >= 2:
            first = max(1, money.percent_of(refund.amount_cents, ctx.fraction(30, 70)))
            amounts = [first, refund.amount_cents - first]
        at = refund.refunded_at
        for amount in amounts:
            at = at + timedelta(days=ctx.rng.randint(0, 5), hours=ctx.rng.randint(0, 6))
            paid.append(
                RefundPayment.objects.create(refund=refund, amount_cents=amount, paid_at=at)
            )
    return paid
