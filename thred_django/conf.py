"""Settings for thred_django, read lazily from Django settings.

Two setting dicts, each with its defaults in this module:

* ``THRED`` configures the client and the sync engine in the host project;
* ``THRED_SANDBOX`` configures the embedded Thred sandbox (the emulator).

Values are read on first access and the cache is dropped on ``setting_changed`` (so
``override_settings`` works in tests), the way DRF's ``api_settings`` behaves. Nothing
here is read at import time.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

THRED_DEFAULTS: dict[str, Any] = {
    # --- Client -------------------------------------------------------------------
    # Base URL of the Thred Partner API, without a trailing slash, e.g.
    # "https://sandbox.thredfi.com" or "http://localhost:8000/thred-sandbox".
    "BASE_URL": "https://sandbox.thredfi.com",
    "PARTNER_ID": "",  # the partner UUID issued by Thred
    "API_KEY": "",  # the partner API key issued by Thred (a secret)
    "TIMEOUT": 10.0,  # seconds, per request (read and write)
    "CONNECT_TIMEOUT": 5.0,  # seconds
    # Renew a cached token this many seconds before its expires_in runs out.
    "TOKEN_REFRESH_MARGIN": 300,
    # Django cache alias used to share tokens between processes (None: memory only).
    "TOKEN_CACHE": "default",
    # Dotted path to a callable returning an httpx.BaseTransport (None: real HTTP).
    # Tests use "thred_django.sandbox.transport.in_process_transport".
    "TRANSPORT": None,
    "MAX_CONNECTIONS": 32,
    # --- Single-business hosts ------------------------------------------------------
    # A host with no tenant model (one site = one business): the business payload (a
    # dict) or a dotted path to a callable returning one. Every mapping's records then
    # belong to that business and mappings need no ``business`` path.
    "BUSINESS": None,
    # --- Sync engine --------------------------------------------------------------
    "SYNC_MODE": "queue",  # "queue", "eager" or "disabled"
    "EXTERNAL_ID_PREFIX": "",  # prepended to every generated external_id
    # Time zone of the businesses' dates (a date sent as a Thred date-time is midnight
    # there; naive datetimes are read there). None: Django's TIME_ZONE. Per business:
    # override Mapping.get_timezone().
    "TIMEZONE": None,
    # A line whose quantity x unit_price is not a whole number of minor units:
    # "single_line" (quantity 1 at its rounded total, the quantity kept in its
    # description), "refuse" (the record fails, naming the line) or "send" (as it is).
    "FRACTIONAL_LINES": "single_line",
    "LINE_ROUNDING": "ROUND_HALF_UP",  # a decimal rounding mode, for "single_line"
    # Transient failures retry for this many seconds from the first of a run, then fail.
    "RETRY_WINDOW": 86400.0,
    "MAX_ATTEMPTS": None,  # optional extra cap on transient failures in a run (None: none)
    "BACKOFF_BASE": 2.0,  # seconds; full jitter over base * 2**attempt
    "BACKOFF_MAX": 1800.0,  # seconds, cap of one backoff
    "RETRY_AFTER_MAX": 600.0,  # seconds, cap of a 429 Retry-After pause
    "BREAKER_THRESHOLD": 5,  # consecutive transient failures that pause a business
    "BREAKER_COOLDOWN": 60.0,  # seconds a tripped breaker pauses the business
    "DEPENDENCY_WAIT": 5.0,  # seconds a record waits for a parent claimed elsewhere
    "LEASE_SECONDS": 120.0,  # a claim older than this is taken back by the sweep
    # A create that got no answer (timed out, connection lost, 5xx) may still land in
    # Thred for this many seconds after its attempt: a record deleted or made inactive
    # meanwhile, and not found in Thred, is only called "never reached Thred" after it.
    "ANSWER_GRACE_SECONDS": 60.0,
    "BATCH_SIZE": 200,  # records claimed per round
    "CONCURRENCY": 8,  # businesses pushed in parallel by one worker
    # Calls in flight at once: per worker process (its I/O threads, each with its own
    # database connection; at most MAX_CONNECTIONS), and per business (the most its
    # adaptive window grows to; 1: one call at a time, in order).
    "MAX_IN_FLIGHT": 32,
    "BUSINESS_MAX_IN_FLIGHT": 16,
    "TASK_TIME_LIMIT": 50.0,  # seconds one queue task keeps draining before it yields
    # At most one push enqueued per this many seconds while one waits to start (a
    # shared cache lets the starting task lift it at once for every process).
    "PUSH_DEBOUNCE_SECONDS": 1,
    "SWEEP_MINUTES": 1,  # schedule of the periodic sweep
    "ATTEMPT_LOG_RETENTION_DAYS": 30,
    "Q_CLUSTER_NAME": None,  # django-q2 cluster for thred tasks (None: default)
    # --- Reconciliation -------------------------------------------------------------
    "RECONCILE_MINUTES": 1440,  # schedule of the reconciliation (0 or None: not scheduled)
    "RECONCILE_FIX": False,  # the scheduled run also repairs what it can
    "RECONCILE_KEEP_FINDINGS": 100,  # findings stored per business (all are counted)
    # --- Monitoring -------------------------------------------------------------------
    # Health view thresholds, e.g. {"oldest_due_seconds": 600, "failed": 0}: a value above
    # its threshold answers 503; None only reports it (defaults: engine.monitor).
    "HEALTH": None,
    # Per-business series in the metrics view (one label value per business: keep it
    # off with many businesses).
    "METRICS_PER_BUSINESS": False,
    # A business with this many failed records sends the failures_exceeded alert (again
    # at most every ALERT_REPEAT_SECONDS while it stays above).
    "ALERT_FAILURES": 10,
    "ALERT_REPEAT_SECONDS": 3600,
    # --- Admin and API ------------------------------------------------------------
    "API_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    # --- Embedded accounting (thred_django.embed) ---------------------------------
    # Dotted path to resolver(request) -> the tenant (or its pk) whose books the user
    # may see, or None. The token endpoint answers for that business only.
    "EMBED_BUSINESS_RESOLVER": None,
    "EMBED_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Where the page loads the widget's ES module from.
    "EMBED_SCRIPT_URL": "https://esm.sh/@thredfi/accounting",
    # Payloads and attempt bodies (host personal data) only for users who may view the
    # host model (thred_django.access).
    "HIDE_PAYLOADS_WITHOUT_HOST_PERMISSION": True,
}

SANDBOX_DEFAULTS: dict[str, Any] = {
    # Partner credentials the sandbox accepts: {partner_uuid: api_key}. None means
    # "the PARTNER_ID / API_KEY of the THRED setting", which suits an embedded sandbox.
    "PARTNERS": None,
    "TOKEN_TTL": 3600,  # seconds, the expires_in of issued tokens
    # Fault injection: probabilities in [0, 1], changeable at runtime (control endpoint).
    "FAULTS": {
        "error_500_rate": 0.0,
        "rate_limit_rate": 0.0,
        "retry_after_seconds": 1,
        "slow_rate": 0.0,
        "slow_seconds": 15.0,
        "commit_then_500_rate": 0.0,
    },
    # Seconds every API response waits (outside any transaction or lock, so concurrent
    # calls overlap): a remote API's latency for benchmarks. The control endpoint's
    # faults "latency" field changes it at runtime.
    "LATENCY": 0.0,
    # The control endpoint (faults, reset) exists only when this is True.
    "CONTROL_ENABLED": False,
    "REQUEST_LOG": True,  # keep a log of every request the sandbox answers
}


class LazySettings:
    """One settings dict with defaults, read from ``django.conf.settings`` on first use."""

    def __init__(self, setting_name: str, defaults: Mapping[str, Any]) -> None:
        self.setting_name = setting_name
        self.defaults = dict(defaults)
        self._cache: dict[str, Any] | None = None

    @property
    def user_settings(self) -> dict[str, Any]:
        return dict(getattr(settings, self.setting_name, None) or {})

    def as_dict(self) -> dict[str, Any]:
        if self._cache is None:
            merged = dict(self.defaults)
            merged.update(self.user_settings)
            self._cache = merged
        return self._cache

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self.defaults:
            raise AttributeError(f"{self.setting_name} has no setting {name!r}")
        return self.as_dict()[name]

    def reload(self) -> None:
        self._cache = None


thred_settings = LazySettings("THRED", THRED_DEFAULTS)
sandbox_settings = LazySettings("THRED_SANDBOX", SANDBOX_DEFAULTS)


def default_timezone() -> tzinfo:
    """The time zone dates are read in when a mapping names none: ``THRED["TIMEZONE"]``
    when set, otherwise Django's ``TIME_ZONE``."""
    name = thred_settings.TIMEZONE
    if not name:
        return timezone.get_default_timezone()
    if isinstance(name, tzinfo):
        return name
    return zoneinfo.ZoneInfo(str(name))


_reload_hooks: list[Any] = []


def on_reload(func: Any) -> Any:
    """Register ``func()`` to run whenever THRED or THRED_SANDBOX changes (tests)."""
    _reload_hooks.append(func)
    return func


@receiver(setting_changed)
def _reload_settings(*, setting: str, **kwargs: Any) -> None:
    if setting in ("THRED", "THRED_SANDBOX"):
        thred_settings.reload()
        sandbox_settings.reload()
        for hook in _reload_hooks:
            hook()
