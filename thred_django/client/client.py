"""``ThredClient``: one method per Thred Partner API endpoint."""

from __future__ import annotations

from thred_django.client.businesses import BusinessesMixin
from thred_django.client.payables import PayablesMixin
from thred_django.client.receivables import ReceivablesMixin


class ThredClient(BusinessesMixin, ReceivablesMixin, PayablesMixin):
    """A typed, thread-safe client of the Thred Partner API.

    ``ThredClient(*, base_url=None, partner_id=None, api_key=None, timeout=None,
    transport=None, token_cache=<THRED['TOKEN_CACHE']>)``: each argument defaults from
    the ``THRED`` setting. ``transport`` is an httpx transport, a factory, or a dotted
    path to one (``THRED['TRANSPORT']``; ``None`` means the real network).
    ``token_cache`` is a Django cache alias (``None``: tokens in memory only).

    Non-list methods return ``ThredResponse[T]``; list methods return an iterator over
    every item of every page. Failures raise the ``ThredError`` subclasses of
    ``thred_django.exceptions``. Only a 401 is retried (once, after re-authenticating);
    every other retry decision belongs to the caller.

    Share one instance per process (``get_client()``): it pools connections and caches
    tokens, and may be used from several threads at once.
    """
