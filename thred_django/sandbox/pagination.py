"""Page-number pagination and query-parameter parsing for list endpoints.

``paginate`` answers with both documented envelopes at once::

    {"count", "page_info": {"total_count", "current_page", "total_pages", "page_size"},
     "next", "previous", "results"}

``page`` is 1-based (default 1; not an integer >= 1 is a 400); ``page_size`` defaults to
20, and outside 1..100 (the documented range) it is a 400 ``validation_error`` naming it.
A page beyond the last answers 404 ``invalid_page`` (DRF's behaviour). The ``param_*``
helpers read one filter and answer 400 ``validation_error`` naming it when malformed.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from thred_django.sandbox import readings
from thred_django.sandbox.errors import SandboxError, field_error


def page_params(request: Request) -> tuple[int, int]:
    raw_page = request.query_params.get("page", "1")
    try:
        page = int(raw_page)
    except ValueError:
        page = 0
    if page < 1:  # malformed (the documented minimum is 1); beyond the last page is a 404
        raise field_error("page", "Must be an integer of at least 1.")
    raw_size = request.query_params.get("page_size")
    if raw_size is None:  # absent; an empty value is malformed like any other non-integer
        return page, readings.PAGE_SIZE_DEFAULT
    try:
        size = int(raw_size)
    except ValueError:
        size = 0
    if not 1 <= size <= readings.PAGE_SIZE_MAX:
        raise field_error(
            "page_size", f"Must be an integer between 1 and {readings.PAGE_SIZE_MAX}."
        )
    return page, size


def paginate(
    request: Request,
    queryset: QuerySet[Any],
    render: Callable[[Any], dict[str, Any]],
    prepare: Callable[[list[Any]], Iterable[Any]] | None = None,
) -> Response:
    """One page of ``queryset`` rendered with ``render``.

    ``prepare`` may replace the page's objects (e.g. to attach data fetched in bulk).
    """
    page, size = page_params(request)
    total = queryset.count()
    total_pages = max(1, math.ceil(total / size))
    if page > total_pages:
        raise SandboxError(404, readings.ERROR_INVALID_PAGE, "Invalid page.")
    items: list[Model] = list(queryset[(page - 1) * size : page * size])
    objects = prepare(items) if prepare else items
    url = request.build_absolute_uri()
    next_url = replace_query_param(url, "page", page + 1) if page < total_pages else None
    if page <= 1:
        previous_url = None
    elif page == 2:
        previous_url = remove_query_param(url, "page")
    else:
        previous_url = replace_query_param(url, "page", page - 1)
    return Response(
        {
            "count": total,
            "page_info": {
                "total_count": total,
                "current_page": page,
                "total_pages": total_pages,
                "page_size": size,
            },
            "next": next_url,
            "previous": previous_url,
            "results": [render(obj) for obj in objects],
        }
    )


def param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value if value not in (None, "") else None


def typed_param(request: Request, name: str) -> str | None:
    """A typed filter's raw value: None when absent, a 400 when given but empty."""
    value = request.query_params.get(name)
    if value is not None and not value.strip():
        raise field_error(name, "May not be empty: give a value or leave the parameter out.")
    return value


def param_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    """One of ``choices`` (an enum filter), None when absent, else a 400 naming them."""
    value = typed_param(request, name)
    if value is not None and value not in choices:
        raise field_error(name, f"Must be one of: {', '.join(choices)}.")
    return value


def param_uuids(request: Request, name: str) -> list[str] | None:
    """A comma-separated list of UUIDs (given but empty is malformed too)."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        ids = [str(uuid.UUID(part.strip())) for part in value.split(",") if part.strip()]
        if not ids:
            raise ValueError(value)
        return ids
    except ValueError:
        raise field_error(name, "Must be a UUID or a comma-separated list of UUIDs.") from None


def param_bool(request: Request, name: str) -> bool | None:
    value = typed_param(request, name)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise field_error(name, "Must be true or false.")


def param_int(request: Request, name: str) -> int | None:
    value = typed_param(request, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise field_error(name, "Must be an integer.") from None


def param_datetime(request: Request, name: str) -> datetime | None:
    """An ISO date-time (naive means UTC), or a date meaning 00:00 UTC that day."""
    value = typed_param(request, name)
    if value is None:
        return None
    try:
        parsed: datetime | date | None = parse_datetime(value) or parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise field_error(name, "Must be an ISO 8601 date or date-time.")
    if not isinstance(parsed, datetime):
        parsed = datetime(parsed.year, parsed.month, parsed.day)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        # In UTC: PostgreSQL refuses offsets past ±15:59, which ISO 8601 allows.
        return parsed.astimezone(UTC)
    except OverflowError:
        raise field_error(name, "Must be a date-time within years 1 to 9999 in UTC.") from None


def param_date(request: Request, name: str) -> date | None:
    value = typed_param(request, name)
    if value is None:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise field_error(name, "Must be a date (YYYY-MM-DD).")
    return parsed
