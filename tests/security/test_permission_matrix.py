"""One permission model for the admin and the status API (``thred_django.access``).

The full matrix: anonymous, a logged-in non-staff user (holding every permission, so
only the staff gate refuses them), staff without permissions, view-only, retry-only and
both — against every read (outbox list, record page, dashboard; the API's object
status, business list and business detail) and every retry (the outbox's button and
action, the host admin's button, both Resync buttons, the API's retry). Reading needs
``thred_django.view_syncrecord``; retrying needs ``thred_django.retry_syncrecord`` *and*
the view permission, in the admin and in the API alike.

Then: no existence oracle (the API's object status answers the same for a missing row
and an existing unmarked row of any model; a refused user gets 403 before any lookup in
the API and in the host admin's push view), and payloads hidden from staff without the
host model's view permission.
"""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.test import Client, override_settings
from django.urls import reverse

from tests.admin.world import fail, make_staff, record_of
from thred_django.resources import State

pytestmark = pytest.mark.django_db

HOST = ("testapp.view_sale", "testapp.view_shop", "testapp.view_client")
VIEW = "thred_django.view_syncrecord"
RETRY = "thred_django.retry_syncrecord"
USERS: dict[str, tuple[str, ...] | None] = {
    "anonymous": None,
    "non-staff": (VIEW, RETRY, *HOST),
    "staff without permissions": (),
    "view-only": (VIEW, *HOST),
    "retry-only": (RETRY, *HOST),
    "both": (VIEW, RETRY, *HOST),
}
MAY_READ = {"view-only", "both"}
MAY_RETRY = {"both"}


def login(kind: str, django_user_model) -> Client:
    client = Client()
    perms = USERS[kind]
    if perms is None:
        return client
    if kind == "non-staff":
        user = django_user_model.objects.create_user("outsider", password="pw")
        from tests.admin.world import Permission  # the same lookup as make_staff

        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    else:
        user = make_staff(django_user_model, kind.replace(" ", "-"), *perms)
    client.force_login(user)
    return client


def label(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def reads(world) -> dict[str, str]:
    record = record_of(world.sales[0])
    return {
        "admin outbox list": reverse("admin:thred_django_syncrecord_changelist"),
        "admin record page": reverse("admin:thred_django_syncrecord_change", args=[record.pk]),
        "admin dashboard": reverse("admin:thred_django_syncrecord_dashboard"),
        "API object status": reverse(
            "thred_api:object-status", args=[label(world.sales[0]), world.sales[0].pk]
        ),
        "API business list": reverse("thred_api:business-list"),
        "API business detail": reverse(
            "thred_api:business-detail", args=[record_of(world.shop).external_id]
        ),
    }


def retries(world) -> dict[str, tuple[str, dict]]:
    record = record_of(world.sales[0])
    return {
        "admin outbox button": (
            reverse("admin:thred_django_syncrecord_retry", args=[record.pk]),
            {},
        ),
        "admin outbox action": (
            reverse("admin:thred_django_syncrecord_changelist"),
            {"action": "retry_now", helpers.ACTION_CHECKBOX_NAME: [str(record.pk)], "post": "yes"},
        ),
        "admin host button": (
            reverse("admin:testapp_sale_thred_retry", args=[world.sales[0].pk]),
            {},
        ),
        "admin outbox resync button": (
            reverse("admin:thred_django_syncrecord_resync", args=[record.pk]),
            {},
        ),
        "admin host resync button": (
            reverse("admin:testapp_sale_thred_resync", args=[world.sales[0].pk]),
            {},
        ),
        "API retry": (
            reverse("thred_api:object-retry", args=[label(world.sales[0]), world.sales[0].pk]),
            {},
        ),
    }


@pytest.fixture
def failed(world, pushes):
    record = fail(world.sales[0], attempts=4)
    pushes.clear()
    return record


@pytest.mark.parametrize("who", list(USERS))
def test_reads(world, failed, django_user_model, who):
    client = login(who, django_user_model)
    for name, url in reads(world).items():
        response = client.get(url)
        if who in MAY_READ:
            assert response.status_code == 200, (name, response.status_code)
        elif name.startswith("API"):
            assert response.status_code in (401, 403), (name, response.status_code)
            assert "sale" not in response.content.decode().lower() or who != "anonymous"
        elif who in ("anonymous", "non-staff"):
            assert response.status_code == 302 and "/login/" in response.url, name
        else:
            assert response.status_code == 403, (name, response.status_code)


@pytest.mark.parametrize("who", list(USERS))
@pytest.mark.parametrize(
    "surface",
    [
        "admin outbox button",
        "admin outbox action",
        "admin host button",
        "admin outbox resync button",
        "admin host resync button",
        "API retry",
    ],
)
def test_retries(world, failed, django_user_model, who, surface):
    """The record's state tells (tests/security/test_permissions.py also watches the push
    requests, with real commits)."""
    client = login(who, django_user_model)
    url, data = retries(world)[surface]
    response = client.post(url, data)
    record = record_of(world.sales[0])
    if who in MAY_RETRY:
        assert response.status_code in (202, 302), response.status_code
        assert record.state == State.PENDING and record.attempts == 0
        return
    if surface == "API retry":
        assert response.status_code in (401, 403), response.status_code
    elif who in ("anonymous", "non-staff"):
        assert response.status_code == 302 and "/login/" in response.url
    elif surface == "admin outbox action":
        # Not offered (200 changelist) or refused (403) — never performed.
        assert response.status_code in (200, 403), response.status_code
    else:
        assert response.status_code == 403, response.status_code
    assert (record.state, record.attempts) == (State.FAILED, 4)


def test_api_object_status_is_no_existence_oracle(world, admin_user, django_user_model):
    """Any model, existing row or not: the same 404 (the API never queries host tables)."""
    api = Client()
    api.force_login(admin_user)
    existing = api.get(reverse("thred_api:object-status", args=["auth.user", admin_user.pk]))
    missing = api.get(reverse("thred_api:object-status", args=["auth.user", 987654]))
    assert existing.status_code == missing.status_code == 404
    normal = existing.json()["detail"].replace(str(admin_user.pk), "<pk>")
    assert normal == missing.json()["detail"].replace("987654", "<pk>")
    unknown = api.get(reverse("thred_api:object-status", args=["nope.thing", 1]))
    assert unknown.status_code == 404
    assert unknown.json()["detail"].replace("nope.thing", "auth.user").replace("1", "<pk>") == (
        normal.replace("1", "<pk>")
    )


@pytest.mark.parametrize("who", ["staff without permissions", "view-only", "retry-only"])
def test_refused_before_lookup(world, failed, django_user_model, who):
    """A refused user gets 403 for existing and missing ids alike (admin push, API)."""
    client = login(who, django_user_model)
    pk = world.sales[0].pk
    for args in ([pk], [999999]):
        host = reverse("admin:testapp_sale_thred_retry", args=args)
        assert client.post(host).status_code == 403, (who, args)
        api = reverse("thred_api:object-retry", args=["testapp.sale", *args])
        assert client.post(api).status_code == 403, (who, args)
    if who == "retry-only":
        return
    for args in ([pk], [999999]):
        status = reverse("thred_api:object-status", args=["testapp.sale", *args])
        assert client.get(status).status_code == (
            403 if who != "view-only" else (200 if args == [pk] else 404)
        )


def test_both_get_404_for_a_missing_object_after_the_permission_check(
    world, failed, django_user_model
):
    client = login("both", django_user_model)
    assert client.post(reverse("admin:testapp_sale_thred_retry", args=[999999])).status_code == 404
    api = reverse("thred_api:object-retry", args=["testapp.sale", 999999])
    assert client.post(api).status_code == 404


def record_page(world, client: Client) -> str:
    record = record_of(world.client)
    response = client.get(reverse("admin:thred_django_syncrecord_change", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_payload_personal_data_needs_the_host_view_permission(world, django_user_model):
    """The client's e-mail is in its payload: shown only to who may view clients."""
    email = world.client.email
    without = Client()
    without.force_login(make_staff(django_user_model, "no-host", VIEW))
    page = record_page(world, without)
    assert email not in page
    assert "testapp.view_client" in page  # says what is missing
    with_host = Client()
    with_host.force_login(make_staff(django_user_model, "with-host", VIEW, "testapp.view_client"))
    assert email in record_page(world, with_host)
    with override_settings(THRED={**_thred(), "HIDE_PAYLOADS_WITHOUT_HOST_PERMISSION": False}):
        assert email in record_page(world, without)


def _thred() -> dict:
    from django.conf import settings

    return dict(settings.THRED)
