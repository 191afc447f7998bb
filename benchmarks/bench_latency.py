#!/usr/bin/env python
"""4. Latency with a real django-q2 cluster: save → acknowledged by the sandbox.

The example project on PostgreSQL, its sandbox served by gunicorn, and ``manage.py
qcluster`` (ORM broker, Q_WORKERS workers) running as they would in production. One
merchant is synced first; then this process saves N (default 500) customers one at a
time, in autocommit, at a steady rate (default 10 per second), each save committing its
outbox row and enqueueing a push on commit (debounced: one queued task at a time).
Latency of a record = its ``SyncRecord.synced_at`` (set by the worker when Thred
answered) minus the moment its save returned. Both clocks are this machine's.

The ORM broker polls for tasks every Q_CLUSTER["poll"] seconds when idle, so the poll
interval is a floor of the latency; runs are made for each ``--poll`` value (default:
the example project's 0.5 s, and 0.1 s). Target: p95 ≤ 1 s.

    benchmarks/bench_latency.py [--saves 500] [--rate 10] [--poll 0.5,0.1] [--workers 2]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common, datagen


def wait_synced(filter_kwargs: dict, count: int, timeout: float) -> int:
    from thred_django.models import SyncRecord

    deadline = time.monotonic() + timeout
    while True:
        done = SyncRecord.objects.filter(state="synced", **filter_kwargs).count()
        if done >= count or time.monotonic() > deadline:
            return done
        time.sleep(0.2)


def child(args) -> None:
    common.setup_django()
    from django.utils import timezone
    from sales.models import Customer

    from thred_django.models import SyncRecord

    merchant = datagen.merchant("Latency Bikes")
    if not wait_synced({"resource": "business"}, 1, 60):
        raise SystemExit("the business did not reach the sandbox within 60 s: is qcluster up?")
    # Warm up the workers (imports, connections, tokens) with a few records.
    for i in range(5):
        Customer.objects.create(merchant=merchant, number=f"W{i}", name=f"Warm {i}", country="GB")
    wait_synced({"resource": "customer"}, 5, 60)

    saved_at: dict[str, object] = {}
    interval = 1.0 / args.rate
    start = time.monotonic()
    for i in range(args.saves):
        target = start + i * interval
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        customer = Customer.objects.create(
            merchant=merchant, number=f"L{i:05d}", name=f"Customer {i}", country="GB"
        )
        saved_at[str(customer.pk)] = timezone.now()
    timeout = 60 + args.saves / args.rate
    wait_synced({"object_id__in": list(saved_at), "resource": "customer"}, args.saves, timeout)
    rows = SyncRecord.objects.filter(resource="customer", object_id__in=list(saved_at))
    latencies = []
    missing = 0
    for object_id, synced_at in rows.values_list("object_id", "synced_at"):
        if synced_at is None:
            missing += 1
            continue
        latencies.append((synced_at - saved_at[object_id]).total_seconds())
    common.child_result(
        {
            "saves": args.saves,
            "synced": len(latencies),
            "missing": missing + args.saves - rows.count(),
            "p50": common.percentile(latencies, 50),
            "p95": common.percentile(latencies, 95),
            "p99": common.percentile(latencies, 99),
            "max": max(latencies) if latencies else float("nan"),
            "min": min(latencies) if latencies else float("nan"),
        }
    )


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--saves", type=int, default=500)
    p.add_argument("--rate", type=float, default=10.0, help="saves per second")
    p.add_argument(
        "--poll", default="0.5,0.1", help="Q_CLUSTER poll values to run, comma-separated"
    )
    p.add_argument("--workers", type=int, default=2, help="qcluster workers (Q_WORKERS)")
    p.add_argument("--gunicorn-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = p.parse_args()
    if args.child:
        return child(args)
    if not common.pg_available():
        raise SystemExit(f"bench_latency needs PostgreSQL ({common.PG_SHOWN}); set BENCH_PG_URL")

    common.print_machine()
    rows = []
    results = []
    for poll in [float(x) for x in args.poll.split(",")]:
        url = common.fresh_database("postgres", "latency")
        env = common.env_for(url, THRED_SYNC_MODE="queue", Q_WORKERS=args.workers)
        log = common.WORK / "latency-gunicorn.log"
        with common.Gunicorn(env, args.gunicorn_workers, log) as server:
            env = {
                **server.env,
                "THRED_BASE_URL": f"{server.url}/thred-sandbox",
                "BENCH_Q_POLL": str(poll),
            }
            qlog = (common.WORK / "latency-qcluster.log").open("w")
            cluster = subprocess.Popen(
                [common.PY, str(common.EXAMPLE / "manage.py"), "qcluster"],
                env=env,
                cwd=common.ROOT,
                stdout=qlog,
                stderr=subprocess.STDOUT,
            )
            try:
                out = common.run_child(
                    __file__, ["--saves", str(args.saves), "--rate", str(args.rate)], env
                )
            finally:
                common.stop(cluster, timeout=30)
                qlog.close()
        common.drop_database(url)
        out["poll"] = poll
        results.append(out)
        print(
            f"# poll {poll}: p50 {out['p50']:.3f} s, p95 {out['p95']:.3f} s",
            file=sys.stderr,
            flush=True,
        )
        rows.append(
            [
                f"{poll:g}",
                args.workers,
                f"{out['synced']}/{out['saves']}",
                f"{out['min'] * 1000:.0f}",
                f"{out['p50'] * 1000:.0f}",
                f"{out['p95'] * 1000:.0f}",
                f"{out['p99'] * 1000:.0f}",
                f"{out['max'] * 1000:.0f}",
            ]
        )
    common.table(
        f"Latency save → acknowledged, {args.saves} saves at {args.rate:g}/s, qcluster "
        "(ORM broker) + gunicorn sandbox on PostgreSQL (target p95 ≤ 1000 ms)",
        [
            "Q_CLUSTER poll s",
            "q workers",
            "synced",
            "min ms",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
        ],
        rows,
    )
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
