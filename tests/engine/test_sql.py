"""engine.sql writes and reads what the ORM forms would (run on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from tests.testapp import models as m
from thred_django.engine import marking, remark, sql, upsert
from thred_django.models import SyncDependency, SyncRecord

pytestmark = pytest.mark.django_db

SAME = ["state", "action", "rank", "attempts", "tenant_id", "thred_id", "force", "payload_hash",
        "acked_payload", "lease_token", "inactive_in_thred", "last_error_code",
        "last_error_details", "next_attempt_at", "resource"]  # fmt: skip


def test_a_mark_sets_every_column_whose_default_varies_per_row():
    """engine.sql prepares the other columns' defaults once: none of them may be a
    callable or auto_now, or every mark would share one value."""
    per_row = {
        f.attname
        for f in SyncRecord._meta.concrete_fields
        if not f.primary_key
        and (
            (f.has_default() and callable(f.default))
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        )
    }
    shop = m.Shop(pk=1, name="S")
    values = marking.mark_values(marking.registry.for_model(m.Shop), shop, "upsert", None)
    assert per_row <= set(values)


def rows(*pks):
    return [
        SyncRecord.objects.values(*SAME).get(object_id=str(pk), resource="customer") for pk in pks
    ]


def test_the_upsert_writes_what_bulk_create_writes(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}  # no marks by signals
    shop = m.Shop.objects.create(name="Acme")
    a, b = (
        m.Client.objects.create(shop=shop, name="A"),
        m.Client.objects.create(shop=shop, name="B"),
    )
    mapping = marking.registry.for_model(m.Client)
    now = timezone.now()
    for action in ("upsert", "delete"):  # insert, then re-mark
        marks = [marking.mark_values(mapping, obj, action, now) for obj in (a, b)]
        sql.upsert([marks[0]], "default", upsert.UNIQUE_FIELDS, upsert.remark_fields(marks[0]))
        upsert.upsert_orm([marks[1]], "default")
        ours, orms = rows(a.pk, b.pk)
        assert ours == orms and ours["action"] == action
        SyncRecord.objects.update(state="synced", thred_id="t", attempts=2, acked_payload={"x": 1})
    ours, orms = rows(a.pk, b.pk)
    assert ours == orms and ours["thred_id"] == "t"


def test_many_marks_go_in_batches_under_the_parameter_limit(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    shop = m.Shop.objects.create(name="Acme")
    clients = m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(120)])
    mapping = marking.registry.for_model(m.Client)
    marks = [marking.mark_values(mapping, c, "upsert", timezone.now()) for c in clients]
    upsert.upsert(marks, "default")
    upsert.upsert(marks, "default")  # every row again: re-marked, none added
    assert SyncRecord.objects.filter(resource="customer").count() == 120


def claimed(thred):
    shop = m.Shop.objects.create(name="Acme")
    m.Client.objects.create(shop=shop, name="A")
    m.Client.objects.create(shop=shop, name="B")
    return SyncRecord.objects.filter(resource="customer").order_by("id")


def test_the_dependents_lookup_finds_what_the_orm_finds(thred):
    a, b = claimed(thred)
    ct = a.content_type_id
    SyncDependency.objects.create(child=a, parent_type_id=ct, parent_id="7")
    SyncDependency.objects.create(child=b, parent_type_id=ct, parent_id="8")
    for ids in (["7"], ["7", "8"], ["9"]):
        orm = SyncDependency.objects.filter(parent_type_id=ct, parent_id__in=ids)
        assert sorted(sql.dependents("default", ct, ids)) == sorted(
            orm.values_list("child_id", flat=True)
        )
    assert remark._dependents("default", ct, ["8"]) == [b.id]


def test_a_batch_upsert_writes_what_bulk_create_writes(settings):
    """Many rows at once (PostgreSQL: the UNNEST form) against bulk_create's rows."""
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    shop = m.Shop.objects.create(name="Acme")
    clients = m.Client.objects.bulk_create([m.Client(shop=shop, name=f"C{i}") for i in range(6)])
    mapping = marking.registry.for_model(m.Client)
    now = timezone.now()
    marks = [marking.mark_values(mapping, c, "upsert", now) for c in clients]
    sql.upsert(marks[:3], "default", upsert.UNIQUE_FIELDS, upsert.remark_fields(marks[0]))
    upsert.upsert_orm(marks[3:], "default")
    written = rows(*(c.pk for c in clients))
    assert all(row == written[0] for row in written), written


def _customers(settings, n: int) -> tuple[list[SyncRecord], datetime]:
    """``n`` customers of one shop marked in the outbox (by the ORM's upsert, no
    signals): their records, in order, and the time of the marks."""
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    shop = m.Shop.objects.create(name="Acme")
    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(n)]
    mapping = marking.registry.for_model(m.Client)
    now = timezone.now()
    upsert.upsert_orm([marking.mark_values(mapping, c, "upsert", now) for c in clients], "default")
    return list(SyncRecord.objects.filter(resource="customer").order_by("object_id")), now


OUTCOME = ["state", "thred_id", "attempts", "force", "payload_hash", "acked_payload",
           "lease_token", "lease_until", "blocked_by", "last_error_status", "last_error_code",
           "last_error_details", "synced_at", "inactive_in_thred", "sent_hash",
           "last_error_message", "retrying_since", "claimed_revision"]  # fmt: skip


def test_a_batch_of_outcomes_writes_what_the_orm_form_writes(settings):
    """sql.update_leased against writer.update_rows (the CASE form), row by row: the same
    values of every type (JSON, NULL, dates, booleans), and the fence: a row leased under
    another token is left as it was."""
    import uuid

    from thred_django.engine import writer

    records, now = _customers(settings, 6)
    token, other = uuid.uuid4(), uuid.uuid4()
    SyncRecord.objects.filter(id__in=[r.id for r in records[:5]]).update(
        state="in_flight", lease_token=token, lease_until=now
    )
    SyncRecord.objects.filter(id=records[5].id).update(state="in_flight", lease_token=other)

    def outcome(i: int) -> dict:
        values = {
            "state": "synced",
            "thred_id": f"t-{i}",
            "attempts": 0,
            "force": False,
            "acked_payload": {
                "name": f'C{i} "quoted" \\ back\\slash, {{braces}}, comma; é ✓ 😀',
                "lines": [{"q": 1.5, "n": 10**15, "b": True}, "NULL", ""],
                "none": None,
            },
            "payload_hash": f"{i:064d}",
            "lease_token": None,
            "lease_until": None,
            "blocked_by": None,
            "last_error_status": None,
            "last_error_details": None,
            "synced_at": now,
            "sent_hash": f"sent@{uuid.UUID(int=i)}",
            "claimed_revision": uuid.UUID(int=i + 1),
        }
        if i % 2:  # another group: other columns, some values shared, some not
            values.update(state="drifted", last_error_code="update_partial", inactive_in_thred=True)
            values["last_error_details"] = {"fields": {"name": {"host": "a", "thred": "b"}}}
            values["last_error_message"] = f'Line {i}\n"a"\t\\ NULL {{x}} é'
            values["retrying_since"] = now.replace(microsecond=123456)
            values["last_error_status"] = 409
        if i == 3:  # JSON that is not an object, and a JSON null next to SQL NULL
            values["last_error_details"] = ["a", 1, None]
            values["acked_payload"] = "just text"
        return values

    for form in ("sql", "orm"):
        SyncRecord.objects.filter(id__in=[r.id for r in records[:5]]).update(
            state="in_flight", lease_token=token, thred_id=""
        )
        rows = {r.id: outcome(i) for i, r in enumerate(records)}
        if form == "sql":
            written = sql.update_leased("default", token, rows)
        else:
            written = writer.update_rows(token, rows)
        assert written == 5
        got = {
            r["id"]: r
            for r in SyncRecord.objects.filter(resource="customer").values("id", *OUTCOME)
        }
        if form == "sql":
            ours = got
        else:
            assert got == ours
    for i, record in enumerate(records[:5]):
        row = ours[record.id]
        expected = outcome(i)
        assert row["thred_id"] == f"t-{i}" and row["acked_payload"] == expected["acked_payload"]
        assert row["state"] == ("drifted" if i % 2 else "synced") and row["lease_token"] is None
    untouched = ours[records[5].id]
    assert untouched["lease_token"] == other and untouched["thred_id"] == ""


def _no_bulk_create(patch: pytest.MonkeyPatch) -> None:
    """sql.insert's own statements, not bulk_create, on the databases it covers."""
    from django.db.models import QuerySet

    def refuse(*args, **kwargs):
        raise AssertionError("sql.insert went through bulk_create")

    patch.setattr(QuerySet, "bulk_create", refuse)


def test_attempt_rows_are_inserted_as_bulk_create_inserts_them(thred, shop, monkeypatch):
    """sql.insert (PostgreSQL: the rows as one JSON document; SQLite: VALUES lists)
    against bulk_create: every column of every row the same, texts and JSON with
    quotes, NULLs, dates."""
    from thred_django.engine.outcome import attempt
    from thred_django.models import SyncAttempt

    client = m.Client.objects.create(shop=shop, name="C1")
    record = SyncRecord.objects.get(resource="customer", object_id=str(client.pk))
    SyncAttempt.objects.all().delete()
    body = {"name": 'A "quoted" \\ name, {x}', "lines": [{"q": 1.5}, None, "NULL"], "e": ""}

    now = timezone.now().replace(microsecond=654321)  # once: both forms write the same time

    def rows() -> list[SyncAttempt]:
        made = [
            attempt(record, "success", method="POST", path="/customers/", status=201,
                    elapsed=0.25, request=body, response={"id": "t-1"}),
            attempt(record, "retry", method="PUT", path='/x/"y"/', status=None,
                    error_code="timeout", request=None, response=["a", None]),
            attempt(record, "invalid", request={"é": "✓ 😀\n\t"}, response={}),
        ]  # fmt: skip
        for row in made:
            row.created_at = now
        return made

    with monkeypatch.context() as patch:
        _no_bulk_create(patch)
        sql.insert("default", rows())
    ours = list(SyncAttempt.objects.order_by("id").values())
    SyncAttempt.objects.all().delete()
    SyncAttempt.objects.bulk_create(rows())
    theirs = list(SyncAttempt.objects.order_by("id").values())
    assert len(ours) == 3
    for a, b in zip(ours, theirs, strict=True):
        a.pop("id"), b.pop("id")
        assert a == b
    assert ours[0]["request_summary"]["name"] == body["name"]
    assert ours[1]["request_summary"] is None and ours[1]["status"] is None


def test_many_rows_are_inserted_in_statements_under_the_parameter_limit(thred, shop, monkeypatch):
    """More rows than one SQLite statement takes (999 parameters): every row written,
    each as bulk_create writes it."""
    from thred_django.engine.outcome import attempt
    from thred_django.models import SyncAttempt

    client = m.Client.objects.create(shop=shop, name="C1")
    record = SyncRecord.objects.get(resource="customer", object_id=str(client.pk))
    now = timezone.now()

    def rows() -> list[SyncAttempt]:
        made = [
            attempt(record, "success", method="POST", path=f"/c/{i}", status=201,
                    request={"n": i}, response={"id": f"t-{i}"})
            for i in range(250)
        ]  # fmt: skip
        for row in made:
            row.created_at = now
        return made

    written = {}
    for form in ("sql", "orm"):
        SyncAttempt.objects.all().delete()
        if form == "sql":
            with monkeypatch.context() as patch:
                _no_bulk_create(patch)
                sql.insert("default", rows())
        else:
            SyncAttempt.objects.bulk_create(rows())
        fields = ("path", "status", "request_summary", "response_summary", "created_at")
        written[form] = list(SyncAttempt.objects.order_by("id").values_list(*fields))
    assert written["sql"] == written["orm"] and len(written["sql"]) == 250


def test_edges_are_inserted_as_bulk_create_inserts_them_conflicts_left_out(
    thred, shop, monkeypatch
):
    """sql.insert(ignore_conflicts=True) against bulk_create(ignore_conflicts=True): an
    edge already stored stays as it was, the new ones are written alike."""
    from django.contrib.contenttypes.models import ContentType

    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(2)]
    a, b = (SyncRecord.objects.get(resource="customer", object_id=str(c.pk)) for c in clients)
    ct = ContentType.objects.get_for_model(m.Shop).pk
    SyncDependency.objects.all().delete()

    def edges() -> list[SyncDependency]:
        return [
            SyncDependency(child_id=a.id, parent_type_id=ct, parent_id=str(shop.pk)),
            SyncDependency(child_id=b.id, parent_type_id=ct, parent_id='9 "x" \\ é'),
            SyncDependency(child_id=b.id, parent_type_id=ct, parent_id=str(shop.pk)),
        ]

    written = {}
    for form in ("sql", "orm"):
        SyncDependency.objects.all().delete()
        stored = SyncDependency.objects.create(
            child_id=a.id, parent_type_id=ct, parent_id=str(shop.pk)
        )
        if form == "sql":
            with monkeypatch.context() as patch:
                _no_bulk_create(patch)
                sql.insert("default", edges(), ignore_conflicts=True)
        else:
            SyncDependency.objects.bulk_create(edges(), ignore_conflicts=True)
        rows = SyncDependency.objects.order_by("child_id", "parent_id")
        written[form] = list(rows.values_list("child_id", "parent_type_id", "parent_id"))
        assert SyncDependency.objects.filter(pk=stored.pk).exists()
    assert written["sql"] == written["orm"] and len(written["sql"]) == 3


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_each_fields_quick_form_prepares_what_the_general_one_prepares():
    import datetime
    import uuid
    from decimal import Decimal

    from django.db import connection

    from thred_django.engine import jsonrows
    from thred_django.models import SyncAttempt

    values = [
        None,
        "text",
        "",
        7,
        True,
        0.5,
        Decimal("1.50"),
        uuid.UUID(int=5),
        str(uuid.UUID(int=6)),
        timezone.now(),
        datetime.datetime(2026, 1, 2, 3, 4, 5),  # naive
        datetime.date(2026, 1, 2),
        {"a": [1, "b", None]},
        [1, 2],
    ]
    checked = 0
    for model in (SyncRecord, SyncAttempt, SyncDependency):
        for field in model._meta.concrete_fields:
            quick = jsonrows.ready_for(field)
            for value in values:
                try:
                    expected = jsonrows.json_ready(field, value, connection)
                except Exception as exc:  # the quick form refuses it the same way
                    with pytest.raises(type(exc)):
                        quick(value, connection)
                    continue
                assert quick(value, connection) == expected, (model, field.name, value)
                checked += 1
    assert checked > 100


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_each_fields_quick_parameter_is_what_the_orm_prepares():
    """jsonrows.prepared_for (sql.insert's values on SQLite) against get_db_prep_save,
    field by field: plain values, aware date-times in UTC and elsewhere, naive ones,
    UUIDs as objects and as text, JSON."""
    import datetime
    import uuid
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.db import connection

    from thred_django.engine import jsonrows
    from thred_django.models import SyncAttempt

    now = timezone.now()
    values = [None, "text", "", 7, True, False, 0.5, Decimal("1.50"), uuid.UUID(int=5),
              str(uuid.UUID(int=6)), now, now.astimezone(ZoneInfo("Asia/Kolkata")),
              now.replace(microsecond=0), datetime.datetime(2026, 1, 2, 3, 4, 5),
              datetime.date(2026, 1, 2), {"a": [1, "b", None]}, [1, 2]]  # fmt: skip
    checked = 0
    for model in (SyncRecord, SyncAttempt, SyncDependency):
        for field in model._meta.concrete_fields:
            quick = jsonrows.prepared_for(field, connection)
            for value in values:
                try:
                    expected = field.get_db_prep_save(value, connection)
                except Exception as exc:  # the quick form refuses it the same way
                    with pytest.raises(type(exc)):
                        quick(value)
                    continue
                got = quick(value)
                assert type(got) is type(expected), (model, field.name, value)
                # (psycopg's Jsonb wrapper has no equality of its own)
                assert got == expected or repr(got) == repr(expected), (model, field.name, value)
                checked += 1
    assert checked > 200


def test_a_batchs_reads_find_what_the_orm_forms_find(thred, shop):
    """sql.held_revisions and sql.edges_of (what a batch of outcomes reads) against
    their ORM forms: only the rows under the token, revisions as UUIDs; every stored
    edge of the records asked for, none of the others'."""
    import uuid

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(4)]
    records = [SyncRecord.objects.get(resource="customer", object_id=str(c.pk)) for c in clients]
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    SyncRecord.objects.filter(id__in=[r.id for r in records[:3]]).update(lease_token=ours)
    SyncRecord.objects.filter(id=records[3].id).update(lease_token=theirs)
    ids = [r.id for r in records] + [10**9]
    with transaction.atomic():
        held = sql.held_revisions("default", ours, ids)
        expected = dict(
            SyncRecord.objects.select_for_update()
            .filter(id__in=ids, lease_token=ours)
            .values_list("id", "revision")
        )
    assert held == expected and len(held) == 3
    assert all(isinstance(v, uuid.UUID) for v in held.values())

    ct = ContentType.objects.get_for_model(m.Shop).pk
    SyncDependency.objects.bulk_create(
        [SyncDependency(child_id=r.id, parent_type_id=ct, parent_id=f'{i} "x" é')
         for i, r in enumerate(records) for _ in range(1)]
        + [SyncDependency(child_id=records[0].id, parent_type_id=ct, parent_id=str(shop.pk))]
    )  # fmt: skip
    asked = [r.id for r in records[:2]]
    got = sorted(sql.edges_of("default", asked))
    orm = SyncDependency.objects.filter(child_id__in=asked)
    assert got == sorted(orm.values_list("pk", "child_id", "parent_type_id", "parent_id"))
    assert len(got) == 3 and sql.edges_of("default", []) == []


def test_a_claims_records_load_as_the_orm_loads_them(settings):
    """sql.leased against the ORM's queryset: the same rows in the same order (rank,
    then id), each value of the same type and equal (JSON, NULL, aware date-times, UUIDs,
    booleans, a foreign key), saved instances of the database; a row leased under
    another token is left out."""
    import uuid

    records, now = _customers(settings, 5)
    token, other = uuid.uuid4(), uuid.uuid4()
    SyncRecord.objects.filter(id__in=[r.id for r in records]).update(
        state="in_flight", lease_token=token, lease_until=now, claimed_revision=uuid.uuid4()
    )
    SyncRecord.objects.filter(id=records[0].id).update(
        rank=3,
        acked_payload={"name": "é ✓", "lines": [{"q": 1.5}], "none": None},
        last_error_details=["a", 1, None],
        retrying_since=now.replace(microsecond=123456),
        force=True,
        inactive_in_thred=True,
        blocked_by=records[1],
        last_error_status=409,
    )
    SyncRecord.objects.filter(id=records[2].id).update(acked_payload="just text")
    SyncRecord.objects.filter(id=records[4].id).update(lease_token=other)
    ids = [r.id for r in records]

    ours = sql.leased("default", token, ids)
    orms = list(SyncRecord.objects.filter(lease_token=token, id__in=ids).order_by("rank", "id"))

    assert ours is not None
    assert [r.id for r in ours] == [r.id for r in orms] and len(ours) == 4
    assert ours[-1].id == records[0].id  # rank 3 comes last
    for mine, theirs in zip(ours, orms, strict=True):
        for f in SyncRecord._meta.concrete_fields:
            a, b = getattr(mine, f.attname), getattr(theirs, f.attname)
            assert (type(a), a) == (type(b), b), f.attname
        assert mine._state.adding is False and mine._state.db == "default"
    first = ours[-1]
    assert first.blocked_by == records[1] and first.force is True
    assert first.retrying_since == now.replace(microsecond=123456)
    assert first.last_error_details == ["a", 1, None]
