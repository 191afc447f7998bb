"""Tenant isolation: a record only ever reaches its own business, with that business's token.

A hypothesis property over random platforms: 2 to 4 shops (tenants), random customers,
vendors, invoices and payments, each owned by a random shop — usually the shop of what it
refers to, sometimes not (host data that mixes tenants). After one push:

* every request under ``/businesses/{id}/…`` carried a bearer token whose business scope
  is ``{id}`` (decoded with the sandbox's own ``auth.read_token``), and the business
  endpoints themselves the partner token;
* every create went to the business of its record's tenant;
* every object the sandbox holds belongs to the business of the record that created it,
  and every synced record's Thred id is such an object;
* no request into one business carries the Thred id of another business's object: a
  record that refers to another shop's object fails (``cross_tenant``) before sending.

Each example runs inside a savepoint rolled back at its end (sandbox data included: the
in-process sandbox shares the connection), so examples do not see each other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord
from thred_django.sandbox import models as sb
from thred_django.sandbox.auth import read_token

pytestmark = pytest.mark.django_db

SANDBOX_MODELS = {
    "customer": sb.Customer,
    "vendor": sb.Vendor,
    "invoice": sb.Invoice,
    "payment": sb.Payment,
}
UNDER_BUSINESS = re.compile(r"/v1/platform/businesses/([^/]+)/(.+)$")
BUSINESS_ITSELF = re.compile(r"/v1/platform/businesses/([^/]+)/?$")
EXCHANGE = re.compile(r"/v1/platform/([^/]+)/oauth2/token/$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Platform:
    shops: int
    customers: list[int]  # owner shop of each customer
    vendors: list[int]
    invoices: list[tuple[int, int | None]]  # (customer, owner shop or None: the customer's)
    payments: list[tuple[int, int, int | None]]  # (invoice, cents, owner shop or None)


@st.composite
def platforms(draw) -> Platform:
    shops = draw(st.integers(2, 4))
    owner = st.integers(0, shops - 1)
    maybe_other = st.one_of(st.none(), st.none(), owner)  # mostly consistent ownership
    customers = draw(st.lists(owner, min_size=1, max_size=5))
    vendors = draw(st.lists(owner, max_size=3))
    invoices = draw(
        st.lists(st.tuples(st.integers(0, len(customers) - 1), maybe_other), max_size=5)
    )
    payments = []
    if invoices:
        payments = draw(
            st.lists(
                st.tuples(st.integers(0, len(invoices) - 1), st.integers(1, 5000), maybe_other),
                max_size=5,
            )
        )
    return Platform(shops, customers, vendors, invoices, payments)


def build(platform: Platform, tag: int) -> list[m.Shop]:
    shops = [
        m.Shop.objects.create(name=f"Tenant {tag}-{i} Ltd", email=f"t{i}@example.com")
        for i in range(platform.shops)
    ]
    clients = [
        m.Client.objects.create(shop=shops[s], name=f"Client {i} of {s}")
        for i, s in enumerate(platform.customers)
    ]
    for i, s in enumerate(platform.vendors):
        m.Supplier.objects.create(shop=shops[s], name=f"Vendor {i} of {s}")
    sales = []
    for i, (c, s) in enumerate(platform.invoices):
        client = clients[c]
        shop = client.shop if s is None else shops[s]
        sales.append(
            m.Sale.objects.create(shop=shop, client=client, number=f"INV-{i}", amount_cents=10000)
        )
    for inv, cents, s in platform.payments:
        sale = sales[inv]
        shop = sale.shop if s is None else shops[s]
        m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=cents)
    return shops


def principal_of(request):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    assert scheme == "Bearer", (request.method, request.url.path, scheme)
    return read_token(token)


def check_requests(thred) -> None:
    for request in thred.requests:
        path = request.url.path
        if path.endswith("/v1/platform/oauth2/token/"):
            continue  # HTTP Basic: the partner's credentials
        principal = principal_of(request)
        if match := EXCHANGE.search(path):
            assert principal.business_id is None, path  # exchanged with the partner token
        elif match := UNDER_BUSINESS.search(path):
            assert principal.business_id == match.group(1), (path, principal.business_id)
        elif match := BUSINESS_ITSELF.search(path):
            assert principal.business_id in (None, match.group(1)), path
        else:
            assert path.endswith("/v1/platform/businesses/"), path
            assert principal.business_id is None, path


def check_mixed_records_fail(shops: list[m.Shop]) -> None:
    """A sale for another shop's client, or a receipt for another shop's sale, is refused
    before anything is sent; a receipt of such a sale waits behind it."""
    tenants = [shop.pk for shop in shops]
    for sale in m.Sale.objects.filter(shop__in=tenants).select_related("client"):
        if sale.client.shop_id != sale.shop_id:
            record = record_of(sale)
            assert (record.state, record.last_error_code) == ("failed", "cross_tenant")
    for receipt in m.Receipt.objects.filter(shop__in=tenants).select_related("sale"):
        record = record_of(receipt)
        if receipt.sale.shop_id != receipt.shop_id:
            assert (record.state, record.last_error_code) == ("failed", "cross_tenant")
        elif receipt.sale.client.shop_id != receipt.shop_id:
            assert record.state in ("failed", "blocked"), record.state


def business_of(record: SyncRecord) -> str:
    return SyncRecord.objects.get(resource="business", tenant_id=record.tenant_id).thred_id


def check_creates(thred, shops: list[m.Shop]) -> None:
    tenants = {str(shop.pk) for shop in shops}
    records = {
        (r.resource, r.external_id): r for r in SyncRecord.objects.filter(tenant_id__in=tenants)
    }
    for request in thred.requests:
        match = UNDER_BUSINESS.search(request.url.path)
        if request.method != "POST" or not match:
            continue
        resource = {
            "customers/": "customer",
            "vendors/": "vendor",
            "invoices/": "invoice",
            "invoices/payments/": "payment",
        }[match.group(2)]
        external_id = json.loads(request.content)["external_id"]
        record = records[(resource, external_id)]
        assert match.group(1) == business_of(record), (resource, external_id)


def check_holdings(shops: list[m.Shop]) -> None:
    tenants = [str(shop.pk) for shop in shops]
    businesses = dict(
        SyncRecord.objects.filter(resource="business", tenant_id__in=tenants).values_list(
            "thred_id", "tenant_id"
        )
    )
    assert len(businesses) == len(shops) and all(businesses)
    by_external_id = {
        (r.resource, r.external_id): r
        for r in SyncRecord.objects.filter(tenant_id__in=tenants).exclude(resource="business")
    }
    for resource, model in SANDBOX_MODELS.items():
        for obj in model.objects.filter(business_id__in=list(businesses)):
            record = by_external_id[(resource, obj.external_id)]
            assert businesses[str(obj.business_id)] == record.tenant_id, (resource, obj.pk)
            assert record.thred_id == str(obj.id)
    for record in by_external_id.values():
        if record.state == "synced":
            obj = SANDBOX_MODELS[record.resource].objects.get(id=record.thred_id)
            assert str(obj.business_id) == business_of(record)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(platform=platforms())
def test_records_reach_only_their_own_business_with_its_token(thred, platform):
    thred.reset()
    with transaction.atomic():
        shops = build(platform, tag=len(thred.requests))
        push_due()
        assert thred.requests, "nothing was sent"
        check_requests(thred)
        check_creates(thred, shops)
        check_holdings(shops)
        check_no_foreign_ids(thred, shops)
        check_mixed_records_fail(shops)
        transaction.set_rollback(True)


# --- host data that mixes tenants -------------------------------------------------------------


def test_a_cross_tenant_reference_never_leaves_the_platform(thred):
    mine = m.Shop.objects.create(name="Mine Ltd")
    theirs = m.Shop.objects.create(name="Theirs Ltd")
    their_client = m.Client.objects.create(shop=theirs, name="Their client")
    m.Client.objects.create(shop=mine, name="My client")
    push_due()
    sale = m.Sale.objects.create(shop=mine, client=their_client, number="X-1")
    thred.reset()
    push_due()
    record = record_of(sale)
    assert (record.state, record.last_error_code) == ("failed", "cross_tenant")
    assert "another business" in record.last_error_message
    their_id = record_of(their_client).thred_id
    leaked = [r.url.path for r in thred.requests if their_id.encode() in (r.content or b"")]
    assert not leaked, leaked
    assert thred.calls("POST", "/invoices/") == []  # nothing was sent for it


def check_no_foreign_ids(thred, shops: list[m.Shop]) -> None:
    """No request into one business carries a Thred id of another business's object."""
    tenants = [str(shop.pk) for shop in shops]
    business = dict(
        SyncRecord.objects.filter(resource="business", tenant_id__in=tenants).values_list(
            "tenant_id", "thred_id"
        )
    )
    owner_of = {
        thred_id: business[tenant]
        for tenant, thred_id in SyncRecord.objects.filter(tenant_id__in=tenants)
        .exclude(thred_id="")
        .values_list("tenant_id", "thred_id")
    }
    for request in thred.requests:
        match = UNDER_BUSINESS.search(request.url.path)
        if not match or not request.content:
            continue
        text = request.content.decode()
        foreign = [i for i, owner in owner_of.items() if owner != match.group(1) and i in text]
        assert not foreign, (request.url.path, foreign)
        # and every id it does carry is one of this business's own objects
        for found in UUID.findall(text):
            if found in owner_of:
                assert owner_of[found] == match.group(1), (request.url.path, found)
