"""WSGI entry point of the realhost site (``gunicorn tests.lifecycle.site_wsgi``)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.lifecycle.site_settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
