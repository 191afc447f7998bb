"""Every index on the sync records and their dependency edges is paid by each write to
the table (claims and outcomes are not HOT updates), so none is kept that another index
covers: migration 0009 dropped four that were (the content type's, thred_id's LIKE copy,
blocked_by's over every NULL, the edges' parent type's)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from thred_django.models import SyncDependency, SyncRecord


def _indexes(model) -> dict[str, tuple[list[str], bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: (info["columns"], bool(info["unique"] or info["primary_key"]))
        for name, info in found.items()
        if info["index"] or info["unique"] or info["primary_key"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", [SyncRecord, SyncDependency])
def test_no_plain_index_is_covered_by_another(model) -> None:
    indexes = _indexes(model)
    covered = [
        (name, other)
        for name, (columns, unique) in indexes.items()
        for other, (longer, _) in indexes.items()
        if other != name and not unique and longer[: len(columns)] == columns
    ]
    assert covered == []


@pytest.mark.django_db
def test_the_columns_that_lost_their_own_index_are_still_read_through_another() -> None:
    indexes = _indexes(SyncRecord)
    leading = {columns[0] for columns, _ in indexes.values()}
    assert {"content_type_id", "thred_id", "blocked_by_id"} <= leading
    assert ["parent_type_id", "parent_id", "child_id"] in [
        columns for columns, _ in _indexes(SyncDependency).values()
    ]


@pytest.mark.django_db
def test_on_postgresql_the_new_ones_are_built_concurrently_and_blocked_by_only_where_set() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("CREATE INDEX CONCURRENTLY is PostgreSQL's")
    out = io.StringIO()
    call_command("sqlmigrate", "thred_django", "0009", stdout=out)
    sql = out.getvalue()
    assert 'CREATE INDEX CONCURRENTLY "thred_sr_thred_id"' in sql
    assert 'CREATE INDEX CONCURRENTLY "thred_sr_blocked_by"' in sql
    assert 'WHERE "blocked_by_id" IS NOT NULL' in sql
    assert "BEGIN" not in sql  # outside a transaction, as CONCURRENTLY must be


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_and_forth_with_index_statements_only() -> None:
    def indexes() -> set[tuple[str, ...]]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, SyncRecord._meta.db_table)
        return {
            tuple(info["columns"])
            for info in found.values()
            if info["index"] and not info["unique"] and not info["primary_key"]
        }

    after = indexes()
    executor = MigrationExecutor(connection)
    executor.migrate([("thred_django", "0008_tenant_due_index")])
    try:
        # 0008's schema: each of the three columns with an index of its own
        assert {("content_type_id",), ("thred_id",), ("blocked_by_id",)} <= indexes()
    finally:
        executor.loader.build_graph()
        with CaptureQueriesContext(connection) as ran:
            executor.migrate([("thred_django", "0009_lean_indexes")])
    assert indexes() == after
    assert ("content_type_id",) not in after
    # No table rebuilt (SQLite) and no foreign key dropped and added again (PostgreSQL:
    # that checks every row under a lock on the host's writes): indexes only.
    ddl = [q["sql"] for q in ran.captured_queries if q["sql"].startswith(("ALTER", "CREATE T"))]
    assert ddl == []
