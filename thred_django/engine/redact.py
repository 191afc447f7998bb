"""Summaries of requests and responses for the attempt log, with secrets left out.

Payloads carry accounting data, never credentials; still, any key that looks like a
secret is masked, long strings are cut and large bodies are bounded, so the log stays
small and safe to show in admin.
"""

from __future__ import annotations

import re
from typing import Any

SECRET_KEY_PATTERN = re.compile(
    r"(authorization|token|secret|password|api[_-]?key|credential)", re.IGNORECASE
)
MASK = "***"
MAX_STRING = 200
MAX_ITEMS = 50
MAX_DEPTH = 6


def storable(text: str) -> str:
    """Text every database's JSON column accepts: no NUL, no lone surrogate."""
    if text.isascii() and "\x00" not in text:
        return text
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


_KEYS: dict[Any, tuple[str, bool]] = {}  # the keys seen: payloads repeat their schema's
_KEYS_MAX = 4096


def _key(key: Any) -> tuple[str, bool]:
    """(the key as stored, whether it looks like a secret's)."""
    known = _KEYS.get(key) if type(key) is str else None
    if known is None:
        text = storable(str(key))
        known = (text, bool(SECRET_KEY_PATTERN.search(text)))
        if type(key) is str:
            if len(_KEYS) >= _KEYS_MAX:
                _KEYS.clear()
            _KEYS[key] = known
    return known


def summarize(value: Any, depth: int = 0) -> Any:
    """A JSON-safe, bounded copy of ``value`` with secret-looking keys masked."""
    if depth > MAX_DEPTH:
        return "…"
    kind = type(value)
    if kind is str and len(value) <= MAX_STRING and value.isascii() and "\x00" not in value:
        return value  # (most of a payload: as storable() would leave it)
    if kind is int or kind is bool or kind is float or value is None:
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for i, (key, item) in enumerate(value.items()):
            if i >= MAX_ITEMS:
                out["…"] = f"{len(value) - MAX_ITEMS} more keys"
                break
            known = _KEYS.get(key) if type(key) is str else None
            key, secret = known if known is not None else _key(key)
            out[key] = MASK if secret else summarize(item, depth + 1)
        return out
    if isinstance(value, list | tuple):
        items = [summarize(item, depth + 1) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"… {len(value) - MAX_ITEMS} more items")
        return items
    if isinstance(value, str):
        value = storable(value)
        return value if len(value) <= MAX_STRING else value[:MAX_STRING] + "…"
    if isinstance(value, bool | int | float):
        return value
    return summarize(str(value), depth)


def brief(answer: Any) -> Any:
    """Thred's answer to a call that succeeded, in brief, for the attempt log (which
    ``summarize``s it): its own fields (id, status, totals, dates), a nested object as
    its id ("{…}" without one), a list as how many items it holds. What was sent is in
    the request's summary and the object itself in Thred; Thred's answer repeats both,
    and an invoice's was three times the size of its request (a failure keeps its whole
    answer: ``summarize``)."""
    if not isinstance(answer, dict):
        return answer
    short: dict[Any, Any] = {}
    for key, value in answer.items():
        if isinstance(value, dict):
            value = value.get("id", "{…}")
        elif isinstance(value, list | tuple) and value:
            value = f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
        short[key] = value
    return short
