"""The dry run and the push agree: for every record of every lifecycle row, the preview
taken just before the record is pushed names the operation the push then carries out,
the body it sends, and the refusal it records.

Each row of the lifecycle matrix (tests/lifecycle/test_matrix.py) runs with every
drain replaced by ``agreeing_drain``: due records are pushed one at a time, parents
first, each right after its ``actions.preview``, and what the push did (its calls to
the sandbox, the record's state and error) is compared with what the preview said.
Rows whose outcome depends on a fault injected into Thred (a lost create response) are
left out: no dry run can foresee a 500.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.lifecycle import steps as st
from tests.lifecycle import test_matrix as matrix
from tests.lifecycle.steps import Run
from tests.lifecycle.world import build_world
from thred_django import lifecycle
from thred_django.client import get_client
from thred_django.engine import claim
from thred_django.engine.actions import Preview, preview
from thred_django.engine.push import Pusher
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import State

pytestmark = pytest.mark.django_db

# Creating the world is compared in every row (each resource's create).
ROWS = [row for row in matrix.ROWS if row.step not in ("create", "lost_create_delete")]
# The last path segment of a void / cancel / archive call (a payment's cancel is
# POST …/payments/<id>/delete/).
DEACTIVATIONS = ("void", "cancel", "archive", "delete")


def observed(before: SyncRecord, calls: list[Any], after: SyncRecord) -> str:
    """The operation the push carried out, in the preview's words."""
    if not calls:
        if after.state == State.FAILED and after.last_error_code == "invalid_payload":
            return "refused"
        if after.state == State.SYNCED:
            return "no change"
        if after.state == State.SKIPPED:
            return "delete" if before.action == "delete" else "skip"
        return after.state
    last = calls[0].url.path.rstrip("/").rsplit("/", 1)[-1]
    if last in DEACTIVATIONS:
        return lifecycle.of(before.resource).deactivate
    if last == "unarchive":
        return "reactivate"
    return "update" if before.thred_id else "create"


def expected(seen: Preview) -> str:
    if seen.errors:
        return "refused"
    if seen.operation == "drifted":
        return State.DRIFTED
    return seen.operation


def assert_same_body(seen: Preview, sent: Any) -> None:
    """The body sent is the preview's body; a field the client moves into the path (a
    refund payment's refund_id) is found there."""
    assert seen.body is not None
    body = json.loads(sent.content or b"{}")
    assert body == {k: v for k, v in seen.body.items() if k in body}
    for key in seen.body.keys() - body.keys():
        assert str(seen.body[key]) in sent.url.path, (key, sent.url.path)


def push_alone(record: SyncRecord) -> None:
    token = uuid.uuid4()
    assert claim.claim_one(record.id, token), record
    record.refresh_from_db()
    pusher = Pusher(get_client(), token)
    pusher.push(record)
    pusher.log.flush()


def agreeing_drain(thred: Any, compared: list[str]) -> Any:
    def drain(rounds: int = 200) -> None:
        for _ in range(rounds):
            BusinessHealth.objects.update(paused_until=None, consecutive_failures=0)
            record = (
                SyncRecord.objects.filter(state__in=(State.PENDING, State.RETRYING))
                .select_related("content_type")
                .order_by("rank", "id")
                .first()
            )
            if record is None:
                return
            seen = preview(record)
            assert not seen.waiting_for, (record, seen.waiting_for)  # parents go first
            start = len(thred.requests)
            push_alone(SyncRecord.objects.get(pk=record.pk))
            # What the push changed: its reads (tokens, what Thred holds) are left out.
            calls = [
                r
                for r in thred.requests[start:]
                if "oauth2/token" not in r.url.path and r.method != "GET"
            ]
            after = SyncRecord.objects.get(pk=record.pk)
            label = f"{record.resource} {record.external_id}"
            assert observed(record, calls, after) == expected(seen), (
                label,
                seen,
                [f"{r.method} {r.url.path}" for r in calls],
                after.state,
                after.last_error_code,
                after.last_error_message,
            )
            if seen.errors:
                assert after.last_error_details == seen.errors, label
            elif seen.operation in ("create", "update"):
                assert_same_body(seen, calls[0])
            compared.append(f"{record.resource}:{expected(seen)}")
        raise AssertionError(f"the outbox is not idle after {rounds} pushes")

    return drain


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_preview_and_push_agree(row, thred, settings, admin_client, monkeypatch) -> None:
    compared: list[str] = []
    drain = agreeing_drain(thred, compared)
    monkeypatch.setattr(st, "drain", drain)
    monkeypatch.setattr(matrix, "drain", drain)
    world = build_world()
    drain()
    assert {c.split(":")[0] for c in compared} >= set(matrix.RESOURCES)
    thred.reset()
    compared.clear()
    target = row.act(Run(world, thred, settings, admin_client, matrix.assert_converged))
    matrix.assert_converged(target, row.expect)
    assert compared, "the row pushed nothing"  # every row changes something


def test_a_refusal_is_foreseen(thred, monkeypatch) -> None:
    """Data Thred's rules refuse: the preview names the fields, the push fails with
    the same details and sends nothing."""
    from tests.realhost import models as h

    compared: list[str] = []
    drain = agreeing_drain(thred, compared)
    world = build_world()
    drain()
    h.Payment.objects.filter(pk=world.pending_payment.pk).update(amount=0)
    h.Payment.objects.get(pk=world.pending_payment.pk).save()
    drain()
    assert "payment:refused" in compared, compared
