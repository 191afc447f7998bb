"""The outbox dashboard: exact numbers for a world we built."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admin.world import build_world, fail, make_staff, record_of
from thred_django.models import BusinessHealth, SyncAttempt, SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db

URL = reverse("admin:thred_django_syncrecord_dashboard")


@pytest.fixture
def scene(pushes):
    a = build_world("Alpha", sales=3)  # shop, client, 3 sales → 5 records
    b = build_world("Beta", sales=1)  # shop, client, 1 sale → 3 records
    fail(a.sales[0], code="validation_error")
    fail(a.sales[1], code="validation_error", state=State.RETRYING)
    fail(b.sales[0], code="server_error", state=State.BLOCKED)
    fail(a.client, code="not_found")
    SyncRecord.objects.filter(pk=record_of(a.shop).pk).update(
        state=State.SYNCED, last_error_code=""
    )
    SyncRecord.objects.filter(pk=record_of(b.shop).pk).update(
        state=State.SKIPPED, last_error_code="skipped_by_user"
    )
    # The oldest pending record was last touched two hours ago.
    SyncRecord.objects.filter(pk=record_of(a.sales[2]).pk).update(
        updated_at=timezone.now() - timedelta(hours=2)
    )
    now = timezone.now()
    record = record_of(a.sales[0])
    for hours_ago, outcome in [
        (1, "success"),
        (1, "success"),
        (3, "failed"),
        (3, "retry"),
        (3, "success"),
        (22, "invalid"),
        (30, "success"),
    ]:
        SyncAttempt.objects.create(
            record=record, outcome=outcome, created_at=now - timedelta(hours=hours_ago)
        )
    BusinessHealth.objects.create(
        tenant_id=str(a.shop.pk),
        paused_until=now + timedelta(minutes=5),
        pause_reason="rate limited (429)",
    )
    BusinessHealth.objects.create(
        tenant_id=str(b.shop.pk), flagged_at=now, flag_reason="403 from Thred"
    )
    BusinessHealth.objects.create(tenant_id="999", paused_until=now - timedelta(minutes=5))  # over
    return a, b


def _cells(row):
    return {state: n for state, n in row.cells}


def test_counts_by_resource_and_business(admin_client, scene):
    a, b = scene
    context = admin_client.get(URL).context
    by_resource = {row.label: _cells(row) for row in context["resource_rows"]}
    assert by_resource["Invoice"]["failed"] == 1
    assert by_resource["Invoice"]["retrying"] == 1
    assert by_resource["Invoice"]["blocked"] == 1
    assert by_resource["Invoice"]["pending"] == 1
    assert by_resource["Business"] == {**dict.fromkeys(State.values, 0), "synced": 1, "skipped": 1}
    assert by_resource["Customer"]["failed"] == 1 and by_resource["Customer"]["pending"] == 1
    totals = {row.label: row.total for row in context["business_rows"]}
    assert totals == {f"testapp.shop-{a.shop.pk}": 5, f"testapp.shop-{b.shop.pk}": 3}


def test_oldest_pending_age(admin_client, scene):
    context = admin_client.get(URL).context
    assert 2 * 3600 - 5 <= context["oldest_pending"] <= 2 * 3600 + 60
    assert context["oldest_pending_text"] == "2\xa0hours"


def test_frequent_error_codes_over_failed_retrying_blocked(admin_client, scene):
    context = admin_client.get(URL).context
    # skipped_by_user is on a skipped record: not counted.
    assert context["error_codes"] == [
        ("validation_error", 2),
        ("not_found", 1),
        ("server_error", 1),
    ]


def test_paused_or_flagged_businesses(admin_client, scene):
    a, b = scene
    troubled = admin_client.get(URL).context["troubled"]
    assert [(t.business, bool(t.paused_until), bool(t.flagged_at)) for t in troubled] == [
        (f"testapp.shop-{a.shop.pk}", True, False),
        (f"testapp.shop-{b.shop.pk}", False, True),
    ]
    html = admin_client.get(URL).content.decode()
    assert "rate limited (429)" in html and "403 from Thred" in html


def test_hourly_chart_of_the_last_24_hours(admin_client, scene):
    response = admin_client.get(URL)
    context = response.context
    hours = context["hours"]
    assert len(hours) == 24
    assert (context["hours_synced"], context["hours_failed"]) == (3, 3)  # the 30 h one is out
    assert (hours[22].synced, hours[22].failed) == (2, 0)  # one hour ago
    assert (hours[20].synced, hours[20].failed) == (1, 2)  # three hours ago
    assert (hours[1].synced, hours[1].failed) == (0, 1)  # 22 hours ago
    assert hours[22].synced_height == context["chart_height"]  # the tallest bar
    html = response.content.decode()
    assert '<svg class="thred-chart"' in html
    assert 'data-synced="2" data-failed="0"' in html
    assert "cdn" not in html.lower()


def test_rendered_numbers(admin_client, scene):
    html = admin_client.get(URL).content.decode()
    assert '<strong id="thred-synced-24h">3</strong>' in html
    assert '<strong id="thred-failed-24h">3</strong>' in html
    assert 'data-code="validation_error"' in html


def test_viewer_may_see_it(viewer_client, scene):
    assert viewer_client.get(URL).status_code == 200


def test_staff_without_view_permission_may_not(client, django_user_model, scene):
    client.force_login(make_staff(django_user_model, "nobody"))
    assert client.get(URL).status_code == 403


def test_empty_outbox(admin_client, db):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert response.context["oldest_pending"] is None
    assert "Nothing pending." in response.content.decode()
