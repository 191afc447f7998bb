"""WSGI entry point (``gunicorn config.wsgi`` from example_project/)."""

import os
import sys
from pathlib import Path

# Works from a plain checkout too: thred_django lives one directory up.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
