"""The sandbox's per-request plumbing reads and writes what the ORM would.

Every API request reads the fault settings (``faults.current_faults``: one statement
for the shared and the partner's row), loads its business (``views.base.owned_business``)
and writes a request-log row (``requestlog.record``), each through a statement built
once. These compare them with their ORM forms, on whichever database the suite runs.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from thred_django.sandbox import faults, requestlog
from thred_django.sandbox.models import Business, FaultConfig, PartnerFaultConfig, RequestLog
from thred_django.sandbox.views.base import owned_business

PARTNER = "0b7c1a2e-8b7d-4c11-9a55-0e6f2b1d7c44"
OTHER = "99999999-8b7d-4c11-9a55-0e6f2b1d7c44"


def orm_faults(partner_id: str | None) -> faults.FaultSettings:
    """What ``current_faults`` returned with two ORM reads (its former body)."""
    row = FaultConfig.objects.filter(pk=1).values(*faults._FIELD_NAMES).first()
    shared = faults.default_faults() if row is None else faults.FaultSettings(**row)
    own = (
        PartnerFaultConfig.objects.filter(pk=partner_id).values("changes", "version").first()
        if partner_id
        else None
    )
    if own is None:
        return shared
    merged = {**shared.as_dict(), **faults._checked(dict(own["changes"]))}
    merged["version"] = shared.version * 100_003 + own["version"]
    return faults.FaultSettings(**merged)


@pytest.mark.django_db
@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("partner", [False, True])
def test_fault_settings_read_in_one_statement(shared, partner, django_assert_num_queries):
    if shared:
        faults.set_faults(error_500_rate=0.25, slow_seconds=2.5, seed=7, latency=0.1)
        faults.set_faults(retry_after_seconds=4)
    if partner:
        faults.set_partner_faults(PARTNER, rate_limit_rate=0.5, latency=0.3)
        faults.set_partner_faults(PARTNER, seed=None)
        faults.set_partner_faults(OTHER, error_500_rate=1.0)
    for partner_id in (PARTNER, OTHER, "", None, "unknown"):
        with django_assert_num_queries(1):
            current = faults.current_faults(partner_id)
        assert current == orm_faults(partner_id)
    if partner:
        mine = faults.current_faults(PARTNER)
        assert (mine.rate_limit_rate, mine.latency, mine.seed) == (0.5, 0.3, None)
        assert mine.version == (2 if shared else 0) * 100_003 + 2
    if shared:
        assert faults.current_faults(None).error_500_rate == 0.25
        assert faults.current_faults(None).retry_after_seconds == 4


def _business(partner_id: str, external_id: str) -> Business:
    return Business.objects.create(
        partner_id=partner_id,
        external_id=external_id,
        legal_name="Acme",
        entity_type="limited",
        email="a@b.example",
        country="GB",
        base_currency="GBP",
        data={"nested": {"k": [1, "two"]}},
    )


def _fields(obj: Business) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in Business._meta.concrete_fields}


@pytest.mark.django_db
def test_owned_business_is_the_orm_object():
    mine = _business(PARTNER, "b1")
    theirs = _business(OTHER, "b2")
    loaded = owned_business(str(mine.id), PARTNER)
    assert loaded is not None
    assert _fields(loaded) == _fields(Business.objects.get(pk=mine.id))
    assert isinstance(loaded.id, uuid.UUID) and loaded.data == {"nested": {"k": [1, "two"]}}
    assert owned_business(str(theirs.id), PARTNER) is None  # another partner's business
    assert owned_business(str(uuid.uuid4()), PARTNER) is None


@pytest.mark.django_db
@pytest.mark.parametrize("shared", [False, True])
def test_faults_and_business_read_together(shared, django_assert_num_queries):
    """``plan_and_business``: the plan ``plan_request`` makes and the business
    ``owned_business`` loads, in one statement on PostgreSQL (two elsewhere)."""
    mine = _business(PARTNER, "b1")
    theirs = _business(OTHER, "b2")
    if shared:
        faults.set_faults(latency=0.25)
        faults.set_partner_faults(PARTNER, latency=0.5)
    statements = 1 if connection.vendor == "postgresql" else 2
    for business_id, owned in ((mine.id, True), (theirs.id, False), (uuid.uuid4(), False)):
        with django_assert_num_queries(statements):
            plan, business = faults.plan_and_business(PARTNER, str(business_id))
        assert plan == faults.plan_request(PARTNER)
        assert plan.latency == (0.5 if shared else 0.0)
        if owned:
            assert business is not None
            assert _fields(business) == _fields(Business.objects.get(pk=mine.id))
            assert business.data == {"nested": {"k": [1, "two"]}}
        else:
            assert business is None  # another partner's, or none


def test_a_business_request_reads_its_business_with_the_faults(sandbox, biz, partner_token):
    """The business of the path is read once per request (with the fault settings, on
    PostgreSQL), and a business the token's partner does not own is still a 404."""
    from django.test.utils import CaptureQueriesContext

    from tests.sandbox.conftest import bearer

    table = connection.ops.quote_name(Business._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        answer = biz.get("customers/")
    assert answer.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if f"FROM {table}" in q["sql"]]
    reads += [q["sql"] for q in queries.captured_queries if f"JOIN {table}" in q["sql"]]
    assert len(reads) == 1, reads
    with_faults = connection.ops.quote_name(FaultConfig._meta.db_table) in reads[0]
    assert with_faults == (connection.vendor == "postgresql")
    theirs = _business(OTHER, "b2")
    answer = sandbox.http.get(
        f"/v1/platform/businesses/{theirs.id}/customers/", headers=bearer(partner_token)
    )
    assert answer.status_code == 404
    assert answer.json()["error_code"] == "business_not_found"


@pytest.mark.django_db
def test_request_log_row_is_the_orm_row():
    business_id = uuid.uuid4()
    entry = requestlog.LogEntry(
        resource="payment",
        action="create",
        business_id=business_id,
        partner_id=PARTNER,
        external_id="x" * 300,
        idempotency_key="key-1",
        created=True,
        fault="slow",
        error_code="",
    )
    before = timezone.now()
    requestlog.record("POST", "/thred-sandbox/v1/p/" + "y" * 600, 201, entry, 12.34567)
    row = RequestLog.objects.get()
    assert before <= row.timestamp <= timezone.now() + timedelta(seconds=1)
    expected = RequestLog(
        method="POST",
        path=("/thred-sandbox/v1/p/" + "y" * 600)[:500],
        status=201,
        business_id=business_id,
        partner_id=PARTNER,
        resource="payment",
        action="create",
        external_id="x" * 255,
        idempotency_key="key-1",
        created=True,
        error_code="",
        fault="slow",
        duration_ms=12.346,
    )
    skip = {"id", "timestamp"}
    names = [f.attname for f in RequestLog._meta.concrete_fields if f.attname not in skip]
    assert {n: getattr(row, n) for n in names} == {n: getattr(expected, n) for n in names}


@pytest.mark.django_db(transaction=True)
def test_a_failed_log_write_leaves_the_callers_transaction_usable(monkeypatch, caplog):
    monkeypatch.setattr(requestlog, "_insert_sql", lambda using: "INSERT INTO no_such_table")
    with transaction.atomic():
        requestlog.record("GET", "/x/", 200, requestlog.LogEntry(), 1.0)
        _business(PARTNER, "still-usable")  # the block goes on after the failed insert
    assert Business.objects.filter(external_id="still-usable").exists()
    assert "Could not write the Thred sandbox request log" in caplog.text
    with pytest.raises(DatabaseError):  # the insert did fail: record() swallowed it
        requestlog._insert(connection, {"method": "GET"})
