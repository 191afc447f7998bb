"""Chaos, end to end, with real processes and real HTTP (see tests/reliability/chaos.py):
gunicorn serving the example project and its sandbox with 5% 500, 5% 429, 3%
commit-then-500 and 1% too-slow responses; ``thred_sync`` SIGKILLed at seeded-random
moments and restarted; a final drain with the faults still on.

Pass: the sandbox holds every seeded record exactly once (none twice, none missing, none
unknown), its totals equal the seed manifest, every outbox record is synced with the
Thred id the sandbox gave it, and the run did meet every fault it claims to inject.
"""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from tests.reliability.chaos import BUSINESSES, KILLS, ChaosRun

pytestmark = pytest.mark.chaos


def test_the_run_met_every_fault_and_every_kill(chaos_run: ChaosRun) -> None:
    assert chaos_run.total >= 2000
    assert len(chaos_run.manifest["businesses"]) >= BUSINESSES
    assert len(chaos_run.kills) == KILLS >= 3
    for kill in chaos_run.kills:
        assert kill.returncode == -signal.SIGKILL, kill  # killed, not finished
        assert kill.synced < chaos_run.total, kill
    faults = chaos_run.holdings["faults"]
    for name in ("error_500", "rate_limit", "commit_then_500", "slow"):
        assert faults.get(name, 0) > 0, faults
    statuses = chaos_run.holdings["statuses"]
    assert statuses.get("429", 0) > 0 and statuses.get("500", 0) > 0, statuses
    print(
        f"\n[chaos {chaos_run.vendor}] {chaos_run.total} records, faults {faults}, "
        f"kills at {[k.synced for k in chaos_run.kills]}, timings {chaos_run.timings}"
    )


def test_final_drain_exits_0_with_the_faults_still_on(chaos_run: ChaosRun) -> None:
    assert chaos_run.final_returncode == 0, chaos_run.final_output[-5000:]
    assert "Not settled in the outbox: none." in chaos_run.final_output


def test_every_outbox_record_is_synced(chaos_run: ChaosRun) -> None:
    outbox = chaos_run.holdings["outbox"]
    assert len(outbox) == chaos_run.total
    states = Counter(state for _, _, _, state, _ in outbox)
    assert states == {"synced": chaos_run.total}, states
    assert all(thred_id for *_, thred_id in outbox)


def test_sandbox_holds_every_record_exactly_once(chaos_run: ChaosRun) -> None:
    held = Counter((r, b, e) for r, b, e, _ in chaos_run.holdings["sandbox"])
    twice = {key: n for key, n in held.items() if n > 1}
    assert not twice, twice
    expected = {(r, b, e) for r, b, e, _, _ in chaos_run.holdings["outbox"]}
    assert set(held) - expected == set(), "objects in the sandbox that nobody sent"
    assert expected - set(held) == set(), "records missing from the sandbox"
    # Every create reached the database once: no second object hidden by a retry.
    created = {(r, e): n for r, e, n in chaos_run.holdings["creates"] if n != 1}
    assert not created, created


def test_outbox_thred_ids_are_the_sandbox_ids(chaos_run: ChaosRun) -> None:
    ids = {(r, b, e): pk for r, b, e, pk in chaos_run.holdings["sandbox"]}
    wrong = [
        (r, e, thred_id, ids.get((r, b, e)))
        for r, b, e, _, thred_id in chaos_run.holdings["outbox"]
        if ids.get((r, b, e)) != thred_id
    ]
    assert not wrong, wrong[:10]


def test_sandbox_totals_equal_the_seed_manifest(chaos_run: ChaosRun) -> None:
    summary = chaos_run.holdings["summary"]
    manifest = {b["external_id"]: b["resources"] for b in chaos_run.manifest["businesses"]}
    assert sorted(summary) == sorted(manifest)
    for business, resources in manifest.items():
        for resource, row in resources.items():
            if resource == "business":
                continue
            assert summary[business][resource] == row, (business, resource)
    seeded = sum(row["count"] for resources in manifest.values() for row in resources.values())
    assert seeded == chaos_run.total
