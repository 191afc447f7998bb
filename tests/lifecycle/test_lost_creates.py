"""Creates whose answers are lost more than once while the host edits the object: Thred
holds what the first create that landed carried, and the record must say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.steps import record_of
from tests.lifecycle.world import World, drain
from tests.realhost import models as h
from thred_django.conf import thred_settings
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

    assert thred.inner.handle_request(late_create).status_code == 201  # it lands now
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
