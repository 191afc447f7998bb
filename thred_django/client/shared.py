"""``get_client()``: the process-wide ``ThredClient`` built from ``THRED`` settings.

Created on first use; closed and discarded when ``THRED``/``THRED_SANDBOX`` change
(``override_settings`` in tests) and at interpreter exit.
"""

from __future__ import annotations

import atexit
import threading

from thred_django.client.client import ThredClient
from thred_django.conf import on_reload

_lock = threading.Lock()
_client: ThredClient | None = None


def get_client() -> ThredClient:
    """The shared client (thread-safe; built lazily from settings)."""
    global _client
    client = _client
    if client is not None and not client.closed:
        return client
    with _lock:
        if _client is None or _client.closed:
            _client = ThredClient()
        return _client


@on_reload
def reset_client() -> None:
    """Close and forget the shared client; the next ``get_client()`` builds a new one."""
    global _client
    with _lock:
        client, _client = _client, None
    if client is not None:
        client.close()


atexit.register(reset_client)
