# Run inside the example project (manage.py shell -c). Prints JSON facts about the data,
# computed row by row in Python, independently of sales.demo.manifest's aggregates:
#   per merchant: counts and amounts per resource, and the business's external_id in the
#   outbox; plus every broken money invariant ("violations").
import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from sales import models as m

from thred_django.models import SyncRecord

facts = {}
violations = []
for merchant in m.Merchant.objects.order_by("pk"):
    rows = defaultdict(lambda: {"count": 0, "amount_cents": None})

    def add(resource, amount=None):
        row = rows[resource]
        row["count"] += 1
        if amount is not None:
            row["amount_cents"] = (row["amount_cents"] or 0) + amount

    add("business")
    for _ in m.Customer.objects.filter(merchant=merchant):
        add("customer")
    for _ in m.Vendor.objects.filter(merchant=merchant):
        add("vendor")
    for invoice in m.Invoice.objects.filter(merchant=merchant):
        add("invoice")
        total = sum(line.total_cents for line in invoice.lines.all())
        paid = sum(p.amount_cents for p in invoice.payments.all())
        refunded = sum(r.amount_cents for r in invoice.refunds.all())
        if paid > total:
            violations.append(f"{invoice} received {paid} > total {total}")
        if refunded > paid:
            violations.append(f"{invoice} refunded {refunded} > received {paid}")
        for payment in invoice.payments.all():
            if payment.received_on < invoice.issued_at.date():
                violations.append(f"{payment} before its invoice")
    for payment in m.Payment.objects.filter(merchant=merchant):
        add("payment", payment.amount_cents)
        if payment.payout_id and payment.method != "card":
            violations.append(f"non-card {payment} in a payout")
    for refund in m.Refund.objects.filter(merchant=merchant):
        add("refund", refund.amount_cents)
        back = sum(rp.amount_cents for rp in refund.payments.all())
        if back > refund.amount_cents:
            violations.append(f"{refund} paid back {back} > {refund.amount_cents}")
    for refund_payment in m.RefundPayment.objects.filter(refund__merchant=merchant):
        add("refund_payment", refund_payment.amount_cents)
    for payout in m.Payout.objects.filter(merchant=merchant):
        add("payout", payout.paid_out_amount_cents)
        payments = list(payout.payments.all())
        refunds = list(payout.refund_payments.all())
        if not payments:
            violations.append(f"{payout} settles no payment")
        if any(p.merchant_id != merchant.pk for p in payments):
            violations.append(f"{payout} settles another merchant's payment")
        if any(r.refund.merchant_id != merchant.pk for r in refunds):
            violations.append(f"{payout} settles another merchant's refund payment")
        expected = sum(p.amount_cents - p.processor_fee_cents for p in payments) - sum(
            r.amount_cents for r in refunds
        )
        if payout.paid_out_amount_cents != expected or expected < 1:
            violations.append(
                f"{payout} pays out {payout.paid_out_amount_cents}, expected {expected}"
            )
    for bill in m.Bill.objects.filter(merchant=merchant):
        add("bill")
        total = sum(line.total_cents for line in bill.lines.all())
        settled = sum(p.amount_cents for p in bill.payments.all())
        settled += sum(c.total_cents for c in bill.credits.all())
        if settled > total:
            violations.append(f"{bill} paid and credited {settled} > total {total}")
    for payment in m.BillPayment.objects.filter(merchant=merchant):
        add("bill_payment", payment.amount_cents)
    for _ in m.VendorCredit.objects.filter(merchant=merchant):
        add("vendor_credit")
    ct = ContentType.objects.get_for_model(m.Merchant)
    record = SyncRecord.objects.filter(content_type=ct, object_id=str(merchant.pk)).first()
    marked = defaultdict(int)
    for resource in SyncRecord.objects.filter(tenant_id=str(merchant.pk)).values_list(
        "resource", flat=True
    ):
        marked[resource] += 1
    facts[str(merchant.pk)] = {
        "outbox_external_id": record.external_id if record else None,
        "resources": dict(rows),
        "marked": dict(marked),
    }

print(json.dumps({"merchants": facts, "violations": violations}))
