#!/usr/bin/env python
"""8. Engine CPU per pushed record, with the stub transport (no server at all).

A fresh database gets about N mixed records (``datagen.mixed``, 8 merchants, marked by
``thred_backfill``); a new process runs ``push_due(until_idle=True)`` with
``benchmarks.stub`` as transport (answers every call in-process, keeps nothing), and
reports the CPU time of the whole process (every thread) per record, and the wall time.
The process first freezes its start-up objects, as ``manage.py thred_sync`` does
(``runner.freeze_startup_objects``; an engine without it runs as it is).
What is left is the engine: claims, payload building, validation, hashing, outcome
writes (and the database's client side). Target: ≤ 0.5 ms per record.

Modes: ``sequential`` (CONCURRENCY 1, BUSINESS_MAX_IN_FLIGHT 1: one call at a time) and
``fanout`` (the defaults: calls of a business on the I/O threads). ``--profile FILE``
adds a sequential run under cProfile (one thread, so the profile is the engine; its row
is slower by the profiler's overhead) and writes the profile to FILE (``--profile-clock
cpu``: timed by the process's CPU clock, so waits for the database count nothing;
``--profile-only``: that run alone).
An unmeasured push runs first (the first one also writes the records' dependency edges).
``--engine-commit REV`` runs REV's engine too, same data and modes, in ABBA order
(before sequential, after sequential, after fan-out, before fan-out). Each row gives the
load average when it ended.
``--repeat N`` runs every row N times (the rows' order reversed every other time) and
adds a summary per row: the least, median and most CPU per record, and how many runs
met the target.
``--database-url URL`` uses that (existing) database, migrated and flushed, instead of
creating a scratch one (on a machine where each engineer has one database).

    benchmarks/bench_cpu.py [--records 5000] [--db postgres|sqlite] [--profile FILE]
                            [--engine-commit REV] [--database-url URL] [--repeat N]
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common


def child(args) -> None:
    common.setup_django()
    if args.step == "generate":
        from django.core.management import call_command

        from benchmarks import datagen

        counts = datagen.mixed(args.n, merchants=8)
        with redirect_stderr(io.StringIO()):
            call_command("thred_backfill", stdout=io.StringIO())
        return common.child_result({"counts": counts})

    from django.db.models import Count

    from benchmarks.bench_push import step_reset
    from thred_django.engine.runner import push_due
    from thred_django.models import SyncRecord

    step_reset()
    todo = SyncRecord.objects.count()
    profiler = None
    if args.profile:
        import cProfile

        # CPU clock: the time spent waiting for the database is not the engine's CPU
        clock = time.process_time if args.profile_clock == "cpu" else time.perf_counter
        profiler = cProfile.Profile(clock)
        profiler.enable()
    from thred_django.engine import runner

    if hasattr(runner, "freeze_startup_objects"):  # as ``manage.py thred_sync`` does
        runner.freeze_startup_objects()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    push_due(until_idle=True)
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    states = dict(SyncRecord.objects.values_list("state").annotate(n=Count("id")).order_by())
    import thred_django

    code = str(Path(thred_django.__file__).parent)
    common.child_result({"records": todo, "cpu": cpu, "wall": wall, "states": states, "code": code})


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.set_defaults(db=os.environ.get("BENCH_DB", "postgres"))
    p.add_argument("--records", type=int, default=5_000)
    p.add_argument("--step", choices=("generate", "push"))
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--profile", default="")
    p.add_argument(
        "--profile-clock",
        choices=("wall", "cpu"),
        default="wall",
        help="the profile's clock (cpu: time waiting for the database left out)",
    )
    p.add_argument("--profile-only", action="store_true", help="only the profiled run")
    p.add_argument("--engine-commit", metavar="COMMIT")
    p.add_argument("--database-url", metavar="URL", help="an existing database to flush and use")
    p.add_argument("--repeat", type=int, default=1, help="runs of every row")
    args = p.parse_args()
    if args.child:
        return child(args)
    common.print_machine()
    if args.database_url:
        url = args.database_url
        kind = common.kind_of(url)
        common.manage(common.env_for(url), "migrate", "--noinput", "-v", "0")
        common.manage(common.env_for(url), "flush", "--noinput", "-v", "0")
    else:
        kind = "postgres" if "postgres" in common.db_kinds(args.db) else "sqlite"
        url = common.fresh_database(kind, "cpu")
    env = common.env_for(url, THRED_SYNC_MODE="queue")
    common.run_child(__file__, ["--step", "generate", "--n", str(args.records)], env)
    env.update(
        THRED_TRANSPORT="benchmarks.stub.stub_transport",
        THRED_BASE_URL="http://testserver/thred-sandbox",
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    sequential = {"BENCH_CONCURRENCY": "1", "BENCH_BUSINESS_MAX_IN_FLIGHT": "1"}
    runs: list[tuple[str, dict[str, str], list[str]]] = []
    after = [("after, sequential", sequential, []), ("after, fanout (defaults)", {}, [])]
    if args.engine_commit:
        code = common.worktree(args.engine_commit)
        path = {"BENCH_CODE": str(code)}  # common.py puts it first on sys.path
        before = [
            (f"before ({args.engine_commit}), sequential", {**sequential, **path}, []),
            (f"before ({args.engine_commit}), fanout (defaults)", path, []),
        ]
        # ABBA: before, after, after, before (load drifts on a shared machine)
        runs += [before[0], after[0], after[1], before[1]]
    else:
        runs += after
    runs = [run for i in range(args.repeat) for run in (runs if i % 2 == 0 else runs[::-1])]
    if args.profile_only:
        runs = []
    if args.profile:  # its own run: the profiler's overhead stays out of the rows above
        profile = ["--profile", args.profile, "--profile-clock", args.profile_clock]
        runs.append(("after, sequential, under cProfile", sequential, profile))
    # The first push after the backfill also writes every record's dependency edges (the
    # Thred ids its payload read); later ones find them stored. One unmeasured push
    # first, so that every row below does the same work whatever its place.
    common.run_child(__file__, ["--step", "push"], {**env, **sequential})
    rows = []
    results = []
    for label, extra, more in runs:
        out = common.run_child(__file__, ["--step", "push", *more], {**env, **extra})
        out["label"] = label
        results.append(out)
        print(f"# {label}: {out}", file=sys.stderr, flush=True)
        rows.append(
            [
                label,
                f"{out['records']:,}",
                f"{out['cpu'] / out['records'] * 1000:.2f}",
                f"{out['wall'] / out['records'] * 1000:.2f}",
                f"{out['records'] / out['wall']:.0f}",
                f"{os.getloadavg()[0]:.1f}",
            ]
        )
    if not args.database_url:
        common.drop_database(url)
    common.table(
        f"Engine CPU per record, stub transport ({kind}; target ≤ {TARGET_MS} ms/record); load "
        f"average {os.getloadavg()[0]:.2f}",
        ["engine", "records", "CPU ms/record", "wall ms/record", "rec/s", "load (1 min)"],
        rows,
    )
    if args.repeat > 1:
        summary(kind, results)
    common.write_json(args.json, results)


TARGET_MS = 0.5  # CPU per record


def summary(kind: str, results: list[dict]) -> None:
    """Per row: the spread of its runs' CPU per record, and how many met the target."""
    by_label: dict[str, list[float]] = {}
    for out in results:
        by_label.setdefault(out["label"], []).append(out["cpu"] / out["records"] * 1000)
    rows = []
    for label, values in by_label.items():
        least, median, most = common.spread(values)
        met = sum(value <= TARGET_MS for value in values)
        rows.append(
            [
                label,
                len(values),
                f"{least:.2f} / {median:.2f} / {most:.2f}",
                f"{met} of {len(values)}",
            ]
        )
    common.table(
        f"Engine CPU per record over the runs ({kind}; target ≤ {TARGET_MS} ms/record)",
        ["engine", "runs", "CPU ms/record least / median / most", "runs at target"],
        rows,
    )


if __name__ == "__main__":
    main()
