"""The index a business's claims read (migration 0008) is built without blocking the
host's saves on PostgreSQL, and replaces tenant_id's own indexes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from thred_django.models import SyncRecord


def test_the_claims_index_replaces_tenant_ids_own() -> None:
    names = [index.name for index in SyncRecord._meta.indexes]
    assert "thred_sr_tenant_due" in names
    fields = next(i.fields for i in SyncRecord._meta.indexes if i.name == "thred_sr_tenant_due")
    assert fields == ["tenant_id", "state", "next_attempt_at"]
    assert not SyncRecord._meta.get_field("tenant_id").db_index


@pytest.mark.django_db
def test_on_postgresql_it_is_built_concurrently_before_the_old_ones_go() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("CREATE INDEX CONCURRENTLY is PostgreSQL's")
    out = io.StringIO()
    call_command("sqlmigrate", "thred_django", "0008", stdout=out)
    sql = out.getvalue()
    assert 'CREATE INDEX CONCURRENTLY "thred_sr_tenant_due"' in sql
    assert "BEGIN" not in sql  # outside a transaction, as CONCURRENTLY must be
    with connection.cursor() as cursor:
        found = {
            info["columns"][0] if len(info["columns"]) == 1 else name
            for name, info in connection.introspection.get_constraints(
                cursor, SyncRecord._meta.db_table
            ).items()
            if info["index"] and not info["unique"] and "tenant_id" in info["columns"]
        }
    assert found == {"thred_sr_tenant_due"}
