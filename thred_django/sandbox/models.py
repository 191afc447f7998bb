"""Every model of the Thred sandbox, for Django.

The shared tables are in ``tables`` (the abstract bases, businesses, stored
Idempotency-Key answers, fault settings, the request log); each resource's own models
are in its kind module (``kinds/<name>.py``). Importing ``kinds`` here imports every
kind module, so Django registers their models under this app (label
``thred_sandbox``, the same tables as ever). Every model is also reachable here by its
class name (``models.Invoice``).
"""

from __future__ import annotations

from thred_django.sandbox import kinds
from thred_django.sandbox.tables import (
    Business,
    BusinessObject,
    FaultConfig,
    IdempotencyRecord,
    PartnerFaultConfig,
    RequestLog,
    SandboxObject,
)

__all__ = [
    "Business",
    "BusinessObject",
    "FaultConfig",
    "IdempotencyRecord",
    "PartnerFaultConfig",
    "RequestLog",
    "SandboxObject",
]

for _model in kinds.models():
    globals()[_model.__name__] = _model
    if _model.__name__ not in __all__:
        __all__.append(_model.__name__)
