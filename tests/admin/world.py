"""Shared fixtures for the admin, API and browser tests: a small host world, users.

Records are created through the real marking path (saving testapp models), with
SYNC_MODE "queue" and ``dispatch.enqueue_push`` replaced by a recorder: nothing is ever
pushed, and a test can tell that a push was *requested*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from tests.testapp import models as m
from thred_django.models import SyncRecord
from thred_django.resources import State


@pytest.fixture
def pushes(settings, monkeypatch) -> list[str]:
    """Queue mode with enqueue_push recorded instead of enqueued."""
    settings.THRED = {**settings.THRED, "SYNC_MODE": "queue"}
    calls: list[str] = []
    monkeypatch.setattr("thred_django.engine.dispatch.enqueue_push", lambda: calls.append("push"))
    return calls


def record_of(obj) -> SyncRecord:
    ct = ContentType.objects.get_for_model(type(obj))
    return SyncRecord.objects.get(content_type=ct, object_id=str(obj.pk))


def fail(
    obj_or_record,
    *,
    code="validation_error",
    message="Thred said no.",
    details=None,
    status=400,
    state=State.FAILED,
    attempts=1,
) -> SyncRecord:
    record = obj_or_record if isinstance(obj_or_record, SyncRecord) else record_of(obj_or_record)
    SyncRecord.objects.filter(pk=record.pk).update(
        state=state,
        attempts=attempts,
        last_error_code=code,
        last_error_message=message,
        last_error_details=details,
        last_error_status=status,
    )
    record.refresh_from_db()
    return record


@dataclass
class World:
    shop: m.Shop
    client: m.Client
    sales: list[m.Sale] = field(default_factory=list)

    def add_sale(self, **kwargs) -> m.Sale:
        n = len(self.sales) + 1
        values = {"shop": self.shop, "client": self.client, "number": f"S-{n:03}", **kwargs}
        sale = m.Sale.objects.create(**values)
        self.sales.append(sale)
        return sale


def build_world(name: str = "Corner Shop", sales: int = 2) -> World:
    shop = m.Shop.objects.create(name=name)
    client = m.Client.objects.create(shop=shop, name=f"{name} client", email="c@example.com")
    world = World(shop, client)
    for _ in range(sales):
        world.add_sale()
    return world


@pytest.fixture
def world(pushes, db) -> World:
    return build_world()


def make_staff(django_user_model, username: str, *perms: str):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def viewer(django_user_model, db):
    """Staff who may see the outbox but not retry (view permission only)."""
    return make_staff(
        django_user_model,
        "viewer",
        "thred_django.view_syncrecord",
        "testapp.view_sale",
        "testapp.view_shop",
    )


@pytest.fixture
def operator(django_user_model, db):
    """Staff who may see the outbox and retry, resync, skip."""
    return make_staff(
        django_user_model,
        "operator",
        "thred_django.view_syncrecord",
        "thred_django.retry_syncrecord",
        "testapp.view_sale",
        "testapp.change_sale",
        "testapp.view_shop",
    )


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


QUANTITY_ZERO = Decimal("0")
