"""Fixtures for the example project's tests: a fresh migrated database per test.

Markers: ``example`` on every test here; ``slow`` on the ones that sync (select with
``-m slow`` or leave them out with ``-m "not slow"``); ``cluster`` on the one that runs
gunicorn and a real django-q2 cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.example.databases import PostgresDatabases, SqliteDatabases, provider
from tests.example.project import ExampleProject

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "example: tests of the example project (subprocesses)")
    config.addinivalue_line("markers", "slow: end-to-end runs that take several seconds")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.example)


@pytest.fixture(scope="session")
def example_databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SqliteDatabases | PostgresDatabases]:
    databases = provider(tmp_path_factory.mktemp("example-db"))
    databases.create_template()
    yield databases
    databases.close()


@pytest.fixture
def make_project(example_databases) -> Iterator:
    """``make_project(**env)`` → an ExampleProject on its own fresh database."""
    urls: list[str] = []

    def make(**env: str) -> ExampleProject:
        url = example_databases.fresh()
        urls.append(url)
        return ExampleProject(url, env=dict(env))

    yield make
    for url in urls:
        example_databases.drop(url)


@pytest.fixture
def project(make_project) -> ExampleProject:
    return make_project()
