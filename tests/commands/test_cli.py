"""thred_status lists records with reasons, thred_retry retries by filter, thred_sync
counts what its run did, and progress is one bar on a TTY and quiet lines otherwise."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.engine.conftest import ar_chain
from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.engine.runner import push_due
from thred_django.management.progress import LineProgress, TqdmProgress, progress
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def failing_world(shop):
    """Two failures with different codes, one synced chain, one blocked child."""
    good = m.Client.objects.create(shop=shop, name="Good")
    m.Sale.objects.create(shop=shop, client=good, number="OK-1")
    bad_sale = m.Sale.objects.create(shop=shop, client=good, number="NEG", amount_cents=-100)
    receipt = m.Receipt.objects.create(shop=shop, sale=bad_sale, amount_cents=100)
    bad_client = m.Client.objects.create(shop=shop, name="", email="not-an-email")
    push_due()
    return bad_sale, receipt, bad_client


def test_status_failed_lists_each_record_with_its_reason(thred, shop):
    bad_sale, _receipt, bad_client = failing_world(shop)
    code, out = run("thred_status", "--failed")
    assert code == 0
    sale = record_of(bad_sale)
    assert f"invoice {sale.external_id} (testapp.sale:{bad_sale.pk}" in out
    assert "failed [invalid_payload]" in out
    assert sale.last_error_message in out
    assert f"customer {record_of(bad_client).external_id}" in out
    assert "payment" not in out.split("record(s).")[0].split("\n")[0]  # blocked is not failed
    assert out.strip().endswith("2 record(s).")


def test_status_filters_combine_and_json_has_the_reasons(thred, shop):
    bad_sale, receipt, _ = failing_world(shop)
    _, out = run("thred_status", "--state", "blocked", "--json")
    data = json.loads(out)
    assert data["count"] == 1
    (row,) = data["records"]
    assert row["external_id"] == record_of(receipt).external_id
    assert row["state"] == "blocked" and row["code"] == "blocked"
    assert record_of(bad_sale).external_id in row["reason"]
    _, out = run("thred_status", "--failed", "--resource", "customer", "--json")
    assert [r["resource"] for r in json.loads(out)["records"]] == ["customer"]
    _, out = run("thred_status", "--code", "invalid_payload", "--resource", "invoice", "--json")
    assert [r["object"] for r in json.loads(out)["records"]] == [f"testapp.sale:{bad_sale.pk}"]
    _, out = run("thred_status", "--failed", "--limit", "1")
    assert out.strip().endswith("1 of 2 record(s).")


def test_status_unknown_state_is_a_clear_error(thred):
    with pytest.raises(CommandError, match="Unknown state 'broken'; use one of: pending"):
        run("thred_status", "--state", "broken")


def test_status_counts_can_be_scoped(thred, shop):
    other = m.Shop.objects.create(name="Other")
    m.Client.objects.create(shop=other, name="B")
    ar_chain(shop)
    _, out = run("thred_status", "--json", "--business", record_of(other).external_id)
    data = json.loads(out)
    assert data["resources"] == {"business": {"pending": 1}, "customer": {"pending": 1}}


def test_retry_defaults_to_failed_and_blocked_and_filters_by_code(thred, shop):
    bad_sale, receipt, bad_client = failing_world(shop)
    _, out = run("thred_retry", "--dry-run")
    assert out.strip() == "3 record(s) would be retried."
    assert record_of(bad_sale).state == "failed"  # a dry run changes nothing
    _, out = run("thred_retry", "--code", "invalid_payload", "--resource", "customer")
    assert out.strip() == "Queued 1 record(s) for retry."
    assert record_of(bad_client).state == "pending"
    assert record_of(bad_sale).state == "failed"
    assert record_of(receipt).state == "blocked"


def test_retry_by_business_and_the_fixed_row_syncs(thred, shop):
    other = m.Shop.objects.create(name="Other")
    bad_other = m.Client.objects.create(shop=other, name="", email="bad")
    bad_sale, receipt, bad_client = failing_world(shop)
    assert record_of(bad_other).state == "failed"
    _, out = run("thred_retry", "--business", record_of(other).external_id)
    assert out.strip() == "Queued 1 record(s) for retry."
    assert record_of(bad_other).state == "pending"
    assert record_of(bad_client).state == "failed"
    # Fix the host row quietly (no signal), retry by state: it reaches Thred.
    m.Sale.objects.filter(pk=bad_sale.pk).update(amount_cents=100)
    run("thred_retry", "--state", "failed", "--resource", "invoice")
    push_due()
    assert record_of(bad_sale).state == "synced"
    assert record_of(receipt).state == "synced"  # its block lifted once the parent synced


def test_sync_counts_each_record_of_the_run_once(thred, shop):
    chain = ar_chain(shop)
    code, out = run("thred_sync")
    assert code == 0, out
    total = SyncRecord.objects.count()
    assert total == 7
    assert out.startswith(f"{total} record(s) pushed or settled since the run started: 7 synced")
    assert "Not settled in the outbox: none." in out
    # A second run with nothing due pushes nothing.
    _, out = run("thred_sync")
    assert out.startswith("0 record(s) pushed or settled since the run started: none")
    # One edit: the invoice, and the records whose payloads read it (its payment and
    # refund), rebuilt; only the invoice changed, so only it is sent.
    chain["sale"].number = "INV-1b"
    chain["sale"].save()
    since = len(thred.requests)
    _, out = run("thred_sync")
    assert out.startswith("3 record(s) pushed or settled since the run started: 3 synced")
    sent = [r for r in thred.requests[since:] if r.method != "GET" and "oauth2" not in r.url.path]
    assert [r.method for r in sent] == ["PUT"]


def test_sync_reports_failures_of_the_run_and_what_is_unsettled(thred, shop):
    failing_world(shop)
    m.Client.objects.create(shop=shop, name="Late")
    code, out = run("thred_sync")
    assert code == 1
    assert out.startswith("1 record(s) pushed or settled since the run started: 1 synced")
    assert "Not settled in the outbox: 1 blocked, 2 failed." in out


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_a_tqdm_bar_on_a_tty_and_quiet_lines_elsewhere():
    stream = Tty()
    bar = progress(10, "thred_sync", stream)
    assert isinstance(bar, TqdmProgress)
    bar.advance(4)
    bar.advance(9)  # more than announced: the total grows, no error
    bar.close()
    assert "thred_sync" in stream.getvalue() and "13/13" in stream.getvalue()

    plain = io.StringIO()
    lines = progress(10, "thred_sync", plain)
    assert isinstance(lines, LineProgress)
    for _ in range(10):
        lines.advance()
    lines.close()
    assert plain.getvalue() == "thred_sync: 10/10\n"  # one line at the end, no \r


def test_line_progress_writes_at_most_one_line_per_interval():
    now = [0.0]
    plain = io.StringIO()
    lines = LineProgress(None, "backfill", plain, interval=10, clock=lambda: now[0])
    lines.advance(5)
    now[0] = 11
    lines.advance(5)
    lines.advance(5)
    now[0] = 22
    lines.advance(1)
    lines.close()
    assert plain.getvalue().splitlines() == ["backfill: 10", "backfill: 16"]
