"""The chaos run, shared by tests/reliability/test_chaos.py (what reached the sandbox) and
tests/security (what the processes logged): one run per pytest session.

1. A fresh example-project database (SQLite file with WAL, or a dedicated PostgreSQL
   database when the suite's DATABASE_URL is a postgres URL), migrated and seeded with
   ``seed_demo`` (3 businesses, about 2,000 records).
2. gunicorn (4 workers) serves the project, its sandbox included, on a free loopback port.
3. The sandbox's faults are set through its control endpoint: 5% 500, 5% 429
   (Retry-After 1 s), 3% commit-then-500, 1% slower (2 s) than the client timeout (1 s).
4. ``thred_sync --until-idle`` runs in its own process and is SIGKILLed KILLS times, each
   time once the outbox has reached a seeded-random number of synced records, and
   restarted.
5. A last ``thred_sync --until-idle`` drains the outbox with the faults still on, and
   must exit 0 by itself.

Everything each process writes goes to its own log file (``ChaosRun.logs``).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import Site, make_database, wait_until

SEED = 20260115
BUSINESSES = 3
PER_BUSINESS = 67  # ~685 records per business, ~2,060 in all
KILLS = 4

FAULTS = {
    "error_500_rate": 0.05,
    "rate_limit_rate": 0.05,
    "retry_after_seconds": 1,
    "commit_then_500_rate": 0.03,
    "slow_rate": 0.01,
    "slow_seconds": 2.0,  # above the client TIMEOUT below, below gunicorn's 30 s
    "seed": SEED,
}

# THRED overrides of the sync processes (the example project does not expose these).
THRED_OVERRIDES = {
    "TIMEOUT": 1.0,
    "CONNECT_TIMEOUT": 1.0,
    "BATCH_SIZE": 50,
    "CONCURRENCY": 3,
    "BACKOFF_BASE": 0.2,
    "BACKOFF_MAX": 2.0,
    "RETRY_AFTER_MAX": 2.0,
    "BREAKER_COOLDOWN": 2.0,
    "DEPENDENCY_WAIT": 0.5,
    "LEASE_SECONDS": 15.0,  # a killed worker's claims come back after this
    "ANSWER_GRACE_SECONDS": 5.0,  # a "slow" create lands 2 s after it was sent
}

KILL_DEADLINE = 300  # s for a worker to reach its kill point
DRAIN_DEADLINE = 600  # s for the final worker to drain everything


@dataclass
class Kill:
    target: int  # synced records at which the worker was to be killed
    synced: int  # synced records seen right before the SIGKILL
    returncode: int | None
    seconds: float


@dataclass
class ChaosRun:
    site: Site
    vendor: str
    manifest: dict[str, Any]
    total: int
    kills: list[Kill] = field(default_factory=list)
    final_returncode: int | None = None
    final_output: str = ""
    holdings: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        return self.site.logs

    def issued_tokens(self) -> list[str]:
        path = self.site.token_file
        return sorted({t for t in path.read_text().split() if t}) if path.exists() else []


def run_chaos(workdir: Path) -> ChaosRun:
    logs = workdir / "logs"
    logs.mkdir(parents=True)
    database = make_database(workdir, "chaos")
    site = Site(database, logs, overrides=THRED_OVERRIDES)
    started = time.monotonic()
    try:
        site.migrate()
        manifest = site.seed(BUSINESSES, PER_BUSINESS, SEED)
        total = site.count_records()
        run = ChaosRun(site, database.vendor, manifest, total)
        run.timings["setup"] = time.monotonic() - started

        site.serve(workers=4, timeout=30)
        site.control("PUT", "faults/", FAULTS)

        rng = random.Random(SEED)
        low, high = int(total * 0.05), int(total * 0.8)
        targets = sorted(rng.sample(range(low, high), KILLS))
        for target in targets:
            began = time.monotonic()
            worker = site.start_worker()

            def reached(target: int = target, worker=worker) -> int | None:
                synced = site.count_records("synced")
                if synced >= target:
                    return synced
                if not worker.alive:
                    raise AssertionError(
                        f"{worker.name} exited ({worker.process.returncode}) before it was "
                        f"killed, at {synced} synced:\n{worker.output()[-5000:]}"
                    )
                return None

            synced = wait_until(
                reached, timeout=KILL_DEADLINE, interval=0.05, what=f"{target} synced records"
            )
            code = worker.kill()
            run.kills.append(Kill(target, synced, code, time.monotonic() - began))
        run.timings["killed_runs"] = time.monotonic() - started - run.timings["setup"]

        began = time.monotonic()
        final = site.start_worker()
        run.final_returncode = final.wait(timeout=DRAIN_DEADLINE)
        run.final_output = final.output()
        run.timings["final_drain"] = time.monotonic() - began
        run.holdings = site.script("holdings.py")
        run.timings["total"] = time.monotonic() - started
        return run
    finally:
        site.stop()
        database.drop()


_runs: dict[str, ChaosRun | BaseException] = {}


@pytest.fixture(scope="session")
def chaos_run(tmp_path_factory: pytest.TempPathFactory) -> ChaosRun:
    """One run per test session, whichever conftest (reliability, security) asks first
    (each conftest imports this fixture, which pytest then treats as two fixtures)."""
    if "run" not in _runs:
        try:
            _runs["run"] = run_chaos(tmp_path_factory.mktemp("chaos"))
        except BaseException as exc:  # a failed run fails every test that needs it, once
            _runs["run"] = exc
            raise
    run = _runs["run"]
    if isinstance(run, BaseException):
        raise run
    return run
