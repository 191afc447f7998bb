"""A schema-per-tenant SaaS on django-tenants, set up as the README's recipe says.

PostgreSQL only (``DATABASE_URL``). ``TENANTS_LAYOUT`` bends the layout for the system
check tests: ``shared_only`` puts thred_django in SHARED_APPS only, ``q_in_tenants``
puts django_q in TENANT_APPS, ``shop_shared`` the mapped models' app in SHARED_APPS.
"""

import os

import dj_database_url

SECRET_KEY = "tenants-test-project-not-a-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["*"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        **dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60),
        "ENGINE": "django_tenants.postgresql_backend",
    }
}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

SHARED_APPS = [
    "django_tenants",
    "tests.tenants.project.customers",  # the tenant model, in the public schema
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "django_q",  # one queue and one schedule, in the public schema
    "thred_django.sandbox",  # stands in for Thred (in-process transport)
]
TENANT_APPS = [
    "thred_django",  # an outbox per tenant schema
    "tests.tenants.project.shop",
]

LAYOUT = os.environ.get("TENANTS_LAYOUT", "")
if LAYOUT == "shared_only":
    TENANT_APPS.remove("thred_django")
    SHARED_APPS.append("thred_django")
elif LAYOUT == "q_in_tenants":
    SHARED_APPS.remove("django_q")
    TENANT_APPS.append("django_q")
elif LAYOUT == "shop_shared":
    TENANT_APPS.remove("tests.tenants.project.shop")
    SHARED_APPS.append("tests.tenants.project.shop")

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "customers.Client"
TENANT_DOMAIN_MODEL = "customers.Domain"

MIDDLEWARE = ["django_tenants.middleware.main.TenantMainMiddleware"]
ROOT_URLCONF = "tests.tenants.project.urls"
TEMPLATES = []

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["thred_django.W003"]  # per-process cache: fine for this test

THRED = {
    "BASE_URL": "http://testserver/thred-sandbox",
    "PARTNER_ID": "7d0b6a52-1f43-4c8e-9b1e-3a5f2c6d8e90",
    "API_KEY": "tenants-test-api-key-not-a-secret",
    # In-process sandbox, recording every request (tests.tenants.project.tap).
    "TRANSPORT": "tests.tenants.project.tap.transport",
    "SYNC_MODE": os.environ.get("THRED_SYNC_MODE", "queue"),
    "CONCURRENCY": 3,
    "TASK_TIME_LIMIT": 20.0,
    "BACKOFF_BASE": 0.1,
    "BACKOFF_MAX": 1.0,
}

Q_CLUSTER = {
    "name": "thred-tenants",
    "orm": "default",
    "workers": 2,
    "timeout": 60,
    "retry": 120,
    "save_limit": -1,
    "ack_failures": True,
    "poll": 0.2,
    "catch_up": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "thred_django": {"handlers": ["console"], "level": "WARNING"},
        "django-q": {"handlers": ["console"], "level": "WARNING"},
    },
}
