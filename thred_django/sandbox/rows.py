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
    auto = isinstance(model._meta.pk, _AUTO)
    fields: list[Any] = [f for f in model._meta.concrete_fields if not (auto and f.primary_key)]
    params = []
    for obj in objects:
        assert type(obj) is model, "insert: one model"
        assert (obj.pk is None) == auto, "insert: keys set (none for an auto-incremented key)"
        params.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    sql = _insert_sql(model, using)
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
    return objects


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
def _insert_sql(model: type[Model], using: str) -> str:
    names = [
        f.name for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, _AUTO))
    ]
    columns = ", ".join(column(model, name, using) for name in names)
    return f"INSERT INTO {table(model, using)} ({columns}) VALUES ({marks(len(names))})"  # noqa: S608


@functools.lru_cache(maxsize=64)
def _update_sql(model: type[Model], using: str, names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{column(model, name, using)} = %s" for name in names)
    pk = column(model, model._meta.pk.name, using)
    return f"UPDATE {table(model, using)} SET {sets} WHERE {pk} = %s"  # noqa: S608
