"""Typed httpx client of the Thred Partner API. Knows HTTP and Thred, nothing of the ORM.

    from thred_django.client import get_client

    client = get_client()
    business = client.create_business({...}).data
    for customer in client.list_customers(business["id"]):
        ...

Modules: ``client`` (ThredClient), ``core`` (config, tokens, the call path),
``businesses``/``receivables``/``payables`` (one method per endpoint),
``endpoints`` (the endpoint table), ``http`` (the request core), ``errors`` (response →
exception), ``auth`` (token cache), ``pagination``, ``types`` (TypedDicts),
``response`` (ThredResponse), ``shared`` (get_client).
"""

from thred_django.client.client import ThredClient
from thred_django.client.endpoints import ENDPOINTS, Auth, Endpoint
from thred_django.client.response import ThredResponse
from thred_django.client.shared import get_client, reset_client

__all__ = [
    "ENDPOINTS",
    "Auth",
    "Endpoint",
    "ThredClient",
    "ThredResponse",
    "get_client",
    "reset_client",
]
