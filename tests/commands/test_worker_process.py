"""``manage.py thred_sync`` freezes what start-up built; ``call_command`` (a process the
host shares: tests, a web request, a task) never does."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import BaseCommand

from thred_django.engine.runner import freeze_startup_objects
from thred_django.management.commands import thred_sync


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_moves_what_lives_out_of_the_collectors_passes(unfrozen):
    survivor = [object() for _ in range(10)]
    assert gc.get_freeze_count() == 0
    freeze_startup_objects()
    assert gc.get_freeze_count() > len(survivor)  # the process's objects, these among them


@pytest.mark.django_db
def test_only_the_command_line_freezes(monkeypatch, unfrozen):
    frozen: list[int] = []
    monkeypatch.setattr(thred_sync, "freeze_startup_objects", lambda: frozen.append(1))
    call_command("thred_sync", stdout=None)
    assert frozen == []
    ran: list[list[str]] = []
    monkeypatch.setattr(BaseCommand, "run_from_argv", lambda self, argv: ran.append(argv))
    thred_sync.Command().run_from_argv(["manage.py", "thred_sync"])
    assert frozen == [1] and ran == [["manage.py", "thred_sync"]]
