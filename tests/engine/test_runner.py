"""The runner's memory of what is in Thred (threads and claims: test_scaleout.py)."""

from __future__ import annotations

import pytest

from thred_django.engine.push import Known
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_known_ids_stay_bounded_over_a_long_run():
    known = Known(seconds=60, max_entries=100)
    for i in range(1_000):
        known.add(
            SyncRecord(
                content_type_id=1,
                object_id=str(i),
                resource="customer",
                action="create",
                thred_id=f"cus_{i}",
            )
        )
        assert len(known._ids) <= 100
    assert known.thred_id((1, "999", "customer")) == "cus_999"  # the newest are kept
    assert known.thred_id((1, "0", "customer")) is None  # the oldest went first


def test_an_id_added_again_lives_on_and_expired_ones_go_as_new_ones_come(monkeypatch):
    """Entries expire in the order they were last added: one added again is kept past
    the time it was first due to go, the expired ones are dropped by the next add."""
    from thred_django.engine import known as known_module

    clock = [100.0]
    monkeypatch.setattr(known_module.time, "monotonic", lambda: clock[0])
    known = Known(seconds=10, max_entries=100)

    def add(i: int) -> None:
        known.add(SyncRecord(content_type_id=1, object_id=str(i), resource="customer",
                             action="create", thred_id=f"cus_{i}"))  # fmt: skip

    add(1)
    add(2)
    clock[0] = 105.0
    add(1)  # again: now due to go at 115
    clock[0] = 112.0
    add(3)  # 2 expired at 110 and is dropped; 1 is not
    assert list(known._ids) == [(1, "1", "customer"), (1, "3", "customer")]
    assert known.thred_id((1, "1", "customer")) == "cus_1"
    assert known.thred_id((1, "2", "customer")) is None
