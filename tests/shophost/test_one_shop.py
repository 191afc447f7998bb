"""A one-shop host (no tenant model) synced end to end with THRED["BUSINESS"]."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from tests.shophost.models import BillingAddress, Order, OrderPayment
from tests.shophost.shop_mappings import SHOP
from thred_django.client import get_client
from thred_django.engine.runner import push_due
from thred_django.models import SingleBusiness, SyncRecord
from thred_django.sandbox.models import Business, RequestLog

pytestmark = pytest.mark.django_db

PLACED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def record_of(obj) -> SyncRecord:
    ct = ContentType.objects.get_for_model(type(obj))
    return SyncRecord.objects.get(content_type=ct, object_id=str(obj.pk))


def shop_orders():
    user = get_user_model().objects.create_user(
        "jane", email="jane@example.com", first_name="Jane", last_name="Buyer"
    )
    guest = BillingAddress.objects.create(name="Guest Gary", email="gary@example.com")
    orders = [
        Order.objects.create(user=user, number="1001", total=Decimal("42.50"), placed_at=PLACED),
        Order.objects.create(
            billing_address=guest, number="1002", total=Decimal("9.99"), placed_at=PLACED
        ),
    ]
    payments = [
        OrderPayment.objects.create(order=o, amount=o.total, paid_on=date(2026, 3, 2))
        for o in orders
    ]
    return user, guest, orders, payments


@pytest.mark.django_db(transaction=True)
def test_one_shop_syncs_end_to_end_with_no_tenant_model(one_shop):
    assert not SingleBusiness.objects.exists()
    user, guest, orders, _ = shop_orders()  # eager mode: each commit pushes

    records = SyncRecord.objects.all()
    assert {r.state for r in records} == {"synced"}, [(r, r.last_error_message) for r in records]
    assert {r.tenant_id for r in records} == {"1"}
    assert sorted(records.values_list("resource", flat=True)) == sorted(
        ["business", "customer", "customer", "invoice", "invoice", "payment", "payment"]
    )
    # Onboarded once, at the first push, from the callable's payload and external id.
    business = Business.objects.get()
    assert business.external_id == "corner-shop"
    assert business.legal_name == SHOP["legal_name"] and business.base_currency == "GBP"
    assert RequestLog.objects.filter(resource="businesses", action="create").count() <= 1
    assert SingleBusiness.objects.count() == 1
    bid = record_of(SingleBusiness.objects.get()).thred_id
    assert bid == str(business.id)

    client = get_client()
    customers = {c["external_id"]: c for c in client.list_customers(bid)}
    assert customers[record_of(user).external_id]["email"] == "jane@example.com"
    assert customers[record_of(guest).external_id]["email"] == "gary@example.com"
    invoices = {i["external_id"]: i for i in client.list_invoices(bid)}
    assert invoices[record_of(orders[1]).external_id]["customer"]["id"] == record_of(guest).thred_id
    assert {p["total_amount_cents"] for p in client.list_payments(bid)} == {4250, 999}


def test_business_payload_as_a_dict_and_onboarding_by_command(one_shop):
    one_shop.THRED = {**one_shop.THRED, "BUSINESS": dict(SHOP)}
    call_command("thred_onboard")

    record = SyncRecord.objects.get()
    assert (record.resource, record.state, record.external_id) == ("business", "synced", "business")
    assert Business.objects.get().legal_name == SHOP["legal_name"]

    # The setting changed: onboarding again sends it as an update of the same business.
    one_shop.THRED = {**one_shop.THRED, "BUSINESS": {**SHOP, "email": "new@corner.example"}}
    call_command("thred_onboard")
    assert Business.objects.get().email == "new@corner.example"
    assert SyncRecord.objects.get().thred_id == record.thred_id


def test_a_login_does_not_mark_but_an_edit_does(one_shop):
    user, *_ = shop_orders()
    push_due()
    record = record_of(user)
    assert record.state == "synced"

    update_last_login(None, user)  # save(update_fields=["last_login"]) on every login
    after_login = record_of(user)
    assert (after_login.revision, after_login.updated_at) == (record.revision, record.updated_at)

    user.email = "jane@new.example"
    user.save(update_fields=["email"])
    edited = record_of(user)
    assert edited.revision != record.revision and edited.state == "pending"


def test_saves_without_update_fields_and_undeclared_mappings_still_mark(one_shop):
    user, guest, *_ = shop_orders()
    before_user, before_guest = record_of(user).revision, record_of(guest).revision
    user.save()  # no update_fields: may have changed anything
    guest.save(update_fields=["name"])  # its mapping declares no fields: marks as today
    assert record_of(user).revision != before_user
    assert record_of(guest).revision != before_guest
