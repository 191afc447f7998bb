"""``column IN (…)`` with a list of values as one parameter, on PostgreSQL.

psycopg (3) turns a statement's ``%s`` placeholders into PostgreSQL's form with a regular
expression, and keeps the result for the next run only when the statement has at most
50 parameters. The engine's lists of ids (a claim's 200 records, a preload's 100 host
objects) are longer, so every run of those statements was parsed again: 14 % of a claim
thread's interpreter time at 100 ms latency (benchmarks/README.md §7, "Tenth round").
On PostgreSQL the list goes as one array instead, ``column = ANY(%s::type[])``: one
parameter, the same text whatever the list's length. Elsewhere it is the ORM's ``IN``.

``one_of(model, name, values)`` is the filter (``QuerySet.filter(one_of(…))``, a lookup
used as an expression: public API since Django 4.0); ``in_sql`` and ``in_params`` are
the same rule for the engine's hand-written statements (``engine.sql``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.lookups import In


class OneOf(In):
    """``lhs IN rhs``; on PostgreSQL ``lhs = ANY(%s::<lhs type>[])`` with rhs as one
    list (each value prepared by the lhs's field, each once, None left out: what ``IN``
    sends, as an array)."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        field = self.lhs.output_field
        cast = array_type(field, connection)
        if cast is None or not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [
            field.get_db_prep_value(value, connection, prepared=True)
            for value in dict.fromkeys(self.rhs)
            if value is not None
        ]
        return _any(lhs, cast), (*lhs_params, values)


def one_of(model: type[models.Model], name: str, values: Iterable[Any]) -> OneOf:
    """The filter ``<name>__in=values`` of ``model`` (``"pk"``: its primary key), the
    values prepared by the field as that lookup prepares them."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"one_of: {model.__name__}.{name} is not a concrete field")
    return OneOf(F(name), [field.get_prep_value(value) for value in values])


def array_type(field: models.Field[Any, Any], connection: Any) -> str | None:
    """The type a list of ``field``'s values goes as, an array of it (PostgreSQL); None
    where the list goes as ``IN (…)``: other databases, and a field with no column type
    to cast to."""
    if connection.vendor != "postgresql":
        return None
    return field.cast_db_type(connection) or None


def _any(column: str, cast: str) -> str:
    return f"{column} = ANY(%s::{cast}[])"


def in_sql(column: str, field: models.Field[Any, Any], connection: Any, count: int) -> str:
    """``column`` (of ``field``) among ``count`` values: one array parameter where
    ``array_type`` gives one, ``IN (%s, …)`` elsewhere (``in_params`` gives the
    parameters)."""
    cast = array_type(field, connection)
    if cast is not None:
        return _any(column, cast)
    return f"{column} IN ({', '.join(['%s'] * count)})"


def in_params(field: models.Field[Any, Any], connection: Any, values: Sequence[Any]) -> list[Any]:
    """The parameters of ``in_sql`` for ``values`` (already prepared for the database)."""
    return [list(values)] if array_type(field, connection) is not None else list(values)
