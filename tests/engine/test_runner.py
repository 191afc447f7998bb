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
