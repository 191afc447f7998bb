"""Checks on a raw request body that no serializer field makes: storable text, depth.

Every string in the body — values and object keys, at any depth (``metadata`` keys
included) — must be storable by every database: no NUL character and no lone surrogate
(``"\\ud800"`` is valid JSON but not valid UTF-8). Bodies nested deeper than
``gaps.MAX_BODY_DEPTH`` are refused. Both are gap decisions (see ``gaps.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thred_django.client import gaps

Errors = dict[str, list[str]]

NUL_MESSAGE = "Must not contain the NUL character (\\u0000)."
SURROGATE_MESSAGE = "Must be valid Unicode text (no lone surrogate)."
DEPTH_MESSAGE = f"Nested more than {gaps.MAX_BODY_DEPTH} levels deep."


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None


def _clean(value: Any, depth: int) -> bool:
    """True when ``value`` (at ``depth``) holds nothing ``body_text_errors`` reports: a
    quick walk of the plain JSON types; anything else answers False (walk it fully)."""
    if depth > gaps.MAX_BODY_DEPTH:
        return False
    kind = type(value)
    if kind is str:
        return "\x00" not in value and (value.isascii() or text_problem(value) is None)
    if kind is dict:
        for key, item in value.items():
            if type(key) is str and ("\x00" in key or not key.isascii()):
                return False  # a non-ASCII key is rare: the full walk judges it
            if not _clean(item, depth + 1):
                return False
        return True
    if kind is list:
        return all(_clean(item, depth + 1) for item in value)
    return not isinstance(value, Mapping | list | tuple | str)


def body_text_errors(data: Any) -> Errors:
    """``{path: [message]}`` for every unstorable string or too-deep value in ``data``."""
    return {} if _clean(data, 0) else _walk(data)


def _walk(data: Any) -> Errors:
    """``body_text_errors`` the long way: every value, every path named."""
    errors: Errors = {}
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > gaps.MAX_BODY_DEPTH:
            top = path.split("[", 1)[0].split(".", 1)[0]  # name the body's field, once
            if DEPTH_MESSAGE not in errors.get(top, []):
                errors.setdefault(top, []).append(DEPTH_MESSAGE)
            continue
        if isinstance(value, str):
            if problem := text_problem(value):
                errors.setdefault(path or "non_field_errors", []).append(problem)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                name = str(key)
                child = f"{path}.{name}" if path else name
                if isinstance(key, str) and (problem := text_problem(key)):
                    # The key cannot appear in the error as is: name it by position.
                    child = f"{path}.<key>" if path else "<key>"
                    errors.setdefault(child, []).append(f"Key: {problem}")
                    continue
                stack.append((item, child, depth + 1))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]", depth + 1))
    return errors
