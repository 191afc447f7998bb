"""Settings of the example sales platform, every one overridable by an environment variable.

==========================  ==============================================================
Variable                    Default
==========================  ==============================================================
DATABASE_URL                sqlite:///<example_project>/db.sqlite3 (WAL, BEGIN IMMEDIATE)
REDIS_URL                   unset: django-q2 on the ORM broker, cache in the database
THRED_SITE_URL              http://127.0.0.1:$PORT (PORT defaults to 8000)
THRED_BASE_URL              $THRED_SITE_URL/thred-sandbox (the sandbox this site mounts)
THRED_PARTNER_ID            the demo partner UUID below
THRED_API_KEY               the demo API key below
THRED_SYNC_MODE             queue (or eager, disabled)
THRED_TRANSPORT             unset (real HTTP); tests use the sandbox's in-process transport
THRED_EXTERNAL_ID_PREFIX    "" (set one per installation sharing a real Thred sandbox)
THRED_SANDBOX_CONTROL       0 (1 exposes the sandbox's fault-injection control endpoint)
Q_WORKERS                   2
DJANGO_SECRET_KEY           an insecure demo key
DJANGO_DEBUG                1 (the demo serves the admin's static files with runserver)
DJANGO_ALLOWED_HOSTS        127.0.0.1,localhost
==========================  ==============================================================

The embedded sandbox accepts exactly the partner credentials configured for the client
(``THRED_SANDBOX["PARTNERS"] = None``), so the defaults and any THRED_PARTNER_ID /
THRED_API_KEY you set both work against it.
"""

from pathlib import Path
from urllib.parse import urlsplit

from config import queue
from config.database import database_from_url, default_sqlite_url
from config.env import env_bool, env_choice, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "example-project-insecure-demo-key-do-not-deploy")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

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
    "sales",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", default_sqlite_url(BASE_DIR)))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CACHES = queue.caches(REDIS_URL)
Q_CLUSTER = queue.q_cluster(REDIS_URL, workers=env_int("Q_WORKERS", 2))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Thred -------------------------------------------------------------------------
DEMO_PARTNER_ID = "0d3f6a5e-2c4b-4e8f-9a71-5b6c7d8e9f10"
DEMO_API_KEY = "demo-api-key-for-the-embedded-sandbox"

SITE_URL = env_str("THRED_SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

THRED = {
    "BASE_URL": env_str("THRED_BASE_URL", f"{SITE_URL}/thred-sandbox").rstrip("/"),
    "PARTNER_ID": env_str("THRED_PARTNER_ID", DEMO_PARTNER_ID),
    "API_KEY": env_str("THRED_API_KEY", DEMO_API_KEY),
    "SYNC_MODE": env_choice("THRED_SYNC_MODE", "queue", ("queue", "eager", "disabled")),
    "TRANSPORT": env_str("THRED_TRANSPORT") or None,
    "EXTERNAL_ID_PREFIX": env_str("THRED_EXTERNAL_ID_PREFIX"),
    # /accounting/: whose books a signed-in user sees (sales/embed.py).
    "EMBED_BUSINESS_RESOLVER": "sales.embed.merchant_of",
}
# The site must answer to the host it calls its own sandbox by (in-process transport too).
ALLOWED_HOSTS += [
    host for host in (urlsplit(SITE_URL).hostname, urlsplit(THRED["BASE_URL"]).hostname) if host
]
THRED_SANDBOX = {
    "PARTNERS": None,  # accept THRED's PARTNER_ID / API_KEY, whatever they are
    "CONTROL_ENABLED": env_bool("THRED_SANDBOX_CONTROL", False),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "thred_django": {"level": env_str("THRED_LOG_LEVEL", "INFO")},
        # django-q2 logs as "django-q" (getLogger("django-q")), not as its package name.
        "django-q": {"level": env_str("Q_LOG_LEVEL", "INFO")},
    },
}
