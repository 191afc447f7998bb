"""Admin, status API and retry show and act on each record of a row feeding two
resources."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.ledgerhost.test_ledger_sync import OSLO, build, records
from thred_django.engine.runner import push_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = User.objects.create_superuser("root", "root@x.test", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_column_shows_a_badge_per_resource(thred, admin_client):
    _org, _customer, invoice = build()
    push_due()
    html = admin_client.get("/admin/ledgerhost/invoice/").content.decode()
    mine = records(invoice)
    assert html.count(f"/admin/thred_django/syncrecord/{mine['invoice'].pk}/change/") == 1
    assert html.count(f"/admin/thred_django/syncrecord/{mine['payment'].pk}/change/") == 1
    column = html[html.index("field-thred_status") :]
    assert column.index("invoice&nbsp;") < column.index("payment&nbsp;")


def test_the_status_api_answers_per_resource(thred, admin_client):
    _org, _customer, invoice = build()
    invoice.amount_paid = Decimal("10.00")
    invoice.paid_at = timezone.make_aware(datetime(2026, 3, 5, 9, 0), OSLO)
    invoice.save()
    push_due()
    url = f"/thred/api/objects/ledgerhost.invoice/{invoice.pk}/"
    assert admin_client.get(url).json()["resource"] == "invoice"  # the primary mapping
    body = admin_client.get(url + "?resource=payment").json()
    assert body["resource"] == "payment"
    assert body["external_id"] == f"ledgerhost.invoice-{invoice.pk}-payment"
    missing = admin_client.get(url + "?resource=refund")
    assert missing.status_code == 404
    assert "has no Thred refund record" in missing.json()["detail"]


def test_the_change_form_opens_and_retry_requeues_every_record_of_the_row(thred, admin_client):
    _org, _customer, invoice = build()
    push_due()
    page = admin_client.get(f"/admin/ledgerhost/invoice/{invoice.pk}/change/")
    assert page.status_code == 200
    response = admin_client.post(f"/admin/ledgerhost/invoice/{invoice.pk}/thred/resync/")
    assert response.status_code == 302
    assert {r: rec.state for r, rec in records(invoice).items()} == {
        "invoice": "pending",
        "payment": "pending",
    }
    push_due()
    assert records(invoice)["invoice"].state == "synced"
    assert records(invoice)["payment"].state == "skipped"
