"""The engine's only hand-written SQL: the two outbox statements every save runs.

A mark (every save of a mapped object) runs the outbox upsert (``upsert``) and the
lookup of the records that read the object's Thred id (``dependents``). Their ORM forms
(``bulk_create(update_conflicts=True)``, ``values_list``) build model instances or
compile a query each time, which costs more than running the statement:
``benchmarks/bench_outbox.py`` measures both forms in one process, and a save costs
about half (SQLite) to three quarters (PostgreSQL) with these (benchmarks/README.md,
"Outbox writes"). Here each statement's text is built once per database and shape and
reused, with values prepared by each field as the ORM would (``Field.get_db_prep_save``).
The push's fenced UPDATEs use ``QuerySet.update`` (``engine.fenced``): their hand-written
form gained nothing measurable on a whole push. A batch of outcomes (``writer.Outcomes``)
is written by ``update_leased`` and ``insert`` (its attempt rows): on PostgreSQL their
rows travel as one JSON document (``jsonb_to_recordset``), which costs the client less
than half of what bulk_create's or the ORM's forms cost (benchmarks/README.md, "Engine
CPU per record").

Only public APIs: ``connection.cursor()``, ``connection.ops.quote_name`` and the model
``_meta`` API; the statements are standard forms SQLite (3.24+) and PostgreSQL (its
``jsonb_to_recordset``) accept. ``supported(using)`` says whether a database is one of
them; the callers (``engine.upsert``, ``engine.remark``, ``engine.writer``) use the ORM
form on any other. Tests run both forms on SQLite and PostgreSQL and compare the rows
they write (tests/engine/test_sql.py).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connections, models

from thred_django.engine.jsonrows import loaded_for, prep_save, prepared_for, ready_for
from thred_django.engine.oneof import in_params, in_sql
from thred_django.models import SyncDependency, SyncRecord

VENDORS = ("sqlite", "postgresql")
# Rows per INSERT: SQLite allows 999 parameters per statement on older builds.
_MAX_PARAMS = {"sqlite": 999, "postgresql": 30_000}  # PostgreSQL: one row (else UNNEST)
_UNSET = object()

_META = SyncRecord._meta
# Concrete fields by name and by attname ("blocked_by" and "blocked_by_id").
_FIELDS = {key: f for f in _META.concrete_fields for key in (f.name, f.attname)}
_PK = _FIELDS["id"]
_CHILD = SyncDependency._meta.get_field("child")
_PARENT_ID = SyncDependency._meta.get_field("parent_id")


def supported(using: str) -> bool:
    return connections[using].vendor in VENDORS


# --- the mark upsert ----------------------------------------------------------------------
def _insert_fields(model: type[models.Model] = SyncRecord) -> list[models.Field[Any, Any]]:
    """The fields an INSERT of ``model`` writes (its primary key comes from the database)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@functools.lru_cache(maxsize=8)
def _defaults(using: str) -> tuple[tuple[Any, ...], dict[str, int]]:
    """Every inserted column's default, prepared once for database ``using``, and each
    column's position by attname. A column whose default varies per row (a callable,
    auto_now) must be among the values of every mark (tests/engine/test_marking.py)."""
    connection = connections[using]
    blank = SyncRecord()
    fields = _insert_fields()
    prepared = tuple(f.get_db_prep_save(getattr(blank, f.attname), connection) for f in fields)
    return prepared, {f.attname: i for i, f in enumerate(fields)}


def _insert_into(using: str, unique: tuple[str, ...], update: tuple[str, ...]) -> tuple[str, str]:
    """(``INSERT INTO <outbox> (<columns>)``, ``ON CONFLICT (unique) DO UPDATE SET …``)."""
    q = connections[using].ops.quote_name
    columns = ", ".join(q(str(f.column)) for f in _insert_fields())
    conflict = ", ".join(q(str(_FIELDS[name].column)) for name in unique)
    sets = ", ".join(
        f"{q(str(_FIELDS[name].column))} = EXCLUDED.{q(str(_FIELDS[name].column))}"
        for name in update
    )
    # Only quoted identifiers of our own model go into the text; values are parameters.
    return (
        f"INSERT INTO {q(_META.db_table)} ({columns})",
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}",
    )


@functools.lru_cache(maxsize=64)
def _upsert_sql(using: str, rows: int, unique: tuple[str, ...], update: tuple[str, ...]) -> str:
    """``rows`` rows as ``VALUES (%s, …), (%s, …)``."""
    insert, conflict = _insert_into(using, unique, update)
    row = "(" + ", ".join(["%s"] * len(_insert_fields())) + ")"
    return f"{insert} VALUES {', '.join([row] * rows)} {conflict}"


@functools.lru_cache(maxsize=8)
def _unnest_sql(using: str, unique: tuple[str, ...], update: tuple[str, ...]) -> str:
    """PostgreSQL, many rows: one typed array per column (``SELECT * FROM UNNEST(…)``),
    a short statement whatever the row count (the form bulk_create uses there too)."""
    connection = connections[using]
    insert, conflict = _insert_into(using, unique, update)
    arrays = ", ".join(
        f"(%s)::{str(f.db_type(connection)).split('(')[0]}[]" for f in _insert_fields()
    )
    return f"{insert} SELECT * FROM UNNEST({arrays}) {conflict}"  # noqa: S608 - our names


def upsert(
    marks: list[dict[str, Any]], using: str, unique: Sequence[str], update: Sequence[str]
) -> None:
    """``INSERT … ON CONFLICT (unique) DO UPDATE SET (update)`` of ``marks`` (values by
    attname; the other columns get their defaults): one statement on PostgreSQL, as few
    as SQLite's parameter limit allows. A value equal to the previous row's reuses its
    prepared form, so a batch prepares little more than each row's ids."""
    connection = connections[using]
    fields = _insert_fields()
    defaults, position = _defaults(using)
    previous: dict[str, tuple[Any, Any]] = {}
    rows: list[list[Any]] = []
    for values in marks:
        row = list(defaults)
        for attname, value in values.items():
            raw, prepared = previous.get(attname, (_UNSET, None))
            i = position[attname]
            if raw is _UNSET or type(raw) is not type(value) or raw != value:
                prepared = fields[i].get_db_prep_save(value, connection)
                previous[attname] = (value, prepared)
            row[i] = prepared
        rows.append(row)
    size = max(1, _MAX_PARAMS[connection.vendor] // len(fields))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1:
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(_unnest_sql(using, tuple(unique), tuple(update)), columns)
            return
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = _upsert_sql(using, len(batch), tuple(unique), tuple(update))
            cursor.execute(sql, [value for row in batch for value in row])


# --- dependents ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _children_sql(using: str, count: int) -> str:
    """``SELECT child_id FROM <edges> WHERE parent_type_id = %s AND parent_id IN (…)``."""
    connection = connections[using]
    q = connection.ops.quote_name
    meta = SyncDependency._meta
    column = {f.name: str(f.column) for f in meta.concrete_fields}
    among = in_sql(q(column["parent_id"]), _PARENT_ID, connection, count)
    return (
        f"SELECT {q(column['child'])} FROM {q(meta.db_table)} "  # noqa: S608 - our names
        f"WHERE {q(column['parent_type'])} = %s AND {among}"
    )


def dependents(using: str, content_type_id: int, object_ids: list[str]) -> list[int]:
    """Ids of the records whose payloads read these objects' Thred ids."""
    connection = connections[using]
    with connection.cursor() as cursor:
        params = [content_type_id, *in_params(_PARENT_ID, connection, object_ids)]
        cursor.execute(_children_sql(using, len(object_ids)), params)
        return [row[0] for row in cursor.fetchall()]


# --- what a batch of outcomes reads ------------------------------------------------------
# Both statements run once per batch with a list of up to ~100 ids; their ORM forms
# (``values_list`` with ``__in``) spent more on building and compiling the query, each id
# prepared by its lookup, than the database spent running it.
_IDS_PER_STATEMENT = 900  # under SQLite's 999 parameters


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _IDS_PER_STATEMENT] for i in range(0, len(ids), _IDS_PER_STATEMENT)]


@functools.lru_cache(maxsize=64)
def _edges_sql(using: str, count: int) -> str:
    """``SELECT id, child_id, parent_type_id, parent_id FROM <edges> WHERE child_id IN
    (…)``."""
    connection = connections[using]
    q = connection.ops.quote_name
    meta = SyncDependency._meta
    column = {f.name: q(str(f.column)) for f in meta.concrete_fields}
    among = in_sql(column["child"], _CHILD, connection, count)
    return (
        f"SELECT {column['id']}, {column['child']}, {column['parent_type']}, "  # noqa: S608
        f"{column['parent_id']} FROM {q(meta.db_table)} WHERE {among}"
    )


def edges_of(using: str, child_ids: list[int]) -> list[tuple[int, int, int, str]]:
    """(id, child id, parent type id, parent id) of the stored edges of these records:
    what ``SyncDependency.objects.filter(child_id__in=…).values_list("pk", "child_id",
    "parent_type_id", "parent_id")`` reads."""
    connection = connections[using]
    found: list[tuple[int, int, int, str]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(child_ids):
            params = in_params(_CHILD, connection, chunk)
            cursor.execute(_edges_sql(using, len(chunk)), params)
            found.extend(tuple(row) for row in cursor.fetchall())
    return found


@functools.lru_cache(maxsize=64)
def _held_sql(using: str, count: int) -> str:
    """``SELECT id, revision FROM <outbox> WHERE lease_token = %s AND id IN (…)``, with
    ``FOR UPDATE`` where the database locks rows."""
    connection = connections[using]
    q = connection.ops.quote_name
    pk = _META.pk
    assert pk is not None
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {q(str(pk.column))}, {q(str(_FIELDS['revision'].column))} "  # noqa: S608
        f"FROM {q(_META.db_table)} WHERE {q(str(_FIELDS['lease_token'].column))} = %s "
        f"AND {in_sql(q(str(pk.column)), pk, connection, count)}{lock}"
    )


def held_revisions(using: str, token: Any, ids: list[int]) -> dict[int, Any]:
    """Id → revision of these rows still under the lease ``token``, locked for the
    transaction (``SELECT … FOR UPDATE`` on PostgreSQL): what ``SyncRecord.objects.
    select_for_update().filter(id__in=…, lease_token=token).values_list("id",
    "revision")`` reads (a revision stored as text, on SQLite, read back as a UUID)."""
    connection = connections[using]
    prepared_token = _FIELDS["lease_token"].get_db_prep_save(token, connection)
    held: dict[int, Any] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            params = [prepared_token, *in_params(_PK, connection, chunk)]
            cursor.execute(_held_sql(using, len(chunk)), params)
            for row_id, revision in cursor.fetchall():
                if revision is not None and not isinstance(revision, uuid.UUID):
                    revision = uuid.UUID(revision)  # the backend's converter does this
                held[row_id] = revision
    return held


# --- a claim's records --------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _leased_sql(using: str, count: int) -> str:
    """``SELECT <every column> FROM <outbox> WHERE lease_token = %s AND id IN (…) ORDER
    BY rank, id``."""
    connection = connections[using]
    q = connection.ops.quote_name
    pk = _META.pk
    assert pk is not None
    columns = ", ".join(q(str(f.column)) for f in _META.concrete_fields)
    return (
        f"SELECT {columns} FROM {q(_META.db_table)} "  # noqa: S608 - our names only
        f"WHERE {q(str(_FIELDS['lease_token'].column))} = %s AND "
        f"{in_sql(q(str(pk.column)), pk, connection, count)} "
        f"ORDER BY {q(str(_FIELDS['rank'].column))}, {q(str(pk.column))}"
    )


def leased(using: str, token: Any, ids: list[int]) -> list[SyncRecord] | None:
    """The rows among ``ids`` under the lease ``token``, as the instances
    ``SyncRecord.objects.filter(lease_token=token, id__in=ids).order_by("rank", "id")``
    gives (``Model.from_db``), each value converted as the ORM would
    (``jsonrows.loaded_for``): a claim loads up to BATCH_SIZE of them, and the ORM's
    iteration spent more than twice as long per row. None on a database or a field
    type whose driver forms are not known here (the caller then uses the ORM)."""
    connection = connections[using]
    fields = _META.concrete_fields
    try:
        convert = [(i, c) for i, f in enumerate(fields) if (c := loaded_for(f, connection))]
    except LookupError:
        return None
    names = [f.attname for f in fields]
    prepared_token = _FIELDS["lease_token"].get_db_prep_save(token, connection)
    records: list[SyncRecord] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            params = [prepared_token, *in_params(_PK, connection, chunk)]
            cursor.execute(_leased_sql(using, len(chunk)), params)
            for row in cursor.fetchall():
                values = list(row)
                for i, loaded in convert:
                    if values[i] is not None:
                        values[i] = loaded(values[i])
                records.append(SyncRecord.from_db(using, names, values))
    if len(ids) > _IDS_PER_STATEMENT:
        records.sort(key=lambda r: (r.rank, r.id))
    return records


# --- a batch of outcomes ------------------------------------------------------------------
def updates_supported(using: str) -> bool:
    """``UPDATE … FROM``: PostgreSQL, and SQLite from 3.33."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        return True
    if connection.vendor != "sqlite":
        return False
    import sqlite3  # the library Django's SQLite backend runs on

    return sqlite3.sqlite_version_info >= (3, 33)


@functools.lru_cache(maxsize=256)
def _update_sql(using: str, shared: tuple[str, ...], varying: tuple[str, ...], rows: int) -> str:
    """``UPDATE <outbox> SET <shared col> = %s, …, <col> = v.<col>, … FROM <the rows> AS
    v WHERE id = v.id AND lease_token = %s``: a value every row sets alike once, the
    others per row; the rows as one JSON document on PostgreSQL (``_recordset``: a
    short statement whatever the row count), ``VALUES`` on SQLite (``rows`` of them)."""
    connection = connections[using]
    q = connection.ops.quote_name
    table = q(_META.db_table)
    pk = _META.pk
    assert pk is not None
    fields = [_FIELDS[name] for name in varying]
    if connection.vendor == "postgresql":
        source = _recordset(connection, [pk, *fields])
        column = {f.column: f"v.{q(str(f.column))}" for f in [pk, *fields]}
    else:  # SQLite names the columns of a VALUES list column1, column2, …
        row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        source = f"(VALUES {', '.join([row] * rows)}) AS v"
        column = {f.column: f"v.column{i + 1}" for i, f in enumerate([pk, *fields])}
    sets = ", ".join(
        [f"{q(str(_FIELDS[name].column))} = %s" for name in shared]
        + [f"{q(str(f.column))} = {column[f.column]}" for f in fields]
    )
    lease = q(str(_FIELDS["lease_token"].column))
    return (
        f"UPDATE {table} SET {sets} FROM {source} "  # noqa: S608 - our names only
        f"WHERE {table}.{q(str(pk.column))} = {column[pk.column]} AND {table}.{lease} = %s"
    )


def update_leased(using: str, token: Any, rows: dict[int, dict[str, Any]]) -> int:
    """Write ``rows`` (id → values by field name) where the lease token is still
    ``token``: one statement per group of rows setting the same fields (SQLite: per
    as many rows as its parameter limit allows), a value the whole group sets alike
    (the state, the cleared error and lease, the time) as one parameter. Returns the
    number of rows written."""
    connection = connections[using]
    prepared_token = _FIELDS["lease_token"].get_db_prep_save(token, connection)
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for row_id, values in rows.items():
        groups.setdefault(tuple(sorted(values)), []).append((row_id, values))
    written = 0
    with connection.cursor() as cursor:
        for names, group in groups.items():
            shared, varying = _alike(names, group)
            first = group[0][1]
            alike = [prep_save(_FIELDS[name], first[name], connection) for name in shared]
            if connection.vendor == "postgresql":
                document = _document(connection, varying, group)
                sql = _update_sql(using, shared, varying, 0)
                cursor.execute(sql, [*alike, document, prepared_token])
                written += cursor.rowcount
                continue
            table = _prepared_rows(connection, varying, group)
            size = max(1, (_MAX_PARAMS["sqlite"] - 1 - len(shared)) // (len(varying) + 1))
            for start in range(0, len(table), size):
                batch = table[start : start + size]
                params = [value for row in batch for value in row]
                sql = _update_sql(using, shared, varying, len(batch))
                cursor.execute(sql, [*alike, *params, prepared_token])
                written += cursor.rowcount
    return written


def _alike(
    names: tuple[str, ...], group: list[tuple[int, dict[str, Any]]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the fields every row of ``group`` sets to the same value, the others). A JSON
    value is never taken as alike ({"q": 1} == {"q": 1.0}, but they are not the same
    JSON)."""
    shared, varying = [], []
    first = group[0][1]
    for name in names:
        value = first[name]
        kind = type(value)
        if (
            kind is not dict
            and kind is not list
            and all(type(v[name]) is kind and v[name] == value for _, v in group)
        ):
            shared.append(name)
        else:
            varying.append(name)
    return tuple(shared), tuple(varying)


def _prepared_rows(
    connection: Any, names: tuple[str, ...], group: list[tuple[int, dict[str, Any]]]
) -> list[list[Any]]:
    """Each row's id and values, prepared by their fields' quick forms
    (``jsonrows.prepared_for``; a value equal to the last row's reuses its prepared
    form)."""
    pk = _META.pk
    assert pk is not None
    prepare_id = prepared_for(pk, connection)
    prepare = [prepared_for(_FIELDS[name], connection) for name in names]
    previous: list[tuple[Any, Any]] = [(_UNSET, None)] * len(names)
    table = []
    for row_id, values in group:
        row = [prepare_id(row_id)]
        for i, name in enumerate(names):
            value = values[name]
            raw, prepared = previous[i]
            # (not JSON: {"q": 1} == {"q": 1.0}, but they are not the same JSON)
            if (
                raw is _UNSET
                or type(raw) is not type(value)
                or isinstance(value, dict | list)
                or raw != value
            ):
                prepared = prepare[i](value)
                previous[i] = (value, prepared)
            row.append(prepared)
        table.append(row)
    return table


# --- rows as one JSON document (PostgreSQL) -------------------------------------------
# Many rows in one parameter: ``jsonb_to_recordset(%s::jsonb) AS v(<column> <type>, …)``
# reads each column of each row from a JSON array of objects, through the column type's
# own input (the text of a date, a UUID). The same rows as one typed array per column
# (``UNNEST``, what bulk_create does) cost the client several times more: psycopg quotes
# every element of a text or JSON array in Python, and each JSON value is full of quotes
# (benchmarks/README.md, "Engine CPU per record"). A JSON null is SQL NULL, as the ORM
# writes a JSON field's None.


def _recordset(connection: Any, fields: Sequence[models.Field[Any, Any]]) -> str:
    q = connection.ops.quote_name
    columns = ", ".join(f"{q(str(f.column))} {f.db_type(connection)}" for f in fields)
    return f"jsonb_to_recordset(%s::jsonb) AS v({columns})"


def _document(
    connection: Any, names: tuple[str, ...], group: list[tuple[int, dict[str, Any]]]
) -> str:
    pk = _META.pk
    assert pk is not None
    id_column = str(pk.column)
    fields = _columns(names)
    return json.dumps(
        [
            {
                id_column: row_id,
                **{column: ready(values[name], connection) for column, name, ready in fields},
            }
            for row_id, values in group
        ],
        allow_nan=False,
    )


@functools.lru_cache(maxsize=64)
def _columns(names: tuple[str, ...]) -> list[tuple[str, str, Any]]:
    """(column, field name, ``ready_for`` the field) of these SyncRecord fields."""
    return [
        (str(_FIELDS[name].column), _FIELDS[name].name, ready_for(_FIELDS[name])) for name in names
    ]


def insert(using: str, objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """``INSERT`` these new instances of one model (their primary keys from its
    sequence; nothing is read back): one statement on PostgreSQL, the rows as one JSON
    document; on SQLite ``VALUES`` lists under its parameter limit, each value prepared
    by its field's quick form (``jsonrows.prepared_for``; bulk_create's compiler spent
    ~5 µs per value); ``bulk_create`` anywhere else. ``ignore_conflicts``: a row that breaks a
    unique constraint is left out (``ON CONFLICT DO NOTHING``)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    if connection.vendor == "sqlite":
        _insert_values(using, objs, ignore_conflicts)
        return
    if connection.vendor != "postgresql":
        manager = model._default_manager.db_manager(using)
        manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    fields = _insert_columns(model)
    document = json.dumps(
        [
            {column: ready(f.pre_save(obj, True), connection) for column, f, ready in fields}
            for obj in objs
        ],
        allow_nan=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(using, model, ignore_conflicts), [document])


@functools.lru_cache(maxsize=8)
def _insert_columns(model: type[models.Model]) -> list[tuple[str, models.Field[Any, Any], Any]]:
    """(column, field, ``ready_for`` the field) of what an INSERT of ``model`` writes."""
    return [(str(f.column), f, ready_for(f)) for f in _insert_fields(model)]


@functools.lru_cache(maxsize=8)
def _insert_sql(using: str, model: type[models.Model], ignore_conflicts: bool) -> str:
    connection = connections[using]
    q = connection.ops.quote_name
    fields = _insert_fields(model)
    columns = ", ".join(q(str(f.column)) for f in fields)
    source = _recordset(connection, fields)
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return (
        f"INSERT INTO {q(model._meta.db_table)} ({columns}) "  # noqa: S608 - our names
        f"SELECT {columns} FROM {source}{conflicts}"
    )


def _insert_values(using: str, objs: Sequence[models.Model], ignore_conflicts: bool) -> None:
    """SQLite: ``INSERT [OR IGNORE] INTO <table> (<columns>) VALUES (…), (…)``, as
    bulk_create writes it there."""
    model = type(objs[0])
    connection = connections[using]
    fields = [(f, prepared_for(f, connection)) for f in _insert_fields(model)]
    rows = [[prepare(f.pre_save(obj, True)) for f, prepare in fields] for obj in objs]
    size = max(1, _MAX_PARAMS["sqlite"] // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = _values_sql(using, model, ignore_conflicts, len(batch))
            cursor.execute(sql, [value for row in batch for value in row])


@functools.lru_cache(maxsize=128)  # one per row count up to the parameter limit
def _values_sql(using: str, model: type[models.Model], ignore_conflicts: bool, rows: int) -> str:
    connection = connections[using]
    q = connection.ops.quote_name
    fields = _insert_fields(model)
    columns = ", ".join(q(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    verb = "INSERT OR IGNORE INTO" if ignore_conflicts else "INSERT INTO"
    return f"{verb} {q(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"
