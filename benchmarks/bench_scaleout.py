#!/usr/bin/env python
"""6. Scale-out: 1, 2, 3 worker processes against an API answering after 100 ms.

The example project's ``seed_demo`` makes about N (default 4,000) mixed records over 20
businesses (``--businesses``); ``thred_backfill`` marks them all. The sandbox is served by
gunicorn (gthread, enough threads for every call in flight) on the same PostgreSQL
database, with THRED_SANDBOX latency ``--latency`` (default 0.1 s: every API response
waits that long, outside any lock, as a remote API does). Then, for each process count
P in ``--processes`` (default 1,2,3): the outbox goes back to pending and the sandbox is
emptied, and P ``manage.py thred_sync --until-idle`` processes start at once, each with
THRED["CONCURRENCY"] ``--concurrency`` threads (default 4) and THRED["MAX_IN_FLIGHT"]
``--max-in-flight`` calls (default 16: each I/O thread holds a database connection, and
three workers plus the server must fit PostgreSQL's default max_connections of 100).

Reported per P: records settled, the push window (first to last record synced; process
start-up left out), records per second, the ratio to P = 1 (target for P = 3: ≥ 2.5),
outbox row UPDATEs per record (claims, releases, outcomes: PostgreSQL's statistics) and
CPU used by the worker processes (all of them, start-up included): more of either for
the same records is churn. And double sends: records whose create (or payout upsert)
reached the sandbox more than once (from its request log; must be 0).

    benchmarks/bench_scaleout.py [--records 4000] [--businesses 20] [--processes 1,2,3]
                                 [--latency 0.1] [--concurrency 4] [--max-in-flight 16]
                                 [--engine-commit REV]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

RECORDS_PER_UNIT = 9.6  # seed_demo: records per business per --per-business


# --- child steps ----------------------------------------------------------------------------


def step_reset(args) -> dict:
    from benchmarks.bench_push import step_reset as reset_outbox
    from thred_django.sandbox import faults

    out = reset_outbox()
    faults.reset_faults()
    faults.set_faults(latency=args.latency)
    return out


def step_measure() -> dict:
    from django.db.models import Count, Max, Min

    from thred_django.models import SyncRecord
    from thred_django.resources import SETTLED
    from thred_django.sandbox.models import RequestLog

    window = SyncRecord.objects.filter(state__in=SETTLED).aggregate(
        first=Min("synced_at"), last=Max("synced_at"), n=Count("id")
    )
    posts = (
        RequestLog.objects.filter(method="POST", action__in=("create", "upsert"))
        .values("resource", "external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by()
    )
    states = dict(SyncRecord.objects.values_list("state").annotate(n=Count("id")).order_by())
    seconds = (
        (window["last"] - window["first"]).total_seconds() if window["first"] else float("nan")
    )
    return {
        "settled": window["n"],
        "seconds": seconds,
        "states": states,
        "double_sends": len(list(posts)),
        "requests": RequestLog.objects.count(),
    }


def step_updates() -> dict:
    """Rows UPDATEd in the outbox table so far (PostgreSQL's statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'thred_django_syncrecord'"
        )
        return {"updates": int(cursor.fetchone()[0])}


def child(args) -> None:
    common.setup_django()
    if args.step == "reset":
        return common.child_result(step_reset(args))
    if args.step == "updates":
        return common.child_result(step_updates())
    return common.child_result(step_measure())


# --- parent ---------------------------------------------------------------------------------


def run_workers(env: dict, processes: int, log_dir: Path, manage: Path | None = None) -> dict:
    """Start ``processes`` thred_sync --until-idle at once; wait for all of them."""
    manage = manage or common.EXAMPLE / "manage.py"
    procs = []
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for i in range(processes):
        out = (log_dir / f"worker-{processes}-{i}.log").open("w")
        procs.append(
            subprocess.Popen(
                [common.PY, str(manage), "thred_sync", "--until-idle"],
                env=env,
                cwd=common.ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )
    codes = [proc.wait() for proc in procs]
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"codes": codes, "wall": wall, "cpu": cpu}


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=4_000)
    p.add_argument("--businesses", type=int, default=20)
    p.add_argument("--processes", default="1,2,3")
    p.add_argument("--latency", type=float, default=0.1)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--max-in-flight", type=int, default=16)
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=12, help="gunicorn threads per worker")
    p.add_argument("--step", choices=("reset", "measure", "updates"))
    p.add_argument(
        "--engine-commit",
        metavar="COMMIT",
        help="run the worker processes with thred_django of COMMIT (a worktree); the "
        "schema, data and sandbox server with this checkout's",
    )
    args = p.parse_args()
    if args.child:
        return child(args)
    if not common.pg_available():
        raise SystemExit(f"bench_scaleout needs PostgreSQL ({common.PG_SHOWN}); set BENCH_PG_URL")
    common.print_machine()
    counts = [int(n) for n in args.processes.split(",")]
    per_business = max(1, round((args.records / args.businesses - 1) / RECORDS_PER_UNIT))
    url, env = common.seeded_database("scaleout", args.businesses, per_business)

    log_dir = common.WORK / "scaleout"
    log_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with common.Gunicorn(env, args.workers, log_dir / "gunicorn.log", threads=args.threads) as srv:
        env = {
            **srv.env,
            "THRED_BASE_URL": f"{srv.url}/thred-sandbox",
            "BENCH_CONCURRENCY": str(args.concurrency),
            "BENCH_MAX_IN_FLIGHT": str(args.max_in_flight),
            "BENCH_BUSINESS_MAX_IN_FLIGHT": str(min(16, args.max_in_flight)),
        }
        worker_env = dict(env)
        manage = None
        if args.engine_commit:
            code = common.worktree(args.engine_commit)
            worker_env["PYTHONPATH"] = os.pathsep.join([str(code), env["PYTHONPATH"]])
            # Its manage.py puts its own thred_django first on sys.path (this checkout's
            # manage.py would put this checkout's before PYTHONPATH).
            manage = code / "example_project" / "manage.py"
            print(f"# workers run thred_django of {args.engine_commit} ({code})", file=sys.stderr)
        for processes in counts:
            reset = common.run_child(
                __file__, ["--step", "reset", "--latency", str(args.latency)], env
            )
            before = common.run_child(__file__, ["--step", "updates"], env)["updates"]
            run = run_workers(worker_env, processes, log_dir, manage)
            time.sleep(1.5)  # backends flush their table statistics at most once a second
            after = common.run_child(__file__, ["--step", "updates"], env)["updates"]
            run["updates"] = after - before
            measured = common.run_child(__file__, ["--step", "measure"], env)
            measured.update(run, processes=processes, records=reset["records"])
            results.append(measured)
            print(
                f"# {processes} process(es): {measured['settled']} settled in "
                f"{measured['seconds']:.1f} s ({measured['settled'] / measured['seconds']:.1f} "
                f"rec/s), exit codes {run['codes']}, {measured['double_sends']} double sends",
                file=sys.stderr,
                flush=True,
            )
    common.drop_database(url)

    base = results[0]["settled"] / results[0]["seconds"]
    rows = []
    for r in results:
        rate = r["settled"] / r["seconds"]
        rows.append(
            [
                r["processes"],
                f"{r['settled']:,} / {r['records']:,}",
                f"{r['seconds']:.1f}",
                f"{r['wall']:.1f}",
                f"{rate:.1f}",
                f"{rate / base:.2f}",
                f"{r['updates'] / max(r['settled'], 1):.1f}",
                f"{r['cpu']:.0f} s = {r['cpu'] / max(r['settled'], 1) * 1000:.1f} ms",
                r["double_sends"],
            ]
        )
    label = f" (engine of {args.engine_commit})" if args.engine_commit else ""
    common.table(
        f"Scale-out{label}: {args.businesses} businesses, API latency "
        f"{args.latency * 1000:.0f} ms, CONCURRENCY {args.concurrency} per process, sandbox "
        f"gunicorn {args.workers} x {args.threads} threads (target: 3 processes ≥ 2.5 x 1)",
        [
            "processes",
            "settled / records",
            "push window s",
            "wall s (with start-up)",
            "records/s",
            "x 1 process",
            "outbox row UPDATEs / record",
            "worker CPU (per record)",
            "double sends",
        ],
        rows,
    )
    common.write_json(args.json, results)
    print(json.dumps({"ratio_3_to_1": rows[-1][5]}), file=sys.stderr)


if __name__ == "__main__":
    main()
