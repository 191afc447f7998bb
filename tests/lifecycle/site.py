"""The convergence run: the realhost site served by gunicorn (its sandbox embedded) with
faults on, a seeded random stream of host edits, and sync processes SIGKILLed midway.

1. A fresh database (SQLite file, or a PostgreSQL database of its own when the suite's
   DATABASE_URL is one), migrated, seeded with ``COMPANIES`` companies of every resource.
2. gunicorn serves the site; the sandbox injects 500s, 429s, commit-then-500s and
   responses slower than the client's timeout, and its tokens live ``TOKEN_TTL`` seconds.
3. ``ROUNDS`` times: a sync process starts (``thred_sync --until-idle``), a batch of
   seeded random host edits runs in another process at the same time, and the sync
   process is SIGKILLed once the sandbox has answered a seeded-random number of requests
   more (or left alone if it went idle first).
4. A last sync process drains the outbox with the faults still on.
5. The site compares the host with the sandbox, object by object
   (tests/lifecycle/scripts/compare.py).
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability.harness import REPO, Project, Site, make_database, wait_until

SEED = 20261126
COMPANIES = 2
PER_COMPANY = 8  # ~150 records a company
ROUNDS = 5
EDITS_PER_ROUND = 45  # after the tour of every kind (site_edits.TOUR)

FAULTS = {
    "error_500_rate": 0.05,
    "rate_limit_rate": 0.05,
    "retry_after_seconds": 1,
    "commit_then_500_rate": 0.04,
    "slow_rate": 0.03,
    "slow_seconds": 2.0,  # above the client TIMEOUT below
    "seed": SEED,
}
THRED_OVERRIDES = {
    "TIMEOUT": 1.0,
    "CONNECT_TIMEOUT": 1.0,
    "BATCH_SIZE": 50,
    "CONCURRENCY": 2,
    "BACKOFF_BASE": 0.2,
    "BACKOFF_MAX": 2.0,
    "RETRY_AFTER_MAX": 2.0,
    "BREAKER_COOLDOWN": 2.0,
    "DEPENDENCY_WAIT": 0.5,
    "LEASE_SECONDS": 10.0,  # a killed worker's claims come back after this
    "ANSWER_GRACE_SECONDS": 5.0,  # a "slow" create lands 2 s after it was sent
    "TOKEN_REFRESH_MARGIN": 0,  # use each token until the sandbox says it expired
}
SANDBOX = {"TOKEN_TTL": 3}  # tokens expire again and again while syncing

SITE = Project(
    manage=(sys.executable, "-m", "django"),
    cwd=REPO,
    settings="tests.lifecycle.site_settings",
    wsgi="tests.lifecycle.site_wsgi",
)
SCRIPTS = Path(__file__).resolve().parent / "scripts"
DRAIN_DEADLINE = 600


@dataclass
class ConvergenceRun:
    vendor: str
    seeded: dict[str, Any]
    edits: dict[str, int] = field(default_factory=dict)
    kills: list[int] = field(default_factory=list)  # return codes of the killed workers
    idle_before_kill: int = 0
    final_returncode: int | None = None
    final_output: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _shell(site: Site, code: str, log: str) -> Any:
    result = site.manage("shell", "--no-imports", "-c", code, log=log)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _call(function: str, *args: Any) -> str:
    return f"from tests.lifecycle.site_edits import main; main({function!r}, *{args!r})"


def _requests(site: Site) -> int:
    return int(site.database.scalar("SELECT COUNT(*) FROM thred_sandbox_requestlog"))


def run_convergence(workdir: Path) -> ConvergenceRun:
    logs = workdir / "logs"
    logs.mkdir(parents=True)
    database = make_database(workdir, "converge")
    env = {"LIFECYCLE_SANDBOX": json.dumps(SANDBOX), "LIFECYCLE_CACHE_DIR": str(workdir / "c")}
    site = Site(database, logs, overrides=THRED_OVERRIDES, project=SITE, env=env)
    started = time.monotonic()
    try:
        site.migrate()
        seeded = _shell(site, _call("seed", SEED, COMPANIES, PER_COMPANY), "seed.log")
        run = ConvergenceRun(database.vendor, seeded)
        run.timings["setup"] = time.monotonic() - started
        site.serve(workers=3, timeout=30)
        site.control("PUT", "faults/", FAULTS)

        rng = random.Random(SEED)
        for round_no in range(ROUNDS):
            edits = [
                "shell",
                "--no-imports",
                "-c",
                _call("edits", SEED + round_no, EDITS_PER_ROUND),
            ]
            editor = site.spawn(edits, logs / f"edits-{round_no}.log", THRED_SYNC_MODE="queue")

            def marked(editor: Any = editor) -> bool:  # the sync process then has work
                return site.count_records("pending") >= 5 or editor.poll() is not None

            wait_until(marked, timeout=300, interval=0.05, what="host edits")
            worker = site.start_worker(tap_tokens=False)
            target = _requests(site) + rng.randint(20, 120)

            def reached(target: int = target, worker: Any = worker) -> bool:
                return _requests(site) >= target or not worker.alive

            wait_until(reached, timeout=300, interval=0.05, what=f"{target} sandbox requests")
            if worker.alive:
                run.kills.append(worker.kill())
            else:
                run.idle_before_kill += 1
            if editor.wait(timeout=300) != 0:
                raise AssertionError((logs / f"edits-{round_no}.log").read_text()[-5000:])
            done = json.loads((logs / f"edits-{round_no}.log").read_text().splitlines()[-1])
            for kind, count in done.items():
                run.edits[kind] = run.edits.get(kind, 0) + count
        run.timings["rounds"] = time.monotonic() - started - run.timings["setup"]

        began = time.monotonic()
        final = site.start_worker(tap_tokens=False)
        run.final_returncode = final.wait(timeout=DRAIN_DEADLINE)
        run.final_output = final.output()
        run.timings["final_drain"] = time.monotonic() - began
        run.result = _shell(site, (SCRIPTS / "compare.py").read_text(), "compare.log")
        run.timings["total"] = time.monotonic() - started
        return run
    finally:
        site.stop()
        database.drop()
