"""What no database can store, found anywhere in a body or a query string.

Every string (values and object keys, at any depth) must be valid Unicode without NUL:
``"\\u0000"`` and a lone surrogate (``"\\ud800"``) are valid JSON but no text or JSON
column of PostgreSQL or SQLite keeps them. A body nested deeper than
``readings.MAX_BODY_DEPTH`` is refused too. Both are the sandbox's readings (the docs are
silent); the answer is a 400 naming the field, never a 500 from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thred_django.sandbox import readings
from thred_django.sandbox.schemas.fields import Errors, add

NUL = "Must not contain the NUL character (\\u0000)."
SURROGATE = "Must be valid Unicode text (no lone surrogate)."
TOO_DEEP = f"Nested more than {readings.MAX_BODY_DEPTH} levels deep."


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    if "\x00" in text:
        return NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE
    return None


def unstorable(data: Any) -> Errors:
    """``{path: [problem]}`` for every unstorable string or too-deep value in ``data``."""
    errors: Errors = {}
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > readings.MAX_BODY_DEPTH:
            add(errors, path.split("[", 1)[0].split(".", 1)[0], TOO_DEEP)
            continue
        if isinstance(value, str):
            if problem := text_problem(value):
                add(errors, path, problem)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (problem := text_problem(key)):
                    add(errors, f"{path}.<key>" if path else "<key>", f"Key: {problem}")
                    continue
                stack.append((item, name, depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
    return errors
