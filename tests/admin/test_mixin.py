"""ThredSyncAdminMixin on the host's own admin (tests/testapp/admin.py)."""

import os
import warnings

import pytest
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin.world import fail, record_of
from tests.testapp import models as m
from thred_django.models import SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db

SALES = reverse("admin:testapp_sale_changelist")


def sale_url(sale, suffix="change"):
    return reverse(f"admin:testapp_sale_{suffix}", args=[sale.pk])


def test_thred_column_shows_badges_linked_to_the_outbox(admin_client, world):
    record = fail(world.sales[0], message="Customer unknown")
    html = admin_client.get(SALES).content.decode()
    assert '<th class="column-thred_status">' in html or "column-thred_status" in html
    assert "thred-badge-failed" in html and 'title="Customer unknown"' in html
    assert "thred-badge-pending" in html
    assert f'href="{reverse("admin:thred_django_syncrecord_change", args=[record.pk])}"' in html


def test_unmarked_objects_show_not_marked(admin_client, world):
    SyncRecord.objects.filter(pk=record_of(world.sales[1]).pk).delete()
    html = admin_client.get(SALES).content.decode()
    assert "thred-badge-not_marked" in html


def test_thred_column_query_count_is_constant(admin_client, world, django_assert_max_num_queries):
    admin_client.get(SALES)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(SALES).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(30):
        world.add_sale()
    many = count()
    assert many == few, (few, many)
    with django_assert_max_num_queries(few):
        admin_client.get(SALES)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("failed", [0]), ("pending", [1]), ("synced", []), ("not_marked", [2])],
)
def test_filter_by_sync_state(admin_client, world, value, expected):
    world.add_sale()
    fail(world.sales[0])
    SyncRecord.objects.filter(pk=record_of(world.sales[2]).pk).delete()
    cl = admin_client.get(SALES, {"thred_state": value}).context["cl"]
    assert sorted(s.pk for s in cl.result_list) == sorted(world.sales[i].pk for i in expected)


def test_sync_to_thred_action(operator_client, world):
    fail(world.sales[0])
    SyncRecord.objects.filter(pk=record_of(world.sales[1]).pk).delete()  # never marked
    html = operator_client.get(SALES).content.decode()
    assert 'value="sync_to_thred"' in html
    data = {
        "action": "sync_to_thred",
        helpers.ACTION_CHECKBOX_NAME: [str(s.pk) for s in world.sales],
        "index": "0",
    }
    response = operator_client.post(SALES, data, follow=True)
    assert "2 objects queued for Thred." in response.content.decode()
    assert {record_of(s).state for s in world.sales} == {State.PENDING}
    assert record_of(world.sales[0]).attempts == 0


def test_no_sync_action_without_permission(viewer_client, world):
    fail(world.sales[0])
    html = viewer_client.get(SALES).content.decode()
    assert "sync_to_thred" not in html
    assert "thred-badge-failed" in html  # status is still visible
    data = {
        "action": "sync_to_thred",
        helpers.ACTION_CHECKBOX_NAME: [str(world.sales[0].pk)],
        "index": "0",
    }
    viewer_client.post(SALES, data)
    assert record_of(world.sales[0]).state == State.FAILED


def test_change_form_buttons_link_and_last_error(operator_client, world):
    record = fail(world.sales[0], code="customer_archived", message="The customer is archived.")
    html = operator_client.get(sale_url(world.sales[0])).content.decode()
    assert f'action="{sale_url(world.sales[0], "thred_retry")}"' in html
    assert f'action="{sale_url(world.sales[0], "thred_resync")}"' in html
    assert reverse("admin:thred_django_syncrecord_change", args=[record.pk]) in html
    assert "<strong>customer_archived</strong>: The customer is archived." in html
    assert 'name="_save"' in html  # the host form itself is untouched


def test_change_form_retry_and_resync(operator_client, world):
    sale = world.sales[0]
    fail(sale, attempts=3)
    response = operator_client.post(sale_url(sale, "thred_retry"))
    assert response.status_code == 302 and response.url == sale_url(sale)
    assert "queued for a retry" in operator_client.get(response.url).content.decode()
    record = record_of(sale)
    assert (record.state, record.attempts, record.force) == (State.PENDING, 0, False)
    operator_client.post(sale_url(sale, "thred_resync"))
    assert record_of(sale).force is True


def test_change_form_sync_marks_an_unmarked_object(operator_client, world):
    sale = world.sales[0]
    SyncRecord.objects.filter(pk=record_of(sale).pk).delete()
    html = operator_client.get(sale_url(sale)).content.decode()
    assert "Sync to Thred" in html and "thred-badge-not_marked" in html
    operator_client.post(sale_url(sale, "thred_retry"))
    assert record_of(sale).state == State.PENDING


def test_viewer_gets_no_buttons_and_403(viewer_client, world):
    sale = world.sales[0]
    fail(sale)
    response = viewer_client.get(sale_url(sale))
    assert response.status_code == 200
    html = response.content.decode()
    assert "thred-retry" not in html and "thred-resync" not in html
    assert "thred-badge-failed" in html
    for kind in ("thred_retry", "thred_resync"):
        assert viewer_client.post(sale_url(sale, kind)).status_code == 403
    assert record_of(sale).state == State.FAILED


def test_change_list_links_to_the_outbox_for_this_model(admin_client, world):
    html = admin_client.get(SALES).content.decode()
    ct = ContentType.objects.get_for_model(m.Sale)
    link = f"{reverse('admin:thred_django_syncrecord_changelist')}?content_type__id__exact={ct.pk}"
    assert link in html
    cl = admin_client.get(link).context["cl"]
    assert {r.resource for r in cl.result_list} == {"invoice"}


def test_add_form_still_works(admin_client, world):
    response = admin_client.get(reverse("admin:testapp_sale_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' in html and "thred-status" not in html


def test_no_django_deprecation_warning_points_at_thred_django(admin_client, world):
    """Django 6.1 warns (RemovedInDjango2028Warning, a PendingDeprecationWarning) about
    admin overrides with old signatures, such as a ``get_actions()`` without
    ``action_location``, pointing at the overriding code. Meaningful on 6.1 (nox)."""
    record = record_of(world.sales[0])
    pages = [
        SALES,
        sale_url(world.sales[0]),
        reverse("admin:testapp_sale_add"),
        reverse("admin:thred_django_syncrecord_changelist"),
        reverse("admin:thred_django_syncrecord_change", args=[record.pk]),
        sale_url(world.sales[0], "thred_retry"),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for url in pages:
            assert admin_client.get(url).status_code == 200, url
        data = {
            "action": "sync_to_thred",
            helpers.ACTION_CHECKBOX_NAME: [str(world.sales[0].pk)],
            "index": "0",
        }
        assert admin_client.post(SALES, data).status_code == 302
    ours = [
        f"{w.filename}:{w.lineno}: {w.message}"
        for w in caught
        if issubclass(w.category, DeprecationWarning | PendingDeprecationWarning)
        and f"{os.sep}thred_django{os.sep}" in w.filename
    ]
    assert ours == []
