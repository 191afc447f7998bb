"""System checks of the throughput settings: CONCURRENCY, MAX_IN_FLIGHT,
BUSINESS_MAX_IN_FLIGHT and MAX_CONNECTIONS (ids thred_django.E050 …)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import router

from thred_django.conf import THRED_DEFAULTS, thred_settings
from thred_django.engine.iopool import pool_size
from thred_django.models import SyncRecord

# Setting → (smallest allowed, what it is).
LIMITS: dict[str, tuple[int, str]] = {
    "CONCURRENCY": (1, "businesses one worker process pushes at once"),
    "MAX_IN_FLIGHT": (1, "calls one worker process has in flight at once"),
    "BUSINESS_MAX_IN_FLIGHT": (1, "calls one business may have in flight at once"),
    "MAX_CONNECTIONS": (1, "the HTTP connection pool of the Thred client"),
}


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


@register(Tags.compatibility)
def check_throughput(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    values: dict[str, int] = {}
    for name, (least, what) in LIMITS.items():
        raw = getattr(thred_settings, name)
        value = _whole(raw)
        if value is None or value < least:
            messages.append(
                Error(
                    f"THRED['{name}'] is {raw!r}: it must be a whole number of at least "
                    f"{least} ({what}).",
                    hint=f"Set THRED['{name}'] to an int such as {THRED_DEFAULTS[name]}, or "
                    "remove it for the default.",
                    id="thred_django.E050",
                )
            )
        else:
            values[name] = value
    if messages:
        return messages
    if values["BUSINESS_MAX_IN_FLIGHT"] > values["MAX_IN_FLIGHT"]:
        messages.append(
            Error(
                f"THRED['BUSINESS_MAX_IN_FLIGHT'] ({values['BUSINESS_MAX_IN_FLIGHT']}) is above "
                f"THRED['MAX_IN_FLIGHT'] ({values['MAX_IN_FLIGHT']}): one business could never "
                "reach it, since the process has fewer calls in flight than that.",
                hint="Lower BUSINESS_MAX_IN_FLIGHT or raise MAX_IN_FLIGHT.",
                id="thred_django.E051",
            )
        )
    if values["MAX_IN_FLIGHT"] > values["MAX_CONNECTIONS"]:
        messages.append(
            Error(
                f"THRED['MAX_IN_FLIGHT'] ({values['MAX_IN_FLIGHT']}) is above "
                f"THRED['MAX_CONNECTIONS'] ({values['MAX_CONNECTIONS']}): calls beyond the "
                "connection pool would wait for a connection and time out as failures.",
                hint="Raise MAX_CONNECTIONS to at least MAX_IN_FLIGHT, or lower MAX_IN_FLIGHT.",
                id="thred_django.E052",
            )
        )
    alias = router.db_for_write(SyncRecord)
    pool = pool_size(alias)
    if pool is not None and pool <= values["CONCURRENCY"]:
        messages.append(
            Warning(
                f"The connection pool of database '{alias}' has at most {pool} "
                f"connections, and a worker's {values['CONCURRENCY']} claim threads "
                "(CONCURRENCY) hold one each while they run: its I/O threads would wait "
                "for one, and fail once the pool's timeout is up.",
                hint=f"Raise DATABASES['{alias}']['OPTIONS']['pool']['max_size'] above "
                "CONCURRENCY (CONCURRENCY + 8 lets 8 I/O threads use the database at "
                "once), or lower CONCURRENCY.",
                id="thred_django.W051",
            )
        )
    if pool is None and values["MAX_IN_FLIGHT"] + values["CONCURRENCY"] > 90:
        messages.append(
            Warning(
                f"A worker process may hold {values['MAX_IN_FLIGHT'] + values['CONCURRENCY']} "
                "database connections (MAX_IN_FLIGHT I/O threads + CONCURRENCY claim "
                "threads, each with its own): more than PostgreSQL's default "
                "max_connections (100) leaves room for.",
                hint="Turn on Django's connection pool (OPTIONS 'pool', PostgreSQL): an I/O "
                "thread then holds a connection only while it uses one. Or lower "
                "MAX_IN_FLIGHT, or raise the database's max_connections.",
                id="thred_django.W050",
            )
        )
    return messages
