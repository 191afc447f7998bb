"""Reconciliation finds every kind of drift, names each object exactly, and --fix repairs
it: a second reconciliation then reports none."""

from __future__ import annotations

import httpx
import pytest
from django.conf import settings

from tests.engine.conftest import ap_chain, ar_chain
from tests.engine.test_push import business_id, record_of
from tests.sandbox.conftest import basic
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine.reconcile import Finding, reconcile
from thred_django.engine.runner import push_due
from thred_django.models import ReconcileResult, ReconcileSeen, SyncRecord
from thred_django.sandbox import models as sandbox
from thred_django.sandbox.transport import in_process_transport
from thred_django.signals import drift_found

pytestmark = pytest.mark.django_db


def control(path: str, body: dict, partner_id: str | None = None, api_key: str | None = None):
    """A call to the sandbox's control endpoint, as a test harness would make it."""
    creds = basic(partner_id or settings.THRED["PARTNER_ID"], api_key or settings.THRED["API_KEY"])
    with httpx.Client(
        transport=in_process_transport(), base_url="http://testserver/thred-sandbox"
    ) as http:
        return http.post(f"/_control/{path}", json=body, headers=creds)


def tamper(shop, obj, action: str, **changes):
    response = control(
        "tamper/",
        {
            "business": business_id(shop),
            "resource": record_of(obj).resource,
            "external_id": record_of(obj).external_id,
            "action": action,
            **({"changes": changes} if changes else {}),
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def run(**kwargs) -> tuple[list[Finding], object]:
    found: list[Finding] = []
    summary = reconcile(on_finding=found.append, **kwargs)
    return found, summary


def named(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(str(f.kind), f.resource, f.external_id) for f in findings}


def synced_world(shop) -> dict:
    world = {**ar_chain(shop), **ap_chain(shop)}
    push_due(until_idle=True)
    assert set(SyncRecord.objects.values_list("state", flat=True)) == {"synced"}
    return world


def test_sides_that_agree_report_nothing(thred, shop):
    synced_world(shop)
    found, summary = run()
    assert found == []
    assert summary.agreed and summary.drift == 0
    result = ReconcileResult.objects.get(tenant_id=str(shop.pk))
    assert result.agreed and result.counts == {} and result.business == record_of(shop).external_id
    assert not ReconcileSeen.objects.exists()  # scratch rows are cleaned up


def test_every_kind_of_drift_is_named_then_fixed(thred, shop):
    w = synced_world(shop)
    sale, bill, credit = w["sale"], w["bill"], w["credit"]
    # Changed in Thred by someone else: the invoice's line price.
    line = {"description": "Sale INV-1", "quantity": "1.00", "unit_price": 99999}
    tamper(shop, sale, "alter", line_items=[line])
    # Deleted in Thred: the vendor credit note.
    tamper(shop, credit, "delete")
    # Edited in the host without a signal.
    m.PurchaseBill.objects.filter(pk=bill.pk).update(amount_cents=7000)
    # A lost mark: a host row with no outbox row.
    (ghost_client,) = m.Client.objects.bulk_create([m.Client(shop=shop, name="No Mark Ltd")])
    # Created in Thred directly, with our external id form, for no host row.
    get_client().create_customer(
        business_id(shop), {"external_id": "testapp.client-999999", "company_name": "Stranger"}
    )

    found, summary = run()

    assert named(found) == {
        ("different", "invoice", record_of(sale).external_id),
        ("missing", "vendor_credit", record_of(credit).external_id),
        ("edited_unmarked", "bill", record_of(bill).external_id),
        ("unmarked", "customer", f"testapp.client-{ghost_client.pk}"),
        ("unknown", "customer", "testapp.client-999999"),
    }
    by_kind = {str(f.kind): f for f in found}
    fields = {d.field: (d.host, d.thred) for d in by_kind["different"].fields}
    assert fields == {"line_items[0].unit_price": (12000, 99999)}
    fields = {d.field: (d.host, d.thred) for d in by_kind["edited_unmarked"].fields}
    assert fields == {"line_items[0].unit_price": (7000, 5000)}
    assert by_kind["unmarked"].host == f"testapp.client:{ghost_client.pk}"
    assert not summary.agreed and summary.drift == 5
    assert ReconcileResult.objects.get(tenant_id=str(shop.pk)).counts == {
        "different": 1,
        "missing": 1,
        "edited_unmarked": 1,
        "unmarked": 1,
        "unknown": 1,
    }

    repaired, summary = run(repair=True)
    assert named(repaired) == named(found)  # the same five, now with their repair
    assert {f.fix for f in repaired} == {"repaired"}, [f.line() for f in repaired]
    push_due(until_idle=True)

    found, summary = run()
    assert found == [], [f.line() for f in found]
    assert summary.agreed
    assert ReconcileResult.objects.get(tenant_id=str(shop.pk)).agreed
    # The vendor credit exists again under its external id, with a new Thred id.
    credit_record = record_of(credit)
    held = sandbox.VendorCredit.objects.get(external_id=credit_record.external_id)
    assert str(held.id) == credit_record.thred_id
    assert sandbox.Customer.objects.get(external_id="testapp.client-999999").is_archived


def test_a_deleted_payment_is_created_again_despite_its_idempotency_key(thred, shop):
    """The payment is re-created (not replayed from its old Idempotency-Key), and the
    payout that listed it is brought back to list the new one."""
    w = synced_world(shop)
    receipt, settlement = w["receipt"], w["settlement"]
    old_id = record_of(receipt).thred_id
    tamper(shop, receipt, "delete")

    found, _ = run()
    assert named(found) == {
        ("missing", "payment", record_of(receipt).external_id),
        ("different", "payout", record_of(settlement).external_id),
    }
    payout = next(f for f in found if f.resource == "payout")
    assert [(d.field, d.host, d.thred) for d in payout.fields] == [("payment_ids", [old_id], [])]

    repaired, _ = run(repair=True)
    assert named(repaired) == named(found)
    assert {f.fix for f in repaired} == {"repaired"}
    push_due(until_idle=True)
    assert record_of(receipt).thred_id not in ("", old_id)
    found, summary = run()
    assert found == [], [f.line() for f in found]
    assert summary.agreed


def test_scoped_by_business_and_resource(thred, shop):
    synced_world(shop)
    other = m.Shop.objects.create(name="Other Ltd")
    push_due(until_idle=True)
    m.Client.objects.bulk_create([m.Client(shop=shop, name="A"), m.Client(shop=other, name="B")])
    found, _ = run(business=record_of(other).external_id, resources=["customer"])
    assert [(f.business, f.kind, f.resource) for f in found] == [
        (record_of(other).external_id, "unmarked", "customer")
    ]
    found, _ = run(business=record_of(shop).external_id, resources=["vendor"])
    assert found == []
    with pytest.raises(LookupError, match="No business with external id 'nope'"):
        reconcile(business="nope")


def test_drift_sends_a_signal_and_agreement_does_not(thred, shop):
    synced_world(shop)
    received = []

    def handler(sender, result, findings, **kwargs):
        received.append((result.tenant_id, [f.external_id for f in findings]))

    drift_found.connect(handler)
    try:
        run()
        assert received == []
        (row,) = m.Supplier.objects.bulk_create([m.Supplier(shop=shop, name="Quiet")])
        run()
    finally:
        drift_found.disconnect(handler)
    assert received == [(str(shop.pk), [f"testapp.supplier-{row.pk}"])]


def test_host_row_deleted_without_a_signal(thred, shop):
    w = synced_world(shop)
    credit = w["credit"]
    external_id = record_of(credit).external_id
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {m.SupplierCredit._meta.db_table} WHERE id = %s",
            [credit.pk],
        )
    found, _ = run()
    assert named(found) == {("host_deleted", "vendor_credit", external_id)}
    found, _ = run(repair=True)
    assert found[0].fix == "repaired"
    push_due(until_idle=True)
    # Thred has no delete for a vendor credit: the engine records it as orphaned, and
    # reconciliation no longer counts it as drift.
    assert SyncRecord.objects.get(external_id=external_id).state == "orphaned"
    assert run()[0] == []


def test_tamper_is_partner_scoped(thred, shop, settings):
    synced_world(shop)
    other_partner = "0b7f6a55-2c1e-4d3b-9f8a-1e2d3c4b5a69"
    settings.THRED_SANDBOX = {
        **settings.THRED_SANDBOX,
        "PARTNERS": {settings.THRED["PARTNER_ID"]: settings.THRED["API_KEY"], other_partner: "k2"},
    }
    body = {
        "business": business_id(shop),
        "resource": "business",
        "external_id": "",
        "action": "delete",
    }
    refused = control("tamper/", body, partner_id=other_partner, api_key="k2")
    assert refused.status_code == 404
    assert sandbox.Business.objects.filter(id=business_id(shop)).exists()
    bad = control("tamper/", {**body, "action": "explode"})
    assert bad.status_code == 400 and "action" in bad.json()["details"]


def test_a_mark_lost_after_the_push_is_unmarked_not_unknown(thred, shop):
    """The outbox row of an object Thred holds is gone: the host row is reported (the
    Thred object is accounted for by it), and --fix links the two again."""
    w = synced_world(shop)
    client = w["client"]
    external_id = record_of(client).external_id
    thred_id = record_of(client).thred_id
    SyncRecord.objects.filter(pk=record_of(client).pk).delete()

    found, _ = run()
    assert named(found) == {("unmarked", "customer", external_id)}
    run(repair=True)
    push_due(until_idle=True)
    assert record_of(client).thred_id == thred_id  # Thred answered with what it holds
    assert run()[0] == []


def test_unknown_business_is_named_and_cannot_be_removed(thred, shop):
    synced_world(shop)
    get_client().create_business(
        {
            "external_id": "testapp.shop-424242",
            "legal_name": "Stranger Ltd",
            "entity_type": "limited",
            "email": "s@example.com",
            "country": "GB",
            "base_currency": "GBP",
        }
    )
    found, _ = run()
    assert named(found) == {("unknown", "business", "testapp.shop-424242")}
    found, _ = run(repair=True)
    assert found[0].fix == "cannot" and "no delete" in found[0].fix_note
    assert ReconcileResult.objects.get(tenant_id="(partner)").counts == {"unknown": 1}
