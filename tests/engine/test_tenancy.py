"""thred_django.tenancy without django-tenants: every helper is a one-run no-op, the
package never imports django_tenants, and CURRENT_TENANT is refused by a check.

The django-tenants behaviour itself is tested in tests/tenants (PostgreSQL).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.testapp import models as m
from thred_django import mappings, tenancy
from thred_django.engine import dispatch
from thred_django.exceptions import ThredConfigurationError

REPO = Path(__file__).resolve().parents[2]


def test_without_django_tenants_there_is_one_run_and_no_schema():
    assert not tenancy.active()
    assert tenancy.current_schema() is None
    assert tenancy.schemas() == [""]
    runs = tenancy.for_each_schema(lambda: 7)
    assert [(run.schema, run.result, run.error) for run in runs] == [("", 7, None)]
    with tenancy.activated("acme"):  # nothing to activate
        assert tenancy.current_schema() is None
    func = tenancy.bound(len)
    assert func is len
    assert tenancy.external_id_scope() == ""


def test_without_django_tenants_an_exception_propagates():
    def boom():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        tenancy.for_each_schema(boom)


def test_schema_option_without_django_tenants_is_a_clear_error():
    with pytest.raises(ThredConfigurationError, match="needs django-tenants"):
        tenancy.schemas("acme")


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["thred_sync", "thred_status", "thred_backfill"])
def test_commands_refuse_a_schema_without_django_tenants(thred, command):
    with pytest.raises(CommandError, match="needs django-tenants"):
        call_command(command, "--schema", "acme", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_external_ids_keep_their_format_without_django_tenants(thred):
    shop = m.Shop.objects.create(name="S Ltd")
    client = m.Client.objects.create(shop=shop, name="C")
    mapping = mappings.registry.for_model(m.Client)
    assert mapping.get_external_id(client) == f"testapp.client-{client.pk}"


def test_current_tenant_without_django_tenants_fails_the_check():
    class Orphan(mappings.Mapping):
        resource = "vendor"
        business = mappings.CURRENT_TENANT

        def build_payload(self, obj, ctx):
            return {}

    original = mappings.registry.get(m.Supplier)
    mappings.registry.unregister(m.Supplier)
    mappings.registry.register(m.Supplier, Orphan)
    try:
        found = {msg.id: msg for msg in run_checks()}
    finally:
        mappings.registry.unregister(m.Supplier)
        mappings.registry._by_model[m.Supplier] = original
    assert "thred_django.E040" in found
    assert "django-tenants" in found["thred_django.E040"].hint


def test_push_requests_are_debounced_per_schema(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *a, **kw: calls.append(a))
    for schema in (None, "acme", "bistro"):
        dispatch.push_started(schema)
    try:
        dispatch.enqueue_push("acme")
        dispatch.enqueue_push("bistro")
        dispatch.enqueue_push("acme")  # acme's task has not started: no second one
        dispatch.enqueue_push()
        assert calls == [("acme",), ("bistro",), ()]
        dispatch.push_started("acme")  # acme's task starts: acme may enqueue again
        dispatch.enqueue_push("acme")
        dispatch.enqueue_push("bistro")
        assert calls[3:] == [("acme",)]
    finally:
        for schema in (None, "acme", "bistro"):
            dispatch.push_started(schema)


def test_the_package_never_imports_django_tenants():
    code = (
        "import sys; sys.modules['django_tenants'] = None\n"  # any import of it fails
        "import django; django.setup()\n"
        "from django.core.checks import run_checks\n"
        "import thred_django.tasks, thred_django.tenancy, thred_django.engine.runner\n"
        "from django.core.management import load_command_class\n"
        "for name in ('thred_sync', 'thred_status', 'thred_backfill'):\n"
        "    load_command_class('thred_django', name)\n"
        "run_checks()\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_bound_is_the_function_itself_without_a_schema():
    seen = []
    thread = threading.Thread(target=tenancy.bound(lambda: seen.append(tenancy.current_schema())))
    thread.start()
    thread.join()
    assert seen == [None]
