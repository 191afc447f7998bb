"""The outbox's indexes: the one a business's claims read (migration 0008), and none kept
that another covers (0009 dropped four: each index is paid by every write to its table,
and claims and outcomes are not HOT updates). On PostgreSQL both migrations build their
indexes CONCURRENTLY, outside a transaction, so a large outbox keeps taking the host's
saves."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from thred_django.models import SyncDependency, SyncRecord


def _online_sql(migration: str) -> str:
    """``sqlmigrate``'s SQL of ``migration`` (PostgreSQL only: CONCURRENTLY is its own)."""
    if connection.vendor != "postgresql":
        pytest.skip("CREATE INDEX CONCURRENTLY is PostgreSQL's")
    out = io.StringIO()
    call_command("sqlmigrate", "thred_django", migration, stdout=out)
    sql = out.getvalue()
    assert "BEGIN" not in sql  # outside a transaction, as CONCURRENTLY must be
    return sql


def test_the_claims_index_replaces_tenant_ids_own() -> None:
    names = [index.name for index in SyncRecord._meta.indexes]
    assert "thred_sr_tenant_due" in names
    fields = next(i.fields for i in SyncRecord._meta.indexes if i.name == "thred_sr_tenant_due")
    assert fields == ["tenant_id", "state", "next_attempt_at"]
    assert not SyncRecord._meta.get_field("tenant_id").db_index


@pytest.mark.django_db
def test_on_postgresql_it_is_built_concurrently_before_the_old_ones_go() -> None:
    sql = _online_sql("0008")
    assert 'CREATE INDEX CONCURRENTLY "thred_sr_tenant_due"' in sql
    with connection.cursor() as cursor:
        found = {
            info["columns"][0] if len(info["columns"]) == 1 else name
            for name, info in connection.introspection.get_constraints(
                cursor, SyncRecord._meta.db_table
            ).items()
            if info["index"] and not info["unique"] and "tenant_id" in info["columns"]
        }
    assert found == {"thred_sr_tenant_due"}


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
    sql = _online_sql("0009")
    assert 'CREATE INDEX CONCURRENTLY "thred_sr_thred_id"' in sql
    assert 'CREATE INDEX CONCURRENTLY "thred_sr_blocked_by"' in sql
    assert 'WHERE "blocked_by_id" IS NOT NULL' in sql


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_and_forth_with_index_statements_only() -> None:
    def indexes() -> set[tuple[str, ...]]:
        return {tuple(columns) for columns, unique in _indexes(SyncRecord).values() if not unique}

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
