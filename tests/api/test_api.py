"""The DRF status API: object status, retry, business counts, permissions, schema."""

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.admin.world import build_world, fail, make_staff, record_of
from thred_django.models import BusinessHealth, SyncAttempt, SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db


def status_url(obj):
    return reverse(
        "thred_api:object-status", args=[f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk]
    )


def retry_url(obj):
    return reverse(
        "thred_api:object-retry", args=[f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk]
    )


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_status_of_one_object(api, world):
    sale = world.sales[0]
    fail(
        sale,
        code="validation_error",
        message="Bad quantity",
        status=400,
        details={"line_items[0].quantity": ["Ensure this value is greater than 0."]},
    )
    SyncRecord.objects.filter(pk=record_of(sale).pk).update(
        thred_id="thred-123", idempotency_key="secret-key", payload_hash="h" * 64
    )
    response = api.get(status_url(sale))
    assert response.status_code == 200
    data = response.json()
    assert data["content_type"] == "testapp.sale"
    assert data["object_id"] == str(sale.pk)
    assert data["resource"] == "invoice"
    assert data["business"] == f"testapp.shop-{world.shop.pk}"
    assert data["state"] == "failed"
    assert data["external_id"] == f"testapp.sale-{sale.pk}"
    assert data["thred_id"] == "thred-123"
    assert data["attempts"] == 1
    assert data["last_error_code"] == "validation_error"
    assert data["last_error_status"] == 400
    assert data["last_error_message"] == "Bad quantity"
    assert data["last_error_details"] == {
        "line_items[0].quantity": ["Ensure this value is greater than 0."]
    }
    for key in ("created_at", "updated_at", "synced_at", "last_attempt_at", "next_attempt_at"):
        assert key in data
    # Never secrets or internals.
    body = response.content.decode()
    for hidden in ("secret-key", "idempotency", "lease", "revision", "payload_hash", "hhhh"):
        assert hidden not in body


def test_unknown_model_is_404_with_a_clear_message(api, world):
    response = api.get(reverse("thred_api:object-status", args=["nope.thing", 1]))
    assert response.status_code == 404
    assert response.json()["detail"].startswith("nope.thing 1 has no sync record")
    malformed = api.get(reverse("thred_api:object-status", args=["nothing", 1]))
    assert malformed.status_code == 404
    assert "'app_label.model'" in malformed.json()["detail"]


def test_missing_object_is_404(api, world):
    response = api.get(reverse("thred_api:object-status", args=["testapp.sale", 999999]))
    assert response.status_code == 404
    assert response.json()["detail"].startswith("testapp.sale 999999 has no sync record:")


def test_unmarked_object_is_404_like_a_missing_one(api, world):
    """The same answer as for a missing row: the API is no oracle on host tables."""
    sale = world.sales[0]
    SyncRecord.objects.filter(pk=record_of(sale).pk).delete()
    response = api.get(status_url(sale))
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail.startswith(f"testapp.sale {sale.pk} has no sync record:")
    assert "never marked for sync" in detail


def test_invalid_pk_is_404(api, world):
    response = api.get(reverse("thred_api:object-status", args=["testapp.sale", "abc"]))
    assert response.status_code == 404


def test_retry_queues_and_returns_202_with_the_count(api, world):
    sale = world.sales[0]
    fail(sale, attempts=6)
    response = api.post(retry_url(sale))
    assert response.status_code == 202
    data = response.json()
    assert data["queued"] == 1
    assert data["status"]["state"] == "pending" and data["status"]["attempts"] == 0


def test_retry_of_a_record_in_flight_queues_nothing(api, world):
    sale = world.sales[0]
    SyncRecord.objects.filter(pk=record_of(sale).pk).update(state=State.IN_FLIGHT)
    response = api.post(retry_url(sale))
    assert response.status_code == 202 and response.json()["queued"] == 0


@pytest.mark.django_db(transaction=True)
def test_retry_requests_a_push_and_calls_no_one(api, world, pushes):
    fail(world.sales[0])
    pushes.clear()
    assert api.post(retry_url(world.sales[0])).status_code == 202
    assert pushes == ["push"]
    assert not SyncAttempt.objects.exists()


def test_retry_of_unknown_object_is_404(api, world):
    assert (
        api.post(reverse("thred_api:object-retry", args=["testapp.sale", 424242])).status_code
        == 404
    )


def test_business_list(api, pushes):
    a = build_world("Alpha", sales=2)
    b = build_world("Beta", sales=1)
    fail(a.sales[0])
    BusinessHealth.objects.create(
        tenant_id=str(b.shop.pk), flagged_at="2026-01-01T00:00:00Z", flag_reason="403 from Thred"
    )
    response = api.get(reverse("thred_api:business-list"))
    assert response.status_code == 200
    rows = {row["business"]: row for row in response.json()}
    alpha = rows[f"testapp.shop-{a.shop.pk}"]
    assert alpha["tenant_id"] == str(a.shop.pk)
    assert alpha["states"] == {"pending": 3, "failed": 1}
    assert alpha["total"] == 4
    assert alpha["flagged"] is False and alpha["paused_until"] is None
    beta = rows[f"testapp.shop-{b.shop.pk}"]
    assert beta["states"] == {"pending": 3} and beta["flagged"] is True
    assert beta["flag_reason"] == "403 from Thred"


def test_business_summary(api, pushes):
    a = build_world("Alpha", sales=2)
    build_world("Beta", sales=5)
    fail(a.sales[0])
    response = api.get(reverse("thred_api:business-detail", args=[f"testapp.shop-{a.shop.pk}"]))
    assert response.status_code == 200
    data = response.json()
    assert data["business"] == f"testapp.shop-{a.shop.pk}"
    assert data["states"] == {"pending": 3, "failed": 1}
    assert data["total"] == 4
    assert data["resources"] == {
        "business": {"pending": 1},
        "customer": {"pending": 1},
        "invoice": {"pending": 1, "failed": 1},
    }
    assert data["oldest_pending_seconds"] is not None


def test_unknown_business_is_404(api, world):
    response = api.get(reverse("thred_api:business-detail", args=["no-such-business"]))
    assert response.status_code == 404
    assert "no-such-business" in response.json()["detail"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_refused(world, method):
    client = APIClient()
    url = retry_url(world.sales[0]) if method == "post" else status_url(world.sales[0])
    assert getattr(client, method)(url).status_code in (401, 403)
    assert client.get(reverse("thred_api:business-list")).status_code in (401, 403)


def test_non_staff_is_refused(world, django_user_model):
    user = django_user_model.objects.create_user("customer", password="pw")
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(status_url(world.sales[0])).status_code == 403
    assert client.post(retry_url(world.sales[0])).status_code == 403
    assert client.get(reverse("thred_api:business-list")).status_code == 403
    assert record_of(world.sales[0]).state == State.PENDING


def test_session_post_needs_csrf(world, admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)  # session auth, like a browser
    assert client.get(status_url(world.sales[0])).status_code == 200
    assert client.post(retry_url(world.sales[0])).status_code == 403


def test_permission_classes_come_from_settings(world, settings, django_user_model):
    user = django_user_model.objects.create_user("plain", password="pw")
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(status_url(world.sales[0])).status_code == 403
    with override_settings(
        THRED={
            **settings.THRED,
            "API_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        }
    ):
        # The configured classes replace IsAdminUser; the view permission still applies.
        assert client.get(status_url(world.sales[0])).status_code == 403
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="thred_django", codename="view_syncrecord"
            )
        )
        user = django_user_model.objects.get(pk=user.pk)  # a fresh permission cache
        client.force_authenticate(user)
        assert client.get(status_url(world.sales[0])).status_code == 200
    assert client.get(status_url(world.sales[0])).status_code == 403


def test_staff_with_view_permission_only_can_read(world, django_user_model):
    user = make_staff(django_user_model, "viewer", "thred_django.view_syncrecord")
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(status_url(world.sales[0])).status_code == 200


def test_openapi_schema_describes_the_endpoints(db):
    pytest.importorskip("uritemplate", reason="DRF's OpenAPI generator needs uritemplate")
    from rest_framework.schemas.openapi import SchemaGenerator

    schema = SchemaGenerator(title="Thred", urlconf="tests.api.urls").get_schema(public=True)
    paths = schema["paths"]
    status_path = "/thred/api/objects/{content_type}/{id}/"
    assert paths[status_path]["get"]["operationId"] == "getObjectSyncStatus"
    assert "200" in paths[status_path]["get"]["responses"]
    assert "404" in paths[status_path]["get"]["responses"]
    retry = paths["/thred/api/objects/{content_type}/{id}/retry/"]["post"]
    assert retry["operationId"] == "retryObjectSync"
    assert "202" in retry["responses"] and "requestBody" not in retry
    listing = paths["/thred/api/businesses/"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"]["type"] == "array"
    assert "/thred/api/businesses/{external_id}/" in paths
    components = schema["components"]["schemas"]
    assert set(components["SyncStatus"]["properties"]) >= {"state", "thred_id", "last_error_code"}
    assert "idempotency_key" not in components["SyncStatus"]["properties"]
    assert {"queued", "status"} <= set(components["RetryResult"]["properties"])
    assert "resources" in components["BusinessSummary"]["properties"]


def test_generateschema_command(db, tmp_path):
    pytest.importorskip("uritemplate", reason="DRF's OpenAPI generator needs uritemplate")
    from django.core.management import call_command

    out = tmp_path / "schema.json"
    call_command(
        "generateschema",
        "--format",
        "openapi-json",
        "--file",
        str(out),
        "--urlconf",
        "tests.api.urls",
    )
    assert "retryObjectSync" in out.read_text()


@pytest.mark.parametrize(
    "args",
    [("testapp.sale", "1\x00"), ("test\x00app.sale", "1")],
    ids=["NUL in the pk", "NUL in the model"],
)
def test_hostile_path_values_are_404_not_500(api, world, args):
    """Text no database can compare with (NUL fails on PostgreSQL) is simply not found."""
    response = api.get(reverse("thred_api:object-status", args=args))
    assert response.status_code == 404
    assert (
        "has no sync record" in response.json()["detail"]
        or "app_label.model" in (response.json()["detail"])
    )
    detail = reverse("thred_api:business-detail", args=["shop\x00-1"])
    assert api.get(detail).status_code == 404
