"""Creating the demo data through ordinary model saves (so thred_django marks every row).

``seed(businesses, per_business, seed)`` is deterministic: one ``random.Random(seed)``
drives every choice and all dates fall in a fixed period (``context.PERIOD_START``), so
two runs with the same seed into empty databases create identical rows. Each merchant is
created in one transaction. Nothing here needs, or waits for, a sync to Thred.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction

from sales.models import Merchant

from . import payables, payouts, receivables
from .context import DemoContext
from .merchants import create_merchant

Progress = Callable[[str], None]


def seed_merchant(rng: random.Random, index: int, per_business: int) -> Merchant:
    """One merchant with about ``per_business`` records of every resource."""
    with transaction.atomic():
        merchant, country, kind = create_merchant(rng, index)
        ctx = DemoContext(rng, merchant, country, kind, per_business)
        customers = receivables.create_customers(ctx)
        invoices = receivables.create_invoices(ctx, customers)
        payments = receivables.create_payments(ctx, invoices)
        refunds = receivables.create_refunds(ctx, payments)
        refund_payments = receivables.create_refund_payments(ctx, refunds)
        payouts.create_payouts(ctx, payments, refund_payments)
        vendors = payables.create_vendors(ctx)
        bills = payables.create_bills(ctx, vendors)
        credited = payables.create_vendor_credits(ctx, vendors, bills)
        payables.create_bill_payments(ctx, bills, credited)
    return merchant


def seed(
    businesses: int, per_business: int, seed: int = 0, progress: Progress | None = None
) -> list[Merchant]:
    rng = random.Random(seed)
    merchants = []
    for index in range(businesses):
        merchant = seed_merchant(rng, index, per_business)
        merchants.append(merchant)
        if progress:
            progress(f"Seeded {merchant} ({merchant.country}, {merchant.currency})")
    return merchants
