"""Marking many rows at once on the realhost platform: rows that lead to one object
(two lines of one invoice, an object listed twice) mark it once. PostgreSQL refuses an
upsert that touches a row twice, so without this a host's ``mark_queryset`` of lines, or
a save, would raise."""

from __future__ import annotations

import pytest

from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.steps import record_of
from tests.lifecycle.world import World, drain
from tests.realhost import models as h
from thred_django.engine.marking import mark_objects, mark_queryset

pytestmark = pytest.mark.django_db


def test_lines_of_one_invoice_mark_it_once(world: World) -> None:
    before = record_of(world.invoice).revision
    h.InvoiceLine.objects.filter(invoice=world.invoice).update(description="Bulk renamed")
    assert mark_queryset(h.InvoiceLine.objects.filter(invoice=world.invoice)) >= 1
    assert record_of(world.invoice).revision != before
    drain()
    assert record_of(world.invoice).state == "synced"
    assert not unexplained(compare())


def test_an_object_listed_twice_is_marked_once(world: World) -> None:
    line = world.invoice.lines.first()
    mark_objects([world.invoice, world.invoice, line, world.contact, world.contact])
    drain()
    assert not unexplained(compare())
