"""``--schema`` and running a command's work once per tenant schema (django-tenants).

Without django-tenants the work runs once, as before, and ``--schema`` is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thred_django import tenancy
from thred_django.exceptions import ThredConfigurationError

T = TypeVar("T")


def add_schema_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--schema",
        metavar="NAME",
        help="django-tenants: only this tenant schema (default: every tenant schema).",
    )


def per_schema(
    command: BaseCommand, work: Callable[[], T], options: dict[str, Any]
) -> list[tenancy.SchemaRun[T]]:
    """``work()`` in each schema (or ``--schema``); failures are written to stderr, and
    the caller decides the exit status (``any_failed``)."""
    try:
        runs = tenancy.for_each_schema(work, schema=options.get("schema"))
    except ThredConfigurationError as exc:
        raise CommandError(str(exc)) from None
    for run in runs:
        if run.error is not None:
            command.stderr.write(f"[{run.schema}] failed: {run.error}")
    return runs


def any_failed(runs: list[tenancy.SchemaRun[Any]]) -> bool:
    return any(run.error is not None for run in runs)


def tag() -> str:
    """``"[schema] "`` to start a line with, with django-tenants; otherwise ``""``."""
    schema = tenancy.current_schema()
    return f"[{schema}] " if schema else ""
