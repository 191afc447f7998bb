"""The test matrix: Python 3.11-3.13 x Django 5.2, 6.0, 6.1 (where Django supports the
Python: 6.x needs 3.12+).

    nox -s tests                          # the suite (SQLite) in every cell
    nox -s "tests(python='3.13', django='6.1')"   # one cell
    nox -s smoke                          # a fast subset in every cell (CI runs one)
    nox -s tests -- tests/engine -x       # arguments after -- go to pytest

With pyenv, make the interpreters visible first:
``export PYENV_VERSION=3.11.7:3.12.1:3.13.0`` (or ``pyenv global`` with all three).
A missing interpreter skips its cells instead of failing.
"""

from __future__ import annotations

import nox

nox.options.error_on_missing_interpreters = False
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]

PYTHONS = ["3.11", "3.12", "3.13"]
DJANGOS = ["5.2", "6.0", "6.1"]
# Django 6.0 and later need Python 3.12 or newer.
MIN_PYTHON = {"5.2": (3, 10), "6.0": (3, 12), "6.1": (3, 12)}
NOT_SLOW = "not chaos and not browser"
SMOKE = [
    "tests/money",
    "tests/multi",
    "tests/ledgerhost",
    "tests/checks",
    "tests/commands",
    "tests/embed",
    "tests/engine/test_push.py",
    "tests/engine/test_marking.py",
    # engine/sql.py (the one module of hand-written SQL) against the ORM's result, on
    # every Django version; .ci/run also runs these two on PostgreSQL.
    "tests/engine/test_sql.py",
    "tests/engine/test_writer.py",
    "tests/admin/test_mixin.py",
    "tests/api",
    "tests/client/test_client.py",
    "tests/sandbox/test_validation.py",
]


CELLS = [
    (python, django)
    for python in PYTHONS
    for django in DJANGOS
    if tuple(int(part) for part in python.split(".")) >= MIN_PYTHON[django]
]
# CI (.ci/run) runs its main suite on the .venv's Python with Django 5.2, and
# smoke(python='3.12', django='6.0') and smoke(python='3.13', django='6.1') from here.


def _install(session: nox.Session, django: str) -> None:
    session.install("-e", ".[dev]", f"django~={django}.0")
    session.run("python", "-c", "import django; print('Django', django.get_version())")


@nox.session
@nox.parametrize("python,django", CELLS)
def tests(session: nox.Session, django: str) -> None:
    """The whole suite but chaos and browser tests."""
    _install(session, django)
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-m", NOT_SLOW, *session.posargs)


@nox.session
@nox.parametrize("python,django", CELLS)
def smoke(session: nox.Session, django: str) -> None:
    """A fast subset touching every layer: money, mappings by resource, the ledger
    host end to end, checks, commands, embed, engine, admin, API, client and sandbox
    validation."""
    _install(session, django)
    session.run("pytest", "-q", "-x", "-p", "no:cacheprovider", *(session.posargs or SMOKE))
