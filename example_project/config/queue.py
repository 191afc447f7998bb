"""django-q2 cluster and cache settings: the ORM broker by default, Redis on request.

``REDIS_URL`` switches both the queue broker and the cache to Redis (for platforms that
run many machines); the ``redis`` package is then needed (``pip install
"thred-django[redis]"``). Without it the queue lives in the database and so does the
cache, which every process on every machine sees (the engine keeps its "push queued"
flag and the Thred tokens there).

Timing: a thred push task drains for at most ``THRED['TASK_TIME_LIMIT']`` (50 s), the
cluster kills a task after ``timeout`` and re-delivers an unacknowledged one after
``retry``; a task that outlives ``retry`` would run twice, so timeout < retry with room.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

CLUSTER_NAME = "thred-example"
TASK_TIMEOUT = 90
TASK_RETRY = 180


def _require_redis() -> None:
    try:
        import redis  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            'REDIS_URL is set but the redis package is missing: pip install "thred-django[redis]"'
        ) from None


def q_cluster(redis_url: str, workers: int) -> dict[str, Any]:
    """The ``Q_CLUSTER`` setting."""
    conf: dict[str, Any] = {
        "name": CLUSTER_NAME,
        "workers": workers,
        "timeout": TASK_TIMEOUT,
        "retry": TASK_RETRY,
        "max_attempts": 1,  # the outbox retries with backoff; the queue need not
        "save_limit": -1,  # keep no successful results (failures are still saved)
        "ack_failures": True,
        "catch_up": False,  # after downtime one sweep is enough, not one per missed minute
        "poll": 0.5,
        "label": "Task queue",
    }
    if redis_url:
        _require_redis()
        conf["redis"] = redis_url
    else:
        conf["orm"] = "default"
    return conf


def caches(redis_url: str) -> dict[str, Any]:
    """The ``CACHES`` setting: shared by web, workers and commands."""
    if redis_url:
        _require_redis()
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    else:
        backend = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "example_cache",  # created by `migrate` (sales.apps)
        }
    return {"default": backend}
