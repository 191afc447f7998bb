"""Two workers on PostgreSQL never send the same record."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from tests.testapp import models as m
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) are a PostgreSQL feature; SQLite uses CAS only")


def test_two_workers_never_send_one_record(thred, settings):
    settings.THRED = {**settings.THRED, "BATCH_SIZE": 5}
    shops = [m.Shop.objects.create(name=f"S{i}") for i in range(3)]
    for shop in shops:
        for i in range(10):
            m.Client.objects.create(shop=shop, name=f"C{i}")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            push_due()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    creates = Counter(
        (r.url.path, r.content) for r in thred.calls("POST") if "/oauth2/" not in r.url.path
    )
    assert max(creates.values()) == 1
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    assert len(thred.calls("POST", "/customers/")) == 30
