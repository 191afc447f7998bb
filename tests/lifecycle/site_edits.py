"""The host side of the convergence test, run inside the realhost site
(``python -m django shell -c``; tests/lifecycle/site.py): seed companies, then a seeded
random stream of host edits of every kind.

Every edit keeps the books valid for Thred (an invoice total never drops below what it
received and refunded; only invoices without payments are voided, moved or deleted; only
pending payments are cancelled; archived contacts have no documents), so that when the
outbox is idle every difference from the sandbox is one Thred cannot take (a rename of a
customer, an amount of a refund …) and the record says so.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.realhost import models as h
from thred_django.engine import actions
from thred_django.models import SyncRecord

DAY = date(2026, 3, 2)
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _lines(rng: random.Random, document: Any, model: type, count: int) -> None:
    for i in range(count):
        model.objects.create(
            **{"invoice" if model is h.InvoiceLine else "bill": document},
            position=i,
            description=f"Item {rng.randint(1, 999)}",
            quantity=rng.choice([Decimal(1), Decimal(2), Decimal("1.5")]),
            unit_price=_money(rng, 100, 200),
        )
    document.save()


def new_invoice(rng: random.Random, company: h.Company, contact: h.Contact, payable: bool):
    """Payable invoices receive payments and refunds; the others are voided, moved and
    deleted (Thred refuses those for an invoice with payments)."""
    number = f"{'P' if payable else 'U'}-{rng.randint(1, 9**6)}"
    invoice = h.Invoice.objects.create(
        company=company, contact=contact, number=number, issued_on=DAY,
        due_on=DAY + timedelta(days=30), memo="" if payable else "unpaid",
    )  # fmt: skip
    _lines(rng, invoice, h.InvoiceLine, rng.randint(1, 3))
    return invoice


def new_payment(rng: random.Random, invoice: h.Invoice, status: str) -> h.Payment:
    return h.Payment.objects.create(
        company=invoice.company, invoice=invoice, amount=_money(rng, 1, 25), status=status,
        method=rng.choice(["card", "bank_transfer", "cash"]), received_on=DAY,
    )  # fmt: skip


def seed(seed: int, companies: int, per_company: int) -> dict[str, int]:
    rng = random.Random(seed)
    for c in range(companies):
        company = h.Company.objects.create(legal_name=f"Company {c} Ltd")
        contacts = [
            h.Contact.objects.create(company=company, name=f"Customer {c}-{i}")
            for i in range(per_company)
        ]
        for i in range(per_company // 2):  # contacts with no documents: archived at times
            h.Contact.objects.create(company=company, name=f"Lonely {c}-{i}")
        suppliers = [
            h.Supplier.objects.create(company=company, name=f"Supplier {c}-{i}")
            for i in range(max(2, per_company // 2))
        ]
        payout = h.Payout.objects.create(
            company=company, amount=Decimal("10.00"), fee=Decimal("0.50"), paid_at=WHEN
        )
        for i in range(per_company):
            payable = new_invoice(rng, company, contacts[i], payable=True)
            new_invoice(rng, company, contacts[i], payable=False)
            paid = new_payment(rng, payable, "completed")
            new_payment(rng, payable, "pending")
            if i % 2 == 0:
                payout.payments.add(paid)
            refund = h.Refund.objects.create(
                company=company, invoice=payable, amount=_money(rng, 1, 10), refunded_at=WHEN
            )
            h.RefundPayment.objects.create(refund=refund, amount=refund.amount, paid_at=WHEN)
            supplier = suppliers[i % len(suppliers)]
            bill = h.Bill.objects.create(
                company=company, supplier=supplier, number=f"B-{c}-{i}", issued_on=DAY
            )
            _lines(rng, bill, h.BillLine, rng.randint(1, 2))
            h.BillPayment.objects.create(
                company=company, bill=bill, amount=_money(rng, 1, 25),
                status=rng.choice(["pending", "completed"]), paid_on=DAY,
            )  # fmt: skip
            h.VendorCredit.objects.create(
                company=company, supplier=supplier, amount=_money(rng, 1, 20), received_at=WHEN
            )
        payout.save()
    return {"records": SyncRecord.objects.count()}


# --- the edit stream ----------------------------------------------------------------------


def _pick(rng: random.Random, queryset: Any) -> Any:
    rows = list(queryset.order_by("pk")[:200])
    return rng.choice(rows) if rows else None


def _payable(rng: random.Random) -> h.Invoice | None:
    return _pick(rng, h.Invoice.objects.filter(number__startswith="P-"))


def _unpaid(rng: random.Random) -> h.Invoice | None:
    return _pick(rng, h.Invoice.objects.filter(number__startswith="U-"))


def rename(rng: random.Random, model: type) -> str:
    obj = _pick(rng, model.objects.all())
    if obj is None:
        return ""
    name_field = "legal_name" if model is h.Company else "name"
    setattr(obj, name_field, f"{getattr(obj, name_field).split(' #')[0]} #{rng.randint(1, 99)}")
    obj.save()
    return "rename"


def archive_toggle(rng: random.Random, to: bool | None = None) -> str:
    contacts = h.Contact.objects.filter(name__startswith="Lonely")
    if to is not None:
        contacts = contacts.filter(archived=not to)
    contact = _pick(rng, contacts)
    if contact is None:
        return ""
    contact.archived = not contact.archived
    contact.save()
    return "archive" if contact.archived else "unarchive"


def invoice_text(rng: random.Random) -> str:
    invoice = _payable(rng) if rng.random() < 0.5 else _unpaid(rng)
    if invoice is None:
        return ""
    invoice.due_on = DAY + timedelta(days=rng.randint(10, 60))
    invoice.save()
    return "invoice_edit"


def line_edit(rng: random.Random) -> str:
    model = rng.choice([h.InvoiceLine, h.BillLine])
    line = _pick(rng, model.objects.all())
    if line is None:
        return ""
    line.unit_price = _money(rng, 100, 200)
    line.save()  # the document itself is not saved
    return "line_edit"


def line_add_or_delete(rng: random.Random, add: bool | None = None) -> str:
    invoice = _payable(rng) if rng.random() < 0.5 else _unpaid(rng)
    if invoice is None:
        return ""
    lines = list(invoice.lines.all())
    if not add and len(lines) > 1 and (add is False or rng.random() < 0.5):
        rng.choice(lines).delete()
        return "line_delete"
    h.InvoiceLine.objects.create(
        invoice=invoice, position=len(lines), description="Extra", quantity=1,
        unit_price=_money(rng, 100, 200),
    )  # fmt: skip
    return "line_add"


def void_or_reopen(rng: random.Random, to: str | None = None) -> str:
    unpaid = h.Invoice.objects.filter(number__startswith="U-")
    if to == "open":
        unpaid = unpaid.filter(status="void")
    elif to is not None:
        unpaid = unpaid.exclude(status="void")
    invoice = _pick(rng, unpaid)
    if invoice is None:
        return ""
    invoice.status = "open" if invoice.status == "void" else to or rng.choice(["void", "draft"])
    invoice.save()
    return f"invoice_{invoice.status}"


def move_unpaid(rng: random.Random) -> str:
    invoice = _unpaid(rng)
    contact = _pick(rng, h.Contact.objects.filter(company=invoice.company, name__startswith="Cus"))
    if invoice is None or contact is None:
        return ""
    invoice.contact = contact
    invoice.save()
    return "invoice_move"


def delete_unpaid(rng: random.Random) -> str:
    invoice = _unpaid(rng)
    if invoice is None:
        return ""
    company, contact = invoice.company, invoice.contact
    invoice.delete()
    new_invoice(rng, company, contact, payable=False)
    return "invoice_delete"


def payment_edit(rng: random.Random) -> str:
    payment = _pick(rng, h.Payment.objects.exclude(status="void"))
    if payment is None:
        return ""
    if rng.random() < 0.5:
        payment.amount = _money(rng, 1, 25)
    else:
        payment.received_on = DAY + timedelta(days=rng.randint(0, 9))
    payment.save()
    return "payment_edit"


def pending_payment_lifecycle(rng: random.Random, to: str | None = None) -> str:
    """Cancel a pending payment, restore a cancelled one, or delete either; ``to`` asks
    for one of them ("void", "pending", "delete")."""
    from_ = {"void": ["pending"], "pending": ["void"]}.get(to or "", ["pending", "void"])
    payment = _pick(rng, h.Payment.objects.filter(status__in=from_))
    if payment is None:
        return ""
    if to == "delete" or (to is None and rng.random() < 0.3):
        invoice = payment.invoice
        payment.delete()
        new_payment(rng, invoice, "pending")
        return "payment_delete"
    payment.status = "pending" if payment.status == "void" else "void"
    payment.save()
    return f"payment_{payment.status}"


def payout_edit(rng: random.Random) -> str:
    payout = _pick(rng, h.Payout.objects.all())
    if payout is None:
        return ""
    payout.amount, payout.fee = _money(rng, 5, 50), _money(rng, 0, 2)
    payout.save()
    return "payout_edit"


def drift_edit(rng: random.Random) -> str:
    """Edits Thred cannot update: a refund's, refund payment's or credit's amount or
    memo, a bill payment's amount or date."""
    model = rng.choice([h.Refund, h.RefundPayment, h.VendorCredit, h.BillPayment])
    obj = _pick(rng, model.objects.all())
    if obj is None:
        return ""
    if model is h.BillPayment and rng.random() < 0.5:
        obj.paid_on = DAY + timedelta(days=rng.randint(1, 9))
    elif model in (h.Refund, h.RefundPayment):
        obj.memo = f"note {rng.randint(1, 99)}"
    else:
        obj.amount = _money(rng, 1, 10)
    obj.save()
    return f"{model.__name__.lower()}_drift"


def bill_edit(rng: random.Random) -> str:
    bill = _pick(rng, h.Bill.objects.all())
    if bill is None:
        return ""
    bill.memo = f"memo {rng.randint(1, 99)}"
    bill.save()
    return "bill_edit"


def soft_or_hard_delete(rng: random.Random, hard: bool | None = None) -> str:
    credit = _pick(rng, h.VendorCredit.objects.all())
    if credit is None:
        return ""
    if not hard and (hard is False or rng.random() < 0.5):
        credit.deleted_at = None if credit.deleted_at else timezone.now()
        credit.save()
        return "credit_soft_delete"
    supplier, company = credit.supplier, credit.company
    credit.delete()
    h.VendorCredit.objects.create(
        company=company, supplier=supplier, amount=_money(rng, 1, 20), received_at=WHEN
    )
    return "credit_delete"


def create_more(rng: random.Random) -> str:
    invoice = _payable(rng)
    if invoice is None:
        return ""
    new_payment(rng, invoice, rng.choice(["pending", "completed"]))
    return "create"


def backfill(rng: random.Random) -> str:
    call_command("thred_backfill", verbosity=0)
    return "backfill"


def resync(rng: random.Random) -> str:
    ids = list(SyncRecord.objects.order_by("pk").values_list("pk", flat=True))
    actions.resync(SyncRecord.objects.filter(pk__in=rng.sample(ids, min(5, len(ids)))))
    return "resync"


EDITS: list[tuple[float, Callable[[random.Random], str]]] = [
    (3, lambda rng: rename(rng, h.Contact)),
    (2, lambda rng: rename(rng, h.Supplier)),
    (1, lambda rng: rename(rng, h.Company)),
    (2, archive_toggle),
    (3, invoice_text),
    (4, line_edit),
    (2, line_add_or_delete),
    (3, void_or_reopen),
    (1, move_unpaid),
    (1, delete_unpaid),
    (3, payment_edit),
    (3, pending_payment_lifecycle),
    (1, payout_edit),
    (3, drift_edit),
    (2, bill_edit),
    (2, soft_or_hard_delete),
    (2, create_more),
    (0.3, backfill),
    (1, resync),
]


# Every kind of edit once, in an order where each finds what it needs (an archive before
# its unarchive, a cancel before its restore), so that every round makes each kind
# whatever the random stream after it draws: the stream's choices depend on the outbox,
# which the concurrent sync process changes (resync samples its rows).
TOUR: list[Callable[[random.Random], str]] = [
    lambda rng: rename(rng, h.Contact),
    lambda rng: archive_toggle(rng, to=True),
    lambda rng: archive_toggle(rng, to=False),
    invoice_text,
    line_edit,
    lambda rng: line_add_or_delete(rng, add=True),
    lambda rng: void_or_reopen(rng, to="void"),
    lambda rng: void_or_reopen(rng, to="open"),
    delete_unpaid,
    payment_edit,
    lambda rng: pending_payment_lifecycle(rng, to="void"),
    lambda rng: pending_payment_lifecycle(rng, to="pending"),
    payout_edit,
    bill_edit,
    lambda rng: soft_or_hard_delete(rng, hard=True),
    create_more,
    backfill,
    resync,
]


def edit_stream(seed: int, count: int) -> dict[str, int]:
    """The tour, then ``count`` edits drawn at random by weight."""
    rng = random.Random(seed)
    weights = [w for w, _ in EDITS]

    def drawn() -> Iterator[Callable[[random.Random], str]]:
        for _ in range(count):
            ((_, edit),) = rng.choices(EDITS, weights=weights)
            yield edit

    done: Counter[str] = Counter()
    for edit in chain(TOUR, drawn()):
        with transaction.atomic():
            kind = edit(rng)
        if kind:
            done[kind] += 1
    return dict(done)


def main(command: str, *args: Any) -> None:
    result = {"seed": seed, "edits": edit_stream}[command](*args)
    print(json.dumps(result))
