"""Calls whose answers are lost (more than once, or with the worker that made them) while
the host edits the object: Thred holds what the first call that landed carried, and the
record must say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.engine.fake_transport import WorkerKilled
from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.steps import record_of
from tests.lifecycle.world import World, drain
from tests.realhost import models as h
from thred_django.client import get_client
from thred_django.conf import thred_settings
from thred_django.engine import actions, claim
from thred_django.engine.push import Pusher
from thred_django.engine.runner import push_due
from thred_django.models import BusinessHealth, SyncRecord

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_a_rename_between_two_lost_creates_is_drifted_not_synced(
    world: World, thred, settings
) -> None:
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 600.0, "BACKOFF_MAX": 600.0}
    # Both creates reach Thred, neither answer does (commit then 500).
    thred.answer("POST", "/customers/", 500, times=2, after_sandbox=True)
    contact = h.Contact.objects.create(company=world.company, name="First Name Ltd")
    push_due()
    contact.name = "Second Name Ltd"
    contact.save()
    push_due()  # the repeat create answers with what Thred holds: lost again
    assert not thred.rules, "both creates met their commit-then-500"
    drain()  # a third create: Thred still holds the first name
    record = record_of(contact)
    assert record.state == "drifted", (record.state, record.last_error_code)
    assert "company_name" in record.last_error_details["fields"]
    assert not unexplained(compare())


@pytest.fixture
def no_retry_soon(settings) -> None:
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 600.0, "BACKOFF_MAX": 600.0}


def _credit_create_unanswered(world: World, thred, status: int = 504) -> h.VendorCredit:
    """A new vendor credit whose create Thred answers with ``status`` without keeping it."""
    thred.answer("POST", "/vendor-credits/", status)
    credit = h.VendorCredit.objects.create(
        company=world.company, supplier=world.supplier, amount="4.00", received_at=WHEN
    )
    push_due()
    record = record_of(credit)
    assert record.state == ("retrying" if status >= 500 else "failed"), record.last_error_message
    return credit


def _deleted_and_pushed(credit: h.VendorCredit) -> SyncRecord:
    """Delete ``credit`` in the host, push, and return its record as written."""
    record = record_of(credit)
    credit.delete()
    push_due()
    record.refresh_from_db()
    return record


def test_a_delete_after_an_unanswered_create_waits_for_it_to_land(
    world: World, thred, no_retry_soon: None
) -> None:
    """The server goes on with a create its client gave up on (a timeout, a 5xx): it may
    land after the host deleted the object. "Never reached Thred" is only said once that
    create can no longer land; until then the record waits, and then finds it."""
    credit = _credit_create_unanswered(world, thred)
    late_create = thred.calls("POST", "/vendor-credits/")[-1]
    record = _deleted_and_pushed(credit)
    assert (record.state, record.last_error_code) == ("pending", "answer_awaited")
    grace = timedelta(seconds=thred_settings.ANSWER_GRACE_SECONDS)
    assert record.next_attempt_at == record.last_attempt_at + grace
    assert record.attempts == 0, "waiting uses no attempt (the delete's mark set 0)"

    _lands_then_is_found(thred, late_create, record)


def _lands_then_is_found(thred, late_create, record: SyncRecord) -> None:
    """``late_create`` lands now; once the wait is over the record finds it in Thred."""
    assert thred.inner.handle_request(late_create).status_code == 201
    with time_machine.travel(record.next_attempt_at + timedelta(seconds=1), tick=False):
        push_due()
    record.refresh_from_db()
    assert record.thred_id, "the create that landed was found"
    assert (record.state, record.last_error_code) == ("orphaned", "delete_not_supported")
    assert not unexplained(compare())


def test_a_delete_after_an_unanswered_create_that_never_lands_is_skipped(
    world: World, thred, no_retry_soon: None
) -> None:
    record = _deleted_and_pushed(_credit_create_unanswered(world, thred))
    assert record.last_error_code == "answer_awaited"
    with time_machine.travel(record.next_attempt_at + timedelta(seconds=1), tick=False):
        push_due()
    record.refresh_from_db()
    assert (record.state, record.last_error_code, record.thred_id) == ("skipped", "deleted", "")
    assert not unexplained(compare())


def test_an_answer_to_a_later_create_does_not_end_the_wait(
    world: World, thred, no_retry_soon: None
) -> None:
    """A create times out, its retry is rate limited (429): the first may still land."""
    credit = _credit_create_unanswered(world, thred)
    record = record_of(credit)
    thred.answer("POST", "/vendor-credits/", 429, headers={"Retry-After": "60"})
    SyncRecord.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())
    push_due()
    record.refresh_from_db()
    assert record.last_error_status == 429
    BusinessHealth.objects.update(paused_until=None)  # the 429's pause is not the point
    record = _deleted_and_pushed(credit)
    assert (record.state, record.last_error_code) == ("pending", "answer_awaited")


# --- a worker killed between its call and writing the outcome --------------------------


def _sent_by_a_killed_worker(
    thred, obj: object, method: str, path: str, *, landed: bool = True
) -> SyncRecord:
    """A worker claims ``obj``'s record and dies during its call (``kill_on``): nothing
    after the call is written. Returns the record as that left it."""
    record = record_of(obj)
    thred.kill_on(method, path, landed=landed)
    lost = claim.claim_due(100)
    mine = [r for r in lost.records if r.pk == record.pk]
    with pytest.raises(WorkerKilled):
        Pusher(get_client(), lost.token).push(*mine)
    record.refresh_from_db()
    assert (record.state, record.lease_token) == ("in_flight", lost.token)
    return record


def _lease_lapsed(record: SyncRecord):
    return time_machine.travel(record.lease_until + timedelta(seconds=1), tick=False)


def test_a_create_by_a_killed_worker_then_a_rename_and_a_resync_is_drifted(
    world: World, thred
) -> None:
    """The dead worker's create landed with the old name (Thred has no vendor update).
    An admin resync frees the record; the next create is rate limited (429), then Thred
    answers with what it holds: the first name, which the record must not call synced."""
    supplier = h.Supplier.objects.create(company=world.company, name="First Supplier Ltd")
    _sent_by_a_killed_worker(thred, supplier, "POST", "/vendors/")
    supplier.name = "Renamed Supplier Ltd"
    supplier.save()
    record = record_of(supplier)
    with _lease_lapsed(record):
        assert actions.resync(SyncRecord.objects.filter(pk=record.pk)) == 1
        thred.answer("POST", "/vendors/", 429, headers={"Retry-After": "1"})
        push_due()
        record.refresh_from_db()
        assert record.last_error_status == 429, record.last_error_message
        drain()
    record.refresh_from_db()
    assert record.state == "drifted", (record.state, record.last_error_code)
    assert "company_name" in record.last_error_details["fields"]
    assert not unexplained(compare())


@pytest.mark.parametrize("read_rate_limited", [False, True])
def test_an_archive_by_a_killed_worker_then_a_restore_is_undone_in_thred(
    world: World, thred, read_rate_limited: bool
) -> None:
    """The dead worker archived the customer in Thred; the host then restored it. The
    next holder reads what Thred holds instead of trusting the last written outcome,
    also when that read is rate limited first (the record's last answer is then a 429,
    yet the archive may still have been carried out)."""
    contact = world.other_contact
    contact.archived = True
    contact.save()
    record = _sent_by_a_killed_worker(thred, contact, "POST", "/archive/")
    contact.archived = False
    contact.save()
    with _lease_lapsed(record):
        if read_rate_limited:
            path = f"/customers/{record.thred_id}/"
            thred.answer("GET", path, 429, headers={"Retry-After": "1"})
            push_due()
            record.refresh_from_db()
            assert record.last_error_status == 429, record.last_error_message
        drain()
    record.refresh_from_db()
    assert (record.state, record.inactive_in_thred) == ("synced", False)
    assert not unexplained(compare())


def test_an_edit_lost_with_a_killed_worker_then_undone_in_the_host_is_sent_again(
    world: World, thred
) -> None:
    """The dead worker's update landed; the host then went back to the data Thred last
    acknowledged: unchanged since the last written outcome, but not what Thred holds."""
    invoice = world.invoice
    first = invoice.due_on
    invoice.due_on = first + timedelta(days=30)
    invoice.save()
    record = _sent_by_a_killed_worker(thred, invoice, "PUT", "/invoices/")
    invoice.due_on = first
    invoice.save()
    with _lease_lapsed(record):
        drain()
    record.refresh_from_db()
    assert record.state == "synced", (record.state, record.last_error_code)
    assert not unexplained(compare())


def test_a_delete_after_a_killed_workers_create_waits_for_it_to_land(
    world: World, thred, no_retry_soon: None
) -> None:
    """The dead worker's create is still on its way (the server goes on with it); the
    host deletes the credit. The next holder must not say it never reached Thred."""
    credit = h.VendorCredit.objects.create(
        company=world.company, supplier=world.supplier, amount="4.00", received_at=WHEN
    )
    record = _sent_by_a_killed_worker(thred, credit, "POST", "/vendor-credits/", landed=False)
    late_create = thred.calls("POST", "/vendor-credits/")[-1]
    credit.delete()
    with _lease_lapsed(record):
        push_due()
        record.refresh_from_db()
        assert (record.state, record.last_error_code) == ("pending", "answer_awaited")
        _lands_then_is_found(thred, late_create, record)
