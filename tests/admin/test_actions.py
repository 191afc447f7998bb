"""Outbox actions: retry now, resync, skip — each behind a confirmation page."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin.world import fail, record_of
from thred_django.models import SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db

URL = reverse("admin:thred_django_syncrecord_changelist")


def _select(action, records, **extra):
    return {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [str(r.pk) for r in records],
        "index": "0",
        **extra,
    }


def _confirm(action, records, **extra):
    return {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [str(r.pk) for r in records],
        "post": "yes",
        **extra,
    }


@pytest.fixture
def failed(world):
    return [fail(sale, attempts=4) for sale in world.sales]


@pytest.mark.parametrize(
    ("action", "title", "button"),
    [
        ("retry_now", "Retry now: are you sure?", "Yes, retry them"),
        ("resync", "Resync: are you sure?", "Yes, resync them"),
        ("skip", "Skip: are you sure?", "Yes, skip them"),
    ],
)
def test_first_post_shows_a_confirmation_page_and_changes_nothing(
    admin_client, failed, action, title, button
):
    response = admin_client.post(URL, _select(action, failed))
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert button in html
    assert "2 records</strong> selected: 2 failed" in html
    assert 'name="post" value="yes"' in html
    assert f'name="action" value="{action}"' in html
    assert "csrfmiddlewaretoken" in html
    for record in failed:
        assert f'name="_selected_action" value="{record.pk}"' in html
    assert set(
        SyncRecord.objects.filter(pk__in=[r.pk for r in failed]).values_list("state", flat=True)
    ) == {State.FAILED}


# Real commits (transactional DB), so the on-commit push request really fires.
@pytest.mark.django_db(transaction=True)
def test_retry_confirmed_queues_and_says_how_many(admin_client, failed, pushes):
    pushes.clear()
    response = admin_client.post(URL, _confirm("retry_now", failed), follow=True)
    assert "2 records queued for a retry." in response.content.decode()
    for record in failed:
        record.refresh_from_db()
        assert (record.state, record.attempts, record.force) == (State.PENDING, 0, False)
    assert pushes == ["push"]  # a push was requested (queued), not run in the request
    assert not SyncRecord.objects.filter(state=State.SYNCED).exists()


@pytest.mark.django_db(transaction=True)
def test_resync_confirmed_forces_the_push(admin_client, failed, pushes):
    pushes.clear()
    response = admin_client.post(URL, _confirm("resync", failed[:1]), follow=True)
    assert "1 record queued for a resync." in response.content.decode()
    failed[0].refresh_from_db()
    assert (failed[0].state, failed[0].force) == (State.PENDING, True)
    assert pushes == ["push"]


def test_skip_confirmed_skips(admin_client, failed):
    response = admin_client.post(URL, _confirm("skip", failed), follow=True)
    assert "2 records skipped." in response.content.decode()
    assert {r.state for r in SyncRecord.objects.filter(pk__in=[r.pk for r in failed])} == {
        State.SKIPPED
    }


def test_in_flight_records_are_left_alone_and_reported(admin_client, failed):
    SyncRecord.objects.filter(pk=failed[0].pk).update(
        state=State.IN_FLIGHT, lease_until=timezone.now() + timedelta(seconds=60)
    )
    response = admin_client.post(URL, _confirm("retry_now", failed), follow=True)
    html = response.content.decode()
    assert "1 record queued for a retry." in html
    assert "1 in flight left alone" in html


@pytest.mark.parametrize(("action", "state"), [("retry_now", "pending"), ("skip", "skipped")])
def test_records_whose_lease_lapsed_can_be_retried_and_skipped(admin_client, failed, action, state):
    """A worker that died leaves its records in flight; once the lease lapsed, an admin
    may act on them (and the lease is dropped)."""
    stuck = failed[0]
    SyncRecord.objects.filter(pk=stuck.pk).update(
        state=State.IN_FLIGHT,
        lease_token=uuid.uuid4(),
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    response = admin_client.post(URL, _confirm(action, [stuck]), follow=True)
    assert "left alone" not in response.content.decode()
    stuck.refresh_from_db()
    assert (stuck.state, stuck.lease_token, stuck.lease_until) == (state, None, None)


def test_select_across_keeps_the_changelist_filter(admin_client, failed, world):
    others = [record_of(world.shop), record_of(world.client)]
    url = f"{URL}?state__exact=failed"
    page = admin_client.post(url, _select("skip", failed[:1], select_across="1"))
    html = page.content.decode()
    assert "2 records</strong> selected" in html and 'name="select_across" value="1"' in html
    admin_client.post(url, _confirm("skip", failed[:1], select_across="1"))
    assert {r.state for r in SyncRecord.objects.filter(pk__in=[r.pk for r in failed])} == {
        State.SKIPPED
    }
    assert {r.state for r in SyncRecord.objects.filter(pk__in=[r.pk for r in others])} == {
        State.PENDING
    }


def test_viewer_sees_status_but_no_actions(viewer_client, failed):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "thred-badge-failed" in html
    assert 'name="action"' not in html and "action-checkbox" not in html


def test_viewer_forged_action_post_changes_nothing(viewer_client, failed):
    response = viewer_client.post(URL, _confirm("retry_now", failed), follow=True)
    assert response.status_code in (200, 403)
    assert {r.state for r in SyncRecord.objects.filter(pk__in=[r.pk for r in failed])} == {
        State.FAILED
    }


def test_operator_sees_the_three_actions_but_not_delete(operator_client, failed):
    html = operator_client.get(URL).content.decode()
    for name in ("retry_now", "resync", "skip"):
        assert f'value="{name}"' in html
    assert 'value="delete_selected"' not in html


def test_confirmation_post_needs_csrf(admin_user, failed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(URL, _confirm("retry_now", failed)).status_code == 403
    assert {r.state for r in SyncRecord.objects.filter(pk__in=[r.pk for r in failed])} == {
        State.FAILED
    }
    # With the token from the confirmation page it goes through.
    page = client.post(URL, _select("retry_now", failed), follow=False)
    assert page.status_code == 403  # the first POST needs the token too
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {**_confirm("retry_now", failed), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert {r.state for r in SyncRecord.objects.filter(pk__in=[r.pk for r in failed])} == {
        State.PENDING
    }
