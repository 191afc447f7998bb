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
    path, problem = _first_problem(payload, "")
    if path:
        raise PayloadError(f"{path}: {problem}")
    result: dict[str, Any] = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return result


_ENCODER = DjangoJSONEncoder()
_PLAIN = (str, int, bool, type(None))


def _first_problem(value: Any, path: str) -> tuple[str, str]:
    """(dotted path, what is wrong) of the first value JSON cannot carry, or ("", "")."""
    here = path or "payload"
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_problem(item, f"{path}.{key}" if path else str(key))
            if found[0]:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _first_problem(item, f"{path}[{i}]")
            if found[0]:
                return found
    elif (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        return here, "NaN or an infinite number cannot be sent to Thred."
    elif not isinstance(value, (*_PLAIN, float, Decimal)):
        try:
            _ENCODER.default(value)
        except TypeError:
            return here, f"a {type(value).__name__} is not JSON; convert it in build_payload()."
    return "", ""


def digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
