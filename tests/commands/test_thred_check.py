"""thred_check: builds and validates a sample of each mapped model's payloads."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.checks.conftest import swapped
from tests.testapp import models as m
from thred_django.models import SyncAttempt, SyncRecord

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("thred_check", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def quiet(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}  # rows only, no marks


def test_valid_rows_pass_and_nothing_is_written_or_sent(quiet):
    shop = m.Shop.objects.create(name="Acme")
    client = m.Client.objects.create(shop=shop, name="Jane")
    m.Sale.objects.create(shop=shop, client=client, number="1")
    m.Sale.objects.create(shop=shop, client=client, number="D", status="draft")
    code, out = run()
    assert code == 0, out
    assert "testapp.Shop (business): 1 checked, 0 skipped, 0 failing" in out
    assert "testapp.Sale (invoice): 2 checked, 1 skipped, 0 failing" in out
    assert out.strip().endswith("0 failing row(s).")
    assert not SyncRecord.objects.exists() and not SyncAttempt.objects.exists()


def test_failures_name_the_row_and_the_field(quiet):
    shop = m.Shop.objects.create(name="Acme")
    client = m.Client.objects.create(shop=shop, name="Jane")
    good = m.Sale.objects.create(shop=shop, client=client, number="1")
    bad = m.Sale.objects.create(shop=shop, client=client, number="2", amount_cents=-5)
    bad_client = m.Client.objects.create(shop=shop, name="", email="x")
    code, out = run()
    assert code == 1
    assert "testapp.Sale (invoice): 2 checked, 0 skipped, 1 failing" in out
    assert f"    pk={bad.pk}: line_items[0].unit_price:" in out
    assert f"pk={good.pk}:" not in out
    assert f"    pk={bad_client.pk}: company_name:" in out
    assert out.strip().endswith("2 failing row(s).")


def test_a_mapping_that_raises_and_a_broken_path_are_failures(quiet):
    shop = m.Shop.objects.create(name="Acme")
    client = m.Client.objects.create(shop=shop, name="Jane")
    sale = m.Sale.objects.create(shop=shop, client=client, number="1")

    def build_payload(self, obj, ctx):
        raise KeyError("vat_rate")

    with swapped(m.Sale, build_payload=build_payload):
        code, out = run("testapp.Sale")
    assert code == 1
    assert f"pk={sale.pk}: mapping: KeyError: 'vat_rate'" in out
    assert "testapp.Client" not in out  # only the model asked for
    with swapped(m.Client, business="merchnt"):
        code, out = run("testapp.Client")
    assert code == 1
    assert f"pk={client.pk}: business: FieldDoesNotExist" in out


def test_a_row_without_its_business_is_a_failure(quiet):
    shop = m.Shop.objects.create(name="Acme")
    orphan = m.Client.objects.create(shop=None, name="Nobody's")
    m.Client.objects.create(shop=shop, name="Jane")
    code, out = run("testapp.Client")
    assert code == 1
    assert f"pk={orphan.pk}: business: the row has no business (shop is empty)" in out
    assert "1 failing row(s)." in out


def test_sample_limits_the_rows(quiet):
    shop = m.Shop.objects.create(name="Acme")
    m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(5)])
    _, out = run("testapp.Client", "--sample", "2")
    assert "testapp.Client (customer): 2 checked" in out


def test_unknown_and_unmapped_models_are_clear_errors(quiet):
    with pytest.raises(CommandError, match="Unknown model 'nope'"):
        run("nope")
    with pytest.raises(CommandError, match=r"auth\.User: not mapped"):
        run("auth.User")
