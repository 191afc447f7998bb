"""thred_sync, thred_backfill and thred_status behave and exit as documented."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.engine.conftest import ar_chain
from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_thred_sync_exits_0_when_everything_synced(thred, shop):
    ar_chain(shop)
    code, out = run("thred_sync", "--until-idle")
    assert code == 0, out
    assert not SyncRecord.objects.exclude(state="synced").exists()


def test_thred_sync_exits_1_when_a_record_failed(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    m.Sale.objects.create(shop=shop, client=client, number="X", amount_cents=-100)
    code, out = run("thred_sync", "--until-idle")
    assert code == 1
    assert "1 failed" in out


def test_thred_sync_scopes_by_business_and_resource(thred, shop):
    other = m.Shop.objects.create(name="Other")
    m.Client.objects.create(shop=shop, name="A")
    m.Client.objects.create(shop=other, name="B")
    code, _ = run("thred_sync", "--business", record_of(other).external_id)
    assert code == 0
    assert record_of(other).state == "synced"
    assert record_of(shop).state == "pending"
    code, _ = run("thred_sync", "--resource", "business")
    assert record_of(shop).state == "synced"
    assert SyncRecord.objects.get(resource="customer", tenant_id=str(shop.pk)).state == "pending"


def test_thred_sync_unknown_business_is_a_clear_error(thred):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No business with external_id 'nope'"):
        call_command("thred_sync", "--business", "nope", stdout=io.StringIO())


def test_thred_backfill_marks_existing_rows_and_dry_run_only_counts(thred, shop):
    m.Client.objects.bulk_create([m.Client(shop=shop, name=f"c{i}") for i in range(7)])
    code, out = run("thred_backfill", "testapp.Client", "--dry-run")
    assert code == 0
    assert "testapp.Client (customer): 7 row(s) would be marked" in out
    assert SyncRecord.objects.filter(resource="customer").count() == 0
    code, out = run("thred_backfill", "testapp.Client")
    assert code == 0
    assert SyncRecord.objects.filter(resource="customer", state="pending").count() == 7


def test_thred_backfill_rejects_unmapped_models(thred):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not mapped"):
        call_command("thred_backfill", "auth.User", stdout=io.StringIO())


def test_thred_status_json_shape_and_numbers(thred, shop):
    ar_chain(shop)
    code, _ = run("thred_sync", "--resource", "business")
    assert code == 0  # everything in scope (businesses) settled
    code, out = run("thred_status", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"resources", "businesses", "oldest_pending_seconds"}
    assert data["resources"]["business"] == {"synced": 1}
    assert data["resources"]["invoice"] == {"pending": 1}
    business = record_of(shop).external_id
    assert data["businesses"][business] == {"synced": 1, "pending": 6}
    assert data["oldest_pending_seconds"] >= 0
