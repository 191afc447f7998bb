"""The Thred sandbox: a faithful emulator of the Thred Partner API as a Django app.

Install it with ``"thred_django.sandbox"`` in ``INSTALLED_APPS`` (label
``thred_sandbox``) and mount it under any prefix::

    path("thred-sandbox/", include("thred_django.sandbox.urls"))

Its state lives in the database, so web servers, queue workers and management
commands all see one sandbox. Settings come from ``THRED_SANDBOX`` (see
``thred_django.conf``); its reading of what the docs leave open from ``readings`` and
each resource's request bodies from its kind module (``kinds/<name>.py``, with the
field types of ``schemas``): never from the client it is there to test.
"""
