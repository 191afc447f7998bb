"""The sandbox never imports the code it is there to test.

Every module of ``thred_django/sandbox`` is parsed with ``ast``: an import of
``thred_django.client``, ``thred_django.engine`` or ``thred_django.admin`` (absolute,
``from thred_django import client``, or relative) fails. The sandbox keeps its own
reading of the API (``readings``, ``schemas``); it may use ``thred_django.conf`` (its
settings) and ``thred_django.specs`` (the bottom layer).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import thred_django.sandbox

SANDBOX = Path(thred_django.sandbox.__file__).parent
PACKAGE = "thred_django.sandbox"
FORBIDDEN = ("thred_django.client", "thred_django.engine", "thred_django.admin")


def imported(source: str, module: str) -> list[str]:
    """Absolute names of everything ``source`` (the module ``module``) imports."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = ".".join(parts[: len(parts) - node.level])
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            names.append(origin)
            names += [f"{origin}.{alias.name}" for alias in node.names]
    return names


def forbidden(names: list[str]) -> list[str]:
    return [n for n in names if any(n == f or n.startswith(f"{f}.") for f in FORBIDDEN)]


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SANDBOX.rglob("*.py")):
        parts = path.relative_to(SANDBOX).with_suffix("").parts
        name = (
            ".".join((PACKAGE, *parts[:-1]))
            if parts[-1] == "__init__"
            else ".".join((PACKAGE, *parts))
        )
        found.append((name, path))
    return found


def test_the_sandbox_has_modules():
    assert len(modules()) > 20


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda v: str(v))
def test_no_import_of_client_engine_or_admin(module, path):
    assert forbidden(imported(path.read_text(), module)) == []


@pytest.mark.parametrize(
    "source",
    [
        "from thred_django.client import gaps",
        "import thred_django.engine.push",
        "from thred_django import admin",
        "from ...client.validation import validate_payload",
        "def f():\n    from thred_django.client.validation import text\n",
    ],
)
def test_each_form_of_import_is_caught(source):
    assert forbidden(imported(source, "thred_django.sandbox.views.base"))


def test_allowed_imports_pass():
    source = "from thred_django.conf import sandbox_settings\nfrom . import readings\n"
    assert forbidden(imported(source, "thred_django.sandbox.views.base")) == []
