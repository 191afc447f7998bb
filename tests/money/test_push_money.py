"""Normalisation through the engine: what the sandbox receives and computes."""

from decimal import Decimal

import pytest

from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def test_fractional_line_reaches_thred_at_the_hosts_total(thred, shop):
    client = m.Client.objects.create(shop=shop, name="Jane")
    sale = m.Sale.objects.create(
        shop=shop, client=client, number="INV-7", amount_cents=333, quantity=Decimal("2.50")
    )
    push_due()
    record = SyncRecord.objects.get(external_id__endswith=f"sale-{sale.pk}")
    assert record.state == "synced", record.last_error_message
    business = SyncRecord.objects.get(resource="business").thred_id
    held = get_client().get_invoice(business, record.thred_id).data
    line = held["line_items"][0]
    assert Decimal(str(line["quantity"])) == 1
    assert "2.5 x 3.33 GBP" in line["description"]
    assert int(Decimal(str(held["total_amount"]))) == 833
