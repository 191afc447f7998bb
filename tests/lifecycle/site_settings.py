"""Settings of the realhost site the convergence test serves (tests/lifecycle/site.py).

A project of its own: the realhost platform (its mappings registered:
``REALHOST_REGISTER``), thred_django and the embedded sandbox, on ``DATABASE_URL``,
served by gunicorn on ``PORT``; the sync processes talk to that sandbox over real HTTP.
Read from the environment the reliability harness sets (tests/reliability/harness.py):
``THRED_PARTNER_ID``, ``THRED_API_KEY``, ``THRED_SYNC_MODE``, ``THRED_TRANSPORT``,
``THRED_SANDBOX_CONTROL`` and ``THRED_RELIABILITY_OVERRIDES`` (JSON merged into THRED).
Never imported by the test suite itself.
"""

import json
import os
import tempfile

import dj_database_url

SECRET_KEY = "lifecycle-site-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "tests.lifecycle.site_urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "django_q",
    "thred_django",
    "thred_django.sandbox",
    "tests.realhost",
]
REALHOST_REGISTER = True

_url = os.environ["DATABASE_URL"]
_database = dj_database_url.parse(_url)
if _database["ENGINE"].endswith("sqlite3"):
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "timeout": 30,
    }
else:
    _database["CONN_MAX_AGE"] = 60
DATABASES = {"default": _database}

# Tokens are shared by the processes through this cache (as a deployment would).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("LIFECYCLE_CACHE_DIR")
        or os.path.join(tempfile.gettempdir(), f"thred-lifecycle-{os.environ.get('PORT')}"),
    }
}

THRED = {
    "BASE_URL": f"http://127.0.0.1:{os.environ['PORT']}/thred-sandbox",
    "PARTNER_ID": os.environ["THRED_PARTNER_ID"],
    "API_KEY": os.environ["THRED_API_KEY"],
    "SYNC_MODE": os.environ.get("THRED_SYNC_MODE", "queue"),
    "TRANSPORT": os.environ.get("THRED_TRANSPORT") or None,
    **json.loads(os.environ.get("THRED_RELIABILITY_OVERRIDES") or "{}"),
}
THRED_SANDBOX = {
    "PARTNERS": None,
    "CONTROL_ENABLED": os.environ.get("THRED_SANDBOX_CONTROL") == "1",
    **json.loads(os.environ.get("LIFECYCLE_SANDBOX") or "{}"),
}
Q_CLUSTER = {"name": "lifecycle-site", "orm": "default", "timeout": 60, "retry": 120}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"thred_django": {"level": "INFO"}},
}
