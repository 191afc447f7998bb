"""The outbox change view: read-only, dry run, acked payload, error, attempt log, Retry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin.world import fail, record_of
from tests.testapp import models as m
from thred_django.models import SyncAttempt, SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:thred_django_syncrecord_change", args=[record.pk])


def retry_url(record, kind="retry"):
    return reverse(f"admin:thred_django_syncrecord_{kind}", args=[record.pk])


def _client_synced(world):
    """Pretend the business and customer reached Thred, so a sale's payload is complete."""
    SyncRecord.objects.filter(pk=record_of(world.shop).pk).update(
        state=State.SYNCED,
        thred_id="7d3f1a8e-1111-4c2b-9a55-0e6f2b1d7c44",
        acked_payload={"legal_name": "Corner Shop", "country": "GB", "base_currency": "GBP"},
    )
    SyncRecord.objects.filter(pk=record_of(world.client).pk).update(
        state=State.SYNCED, thred_id="2b1d7c44-2222-4c2b-9a55-0e6f7d3f1a8e"
    )


def test_read_only_no_save_buttons(admin_client, world):
    html = admin_client.get(change_url(record_of(world.sales[0]))).content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "closelink" in html


def test_changes_are_refused(admin_client, world):
    record = record_of(world.sales[0])
    admin_client.post(change_url(record), {"external_id": "hijacked", "state": "synced"})
    record.refresh_from_db()
    assert record.external_id != "hijacked" and record.state == State.PENDING


def test_delete_only_for_superusers(admin_client, operator_client, world):
    record = record_of(world.sales[0])
    delete = reverse("admin:thred_django_syncrecord_delete", args=[record.pk])
    assert operator_client.get(delete).status_code == 403
    assert admin_client.get(delete).status_code == 200


def test_dry_run_shows_payload_and_operation(admin_client, world):
    _client_synced(world)
    html = admin_client.get(change_url(record_of(world.sales[0]))).content.decode()
    assert '<strong id="thred-preview-operation">create</strong>' in html
    assert "&quot;invoice_number&quot;: &quot;S-001&quot;" in html  # pretty-printed JSON
    assert "&quot;customer_id&quot;: &quot;2b1d7c44-2222" in html
    assert "thred-preview-errors" not in html
    assert "thred-preview-waiting" not in html


def test_dry_run_shows_validation_errors_clearly(admin_client, world):
    _client_synced(world)
    sale = world.add_sale(quantity=Decimal("0"))
    html = admin_client.get(change_url(record_of(sale))).content.decode()
    assert "Thred would reject this payload" in html
    assert "<th>line_items[0].quantity</th><td>Ensure this value is greater than 0.</td>" in html


def test_dry_run_of_negative_receipt(admin_client, world):
    _client_synced(world)
    receipt = m.Receipt.objects.create(shop=world.shop, sale=world.sales[0], amount_cents=-500)
    html = admin_client.get(change_url(record_of(receipt))).content.decode()
    assert "Thred would reject this payload" in html
    assert (
        "<th>total_amount_cents</th><td>Ensure this value is greater than or equal to 1.</td>"
        in html
    )


def test_dry_run_lists_parents_not_in_thred_without_false_errors(admin_client, world):
    html = admin_client.get(change_url(record_of(world.sales[0]))).content.decode()
    assert "Not in Thred yet" in html
    assert f"customer testapp.client-{world.client.pk}" in html
    # The placeholder id of the missing customer is not reported as a validation error.
    assert "Must be a valid lower-case UUID" not in html


def test_acked_payload_thred_id_and_last_error(admin_client, world):
    record = fail(
        world.sales[0],
        code="validation_error",
        message="The request body is invalid.",
        details={"line_items[0].unit_price": ["Ensure this value is greater than or equal to 0."]},
        status=400,
    )
    SyncRecord.objects.filter(pk=record.pk).update(
        thred_id="9a55-thred-id", acked_payload={"invoice_number": "S-001-acked"}
    )
    html = admin_client.get(change_url(record)).content.decode()
    assert "9a55-thred-id" in html
    assert "&quot;invoice_number&quot;: &quot;S-001-acked&quot;" in html
    assert "<strong>validation_error</strong> (HTTP 400)" in html
    assert "The request body is invalid." in html
    assert "line_items[0].unit_price" in html
    assert "Ensure this value is greater than or equal to 0." in html


def test_attempt_log_newest_first_with_summaries(admin_client, world):
    record = record_of(world.sales[0])
    now = timezone.now()
    SyncAttempt.objects.create(
        record=record,
        created_at=now - timedelta(minutes=5),
        method="POST",
        path="/v1/businesses/b/invoices",
        status=503,
        outcome="retry",
        error_code="server_error",
        request_summary={"invoice_number": "S-001"},
        response_summary={"error": "older-call"},
    )
    SyncAttempt.objects.create(
        record=record,
        created_at=now,
        method="POST",
        path="/v1/businesses/b/invoices",
        status=201,
        outcome="success",
        response_summary={"id": "newest-call"},
    )
    html = admin_client.get(change_url(record)).content.decode()
    assert "Attempt log (2)" in html
    assert html.index("newest-call") < html.index("older-call")
    assert "server_error" in html and "503" in html


def test_retry_button_queues_and_redirects_with_message(admin_client, world):
    record = fail(world.sales[0], attempts=5)
    html = admin_client.get(change_url(record)).content.decode()
    assert f'action="{retry_url(record)}"' in html
    response = admin_client.post(retry_url(record))
    assert response.status_code == 302 and response.url == change_url(record)
    page = admin_client.get(response.url).content.decode()
    assert "queued for a retry" in page
    record.refresh_from_db()
    assert (record.state, record.attempts) == (State.PENDING, 0)


@pytest.mark.django_db(transaction=True)
def test_retry_button_requests_a_push_and_does_not_run_it(admin_client, world, pushes):
    record = fail(world.sales[0])
    pushes.clear()
    admin_client.post(retry_url(record))
    assert pushes == ["push"]
    record.refresh_from_db()
    assert record.state == State.PENDING
    assert not SyncAttempt.objects.exists()  # nothing talked to Thred


def test_resync_button_forces(admin_client, world):
    record = record_of(world.sales[0])
    SyncRecord.objects.filter(pk=record.pk).update(state=State.SYNCED, thred_id="t-1")
    admin_client.post(retry_url(record, "resync"))
    record.refresh_from_db()
    assert (record.state, record.force) == (State.PENDING, True)


def test_viewer_sees_no_button_and_gets_403(viewer_client, world):
    record = fail(world.sales[0])
    response = viewer_client.get(change_url(record))
    assert response.status_code == 200
    html = response.content.decode()
    assert "thred-retry" not in html and retry_url(record) not in html
    for kind in ("retry", "resync"):
        assert viewer_client.post(retry_url(record, kind)).status_code == 403
    record.refresh_from_db()
    assert record.state == State.FAILED


def test_staff_without_view_permission_is_refused(client, django_user_model, world):
    from tests.admin.world import make_staff

    client.force_login(make_staff(django_user_model, "nobody"))
    record = record_of(world.sales[0])
    assert client.get(change_url(record)).status_code == 403
    assert client.post(retry_url(record)).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.post(retry_url(record_of(world.sales[0])))
    assert response.status_code == 302 and "/login/" in response.url


def test_retry_button_needs_csrf(admin_user, world):
    record = fail(world.sales[0])
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(retry_url(record)).status_code == 403
    record.refresh_from_db()
    assert record.state == State.FAILED
    client.get(change_url(record))
    token = client.cookies["csrftoken"].value
    assert client.post(retry_url(record), {"csrfmiddlewaretoken": token}).status_code == 302
    record.refresh_from_db()
    assert record.state == State.PENDING


def test_unknown_record_is_404(admin_client, world):
    url = reverse("admin:thred_django_syncrecord_retry", args=[999999])
    assert admin_client.post(url).status_code == 404
