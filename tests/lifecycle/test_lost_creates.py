"""Creates whose answers are lost more than once while the host edits the object: Thred
holds what the first create that landed carried, and the record must say so."""

from __future__ import annotations

import pytest

from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.steps import record_of
from tests.lifecycle.world import World, drain
from tests.realhost import models as h
from thred_django.engine.runner import push_due

pytestmark = pytest.mark.django_db


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
