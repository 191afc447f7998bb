"""thred_reconcile, the scheduled task, the admin dashboard and the API show the same
reconciliation."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from tests.engine.test_push import record_of
from tests.engine.test_reconcile import synced_world, tamper
from tests.testapp import models as m
from thred_django import tasks
from thred_django.engine.runner import push_due
from thred_django.engine.schedule import RECONCILE_SCHEDULE_NAME, install_reconcile_schedule
from thred_django.models import ReconcileResult

pytestmark = pytest.mark.django_db


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def command(*args: str, err: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), err if err is not None else io.StringIO()
    try:
        call_command("thred_reconcile", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def drifted(thred, shop):
    w = synced_world(shop)
    tamper(shop, w["credit"], "delete")
    (row,) = m.Client.objects.bulk_create([m.Client(shop=shop, name="No Mark")])
    return {
        "business": record_of(shop).external_id,
        "credit": record_of(w["credit"]).external_id,
        "client": f"testapp.client-{row.pk}",
    }


def test_command_exits_0_when_sides_agree(thred, shop):
    synced_world(shop)
    code, out, err = command()
    assert code == 0, out
    assert "1 business(es): Thred and the host agree." in out
    # Not a terminal: one quiet line per business (and the count at the end), no bar.
    assert f"thred_reconcile: {record_of(shop).external_id}: agree\n" in err
    assert "thred_reconcile: 11/11\n" in err and "\r" not in err


def test_command_names_drift_and_exits_1(drifted):
    code, out, err = command()
    assert code == 1
    assert f"{drifted['business']}: missing: vendor_credit {drifted['credit']}" in out
    assert f"{drifted['business']}: unmarked: customer {drifted['client']}" in out
    assert "drift: 1 missing, 1 unmarked" in out
    assert f"thred_reconcile: {drifted['business']}: 2 difference(s)" in err


def test_command_json_names_each_object_by_external_id(drifted):
    code, out, _ = command("--json")
    assert code == 1
    data = json.loads(out)
    assert sorted((f["kind"], f["external_id"]) for f in data["findings"]) == [
        ("missing", drifted["credit"]),
        ("unmarked", drifted["client"]),
    ]
    assert data["summary"]["agreed"] is False and data["summary"]["drift"] == 2
    (business,) = [b for b in data["businesses"] if b["business"] == drifted["business"]]
    assert business["counts"] == {"missing": 1, "unmarked": 1}


def test_command_fix_then_agree(drifted):
    code, out, _ = command("--fix", "--business", drifted["business"])
    assert code == 1  # drift was found (and repaired)
    assert "-> repaired" in out and "2 repaired, 0 cannot be" in out
    push_due(until_idle=True)
    code, out, _ = command("--business", drifted["business"])
    assert code == 0, out


def test_command_progress_bar_on_a_terminal(drifted):
    err = Tty()
    code, _, _ = command("--resource", "customer", "--resource", "vendor_credit", err=err)
    assert code == 1
    text = err.getvalue()  # one tqdm bar: "thred_reconcile: 100%|…| 4/4", no lines
    assert "\rthred_reconcile:" in text and "2 difference(s)" not in text


def test_command_unknown_business_is_a_clear_error(thred):
    with pytest.raises(CommandError, match="No business with external id 'nope'"):
        call_command("thred_reconcile", "--business", "nope", stdout=io.StringIO())


def test_task_reconciles_and_repairs_when_configured(drifted, settings):
    summary = tasks.reconcile()
    assert summary["drift"] == 2 and summary["repaired"] == 0
    settings.THRED = {**settings.THRED, "RECONCILE_FIX": True}
    assert tasks.reconcile()["repaired"] == 2
    push_due(until_idle=True)
    assert tasks.reconcile()["agreed"] is True


def test_schedule_daily_by_default_configurable_and_removable(thred, settings):
    from django_q.models import Schedule

    install_reconcile_schedule()
    install_reconcile_schedule()
    schedule = Schedule.objects.get(name=RECONCILE_SCHEDULE_NAME)
    assert (schedule.func, schedule.minutes) == ("thred_django.tasks.reconcile", 1440)
    settings.THRED = {**settings.THRED, "RECONCILE_MINUTES": 360}
    install_reconcile_schedule()
    assert Schedule.objects.get(name=RECONCILE_SCHEDULE_NAME).minutes == 360
    settings.THRED = {**settings.THRED, "RECONCILE_MINUTES": 0}
    install_reconcile_schedule()
    assert not Schedule.objects.filter(name=RECONCILE_SCHEDULE_NAME).exists()


def test_api_shows_the_last_result_per_business(drifted, admin_user):
    command()
    api = APIClient()
    api.force_authenticate(admin_user)
    rows = api.get(reverse("thred_api:reconciliation-list")).json()
    first = rows[0]  # drift first
    assert first["business"] == drifted["business"]
    assert (first["agreed"], first["drift"], first["counts"]) == (
        False,
        2,
        {"missing": 1, "unmarked": 1},
    )
    detail = api.get(reverse("thred_api:reconciliation-detail", args=[drifted["business"]]))
    assert sorted(f["external_id"] for f in detail.json()["findings"]) == sorted(
        [drifted["credit"], drifted["client"]]
    )
    missing = api.get(reverse("thred_api:reconciliation-detail", args=["nope"]))
    assert missing.status_code == 404
    assert APIClient().get(reverse("thred_api:reconciliation-list")).status_code in (401, 403)


def test_dashboard_shows_the_last_result_per_business(drifted, admin_client):
    url = reverse("admin:thred_django_syncrecord_dashboard")
    assert "No reconciliation has run yet" in admin_client.get(url).content.decode()
    command()
    page = admin_client.get(url).content.decode()
    result = ReconcileResult.objects.get(business=drifted["business"])
    assert f'data-tenant="{result.tenant_id}" data-agreed="0"' in page
    assert "2 differences" in page and "missing: 1, unmarked: 1" in page
