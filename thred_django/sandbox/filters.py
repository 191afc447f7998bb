"""Declarative list filters: each resource's list is a table of these.

A ``Filter`` reads one query parameter with a parser of ``pagination`` (a malformed
value is a 400 naming the parameter; an absent one does nothing) and narrows the
queryset. The kinds: ``exact`` (optionally case-folded or case-insensitive),
``contains``, ``ids`` (a comma-separated list of UUIDs: ``in``), ``at_least`` /
``at_most`` (ranges of integers, date-times or dates), ``flag`` (booleans), ``choice``
(an enum) and ``search`` (any of several fields contains the text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.request import Request

from thred_django.sandbox.pagination import (
    param,
    param_bool,
    param_choice,
    param_date,
    param_datetime,
    param_int,
    param_uuids,
)

Parser = Callable[[Request, str], Any]
Narrow = Callable[[QuerySet[Any], Any], QuerySet[Any]]


@dataclass(frozen=True)
class Filter:
    name: str
    parse: Parser
    narrow: Narrow
    default: Any = None  # the value when the parameter is absent (None: no narrowing)

    def apply(self, request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.parse(request, self.name)
        value = self.default if value is None else value
        return queryset if value is None else self.narrow(queryset, value)


def apply(request: Request, queryset: QuerySet[Any], filters: Iterable[Filter]) -> QuerySet[Any]:
    for one in filters:
        queryset = one.apply(request, queryset)
    return queryset


def _lookup(name: str, field: str | None, suffix: str) -> str:
    return f"{field or name}{suffix}"


def exact(
    name: str, field: str | None = None, *, fold: Callable[[str], str] | None = None
) -> Filter:
    """``field = value`` (an empty value is ignored); ``fold`` normalises the case."""
    lookup = field or name
    return Filter(name, param, lambda qs, v: qs.filter(**{lookup: fold(v) if fold else v}))


def iexact(name: str, field: str | None = None) -> Filter:
    return Filter(name, param, lambda qs, v: qs.filter(**{_lookup(name, field, "__iexact"): v}))


def contains(name: str, field: str) -> Filter:
    return Filter(name, param, lambda qs, v: qs.filter(**{f"{field}__icontains": v}))


def ids(name: str, field: str | None = None, *, distinct: bool = False) -> Filter:
    """Any of a comma-separated list of UUIDs (across a to-many relation: ``distinct``)."""

    def narrow(qs: QuerySet[Any], values: list[str]) -> QuerySet[Any]:
        qs = qs.filter(**{_lookup(name, field, "__in"): values})
        return qs.distinct() if distinct else qs

    return Filter(name, param_uuids, narrow)


_PARSERS: dict[str, Parser] = {"int": param_int, "datetime": param_datetime, "date": param_date}


def at_least(name: str, field: str, kind: str = "int", *, to_date: bool = False) -> Filter:
    return _bound(name, field, kind, "__gte", to_date)


def at_most(name: str, field: str, kind: str = "int", *, to_date: bool = False) -> Filter:
    return _bound(name, field, kind, "__lte", to_date)


def _bound(name: str, field: str, kind: str, suffix: str, to_date: bool) -> Filter:
    def narrow(qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return qs.filter(**{f"{field}{suffix}": value.date() if to_date else value})

    return Filter(name, _PARSERS[kind], narrow)


def flag(name: str, narrow: Narrow, default: bool | None = None) -> Filter:
    """A boolean parameter; ``narrow(queryset, True/False)``."""
    return Filter(name, param_bool, narrow, default)


def choice(name: str, choices: tuple[str, ...], field: str | None = None) -> Filter:
    def parse(request: Request, key: str) -> str | None:
        return param_choice(request, key, choices)

    return Filter(name, parse, lambda qs, v: qs.filter(**{field or name: v}))


def any_of(name: str, fields: Sequence[str], suffix: str = "__icontains") -> Filter:
    """Any of ``fields`` matches the value (``search``, names)."""

    def narrow(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}{suffix}": value})
        return qs.filter(q)

    return Filter(name, param, narrow)


def search(*fields: str) -> Filter:
    return any_of("search", fields)
