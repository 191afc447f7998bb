"""Settings for the thred_django test suite.

SQLite by default; set DATABASE_URL (e.g. postgres://user:pass@localhost/thred) to run
the same suite on PostgreSQL.
"""

import os
import tempfile

import dj_database_url

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
ALLOWED_HOSTS = ["*"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_q",
    "thred_django",
    "thred_django.sandbox",
    "tests.testapp",
    # A second host shaped like a real platform (UUID keys, Decimal money, statuses);
    # its mappings are swapped in by tests/lifecycle (see its thred_mappings.py).
    "tests.realhost",
    "tests.shophost",  # a one-shop host (THRED["BUSINESS"]); its tests map it
    # An accounting app with payments kept on its invoice rows (one row feeds an invoice
    # and a payment); its mappings are swapped in by its own tests (tests/ledgerhost).
    "tests.ledgerhost",
    # A second admin mixin combined with ThredSyncAdminMixin (tests/admin/host_site.py).
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

_default_sqlite = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": os.path.join(os.path.dirname(__file__), "test.sqlite3"),
    "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    # One file per test process: parallel runs must not share it; subprocesses of a test
    # run (chaos, benchmarks) get the path through THRED_TEST_DB.
    "TEST": {
        "NAME": os.environ.get("THRED_TEST_DB")
        or os.path.join(tempfile.gettempdir(), f"thred-test-{os.getpid()}.sqlite3")
    },
}
DATABASES = {
    "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)
    if os.environ.get("DATABASE_URL")
    else _default_sqlite
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_URL = "/static/"

THRED_TEST_PARTNER_ID = "6f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44"
THRED = {
    "BASE_URL": "http://testserver/thred-sandbox",
    "PARTNER_ID": THRED_TEST_PARTNER_ID,
    "API_KEY": "test-api-key-not-a-real-secret",
    "TRANSPORT": "thred_django.sandbox.transport.in_process_transport",
    "SYNC_MODE": "eager",
}
THRED_SANDBOX = {"CONTROL_ENABLED": True}

Q_CLUSTER = {
    "name": "thred-tests",
    "orm": "default",
    "sync": True,
    "timeout": 60,
    "retry": 120,
    "save_limit": -1,
    "ack_failures": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "INFO"},
}
