"""End to end in a real browser: a superuser retries a failed record from the admin.

A sale fails for real (the sandbox answers 500 through an injected fault, and with
MAX_ATTEMPTS=1 the engine gives up), the fault is cleared, the superuser logs in,
finds the failed record, presses Retry on its change page (the request only queues the
push), "the queue runs" (``push_due()`` in the test process), and the reloaded page
shows it synced. Screenshots of the change list, the change view and the dashboard go
to ``test-artifacts/`` at the repository root.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright's Python package;
skipped when either is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from tests.admin.world import build_world, record_of
from thred_django.engine.runner import push_due
from thred_django.models import SyncAttempt
from thred_django.resources import State

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
        reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    ),
]


@pytest.fixture
def failed_sale(settings, monkeypatch):
    """A sale whose push really failed against the sandbox (a 500), fault then cleared."""
    from thred_django.sandbox import faults

    settings.THRED = {
        **settings.THRED,
        "SYNC_MODE": "queue",
        "MAX_ATTEMPTS": 1,
        "CONCURRENCY": 1,
    }
    pushes: list[str] = []
    monkeypatch.setattr("thred_django.engine.dispatch.enqueue_push", lambda: pushes.append("push"))
    world = build_world("Corner Coffee", sales=2)
    push_due()  # the business, its customer and two sales reach the sandbox
    faults.set_faults(error_500_rate=1.0)
    try:
        sale = world.add_sale(number="S-FAIL")
        push_due()
    finally:
        faults.reset_faults()
    record = record_of(sale)
    assert record.state == State.FAILED, (record.state, record.last_error_message)
    assert record.last_error_code == "server_error"
    pushes.clear()
    return record, pushes


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are still synchronous and safe. They run in another
    # context, hence on another database connection: close it before Playwright stops,
    # or PostgreSQL cannot drop the test database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            yield page
        finally:
            browser.close()
            connections.close_all()


def test_superuser_retries_a_failed_record(
    live_server, django_user_model, failed_sale, browser_page
):
    record, pushes = failed_sale
    page = browser_page
    django_user_model.objects.create_superuser("root", "root@example.com", "correct horse")
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url

    # Log in.
    page.goto(f"{base}/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "correct horse")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    # Find the failed record in the outbox.
    page.goto(f"{base}{reverse('admin:thred_django_syncrecord_changelist')}")
    page.click("#changelist-filter a:text-is('Failed')")
    page.wait_for_selector(".thred-badge-failed")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "server_error" in rows.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "admin-changelist.png"), full_page=True)

    # Open it: the error and the dry run are there.
    rows.first.locator("th a").click()
    page.wait_for_selector("#thred-last-error")
    assert "server_error" in page.inner_text("#thred-last-error")
    assert page.inner_text("#thred-preview-operation") == "create"
    assert "S-FAIL" in page.inner_text("#thred-preview-payload")
    page.screenshot(path=str(ARTIFACTS / "admin-change-view.png"), full_page=True)
    attempts_before = SyncAttempt.objects.count()

    # Press Retry: the request queues the push and sends nothing.
    page.click("#thred-retry")
    page.wait_for_selector(".messagelist")
    assert "queued for a retry" in page.inner_text(".messagelist")
    record.refresh_from_db()
    assert record.state == State.PENDING
    assert pushes == ["push"]
    assert SyncAttempt.objects.count() == attempts_before

    # The queue runs; the reloaded page shows the record synced.
    push_due()
    page.reload()
    page.wait_for_selector(".thred-badge-synced")
    record.refresh_from_db()
    assert record.state == State.SYNCED and record.thred_id
    assert record.thred_id in page.content()
    assert "Nothing acknowledged yet" not in page.inner_text("#thred-acked")
    page.screenshot(path=str(ARTIFACTS / "admin-change-view-synced.png"), full_page=True)

    # The dashboard counts it.
    page.goto(f"{base}{reverse('admin:thred_django_syncrecord_dashboard')}")
    page.wait_for_selector("#thred-chart svg")
    assert page.inner_text("#thred-synced-24h") == str(
        SyncAttempt.objects.filter(outcome="success").count()
    )
    assert int(page.inner_text("#thred-failed-24h")) >= 1
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)


def test_superuser_retries_from_the_host_admin_then_confirms_a_resync(
    live_server, django_user_model, failed_sale, browser_page
):
    """The host's own sale page (ThredSyncAdminMixin): the same buttons and messages as
    the outbox; the Resync URL opened directly asks for a confirmation first."""
    record, pushes = failed_sale
    page = browser_page
    django_user_model.objects.create_superuser("root", "root@example.com", "correct horse")
    base = live_server.url
    page.goto(f"{base}/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "correct horse")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    sale = record.host_object
    change = reverse("admin:testapp_sale_change", args=[sale.pk])
    page.goto(f"{base}{change}")
    page.wait_for_selector("#thred-status")
    assert "server_error" in page.inner_text("#thred-status")
    assert page.locator("input[name=_save]").count() == 1  # the host's form is there
    page.click("#thred-retry")
    page.wait_for_selector(".messagelist")
    assert "queued for a retry" in page.inner_text(".messagelist")
    record.refresh_from_db()
    assert record.state == State.PENDING and pushes

    resync = reverse("admin:testapp_sale_thred_resync", args=[sale.pk])
    page.goto(f"{base}{resync}")
    page.wait_for_selector("#thred-confirm-push")
    record.refresh_from_db()
    assert not record.force  # a GET changes nothing
    page.click("#thred-confirm-push input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert "queued for a resync" in page.inner_text(".messagelist")
    assert page.url == f"{base}{change}"
    record.refresh_from_db()
    assert record.force

    push_due()
    page.reload()
    page.wait_for_selector("#thred-status .thred-badge-synced")
    record.refresh_from_db()
    assert record.state == State.SYNCED
