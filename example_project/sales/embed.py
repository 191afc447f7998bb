"""Embedded accounting in the example: whose books a signed-in user may see.

THRED["EMBED_BUSINESS_RESOLVER"] points here. A merchant's staff sign in with the
merchant's e-mail address in this example; a real platform would follow its own
membership model (request.user.merchant, a membership table…). Never read the business
from the request's parameters.
"""

from __future__ import annotations

from typing import Any

from sales.models import Merchant


def merchant_of(request: Any) -> Merchant | None:
    email = getattr(request.user, "email", "")
    if not email:
        return None
    return Merchant.objects.filter(email__iexact=email).order_by("pk").first()
