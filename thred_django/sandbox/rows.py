"""The statements every sandbox write runs, each built once per shape.

A create or a payment looks rows up by a few columns, locks the documents it allocates
to, sums their allocations and updates their balances: several statements per call,
where compiling a ``QuerySet`` costs more CPU than running its SQL (a ``bulk_update``'s
``CASE`` expressions ~1 ms, a filtered ``first()`` ~0.3 ms). Here each statement's SQL
is built from the models' ``_meta`` once per database and shape, its values prepared
by their fields (``get_db_prep_value``), and rows come back as model instances through
``Manager.raw``: the same rows, in the same order, with the same locks, as the
``QuerySet`` named in each function's docstring (``tests/sandbox/test_rows.py``
compares them on SQLite and PostgreSQL).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import AutoField, BigAutoField, Model, SmallAutoField

_AUTO = (AutoField, BigAutoField, SmallAutoField)  # keys the database gives


def find(model: type[Model], *, for_update: bool = False, **equals: Any) -> list[Any]:
    """The rows whose fields equal the values (a list or tuple: one of them), in primary
    key order: ``model._default_manager.filter(**equals).order_by("pk")``, with
    ``.select_for_update()`` when ``for_update`` (locks taken in key order). A field is
    named as in ``filter`` (``business``, ``id``); a related object stands for its key."""
    if any(isinstance(value, list | tuple) and not value for value in equals.values()):
        return []  # what filter(id__in=[]) finds, without a query
    using = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[using]
    shape = tuple((name, _count(value)) for name, value in equals.items())
    params: list[Any] = []
    for name, value in equals.items():
        if value is None:
            continue  # IS NULL
        field: Any = model._meta.get_field(name)
        values = value if isinstance(value, list | tuple) else [value]
        params += [
            field.get_db_prep_value(one.pk if isinstance(one, Model) else one, connection)
            for one in values
        ]
    sql = _select_sql(model, using, shape, for_update)
    if connection.vendor != "postgresql":
        return list(model._default_manager.db_manager(using).raw(sql, params))
    # psycopg gives every column its Python type (uuid, timestamptz in UTC, bool …),
    # but JSON as text: the fields' own from_db_value, then Model.from_db, is what
    # Manager.raw makes of the row, without its column matching per query (~0.1 ms).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [load(model, using, row) for row in found]


def _values(convert: list[Any], row: Sequence[Any], connection: Any) -> list[Any]:
    return [
        value if f is None else f(value, None, connection)
        for f, value in zip(convert, row, strict=True)
    ]


def columns(model: type[Model], using: str, alias: str) -> str:
    """The model's columns as ``find`` selects them (``alias.`` before each), for a
    statement that reads a row of it beside others (``load`` makes it an instance)."""
    return ", ".join(column(model, f.name, using, alias) for f in model._meta.concrete_fields)


def load(model: type[Model], using: str, values: Sequence[Any]) -> Any:
    """The instance ``find`` makes of a row of ``columns``' values, as psycopg gives
    them (PostgreSQL only)."""
    names, convert = _loading(model)
    return model.from_db(using, names, _values(convert, values, connections[using]))


@functools.lru_cache(maxsize=64)
def _loading(model: type[Model]) -> tuple[list[str], list[Any]]:
    """The attnames of ``find``'s columns, and each field's ``from_db_value`` (or None)."""
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], [getattr(f, "from_db_value", None) for f in fields]


def update(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Each row ``(pk, value, …)`` sets the fields ``names`` of the object with that
    key to those values: what ``QuerySet.filter(pk=pk).update(**values)`` (and
    ``bulk_update`` of such objects) store, one prepared ``UPDATE`` for all rows."""
    using = router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    pk = meta.pk
    assert pk is not None
    params = [
        [
            *(f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)),
            pk.get_db_prep_value(row[0], connection),
        ]
        for row in rows
    ]
    if not params:
        return
    sql = _update_sql(model, using, tuple(names))
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)


def _count(value: Any) -> int:
    """How a value is compared: IN (its length), = (-1) or IS NULL (-2)."""
    if isinstance(value, list | tuple):
        return len(value)
    return -2 if value is None else -1


def insert(objects: Sequence[Model]) -> list[Any]:
    """Store new objects of one model, their keys already set (UUIDs): what
    ``bulk_create(objects)`` stores (and ``save(force_insert=True)`` for one), each
    field's value taken by its ``pre_save`` as ``save`` does, as one prepared ``INSERT``
    (several rows: ``executemany``). Like ``bulk_create`` it sends no ``pre_save`` or
    ``post_save`` signal; nothing listens to the sandbox's own models. The objects.
    Objects of a model with an auto-incremented key (``IdempotencyRecord``) are stored
    without one, and get none back: for rows nothing reads by key afterwards."""
    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    using = router.db_for_write(model)
    connection = connections[using]
    params = _insert_params(objects, connection)
    sql = _insert_sql(model, using)
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
    return objects


def together(model: type[Model]) -> bool:
    """Whether ``insert_together`` and ``inserting`` write rows of ``model`` in one
    statement (PostgreSQL's data-modifying ``WITH``)."""
    return connections[router.db_for_write(model)].vendor == "postgresql"


def insert_together(*groups: Sequence[Model]) -> None:
    """``insert`` of each group (one model per group; empty ones skipped), in order: on
    PostgreSQL as one statement, each group's ``INSERT`` (one multi-row ``VALUES``) in a
    ``WITH`` of the last one, so a payment and its allocations cost one round trip (the
    allocations' foreign keys are checked at the end of the statement, when the payment
    is there). Elsewhere one ``insert`` per group."""
    groups = tuple(list(group) for group in groups if group)
    if not groups:
        return
    if len(groups) == 1 or not together(type(groups[0][0])):
        for group in groups:
            insert(group)
        return
    sql, params = inserting(*groups)
    with connections[router.db_for_write(type(groups[0][0]))].cursor() as cursor:
        cursor.execute(sql, params)


def inserting(*groups: Sequence[Model], then: str = "") -> tuple[str, list[Any]]:
    """The statement (PostgreSQL) and parameters of ``insert_together(*groups)``; with
    ``then``, a statement run after them in the same one (the groups' INSERTs all in
    its ``WITH``): its own parameters follow the groups'. It does not see the rows the
    groups insert (one snapshot for the whole statement)."""
    using = router.db_for_write(type(groups[0][0]))
    connection = connections[using]
    params: list[Any] = []
    statements = []
    for group in groups:
        model = type(group[0])
        statements.append(_insert_sql(model, using, len(group)))
        params += [value for row in _insert_params(group, connection) for value in row]
    if then:
        statements.append(then)
    *first, last = statements
    heads = ", ".join(f"new{n} AS ({one})" for n, one in enumerate(first))
    return f"WITH {heads} {last}", params


def _insert_params(objects: Sequence[Model], connection: Any) -> list[list[Any]]:
    model = type(objects[0])
    auto = isinstance(model._meta.pk, _AUTO)
    fields: list[Any] = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
    params = []
    for obj in objects:
        assert type(obj) is model, "insert: one model"
        assert (obj.pk is None) == auto, "insert: keys set (none for an auto-incremented key)"
        params.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    return params


def column(model: type[Model], name: str, using: str, alias: str = "") -> str:
    """The quoted column of a field (``alias.`` before it when given)."""
    quote = connections[using].ops.quote_name
    field: Any = model._meta.get_field(name)
    return f"{alias}.{quote(field.column)}" if alias else quote(field.column)


def table(model: type[Model], using: str) -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


def marks(count: int) -> str:
    return ", ".join(["%s"] * count)


@functools.lru_cache(maxsize=256)
def _select_sql(
    model: type[Model], using: str, shape: tuple[tuple[str, int], ...], for_update: bool
) -> str:
    meta = model._meta
    columns = ", ".join(column(model, f.name, using) for f in meta.concrete_fields)
    compare = {-1: "= %s", -2: "IS NULL"}
    where = " AND ".join(
        f"{column(model, name, using)} {compare.get(count) or f'IN ({marks(count)})'}"
        for name, count in shape
    )
    pk = column(model, meta.pk.name, using)
    sql = f"SELECT {columns} FROM {table(model, using)} WHERE {where} ORDER BY {pk}"  # noqa: S608
    if for_update and connections[using].features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


@functools.lru_cache(maxsize=64)
def _insert_sql(model: type[Model], using: str, count: int = 1) -> str:
    """``INSERT`` of ``count`` rows (one ``VALUES`` list each)."""
    names = [
        f.name for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, _AUTO))
    ]
    columns = ", ".join(column(model, name, using) for name in names)
    values = ", ".join([f"({marks(len(names))})"] * count)
    return f"INSERT INTO {table(model, using)} ({columns}) VALUES {values}"  # noqa: S608


@functools.lru_cache(maxsize=64)
def _update_sql(model: type[Model], using: str, names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{column(model, name, using)} = %s" for name in names)
    pk = column(model, model._meta.pk.name, using)
    return f"UPDATE {table(model, using)} SET {sets} WHERE {pk} = %s"  # noqa: S608
