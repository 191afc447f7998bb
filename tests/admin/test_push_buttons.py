"""The Retry / Resync buttons behave the same on the outbox record and on the host object.

Both admins use one view (``thred_django.admin.push.ThredPushMixin``): the same
permission matrix (tests/security/test_permission_matrix.py's users), the same refusal
before any lookup, CSRF, a confirmation page on GET, the same messages and the same
effect on the record. Each test runs on both surfaces:

* ``outbox``: ``/admin/thred_django/syncrecord/<record>/retry|resync/``;
* ``host``: ``/admin/testapp/sale/<sale>/thred/retry|resync/`` (ThredSyncAdminMixin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.admin.world import fail, record_of
from tests.security.test_permission_matrix import MAY_RETRY, USERS, login
from thred_django.admin.push import KINDS
from thred_django.models import SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db

KIND_NAMES = list(KINDS)


@dataclass(frozen=True)
class Surface:
    name: str

    def _target(self, world):
        return record_of(world.sales[0]) if self.name == "outbox" else world.sales[0]

    def _prefix(self) -> str:
        return "thred_django_syncrecord_" if self.name == "outbox" else "testapp_sale_thred_"

    def button(self, world, kind: str, pk=None) -> str:
        pk = self._target(world).pk if pk is None else pk
        return reverse(f"admin:{self._prefix()}{kind}", args=[pk])

    def page(self, world) -> str:
        target = self._target(world)
        opts = target._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])

    def label(self, world) -> str:
        target = self._target(world)
        if self.name == "outbox":
            return f"{target.resource} {target.external_id}"  # without its state
        return str(target)


SURFACES = [Surface("outbox"), Surface("host")]
both = pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
kinds = pytest.mark.parametrize("kind", KIND_NAMES)


@pytest.fixture
def failed(world, pushes):
    record = fail(world.sales[0], attempts=4)
    pushes.clear()
    return record


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


@both
@kinds
def test_change_page_shows_the_button_forms(operator, viewer, world, surface, kind):
    operator_client, viewer_client = Client(), Client()
    operator_client.force_login(operator)
    viewer_client.force_login(viewer)
    html = operator_client.get(surface.page(world)).content.decode()
    assert f'action="{surface.button(world, kind)}"' in html
    assert f'id="thred-{kind}-form"' in html and "csrfmiddlewaretoken" in html
    html = viewer_client.get(surface.page(world)).content.decode()
    assert surface.button(world, kind) not in html and "thred-retry" not in html


@both
@kinds
def test_post_queues_and_says_so(operator_client, world, failed, pushes, surface, kind):
    label = surface.label(world)
    response = operator_client.post(surface.button(world, kind), follow=True)
    assert response.redirect_chain == [(surface.page(world), 302)]
    assert messages_of(response) == [
        (
            "success",
            f"“{label}” queued for a {kind}: a worker pushes it to Thred shortly.",
        )
    ]
    record = record_of(world.sales[0])
    assert (record.state, record.attempts, record.force) == (State.PENDING, 0, kind == "resync")


def test_a_record_being_pushed_is_left_alone_by_the_outbox_button(operator_client, world):
    outbox = SURFACES[0]
    record = record_of(world.sales[0])
    lease = timezone.now() + timedelta(minutes=5)
    SyncRecord.objects.filter(pk=record.pk).update(state=State.IN_FLIGHT, lease_until=lease)
    label = outbox.label(world)
    response = operator_client.post(outbox.button(world, "retry"), follow=True)
    assert messages_of(response) == [
        (
            "warning",
            f"Nothing queued for “{label}”: it is being pushed right now, or sync is disabled.",
        )
    ]
    assert record_of(world.sales[0]).state == State.IN_FLIGHT


def test_the_host_button_marks_the_object_again_like_a_save(operator_client, world):
    """From the host admin the button also marks the object (as saving it would): a record
    in flight gets a new revision, so the object is pushed again after the current push."""
    host = SURFACES[1]
    record = record_of(world.sales[0])
    lease = timezone.now() + timedelta(minutes=5)
    SyncRecord.objects.filter(pk=record.pk).update(state=State.IN_FLIGHT, lease_until=lease)
    response = operator_client.post(host.button(world, "retry"), follow=True)
    assert messages_of(response)[0][0] == "success"
    after = record_of(world.sales[0])
    assert after.revision != record.revision and after.state == State.PENDING


def test_an_unmarked_object_is_not_marked_while_sync_is_disabled(operator_client, world, settings):
    host = SURFACES[1]
    SyncRecord.objects.filter(pk=record_of(world.sales[0]).pk).delete()
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    response = operator_client.post(host.button(world, "retry"), follow=True)
    label = host.label(world)
    assert messages_of(response) == [
        (
            "warning",
            f"Nothing queued for “{label}”: it is being pushed right now, or sync is disabled.",
        )
    ]
    with pytest.raises(SyncRecord.DoesNotExist):
        record_of(world.sales[0])


@both
@kinds
def test_get_shows_a_confirmation_that_posts_back(operator, world, failed, pushes, surface, kind):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    url = surface.button(world, kind)
    response = client.get(url)
    assert response.status_code == 200
    assert response.templates[0].name == "thred_django/admin/confirm_push.html"
    html = response.content.decode()
    assert escape(KINDS[kind].explanation) in html and escape(surface.label(world)) in html
    assert 'method="post"' in html and 'id="thred-confirm-push"' in html
    assert f'href="{surface.page(world)}"' in html  # "No, take me back"
    assert (record_of(world.sales[0]).state, pushes) == (State.FAILED, [])  # nothing done
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert record_of(world.sales[0]).state == State.PENDING


@both
@kinds
def test_post_without_csrf_token_is_refused(operator, world, failed, surface, kind):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.post(surface.button(world, kind)).status_code == 403
    assert record_of(world.sales[0]).state == State.FAILED


@both
def test_other_methods_are_405(operator_client, world, failed, surface):
    for method in ("put", "delete", "patch"):
        response = getattr(operator_client, method)(surface.button(world, "retry"))
        assert response.status_code == 405, method
    assert record_of(world.sales[0]).state == State.FAILED


@both
@kinds
def test_missing_object(django_user_model, world, failed, surface, kind):
    """404 for who may retry; for who may not, 403 whether the id exists or not."""
    allowed = login("both", django_user_model)
    assert allowed.post(surface.button(world, kind, pk=999999)).status_code == 404
    refused = login("view-only", django_user_model)
    for pk in (None, 999999):
        assert refused.post(surface.button(world, kind, pk=pk)).status_code == 403


@kinds
@pytest.mark.parametrize("who", list(USERS))
def test_same_permission_matrix_on_both_surfaces(world, pushes, django_user_model, who, kind):
    """Every kind of user gets the same answer and leaves the record in the same state,
    from the outbox and from the host admin."""
    client = login(who, django_user_model)
    outcomes = []
    for surface in SURFACES:
        fail(world.sales[0], attempts=4)
        for method in ("get", "post"):
            response = getattr(client, method)(surface.button(world, kind))
            location = response.get("Location", "")
            outcome = (method, response.status_code, "/login/" in location)
            record = record_of(world.sales[0])
            outcomes.append((surface.name, outcome, record.state, record.attempts))
    outbox = [row[1:] for row in outcomes if row[0] == "outbox"]
    host = [row[1:] for row in outcomes if row[0] == "host"]
    assert outbox == host
    expected_post = (
        (302, State.PENDING, 0)
        if who in MAY_RETRY
        else (
            (302, State.FAILED, 4) if who in ("anonymous", "non-staff") else (403, State.FAILED, 4)
        )
    )
    (_, post_status, _), post_state, post_attempts = outbox[1]
    assert (post_status, post_state, post_attempts) == expected_post
