"""Carrying out a record's lifecycle step: the calls, and the outcome they lead to.

``decide`` says what to do (pure); ``Sending`` (mixed into ``Pusher``) validates, makes
the call, and hands the outcome (``outcome.success`` / ``outcome.settled``: pure values)
to the claim's writer (``writer.Outcomes``), which writes it in a batch, fenced by the
lease token. Nothing is written before a call.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from thred_django.client import ThredClient
from thred_django.client.gaps import ALREADY_DONE_ERROR_CODES
from thred_django.engine import claim, decide, health, operations, outcome, pipeline, retry
from thred_django.engine.decide import Step
from thred_django.engine.gate import CpuMeter
from thred_django.engine.payload import digest
from thred_django.engine.remark import remark_waiting_parents
from thred_django.engine.writer import Outcomes, Pending
from thred_django.exceptions import ThredConflictError
from thred_django.lifecycle import Lifecycle
from thred_django.models import SyncRecord
from thred_django.resources import State

if TYPE_CHECKING:
    from thred_django.engine.known import Known


class Sending:
    """The calls of one record (see ``Pusher``, which provides the attributes below)."""

    client: ThredClient
    token: uuid.UUID
    known: Known
    log: Outcomes
    _breaker_reset_at: int | None
    # The columns a create writes with its outcome, whatever it is (sent hash, key).
    sending: dict[str, Any]
    meter: CpuMeter | None
    _digested: tuple[dict[str, Any], str] | None = None  # the last payload hashed

    @property
    def failures(self) -> int:
        """Failed calls so far (of the claim)."""
        raise NotImplementedError

    def business_record(self, record: SyncRecord) -> SyncRecord:
        raise NotImplementedError

    # --- gone or inactive in the host --------------------------------------------------
    def _gone(self, record: SyncRecord, life: Lifecycle) -> None:
        self._inactive(record, life, "")

    def _inactive(self, record: SyncRecord, life: Lifecycle, reason: str) -> None:
        """Gone (``reason`` "") or inactive in the host."""
        self._learn_id(record)
        self._learn_retired(record, life)
        if not record.thred_id:
            until = outcome.answer_due(record)
            if until is not None:  # a create may still land: look again then
                outcome.answer_awaited(record, self.token, until)
                return
        self._carry_out(record, life, pipeline.host_step(record, life, reason))

    def _learn_id(self, record: SyncRecord) -> None:
        """A create whose answer was lost may have landed: find what Thred holds under
        our external_id before deciding a void, cancel or archive."""
        if record.thred_id or not record.sent_hash:
            return
        if not operations.can_look_up(record.resource):
            return
        business = self.business_record(record)
        found = operations.look_up(
            self.client, record.resource, business.thred_id, record.external_id
        )
        if found and claim.fenced(record, self.token, thred_id=found):
            record.thred_id = found

    def _learn_retired(self, record: SyncRecord, life: Lifecycle) -> None:
        """A void, cancel, archive or unarchive whose answer was lost may have been
        carried out: read what Thred holds before comparing with the host. So does a
        forced push (an admin resync, a record taken from a worker that died): it trusts
        nothing the record says of Thred, even after a later call's answer (a 429)."""
        if not (record.thred_id and life.deactivate):
            return
        if not (record.force or retry.unanswered(record)):
            return
        business = self.business_record(record)
        held = operations.held_retired(
            self.client, record.resource, business.thred_id, record.thred_id
        )
        if held != record.inactive_in_thred and claim.fenced(
            record, self.token, inactive_in_thred=held
        ):
            record.inactive_in_thred = held

    # --- present and active ------------------------------------------------------------
    def _send(
        self, record: SyncRecord, business: SyncRecord, payload: dict[str, Any], life: Lifecycle
    ) -> None:
        self._learn_retired(record, life)
        step = pipeline.first_step(record, life, payload)
        if step.op == decide.CREATE:
            self._create(record, business, payload, life)
            return
        if step.op == decide.REACTIVATE:  # unarchive first, then compare as usual
            if not self._may_send(record):
                return
            operations.reactivate(self.client, record.resource, business.thred_id, record.thred_id)
            if not claim.fenced(record, self.token, inactive_in_thred=False):
                return
            record.inactive_in_thred = False
            step = decide.for_change(record, life, payload)
        if step.op == decide.UPDATE:
            self._update(record, business, payload, life, step)
        else:
            self._settle(record, step)  # nothing to send, or drifted

    def _create(
        self, record: SyncRecord, business: SyncRecord, payload: dict[str, Any], life: Lifecycle
    ) -> None:
        if self._invalid(record, business, *pipeline.request(Step(decide.CREATE), life, payload)):
            return
        hashed = self._digest(payload)
        # The data of a create sent before whose answer we never had ("": none, or not
        # known): a repeat returns what the first one that landed carried.
        earlier = _earlier_hash(record, hashed)
        key = operations.idempotency_key_for(record.resource, record.external_id, hashed)
        # Written with the outcome, not before the call. A crash between the call and the
        # outcome's write (or before its batch is flushed) leaves the row in flight under
        # our lease token; the claim that takes it once the lease lapses turns that into
        # a marker naming the revision we claimed (claim.SENT_PREFIX), kept until a create
        # is answered. While the record is not marked again, the data it holds now is
        # what we sent: the retry sends the same body under the same key (derived from
        # it), and a repeat is taken as what we sent; once marked, what went out is not
        # known and what Thred answers is compared with the new data. Either way the
        # retry is a create that Thred answers with what it holds under the external id
        # (and the Idempotency-Key): no second object; and a delete first looks the
        # object up (_learn_id). What writing the hash before the call gave, without it.
        self.sending = {"sent_hash": _first_sent(record, hashed), "idempotency_key": key}
        if not self._may_send(record):
            return  # our lease was taken over: the new holder owns this record
        sent = operations.create(self.client, record.resource, business.thred_id, payload, key)
        step = Step(decide.NONE, held=payload)
        if not sent.response.created and life.repeat_returns_stored:
            # Thred already held this external_id (an earlier create whose answer was
            # lost) and returned it unchanged: bring it up to date, or say why not.
            held = operations.body_of(sent.response)
            step = decide.after_repeat(life, held, payload, earlier == hashed)
            if step.op == decide.UPDATE:
                if self._invalid(record, business, "update", life.update_body(payload)):
                    return
                sent = operations.update(
                    self.client, record.resource, business.thred_id, sent.thred_id, payload
                )
        self._record_sent(record, step, sent, payload)

    def _update(
        self,
        record: SyncRecord,
        business: SyncRecord,
        payload: dict[str, Any],
        life: Lifecycle,
        step: Step,
    ) -> None:
        # What Thred will hold: the payload, with the fixed fields (and those bound to
        # them) at Thred's values; the update itself leaves the fixed ones out.
        action, body = pipeline.request(step, life, payload)
        if self._invalid(record, business, action, body):
            return
        if not self._may_send(record):
            return
        sent = operations.update(
            self.client,
            record.resource,
            business.thred_id,
            record.thred_id,
            step.held if step.held is not None else payload,
        )
        self._record_sent(record, step, sent, payload)

    def _invalid(
        self, record: SyncRecord, business: SyncRecord, action: str, body: dict[str, Any]
    ) -> bool:
        """Validate against Thred's rules; invalid data fails the record, nothing sent."""
        errors = pipeline.refusal(record.resource, action, body, business.acked_payload or {})
        if not errors:
            return False
        outcome.log_attempt(record, "invalid", request=body, response=errors)
        outcome.failed(
            record,
            self.token,
            code="invalid_payload",
            message="Not sent: the data does not pass Thred's rules. "
            + "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items()),
            details=errors,
        )
        return True

    # --- outcomes ----------------------------------------------------------------------
    def _carry_out(self, record: SyncRecord, life: Lifecycle, step: Step) -> None:
        """A step without a payload: nothing, or void / cancel / archive."""
        if step.op != decide.DEACTIVATE:
            self._settle(record, step)
            return
        business = self.business_record(record)
        if not self._may_send(record):
            return  # our lease was taken over: the new holder owns this record
        try:
            sent = operations.deactivate(
                self.client, record.resource, business.thred_id, record.thred_id
            )
        except ThredConflictError as exc:
            if exc.error_code in ALREADY_DONE_ERROR_CODES:
                # A retry after a lost response: Thred already voided/cancelled/archived it.
                self._settle(record, Step(decide.NONE, State.VOIDED, exc.error_code, str(exc)))
                remark_waiting_parents(record)
            else:  # Thred refuses in this state (a completed payment, a paid invoice)
                self._settle(record, decide.refused(life, exc.error_code or "conflict", exc))
            return
        self._succeeded(
            outcome.success(
                record,
                sent,
                Step(decide.NONE, State.VOIDED, step.code, step.message),
                inactive=True,
            )
        )
        self.log.flush()  # the parents below are pushed after this void, not before
        remark_waiting_parents(record)

    def _settle(self, record: SyncRecord, step: Step) -> None:
        """No call: the record ends in the step's state (what Thred holds may be learnt)."""
        self._keep(
            outcome.settled(
                record,
                step,
                inactive=True if step.state == State.VOIDED and record.thred_id else None,
            )
        )

    def _record_sent(
        self, record: SyncRecord, step: Step, sent: operations.Sent, payload: dict[str, Any]
    ) -> None:
        held = step.held if step.held is not None else payload
        self._succeeded(
            outcome.success(
                record,
                sent,
                step if step.held is held else replace(step, held=held),
                held_hash=self._digest(held),
                extra=self.sending,
            )
        )

    def _digest(self, data: dict[str, Any]) -> str:
        """``digest(data)``, computed once per payload (a create's is its outcome's too)."""
        last = self._digested
        if last is not None and last[0] is data:
            return last[1]
        hashed = digest(data)
        self._digested = (data, hashed)
        return hashed

    def _may_send(self, record: SyncRecord) -> bool:
        """Right before a call: False when our lease was taken over.

        Extends the lease first unless it outlasts the call anyway (most calls of a
        fresh claim): then nothing is written before the call.
        """
        if claim.outlasts_a_call(record.lease_until):
            return True
        return claim.renew(record, self.token)

    def _succeeded(self, pending: Pending) -> None:
        if self.meter is not None and pending.attempt is not None:
            self.meter.called(pending.attempt.duration_ms)
        # The breaker is closed by the first success, and again after a failed call: one
        # write per run of successes rather than one per record.
        if self._breaker_reset_at != self.failures:
            health.note_success(pending.record.tenant_id)
            self._breaker_reset_at = self.failures
        self._keep(pending)

    def _keep(self, pending: Pending) -> None:
        """Hand the outcome to the writer; until it is written the record in memory
        shows it already (its Thred id for the children pushed meanwhile)."""
        record = pending.record
        for name, value in pending.values.items():
            setattr(record, name, value)
        self.log.add(pending)
        if record.state in (State.SYNCED, State.DRIFTED):
            self.known.add(record)


def _first_sent(record: SyncRecord, hashed: str) -> str:
    """The ``sent_hash`` to keep once ``hashed`` is sent: the data of the first create
    sent (the claim's marker while that data is not known)."""
    if not record.sent_hash or _earlier_hash(record, hashed) == hashed:
        return hashed
    return record.sent_hash


def _earlier_hash(record: SyncRecord, hashed: str) -> str:
    """The hash of a create sent before whose answer we never had ("": none, or not
    known). A claim's marker (``claim.SENT_PREFIX``) names the revision whose data went
    out: the data hashed now when the record was not marked since, else not known."""
    revision = claim.sent_revision(record.sent_hash)
    if revision is not None:
        return hashed if revision == record.revision else ""
    if record.sent_hash.startswith(claim.SENT_PREFIX):
        return ""
    return record.sent_hash
