"""A create answered with what Thred already held (an earlier create whose answer was
lost) is compared with the host's data, whatever the record remembers having sent:
a create lost with a SIGKILLed worker leaves no trace of the data it carried, and the
convergence run caught a renamed vendor left ``synced`` on the old name."""

from __future__ import annotations

from thred_django import lifecycle
from thred_django.engine import decide
from thred_django.resources import State


def test_a_renamed_vendor_that_thred_holds_under_its_old_name_is_drifted():
    life = lifecycle.of("vendor")
    held = {"company_name": "Supplier 1-1", "external_id": "v-1", "id": "x"}
    payload = {"company_name": "Supplier 1-1 #74", "external_id": "v-1"}
    step = decide.after_repeat(life, held, payload)
    assert step.state == State.DRIFTED
    assert step.code == lifecycle.UPDATE_NOT_SUPPORTED
    assert step.fields == {"company_name": {"host": "Supplier 1-1 #74", "thred": "Supplier 1-1"}}
    assert step.held == {"company_name": "Supplier 1-1", "external_id": "v-1"}  # as it is


def test_what_thred_holds_as_sent_is_synced():
    life = lifecycle.of("vendor")
    payload = {"company_name": "Supplier 1-1", "external_id": "v-1"}
    step = decide.after_repeat(life, {**payload, "id": "x"}, payload)
    assert (step.op, step.state, step.held) == (decide.NONE, State.SYNCED, payload)
