"""DRF status API of thred_django: read sync status, per-business counts, ask for a retry.

Mount it in the host's URLconf::

    path("thred/api/", include("thred_django.api.urls")),

Endpoints (namespace ``thred_api``), all guarded by THRED["API_PERMISSION_CLASSES"]
(IsAdminUser by default), then ``thred_django.access``: view_syncrecord to read,
retry_syncrecord and view_syncrecord to retry, checked before any lookup:

* ``GET  objects/<app_label.model>/<pk>/``        the object's SyncRecord (public fields)
* ``POST objects/<app_label.model>/<pk>/retry/``  queue a push now → 202 {"queued": n}
* ``GET  businesses/``                            counts by state for every business
* ``GET  businesses/<external_id>/``              one business: by state and by resource

Nothing here calls Thred: a retry queues a push (``engine.actions.retry``).
"""
