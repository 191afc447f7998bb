"""Every state-changing entry point refuses who may not use it, and cross-site requests.

The entry points that make a record due again (or skip it): the outbox admin's actions
(retry now, resync, skip — confirmed POSTs), its Retry/Resync buttons, the host admin's
"Sync to Thred" action and Retry/Resync buttons (``ThredSyncAdminMixin``), and the DRF
API's retry. For each, and each kind of caller — anonymous, a logged-in non-staff user,
staff without Thred permissions, staff who may only view — the request is refused, the
record is unchanged and no push is requested. A permitted operator's POST without a CSRF
token is refused too; the same POST with the token goes through (so the refusals above
are not an accident of the request's shape). Read-only pages and the API's reads refuse
anonymous and non-staff callers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.admin.world import fail, make_staff, record_of
from thred_django.resources import State

# Real commits: a retry requests its push in transaction.on_commit, which must run here.
pytestmark = pytest.mark.django_db(transaction=True)

OUTBOX = reverse("admin:thred_django_syncrecord_changelist")
SALES = reverse("admin:testapp_sale_changelist")


def api_label(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


@dataclass
class Post:
    """One state-changing POST on ``world.sales[0]`` (failed beforehand)."""

    name: str
    url: Callable[..., str]
    data: Callable[..., dict]
    api: bool = False


def _outbox_action(action: str) -> Post:
    return Post(
        f"outbox action {action}",
        lambda world: OUTBOX,
        lambda world: {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [str(record_of(world.sales[0]).pk)],
            "post": "yes",
        },
    )


def _outbox_button(kind: str) -> Post:
    return Post(
        f"outbox {kind} button",
        lambda world: reverse(
            f"admin:thred_django_syncrecord_{kind}", args=[record_of(world.sales[0]).pk]
        ),
        lambda world: {},
    )


def _host_button(kind: str) -> Post:
    return Post(
        f"host {kind} button",
        lambda world: reverse(f"admin:testapp_sale_{kind}", args=[world.sales[0].pk]),
        lambda world: {},
    )


POSTS = [
    _outbox_action("retry_now"),
    _outbox_action("resync"),
    _outbox_action("skip"),
    _outbox_button("retry"),
    _outbox_button("resync"),
    Post(
        "host action sync_to_thred",
        lambda world: SALES,
        lambda world: {
            "action": "sync_to_thred",
            helpers.ACTION_CHECKBOX_NAME: [str(world.sales[0].pk)],
            "index": "0",
        },
    ),
    _host_button("thred_retry"),
    _host_button("thred_resync"),
    Post(
        "API retry",
        lambda world: reverse(
            "thred_api:object-retry", args=[api_label(world.sales[0]), world.sales[0].pk]
        ),
        lambda world: {},
        api=True,
    ),
]
ADMIN_POSTS = [p for p in POSTS if not p.api]


def unchanged(world, pushes) -> None:
    record = record_of(world.sales[0])
    assert (record.state, record.attempts, record.force) == (State.FAILED, 4, False)
    assert pushes == []


@pytest.fixture
def failed(world, pushes):
    record = fail(world.sales[0], attempts=4)
    pushes.clear()  # (the world's own saves asked for pushes)
    return record


def caller(kind: str, django_user_model, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if kind == "customer":
        client.force_login(django_user_model.objects.create_user("customer", password="pw"))
    elif kind == "staff without permissions":
        client.force_login(make_staff(django_user_model, "nobody"))
    elif kind == "viewer":
        client.force_login(
            make_staff(
                django_user_model,
                "viewer",
                "thred_django.view_syncrecord",
                "testapp.view_sale",
                "testapp.view_shop",
            )
        )
    return client


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.name)
@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_outsiders_are_refused(world, failed, pushes, django_user_model, post, who):
    client = caller(who, django_user_model)
    response = client.post(post.url(world), post.data(world))
    if post.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and "/admin/login/" in response.url
    unchanged(world, pushes)


@pytest.mark.parametrize("post", ADMIN_POSTS, ids=lambda p: p.name)
@pytest.mark.parametrize("who", ["staff without permissions", "viewer"])
def test_staff_without_the_retry_permission_change_nothing(
    world, failed, pushes, django_user_model, post, who
):
    client = caller(who, django_user_model)
    response = client.post(post.url(world), post.data(world))
    assert response.status_code in (200, 302, 403)  # refused, or the action is not offered
    unchanged(world, pushes)


@pytest.mark.parametrize("who", ["staff without permissions", "viewer"])
def test_api_retry_needs_the_retry_permission_like_the_admin(
    world, failed, pushes, django_user_model, who
):
    client = caller(who, django_user_model)
    post = POSTS[-1]
    response = client.post(post.url(world), post.data(world))
    assert response.status_code == 403  # the admin's rule: thred_django.retry_syncrecord
    unchanged(world, pushes)


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.name)
def test_operator_without_csrf_token_is_refused_and_with_it_allowed(
    world, failed, pushes, operator, post
):
    client = APIClient(enforce_csrf_checks=True) if post.api else Client(enforce_csrf_checks=True)
    client.force_login(operator)  # a browser session: cookies, so CSRF applies
    response = client.post(post.url(world), post.data(world))
    assert response.status_code == 403
    unchanged(world, pushes)

    client.get(reverse("admin:index"))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    if post.api:
        response = client.post(post.url(world), {}, HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 202
    else:
        data = {**post.data(world), "csrfmiddlewaretoken": token}
        response = client.post(post.url(world), data)
        assert response.status_code == 302
    record = record_of(world.sales[0])
    if post.name == "outbox action skip":
        assert record.state == State.SKIPPED
    else:
        assert record.state == State.PENDING and pushes


@pytest.mark.parametrize("kind", ["retry", "resync"])
def test_buttons_change_nothing_on_get(admin_client, world, failed, pushes, kind):
    """A GET (a followed link, a prefetch) only shows the confirmation page; PUT is 405."""
    url = reverse(f"admin:thred_django_syncrecord_{kind}", args=[record_of(world.sales[0]).pk])
    host = reverse(f"admin:testapp_sale_thred_{kind}", args=[world.sales[0].pk])
    for button in (url, host):
        response = admin_client.get(button)
        assert response.status_code == 200
        assert 'method="post"' in response.content.decode()
        assert admin_client.put(button).status_code == 405
    unchanged(world, pushes)


def read_urls(world) -> dict[str, str]:
    record = record_of(world.sales[0])
    business = record_of(world.shop)
    return {
        "outbox list": OUTBOX,
        "outbox record": reverse("admin:thred_django_syncrecord_change", args=[record.pk]),
        "dashboard": reverse("admin:thred_django_syncrecord_dashboard"),
        "API status": reverse(
            "thred_api:object-status", args=[api_label(world.sales[0]), world.sales[0].pk]
        ),
        "API businesses": reverse("thred_api:business-list"),
        "API business": reverse("thred_api:business-detail", args=[business.external_id]),
    }


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_reads_refuse_outsiders(world, failed, django_user_model, who):
    client = caller(who, django_user_model)
    for name, url in read_urls(world).items():
        response = client.get(url)
        if name.startswith("API"):
            assert response.status_code in (401, 403), name
        else:
            assert response.status_code == 302 and "/admin/login/" in response.url, name


def test_admin_reads_refuse_staff_without_view_permission(world, failed, django_user_model):
    client = caller("staff without permissions", django_user_model)
    for name, url in read_urls(world).items():
        if not name.startswith("API"):
            assert client.get(url).status_code == 403, name
