"""Normalising and hashing payloads.

A payload is normalised to plain JSON once (dates and Decimals become strings, NaN and
infinities are refused) so that the hash of what would be sent is stable, and a save
that does not change what Thred would receive makes no call.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


class PayloadError(ValueError):
    """The mapping built something that is not JSON: names the problem."""


def normalize(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise PayloadError(f"build_payload() must return a dict, not {type(payload).__name__}.")
    bad = _non_finite_path(payload, "")
    if bad:
        raise PayloadError(f"{bad}: NaN or an infinite number cannot be sent to Thred.")
    try:
        text = json.dumps(payload, cls=DjangoJSONEncoder, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PayloadError(f"Payload is not JSON-serialisable: {exc}") from None
    result: dict[str, Any] = json.loads(text)
    return result


def _non_finite_path(value: Any, path: str) -> str:
    """The dotted path of the first NaN/infinite float or Decimal, or ""."""
    if isinstance(value, dict):
        for key, item in value.items():
            found = _non_finite_path(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _non_finite_path(item, f"{path}[{i}]")
            if found:
                return found
    elif (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        return path or "payload"
    return ""


def digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
