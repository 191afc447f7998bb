"""Fault injection for the sandbox's API endpoints, changeable at runtime.

Defaults come from ``THRED_SANDBOX["FAULTS"]``; a ``FaultConfig`` row (pk=1) overrides
them for every partner (``set_faults``, in process), and a ``PartnerFaultConfig`` row
overrides those for one partner (``set_partner_faults``: the control endpoint, which
only ever changes the calling partner's). A change made by one process reaches every
web server and worker at their next request: each request reads the rows again.

Kinds, rolled independently per request in this order:

* ``error_500_rate`` — answer 500 ``server_error`` before doing anything;
* ``rate_limit_rate`` — answer 429 ``rate_limited`` with ``Retry-After:
  <retry_after_seconds>`` before doing anything;
* ``slow_rate`` — sleep ``slow_seconds``, then process normally (the write may land
  after the client gave up);
* ``commit_then_500_rate`` — process and commit, then answer 500 (response lost).

``latency`` (seconds, default ``THRED_SANDBOX["LATENCY"]``) is no fault: every API
response waits that long before it is processed, outside any transaction or lock, so
concurrent calls overlap the way they do against a remote API (benchmarks set it).

With ``seed`` set, each process draws from ``random.Random(seed)`` (re-seeded whenever
the configuration changes), so a run is reproducible in a single process.
"""

from __future__ import annotations

import functools
import json
import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from thred_django.conf import sandbox_settings
from thred_django.sandbox import rows
from thred_django.sandbox.tables import Business, FaultConfig, PartnerFaultConfig

RATE_KEYS = ("error_500_rate", "rate_limit_rate", "slow_rate", "commit_then_500_rate")
SECONDS_KEYS = ("retry_after_seconds", "slow_seconds", "latency")


@dataclass(frozen=True)
class FaultSettings:
    error_500_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after_seconds: int = 1
    slow_rate: float = 0.0
    slow_seconds: float = 15.0
    commit_then_500_rate: float = 0.0
    latency: float = 0.0
    seed: int | None = None
    version: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def active(self) -> bool:
        return any(getattr(self, key) > 0 for key in RATE_KEYS)


@dataclass(frozen=True)
class FaultPlan:
    """What to do to one request."""

    refuse: str | None = None  # "error_500" or "rate_limit": answer without processing
    slow_seconds: float = 0.0  # sleep this long before processing
    lose_response: bool = False  # process, then answer 500
    retry_after_seconds: int = 0
    latency: float = 0.0  # every response's fixed delay (not a fault)

    @property
    def name(self) -> str:
        if self.refuse:
            return self.refuse
        if self.lose_response:
            return "commit_then_500"
        return "slow" if self.slow_seconds else ""


NO_FAULTS = FaultPlan()
_FIELD_NAMES = tuple(f.name for f in fields(FaultSettings))


def default_faults() -> FaultSettings:
    """The THRED_SANDBOX FAULTS setting merged over the built-in defaults."""
    configured = dict(sandbox_settings.FAULTS or {})
    configured.setdefault("latency", sandbox_settings.LATENCY or 0.0)
    known = {key: configured[key] for key in _FIELD_NAMES if key in configured}
    return FaultSettings(**_checked(known))


def current_faults(partner_id: str | None = None) -> FaultSettings:
    """The settings in force: the database row if there is one, else the defaults; for
    ``partner_id``, with that partner's own changes (control endpoint) over them."""
    row, own, _ = _read_rows(partner_id or None)
    return _settings(row, own)


def _settings(row: dict[str, Any] | None, own: dict[str, Any] | None) -> FaultSettings:
    shared = default_faults() if row is None else FaultSettings(**row)
    if own is None:
        return shared
    merged = {**shared.as_dict(), **_checked(dict(own["changes"]))}
    merged["version"] = shared.version * 100_003 + own["version"]  # re-seeds on either change
    return FaultSettings(**merged)


def _read_rows(
    partner_id: str | None, business_id: str | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Business | None]:
    """The shared row's settings and the partner's ``{"changes", "version"}`` (None for a
    missing row), in one statement: every API request reads them (``plan_request``), and
    two ORM queries cost ~0.5 ms of the sandbox's CPU per call where this costs ~0.05.
    With ``business_id`` (PostgreSQL), the statement also reads the business with that
    id if the partner owns it (else None), third."""
    using = router.db_for_read(FaultConfig)
    connection = connections[using]
    sql, changes_field = _rows_sql(using, business_id is not None)
    params = [partner_id] if business_id is None else [partner_id, business_id, partner_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    row = None
    if values[0] is not None:
        row = dict(zip(_FIELD_NAMES, values[1 : 1 + len(_FIELD_NAMES)], strict=True))
    own = None
    changes, version = values[len(_FIELD_NAMES) + 1 : len(_FIELD_NAMES) + 3]
    if version is not None:
        if isinstance(changes, str):  # the JSON text, as SQLite and Django's psycopg give it
            changes = json.loads(changes, cls=changes_field.decoder)
        own = {"changes": changes, "version": version}
    business = None
    if business_id is not None and values[len(_FIELD_NAMES) + 3] is not None:
        business = rows.load(Business, using, values[len(_FIELD_NAMES) + 3 :])
    return row, own, business


@functools.lru_cache(maxsize=8)
def _rows_sql(using: str, business: bool = False) -> tuple[str, models.JSONField[Any]]:
    """``SELECT`` of both rows, LEFT JOINed onto a one-row table (so a missing row is
    NULLs, not no result): the shared row's id and settings, the partner's changes and
    version; with ``business``, then the columns of the business with an id if that
    partner owns it. Built once per database from the models' ``_meta``."""
    quote = connections[using].ops.quote_name
    shared, partner = FaultConfig._meta, PartnerFaultConfig._meta

    def column(meta: Any, alias: str, name: str) -> str:
        return f"{alias}.{quote(str(meta.get_field(name).column))}"

    columns = [column(shared, "f", "id")]
    columns += [column(shared, "f", name) for name in _FIELD_NAMES]
    columns += [column(partner, "p", "changes"), column(partner, "p", "version")]
    if business:
        columns.append(rows.columns(Business, using, "b"))
    sql = (
        f"SELECT {', '.join(columns)} FROM (SELECT 1 AS one) here"  # noqa: S608 - our names
        f" LEFT JOIN {quote(shared.db_table)} f ON {column(shared, 'f', 'id')} = 1"
        f" LEFT JOIN {quote(partner.db_table)} p ON {column(partner, 'p', 'partner_id')} = %s"
    )
    if business:
        b = Business._meta
        sql += (
            f" LEFT JOIN {quote(b.db_table)} b ON {column(b, 'b', 'id')} = %s"
            f" AND {column(b, 'b', 'partner_id')} = %s"
        )
    changes = partner.get_field("changes")
    assert isinstance(changes, models.JSONField)
    return sql, changes


def set_partner_faults(partner_id: str, **changes: Any) -> FaultSettings:
    """Change fault settings for one partner's requests only (the control endpoint)."""
    _check_keys(changes)
    checked = _checked(changes)
    with transaction.atomic():
        row, _ = PartnerFaultConfig.objects.select_for_update().get_or_create(pk=partner_id)
        row.changes = {**row.changes, **checked}
        row.version += 1
        row.updated_at = timezone.now()
        row.save()
    return current_faults(partner_id)


def reset_partner_faults(partner_id: str) -> FaultSettings:
    """Drop one partner's own changes: the shared settings apply to it again."""
    PartnerFaultConfig.objects.filter(pk=partner_id).delete()
    return current_faults(partner_id)


def _check_keys(changes: dict[str, Any]) -> None:
    unknown = set(changes) - (set(_FIELD_NAMES) - {"version"})
    if unknown:
        raise ValueError(f"Unknown fault settings: {', '.join(sorted(unknown))}")


def set_faults(**changes: Any) -> FaultSettings:
    """Change some fault settings (others keep their current value) for every process.

    Keys: error_500_rate, rate_limit_rate, slow_rate, commit_then_500_rate (0..1),
    retry_after_seconds (int >= 0), slow_seconds and latency (>= 0), seed (int or None).
    Raises ``ValueError`` on an unknown key or an out-of-range value.
    """
    _check_keys(changes)
    checked = _checked(changes)
    with transaction.atomic():
        current = FaultConfig.objects.select_for_update().filter(pk=1).first()
        base = current_faults().as_dict() if current is None else {}
        row = current or FaultConfig(pk=1, **{k: v for k, v in base.items() if k != "version"})
        for key, value in checked.items():
            setattr(row, key, value)
        row.version = (row.version or 0) + 1
        row.updated_at = timezone.now()
        row.save()
    return current_faults()


def reset_faults() -> FaultSettings:
    """Drop the runtime override: the THRED_SANDBOX FAULTS setting applies again."""
    FaultConfig.objects.filter(pk=1).delete()
    return current_faults()


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in RATE_KEYS:
            rate = float(value)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{key} must be between 0 and 1, got {value!r}")
            out[key] = rate
        elif key == "retry_after_seconds":
            seconds = int(value)
            if seconds < 0:
                raise ValueError(f"{key} must be >= 0, got {value!r}")
            out[key] = seconds
        elif key in ("slow_seconds", "latency"):
            slow = float(value)
            if slow < 0:
                raise ValueError(f"{key} must be >= 0, got {value!r}")
            out[key] = slow
        elif key == "seed":
            out[key] = None if value is None or value == "" else int(value)
        elif key == "version":
            out[key] = int(value)
    return out


class _Dice:
    """Per-process random source; seeded (and re-seeded on change) when a seed is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._seen: tuple[int | None, int] | None = None

    def roll(self, settings: FaultSettings) -> list[float]:
        with self._lock:
            if settings.seed is not None and self._seen != (settings.seed, settings.version):
                self._rng = random.Random(settings.seed)
                self._seen = (settings.seed, settings.version)
            return [self._rng.random() for _ in RATE_KEYS]


_dice = _Dice()


def plan_request(partner_id: str | None = None) -> FaultPlan:
    """Decide the faults for one API request of ``partner_id`` (one indexed read)."""
    return _plan(current_faults(partner_id))


def plan_and_business(partner_id: str, business_id: str) -> tuple[FaultPlan, Business | None]:
    """``plan_request(partner_id)``, and the business with this (canonical) id if that
    partner owns it, else None: on PostgreSQL in the one statement that reads the fault
    settings (every business sub-resource request needs both; a statement less per
    call), elsewhere with a second (``rows.find``)."""
    using = router.db_for_read(FaultConfig)
    if connections[using].vendor != "postgresql":
        found = rows.find(Business, id=business_id, partner_id=partner_id)
        return plan_request(partner_id), (found[0] if found else None)
    row, own, business = _read_rows(partner_id, business_id)
    return _plan(_settings(row, own)), business


def _plan(settings: FaultSettings) -> FaultPlan:
    latency = settings.latency
    if not settings.active:
        return FaultPlan(latency=latency) if latency else NO_FAULTS
    error_roll, limit_roll, slow_roll, lose_roll = _dice.roll(settings)
    if error_roll < settings.error_500_rate:
        return FaultPlan(refuse="error_500", latency=latency)
    if limit_roll < settings.rate_limit_rate:
        return FaultPlan(
            refuse="rate_limit", retry_after_seconds=settings.retry_after_seconds, latency=latency
        )
    return FaultPlan(
        slow_seconds=settings.slow_seconds if slow_roll < settings.slow_rate else 0.0,
        lose_response=lose_roll < settings.commit_then_500_rate,
        latency=latency,
    )
