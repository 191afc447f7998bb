"""The outbox change list: columns, links, filters, search, constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin.world import build_world, fail, record_of
from tests.testapp import models as m
from thred_django.models import SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db

URL = reverse("admin:thred_django_syncrecord_changelist")


def test_columns_show_host_link_resource_business_badge_attempts_error(admin_client, world):
    sale = world.sales[0]
    fail(sale, code="validation_error", message="Invoice total must be positive.", attempts=3)
    html = admin_client.get(URL).content.decode()
    assert f'href="/admin/testapp/sale/{sale.pk}/change/"' in html  # host object link
    assert "testapp.shop-" in html  # the business's external id
    assert "thred-badge-failed" in html and "thred-badge-pending" in html
    assert "validation_error: Invoice total must be positive." in html
    assert '<td class="field-attempts">3</td>' in html
    assert "field-last_attempt_at" in html


def test_host_object_without_admin_is_plain_text(admin_client, pushes):
    shop = m.Shop.objects.create(name="S")
    supplier = m.Supplier.objects.create(shop=shop, name="Unregistered Supplier")
    record_of(supplier)
    html = admin_client.get(URL).content.decode()
    assert "Supplier object" in html
    assert "/admin/testapp/supplier/" not in html


def test_deleted_host_object_is_named(admin_client, world):
    record = record_of(world.sales[1])
    m.Sale.objects.filter(pk=world.sales[1].pk).delete()  # queryset delete: no signal
    html = admin_client.get(URL).content.decode()
    assert f"sale {record.object_id} (deleted)" in html


def test_filter_by_state_resource_and_business(admin_client, pushes):
    a = build_world("Alpha", sales=2)
    b = build_world("Beta", sales=1)
    fail(a.sales[0])
    fail(b.sales[0])

    cl = admin_client.get(URL, {"state__exact": "failed"}).context["cl"]
    assert {r.state for r in cl.result_list} == {State.FAILED}
    assert cl.result_count == 2

    cl = admin_client.get(URL, {"resource__exact": "invoice"}).context["cl"]
    assert cl.result_count == 3

    response = admin_client.get(URL, {"business": str(b.shop.pk)})
    cl = response.context["cl"]
    assert {r.tenant_id for r in cl.result_list} == {str(b.shop.pk)}
    assert cl.result_count == 3  # shop, client, one sale
    # The business filter is labelled with external ids.
    html = response.content.decode()
    assert f"testapp.shop-{a.shop.pk}</a>" in html and f"testapp.shop-{b.shop.pk}</a>" in html


def test_search_by_external_id_thred_id_and_error_text(admin_client, world):
    sale = world.sales[0]
    SyncRecord.objects.filter(pk=record_of(world.client).pk).update(thred_id="0f8e-abc-thred")
    fail(sale, message="Customer is archived in Thred")

    def found(q):
        return {r.pk for r in admin_client.get(URL, {"q": q}).context["cl"].result_list}

    assert found(f"testapp.sale-{sale.pk}") == {record_of(sale).pk}
    assert found("0f8e-abc") == {record_of(world.client).pk}
    assert found("archived in Thred") == {record_of(sale).pk}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size(
    admin_client, pushes, django_assert_max_num_queries
):
    small = build_world("Small", sales=1)
    admin_client.get(URL)  # warm caches (content types, session)
    few = _queries(admin_client, URL)
    for i in range(3):
        w = build_world(f"Shop {i}", sales=10)
        fail(w.sales[0])
    assert SyncRecord.objects.count() > 30
    many = _queries(admin_client, URL)
    assert many == few, (few, many)
    with django_assert_max_num_queries(few):
        admin_client.get(URL)
    assert small  # keeps the linter quiet about the first world


def test_dashboard_linked_from_object_tools(admin_client, world):
    html = admin_client.get(URL).content.decode()
    assert reverse("admin:thred_django_syncrecord_dashboard") in html


def test_no_add_button_and_add_view_forbidden(admin_client, world):
    html = admin_client.get(URL).content.decode()
    assert reverse("admin:thred_django_syncrecord_add") not in html
    assert admin_client.get(reverse("admin:thred_django_syncrecord_add")).status_code == 403
