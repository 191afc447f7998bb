"""Fixtures for the django-tenants project: PostgreSQL only, a fresh database per test.

Every test here is marked ``postgres_only`` and ``tenants`` and skipped, with the reason,
when the suite runs on SQLite (schemas are a PostgreSQL feature) or without django-tenants.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tenants.harness import Databases, TenantsProject, suite_postgres_url

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.postgres_only)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def tenants_databases() -> Iterator[Databases]:
    server = suite_postgres_url()
    if server is None:
        pytest.skip(
            "django-tenants keeps tenants in PostgreSQL schemas: run with "
            "DATABASE_URL=postgres://… (CI runs this suite on PostgreSQL too)"
        )
    if importlib.util.find_spec("django_tenants") is None:
        pytest.skip("django-tenants is not installed (pip install 'thred-django[tenants]')")
    databases = Databases(server)
    try:  # a template whose setup failed is dropped too
        databases.create_template()
        yield databases
    finally:
        databases.close()


@pytest.fixture
def tenants_project(tenants_databases: Databases) -> Iterator[TenantsProject]:
    url = tenants_databases.fresh()
    yield TenantsProject(url)
    tenants_databases.drop(url)
