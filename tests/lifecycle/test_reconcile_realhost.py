"""Reconciliation over a realhost world (UUID keys, Decimal money, lines as child rows,
all 11 resources): a synced world agrees; tampering with each resource is found."""

from __future__ import annotations

import pytest

from tests.lifecycle.world import World, drain
from thred_django.engine.reconcile import Finding, reconcile
from thred_django.models import SyncRecord
from thred_django.sandbox.tamper import MODELS, tamper

pytestmark = pytest.mark.django_db


def run() -> list[Finding]:
    found: list[Finding] = []
    reconcile(on_finding=found.append)
    return found


def test_a_synced_realhost_world_agrees(world: World) -> None:
    assert run() == [], [f.line() for f in run()]


@pytest.mark.parametrize("resource", sorted(set(MODELS) - {"business"}))
def test_a_deleted_object_of_each_resource_is_missing_then_created_again(
    world: World, resource: str
) -> None:
    record = SyncRecord.objects.get(resource=resource, object_id=str(world.of(resource).pk))
    business = SyncRecord.objects.get(resource="business")
    from django.conf import settings

    tamper(settings.THRED["PARTNER_ID"], business.thred_id, resource, record.external_id, "delete")
    found = {(f.kind, f.resource, f.external_id) for f in run()}
    assert ("missing", resource, record.external_id) in found
    reconcile(repair=True)
    drain()
    assert run() == [], [f.line() for f in run()]
    assert SyncRecord.objects.get(pk=record.pk).thred_id not in ("", record.thred_id)
