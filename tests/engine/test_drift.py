"""Edits of what is already in Thred: updates, no-change saves, and differences Thred
cannot take (state ``drifted``), which never stop a run nor block children."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from tests.engine.conftest import ap_chain, ar_chain
from tests.engine.test_push import business_id, record_of
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine import actions
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def writes(thred) -> list[str]:
    return [f"{r.method} {r.url.path}" for r in thred.requests if r.method != "GET"]


def calls_after(thred, since: int) -> list[str]:
    return [
        f"{r.method} {r.url.path}"
        for r in thred.requests[since:]
        if r.method != "GET" and "oauth2" not in r.url.path
    ]


def test_resaving_a_synced_customer_unchanged_makes_no_call_and_stays_synced(thred, shop):
    """The reproduced crash: a re-save of a synced customer used to kill every run."""
    client = m.Client.objects.create(shop=shop, name="Jane")
    push_due()
    since = len(thred.requests)
    client.save()
    push_due()
    rec = record_of(client)
    assert rec.state == "synced", (rec.last_error_code, rec.last_error_message)
    assert rec.last_error_code == ""
    assert calls_after(thred, since) == []


@pytest.mark.parametrize(
    ("chain", "key", "field", "value", "resource"),
    [
        (ar_chain, "client", "name", "Jane Buyer Ltd", "customer"),
        (ap_chain, "supplier", "name", "Beans Ltd", "vendor"),
        (ar_chain, "refund", "amount_cents", 1500, "refund"),
        (ar_chain, "refund_payout", "amount_cents", 1500, "refund_payment"),
        (ap_chain, "credit", "amount_cents", 400, "vendor_credit"),
    ],
)
def test_edit_of_a_resource_without_update_is_drifted_naming_the_fields(
    thred, shop, chain, key, field, value, resource
):
    objs = chain(shop)
    push_due()
    obj = objs[key]
    rec = record_of(obj)
    acked = dict(rec.acked_payload)
    original = getattr(obj, field)
    since = len(thred.requests)
    setattr(obj, field, value)
    obj.save()
    push_due()  # the run goes on: nothing raises

    rec = record_of(obj)
    assert rec.state == "drifted"
    assert rec.last_error_code == "update_not_supported"
    diff = rec.last_error_details["fields"]
    assert diff and all(v["host"] != v["thred"] for v in diff.values())
    for name, values in diff.items():
        assert values["thred"] == acked.get(name)  # what Thred acknowledged
    assert "Thred has no update" in rec.last_error_details["hint"]
    assert calls_after(thred, since) == []  # nothing Thred could take was sent
    assert rec.acked_payload == acked and rec.thred_id

    # Setting the host back to what Thred holds returns it to synced, still no call.
    setattr(obj, field, original)
    obj.save()
    push_due()
    rec = record_of(obj)
    assert rec.state == "synced", rec.last_error_details
    assert rec.last_error_code == "" and rec.last_error_details is None
    assert calls_after(thred, since) == []


def test_an_invoice_of_a_renamed_customer_still_syncs_with_its_thred_id(thred, shop):
    client = m.Client.objects.create(shop=shop, name="Jane")
    push_due()
    client.name = "Jane Ltd"
    client.save()
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1")
    push_due()
    assert record_of(client).state == "drifted"
    sale_rec = record_of(sale)
    assert sale_rec.state == "synced"
    invoice = get_client().get_invoice(business_id(shop), sale_rec.thred_id).data
    assert invoice["customer"]["id"] == record_of(client).thred_id


def test_resync_and_backfill_of_synced_records_of_every_resource_make_no_call(thred, shop):
    ar_chain(shop)
    ap_chain(shop)
    push_due()
    since = len(thred.requests)
    call_command("thred_backfill", stdout=open("/dev/null", "w"))  # noqa: SIM115
    push_due()
    assert set(SyncRecord.objects.values_list("state", flat=True)) == {"synced"}
    assert calls_after(thred, since) == []

    # Resync forces a push of the same data: updates where Thred has them (the same
    # data again), nothing where it has none; every record ends synced.
    actions.resync(SyncRecord.objects.all())
    push_due()
    states = dict(SyncRecord.objects.values_list("resource", "state"))
    assert set(states.values()) == {"synced"}, states
    sent = {c.split(" ")[0] for c in calls_after(thred, since)}
    assert sent <= {"PUT", "PATCH", "POST"}
    posts = [c for c in calls_after(thred, since) if c.startswith("POST")]
    assert all("/payouts/" in c for c in posts), posts  # the payout upsert only


def test_business_country_change_is_drifted_and_its_other_fields_update(thred, shop):
    push_due()
    rec = record_of(shop)
    shop.country = "IE"
    shop.currency = "EUR"
    shop.name = "Acme Group Ltd"
    shop.save()
    push_due()
    rec = record_of(shop)
    assert rec.state == "drifted"
    assert rec.last_error_code == "update_partial"
    assert rec.last_error_details["fields"] == {
        "country": {"host": "IE", "thred": "GB"},
        "base_currency": {"host": "EUR", "thred": "GBP"},
    }
    held = get_client().get_business(rec.thred_id).data
    assert (held["legal_name"], held["country"]) == ("Acme Group Ltd", "GB")
    # Thred holds GB/GBP: that is what the record says Thred acknowledged.
    assert (rec.acked_payload["country"], rec.acked_payload["base_currency"]) == ("GB", "GBP")
    assert rec.acked_payload["legal_name"] == "Acme Group Ltd"

    # Saved again unchanged: no call, still drifted.
    since = len(thred.requests)
    shop.save()
    push_due()
    assert record_of(shop).state == "drifted"
    assert calls_after(thred, since) == []


def test_bill_payment_fixed_field_drift_and_back(thred, shop):
    ap = ap_chain(shop)
    push_due()
    bp = ap["bill_payment"]
    bp.check_number = "C-1"
    bp.method = "check"
    bp.save()
    push_due()
    rec = record_of(bp)
    assert rec.state == "drifted"
    assert rec.last_error_details["fields"] == {
        "payment_method": {"host": "check", "thred": "bank_transfer"}
    }
    patches = thred.calls("PATCH", "/bills/payments/")
    assert len(patches) == 1
    sent = json.loads(patches[0].content)
    assert sent["check_number"] == "C-1" and "payment_method" not in sent

    bp.method = "bank_transfer"
    bp.save()
    push_due()
    rec = record_of(bp)
    assert rec.state == "synced" and rec.last_error_code == ""
    assert len(thred.calls("PATCH", "/bills/payments/")) == 1  # the rest was already there


def test_drifted_is_counted_by_status_command_api_and_admin(thred, shop, admin_client, admin_user):
    client = m.Client.objects.create(shop=shop, name="Jane")
    push_due()
    client.name = "Jane Ltd"
    client.save()
    push_due()

    from io import StringIO

    out = StringIO()
    call_command("thred_status", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["resources"]["customer"] == {"drifted": 1}
    out = StringIO()
    call_command("thred_status", stdout=out)
    assert "drifted=1" in out.getvalue()

    page = admin_client.get("/admin/thred_django/syncrecord/?state__exact=drifted")
    html = page.content.decode()
    assert "Drifted: Thred cannot take the change" in html
    assert record_of(client).external_id in html
    dashboard = admin_client.get(reverse("admin:thred_django_syncrecord_dashboard"))
    assert dashboard.status_code == 200
    assert "Drifted: Thred cannot take the change" in dashboard.content.decode()
    assert "update_not_supported" in dashboard.content.decode()  # among the top codes

    api = APIClient()
    api.force_authenticate(admin_user)
    name = record_of(shop).external_id
    rows = {r["business"]: r for r in api.get(reverse("thred_api:business-list")).json()}
    assert rows[name]["states"] == {"synced": 1, "drifted": 1}
    detail = api.get(reverse("thred_api:business-detail", args=[name])).json()
    assert detail["resources"]["customer"] == {"drifted": 1}
