"""Marking modes, the on-commit fast path, django-q2 wiring, signals and checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.engine.test_push import record_of
from tests.testapp import models as m
from thred_django.engine import dispatch
from thred_django.models import SyncAttempt, SyncRecord
from thred_django.signals import sync_failed, sync_succeeded

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: calls.append((func, kw)))
    dispatch.push_started()  # clear the debounce flag
    yield calls
    dispatch.push_started()


def test_queue_mode_enqueues_one_push_per_transaction_after_commit(
    thred, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            shop = m.Shop.objects.create(name="S")
            for i in range(5):
                m.Client.objects.create(shop=shop, name=f"C{i}")
        assert enqueued == []  # nothing before commit
    assert len({id(callback) for callback in callbacks}) == 1  # one request, run once
    assert [func for func, _ in enqueued] == ["thred_django.tasks.push"]
    assert SyncRecord.objects.filter(state="pending").count() == 6


def test_a_rolled_back_savepoint_keeps_the_push_of_the_rest(
    thred, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        shop = m.Shop.objects.create(name="S")
        with pytest.raises(RuntimeError), transaction.atomic():
            m.Client.objects.create(shop=shop, name="Gone")
            raise RuntimeError
        m.Client.objects.create(shop=shop, name="Kept")
    assert [func for func, _ in enqueued] == ["thred_django.tasks.push"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_does_not_swallow_the_next_push(thred, enqueued):
    with pytest.raises(RuntimeError), transaction.atomic():
        m.Shop.objects.create(name="Gone")
        raise RuntimeError
    assert enqueued == []
    with transaction.atomic():
        m.Shop.objects.create(name="S")
        assert enqueued == []
    assert [func for func, _ in enqueued] == ["thred_django.tasks.push"]


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_commits_enqueues_once_until_the_task_starts(thred, enqueued):
    shop = m.Shop.objects.create(name="S")  # autocommit: each save commits
    m.Client.objects.create(shop=shop, name="C")
    assert len(enqueued) == 1
    from thred_django import tasks

    tasks.push()  # clears the flag, then drains
    m.Client.objects.create(shop=shop, name="D")
    assert len(enqueued) == 2
    assert record_of(shop).state == "synced"


def test_queue_mode_runs_the_task_through_django_q(thred, django_capture_on_commit_callbacks):
    # Q_CLUSTER sync=True in the test settings: async_task runs the task inline.
    dispatch.push_started()
    with django_capture_on_commit_callbacks(execute=True):
        shop = m.Shop.objects.create(name="S")
    assert record_of(shop).state == "synced"


def test_eager_mode_pushes_after_commit(thred, settings, django_capture_on_commit_callbacks):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "eager"}
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            shop = m.Shop.objects.create(name="S")
            client = m.Client.objects.create(shop=shop, name="C")
        assert record_of(client).state == "pending"
    assert record_of(client).state == "synced"


def test_disabled_mode_marks_nothing(thred, settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "disabled"}
    m.Shop.objects.create(name="S")
    assert SyncRecord.objects.count() == 0


def test_signals_report_success_and_failure(thred, shop):
    from thred_django.engine.runner import push_due

    got = []

    def ok(sender, record, **kw):
        got.append(("ok", record.resource))

    def bad(sender, record, error, **kw):
        got.append(("failed", record.resource, record.last_error_code))

    sync_succeeded.connect(ok)
    sync_failed.connect(bad)
    try:
        client = m.Client.objects.create(shop=shop, name="C")
        m.Sale.objects.create(shop=shop, client=client, number="X", amount_cents=-1)
        push_due()
    finally:
        sync_succeeded.disconnect(ok)
        sync_failed.disconnect(bad)
    assert ("ok", "business") in got and ("ok", "customer") in got
    assert ("failed", "invoice", "invalid_payload") in got


def test_sweep_schedule_is_installed_once(thred):
    from django_q.models import Schedule

    from thred_django.engine.schedule import SWEEP_SCHEDULE_NAME, install_sweep_schedule

    install_sweep_schedule()
    install_sweep_schedule()
    schedules = Schedule.objects.filter(name=SWEEP_SCHEDULE_NAME)
    assert schedules.count() == 1
    assert schedules.get().func == "thred_django.tasks.sweep"


def _statements_to_django_q(**post_migrate) -> list[str]:
    """The statements both schedule receivers send to django-q2's tables."""
    from django.db import connection

    from thred_django.engine.schedule import install_reconcile_schedule, install_sweep_schedule

    with CaptureQueriesContext(connection) as sent:
        install_sweep_schedule(**post_migrate)
        install_reconcile_schedule(**post_migrate)
    return [q["sql"] for q in sent.captured_queries if "django_q" in q["sql"]]


def test_a_migrate_that_leaves_django_q_unmigrated_installs_no_schedule(thred):
    """``migrate thred_django`` on a new database runs post_migrate before django-q2's
    tables exist: the schedules wait for the next full migrate instead of failing it."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django_q.models import Schedule

    from thred_django.engine.schedule import install_reconcile_schedule, install_sweep_schedule

    loader = MigrationLoader(connection)
    leaf = loader.graph.leaf_nodes("thred_django")[0]
    partial = loader.project_state(leaf).apps  # thred_django and what it depends on
    full = loader.project_state().apps
    Schedule.objects.all().delete()
    assert _statements_to_django_q(apps=partial, using="default") == []
    install_sweep_schedule(apps=full, using="default")
    install_reconcile_schedule(apps=full, using="default")
    assert set(Schedule.objects.values_list("func", flat=True)) == {
        "thred_django.tasks.sweep",
        "thred_django.tasks.reconcile",
    }


class _QueueElsewhere:
    """A router that keeps django-q2 on a database of its own."""

    def allow_migrate(self, db, app_label, **hints):
        return (app_label == "django_q") == (db == "queue")


def test_schedules_go_where_the_routers_keep_django_q(thred, settings):
    from django_q.models import Schedule

    from thred_django.engine.schedule import install_sweep_schedule

    Schedule.objects.all().delete()
    settings.DATABASE_ROUTERS = [_QueueElsewhere()]
    assert _statements_to_django_q(using="default") == []
    settings.DATABASE_ROUTERS = []
    install_sweep_schedule(using="default")
    assert Schedule.objects.filter(func="thred_django.tasks.sweep").count() == 1


def test_attempt_log_is_pruned_by_age(thred, shop, settings):
    from thred_django.engine.runner import push_due

    push_due()
    rec = record_of(shop)
    old = SyncAttempt.objects.create(record=rec, outcome="success")
    SyncAttempt.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert SyncAttempt.prune() == 1
    assert SyncAttempt.objects.filter(record=rec).count() == 1


def ids(messages):
    return {msg.id for msg in messages}


def test_checks_name_missing_credentials(settings):
    settings.THRED = {"PARTNER_ID": "", "API_KEY": "", "BASE_URL": "ftp://x"}
    found = ids(run_checks())
    assert {"thred_django.E001", "thred_django.E003", "thred_django.E004"} <= found
    settings.THRED = {"PARTNER_ID": "not-a-uuid", "API_KEY": "k"}
    assert "thred_django.E002" in ids(run_checks())


def test_check_warns_when_q_cluster_can_run_a_task_twice(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "queue"}
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 300, "retry": 120}
    assert "thred_django.W001" in ids(run_checks())
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 60, "retry": 120}
    found = ids(run_checks())
    assert "thred_django.W001" not in found
    settings.THRED = {**settings.THRED, "SYNC_MODE": "queue", "TASK_TIME_LIMIT": 90}
    assert "thred_django.W002" in ids(run_checks())


def test_check_warns_when_the_cache_is_per_process(settings):
    settings.THRED = {**settings.THRED, "SYNC_MODE": "queue"}
    assert "thred_django.W003" in ids(run_checks())  # the test settings use LocMemCache
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "c"}
    }
    assert "thred_django.W003" not in ids(run_checks())
