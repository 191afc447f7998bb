"""engine.bound: the claim's lease UPDATE captured from the ORM once, then bound with
each claim's values, writes what the ORM form writes (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.testapp import models as m
from thred_django.engine import bound, claim
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def _rows(ids: list[int]) -> list[dict]:
    return list(SyncRecord.objects.filter(id__in=ids).order_by("id").values())


def test_the_bound_lease_writes_what_the_orm_lease_writes(thred, shop):
    """Every take-over case in one claim: a pending row; rows whose holder left its
    lease token behind without a Thred id (the sent marker), with one (answer_lost,
    force), with a create's data kept; a row not due and one under a live lease (both
    left alone). Same rows, same values, with the ORM's UPDATE and with the bound one."""
    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(6)]
    ids = [SyncRecord.objects.get(resource="customer", object_id=str(c.pk)).id for c in clients]
    now = timezone.now()
    lapsed, live = now - timedelta(seconds=5), now + timedelta(seconds=500)
    left = {"state": "in_flight", "lease_token": uuid.uuid4(), "lease_until": lapsed}
    SyncRecord.objects.filter(id=ids[1]).update(**left, thred_id="", sent_hash="")
    SyncRecord.objects.filter(id=ids[2]).update(**left, thred_id="t-2", force=False)
    SyncRecord.objects.filter(id=ids[3]).update(**left, thred_id="", sent_hash="abc")
    SyncRecord.objects.filter(id=ids[4]).update(next_attempt_at=now + timedelta(hours=1))
    SyncRecord.objects.filter(id=ids[5]).update(**{**left, "lease_until": live})
    token = uuid.uuid4()

    with transaction.atomic():
        claim._lease_rows(ids, token, now)
        orm = _rows(ids)
        transaction.set_rollback(True)
    using = connection.alias
    template = claim._capture_lease(using, len(ids))
    assert template is not None  # the ORM's statement lines up with the sentinels
    assert _rows(ids) != orm  # the capture wrote nothing (its sentinels match no row)
    values = {"now": now, "expiry": claim.lease_expiry(now), "token": token, "ids": ids}
    with connection.cursor() as cursor:
        cursor.execute(template.sql, template.bind(values, claim._prepare(using)))
    assert _rows(ids) == orm
    by_id = {row["id"]: row for row in orm}
    assert [by_id[i]["lease_token"] for i in ids] == [token] * 4 + [None, left["lease_token"]]
    assert by_id[ids[1]]["sent_hash"].startswith(claim.SENT_PREFIX)
    assert by_id[ids[2]]["force"] is True and by_id[ids[3]]["sent_hash"] == "abc"


def test_a_claim_binds_the_captured_lease_from_its_second_claim_of_a_size(thred, monkeypatch):
    """The first claim of a size runs the ORM form (and the capture); the next one of
    that size sends the captured text with its own values, and leases its rows."""
    shops = [m.Shop.objects.create(name=f"S{i}") for i in range(2)]
    for s in shops:
        m.Client.objects.create(shop=s, name="c")
    monkeypatch.setattr(claim, "_LEASES", bound.Templates())
    first = claim.claim_business(2)
    sent: list[str] = []

    def keep(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        second = claim.claim_business(2)
    assert len(first.records) == len(second.records) == 2
    assert {r.tenant_id for r in first.records} != {r.tenant_id for r in second.records}
    assert all(r.state == "in_flight" and r.lease_token == second.token for r in second.records)
    template = claim._LEASES.get((connection.alias, 2), lambda: None)[1]
    assert template is not None
    assert sent.count(template.sql) == 1


def test_a_capture_whose_sentinels_do_not_line_up_is_refused(thred):
    """A sentinel that never reaches the parameters (here: one the statement does not
    use) leaves nothing to bind: None, and the caller runs the ORM form."""

    def run() -> None:
        SyncRecord.objects.filter(id=7 * 10**15).update(attempts=0)

    prepare = {"ids": lambda v: v, "token": lambda v: v}
    sentinels = {"ids": [7 * 10**15], "token": uuid.uuid4()}
    assert bound.Template.capture(connection.alias, run, sentinels, prepare) is None
    ok = bound.Template.capture(connection.alias, run, {"ids": [7 * 10**15]}, prepare)
    assert ok is not None and ok.bind({"ids": [5]}, prepare).count(5) == 1


def test_a_claim_of_one_business_runs_its_checks_from_their_captured_statements(thred, monkeypatch):
    """Whether another claim holds the business, and which of its records are due: the
    first claim captures both statements, later ones send the captured texts with their
    own values, and they answer as the ORM does: a business held under another token is
    passed over, ours is not, and the due ids come parents first."""
    shops = [m.Shop.objects.create(name=f"S{i}") for i in range(2)]
    for s in shops:
        for i in range(3):
            m.Client.objects.create(shop=s, name=f"c{i}")
    monkeypatch.setattr(claim, "_HELD", bound.Templates())
    monkeypatch.setattr(claim, "_DUE", bound.Templates())
    a, b = (str(s.pk) for s in shops)
    first = claim.claim_business(2, tenant_id=a)  # the ORM's forms, and the captures
    assert [r.resource for r in first.records] == ["business", "customer"]
    claim.claim_business(2, tenant_id=b, token=first.token)  # the other held form
    sent: list[str] = []

    def keep(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        again = claim.claim_business(2, tenant_id=a)  # held: under first's token
        mine = claim.claim_business(2, tenant_id=a, token=first.token)
    assert again.records == []
    assert [r.resource for r in mine.records] == ["customer", "customer"]
    assert all(r.lease_token == first.token for r in mine.records)
    held = [claim._HELD.get((connection.alias, k), lambda: None)[1] for k in (False, True)]
    due = claim._DUE.get((connection.alias, 2, False), lambda: None)[1]
    assert None not in held and due is not None
    assert [s for s in sent if s in (held[0].sql, held[1].sql, due.sql)] == [
        held[0].sql,  # again: held by another claim, nothing more asked
        held[1].sql,  # mine: held only by us
        due.sql,
    ]
