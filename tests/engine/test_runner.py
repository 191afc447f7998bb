"""How push_due spreads a run over its threads."""

from __future__ import annotations

import pytest

from tests.testapp import models as m
from thred_django.engine import runner
from thred_django.engine.push import Known
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_round_gives_every_thread_a_business(thred, settings, monkeypatch):
    """Claims go by rank and one business can fill a whole claim: the runner claims
    again for the other businesses so that no thread sits idle, and each business's
    records still arrive in one claim, in order."""
    settings.THRED = {**settings.THRED, "BATCH_SIZE": 5, "CONCURRENCY": 3}
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)  # we push below
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(3)]
    runner.push_due()  # the businesses first: from now on one business fills a claim
    for shop in shops:
        for i in range(6):
            m.Client.objects.create(shop=shop, name=f"{shop.name} client {i}")
    rounds: list[list[SyncRecord]] = []
    push_batch = runner._push_batch

    def spy(batch, *args, **kwargs):
        rounds.append(list(batch.records))
        return push_batch(batch, *args, **kwargs)

    monkeypatch.setattr(runner, "_push_batch", spy)

    runner.push_due()

    first = rounds[0]
    assert len({r.tenant_id for r in first}) == 3
    for tenant in {r.tenant_id for r in first}:
        ranks = [(r.rank, r.id) for r in first if r.tenant_id == tenant]
        assert ranks == sorted(ranks)
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    names = [r.content.decode() for r in thred.calls("POST", "/customers/")]
    for shop in shops:
        sent = [n for n in names if f"{shop.name} client" in n]
        assert len(sent) == 6


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


def test_a_thread_drains_its_business_instead_of_waiting_for_the_next_round(
    thred, settings, monkeypatch
):
    settings.THRED = {**settings.THRED, "BATCH_SIZE": 5, "CONCURRENCY": 3}
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)  # we push below
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(3)]
    runner.push_due()
    big = [m.Client.objects.create(shop=shops[0], name=f"Big client {i}") for i in range(12)]
    for shop in shops[1:]:
        m.Client.objects.create(shop=shop, name=f"{shop.name} client")

    progress: list[int] = []
    stats = runner.push_due(on_progress=progress.append)

    assert stats.rounds == 1  # one claim by the runner; the big business drained itself
    assert stats.claimed == sum(progress) == 14
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    sent = [r.content.decode() for r in thred.calls("POST", "/customers/")]
    order = [next(i for i, body in enumerate(sent) if f'"{c.name}"' in body) for c in big]
    assert order == sorted(order)  # the business's records went in order
