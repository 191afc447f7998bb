"""Settings of the example project for the reliability runs (chaos, workers).

Used as ``DJANGO_SETTINGS_MODULE=tests.reliability.example_settings`` by the processes the
reliability tests start (gunicorn, ``manage.py thred_sync``, ``seed_demo``); never
imported by the test suite itself. It takes the example project's own settings (so
``DATABASE_URL``, ``THRED_*`` … still apply) and changes only what the project does not
expose through its environment:

* ``THRED_RELIABILITY_OVERRIDES``: a JSON object merged into ``THRED`` (TIMEOUT,
  BATCH_SIZE, CONCURRENCY, BACKOFF_*, LEASE_SECONDS, BREAKER_* …);
* logging: every logger at DEBUG (httpx and httpcore included) to stderr, so the
  security suite can scan everything a process could ever write.
"""

import json
import os

from config.settings import *  # noqa: F403
from config.settings import THRED

THRED = {**THRED, **json.loads(os.environ.get("THRED_RELIABILITY_OVERRIDES") or "{}")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "DEBUG"},
}
