"""The control endpoint: gated by CONTROL_ENABLED and Basic credentials."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.sandbox.conftest import PARTNER_ID, basic, error_of
from thred_django.sandbox import faults
from thred_django.sandbox.models import (
    Business,
    Customer,
    FaultConfig,
    PartnerFaultConfig,
    RequestLog,
)
from thred_django.sandbox.reset import reset_sandbox

PATHS = ["_control/faults/", "_control/reset/", "_control/summary/", "_control/requests/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_absent_unless_enabled(http, path):
    with override_settings(THRED_SANDBOX={"CONTROL_ENABLED": False}):
        response = http.request(
            "GET" if "reset" not in path else "POST", f"/{path}", headers=basic()
        )
        assert error_of(response)[:2] == (404, "not_found")
    with override_settings(THRED_SANDBOX={"CONTROL_ENABLED": True}):
        response = http.request(
            "GET" if "reset" not in path else "POST", f"/{path}", headers=basic()
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_needs_partner_credentials(http, partner_token):
    assert error_of(http.get("/_control/faults/"))[:2] == (401, "authentication_required")
    wrong = http.get("/_control/faults/", headers=basic(api_key="nope"))
    assert error_of(wrong)[:2] == (401, "invalid_credentials")
    bearer_only = http.get(
        "/_control/faults/", headers={"Authorization": f"Bearer {partner_token}"}
    )
    assert bearer_only.status_code == 401


@pytest.mark.django_db
def test_faults_get_put_delete(http):
    initial = http.get("/_control/faults/", headers=basic()).json()
    assert initial["source"] == "settings" and initial["faults"]["error_500_rate"] == 0.0
    changed = http.put(
        "/_control/faults/", json={"error_500_rate": 0.25, "seed": 9}, headers=basic()
    ).json()
    assert changed["source"] == "partner"  # the calling partner's own settings
    assert changed["faults"]["error_500_rate"] == 0.25 and changed["faults"]["seed"] == 9
    # Visible to every process (read from the database), for this partner only.
    assert faults.current_faults(PARTNER_ID).error_500_rate == 0.25
    assert faults.current_faults().error_500_rate == 0.0
    bad = http.put("/_control/faults/", json={"error_500_rate": 2}, headers=basic())
    assert error_of(bad)[:2] == (400, "validation_error")
    reset = http.delete("/_control/faults/", headers=basic()).json()
    assert reset["source"] == "settings" and not PartnerFaultConfig.objects.exists()


@pytest.mark.django_db
def test_control_gets_no_faults_and_no_log(http):
    faults.set_faults(error_500_rate=1.0)
    RequestLog.objects.all().delete()
    assert http.get("/_control/faults/", headers=basic()).status_code == 200
    assert not RequestLog.objects.exists()


@pytest.mark.django_db
def test_reset_wipes_everything_of_the_partner(http, biz):
    biz.customer()
    faults.set_faults(slow_rate=0.1)  # shared by every partner: not the caller's to wipe
    http.put("/_control/faults/", json={"seed": 3}, headers=basic())
    response = http.post("/_control/reset/", headers=basic())
    assert response.status_code == 200
    assert response.json()["deleted"]["customer"] == 1
    assert not Business.objects.exists() and not Customer.objects.exists()
    assert not PartnerFaultConfig.objects.exists() and not RequestLog.objects.exists()
    assert FaultConfig.objects.exists()
    assert reset_sandbox() and not FaultConfig.objects.exists()  # in process: everything
    gone = biz.get("customers/")
    assert error_of(gone)[:2] == (404, "business_not_found")


@pytest.mark.django_db
def test_summary_and_request_log_endpoints(http, biz):
    customer = biz.customer()
    invoice = biz.invoice(customer["id"], 1000)
    biz.payment(customer["id"], invoice["id"], 400)
    everything = http.get("/_control/summary/", headers=basic()).json()
    assert set(everything) == {"tenant-1"}
    assert everything["tenant-1"]["payment"] == {"count": 1, "amount_cents": 400}
    one = http.get("/_control/summary/", params={"business": biz.id}, headers=basic()).json()
    assert one == everything["tenant-1"]
    missing = http.get("/_control/summary/", params={"business": "nope"}, headers=basic())
    assert error_of(missing)[:2] == (404, "business_not_found")

    log = http.get(
        "/_control/requests/", params={"resource": "payment", "action": "create"}, headers=basic()
    ).json()
    assert log["count"] == 1
    assert log["results"][0]["status"] == 201 and log["results"][0]["created"] is True
