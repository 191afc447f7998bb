#!/usr/bin/env python
"""1. Save overhead: the cost thred_django adds to a host model's save.

Creates the same N (default 10,000) customers of the example project
(``sales.Customer``: a merchant FK and nine plain fields, mapped to a Thred customer)
with THRED["SYNC_MODE"] = "disabled" and = "queue", each run in a fresh database and
its own process, on SQLite and PostgreSQL, in two shapes:

* ``autocommit``: ``Customer.objects.create()`` with no transaction open (a view without
  ATOMIC_REQUESTS): the host row and the outbox row are two statements, and the
  on-commit enqueue runs right after the mark;
* ``atomic``: each create in its own ``transaction.atomic()`` (ATOMIC_REQUESTS): the
  mark joins the host's transaction, the enqueue runs after its commit.

Queue mode pays for everything a save triggers: the outbox upsert and the on-commit
``enqueue_push`` (the django-q2 ORM broker behind a debounce flag in the database
cache). No cluster runs, so after the first enqueue the flag stays set (as it does while
a push task waits to start) and the enqueue is debounced; the cost of one real enqueue
is measured on its own, and the queries of a save with and without it are counted with
``CaptureQueriesContext``. Runs are interleaved and repeated; the table shows medians.

    benchmarks/bench_save.py [--n 10000] [--repeat 3] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common, datagen

SHAPES = ("autocommit", "atomic")
MODES = ("disabled", "queue")


def child(args) -> None:
    common.setup_django()
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from sales.models import Customer

    from thred_django.engine import dispatch

    merchant = datagen.merchant("Bench Bikes")

    def create(number: str) -> None:
        Customer.objects.create(
            merchant=merchant,
            number=number,
            is_company=False,
            name=f"Customer {number}",
            email=f"{number.lower()}@example.com",
            phone="+44 20 7946 0000",
            address="1 High Street",
            city="London",
            postal_code="N1 1AA",
            country="GB",
        )

    def save(number: str) -> None:
        if args.shape == "atomic":
            with transaction.atomic():
                create(number)
        else:
            create(number)

    for i in range(args.warmup):
        save(f"W{i}")

    # Queries of one save that enqueues (flag cleared first) and of steady-state saves.
    cache.delete(dispatch.PUSH_QUEUED_KEY)
    with CaptureQueriesContext(connection) as first:
        save("Q0")
    with CaptureQueriesContext(connection) as steady:
        for i in range(1, 101):
            save(f"Q{i}")
    # The cost of one real enqueue, on its own (queue mode only).
    enqueue_ms = None
    if args.mode == "queue":
        times = []
        for _ in range(50):
            cache.delete(dispatch.PUSH_QUEUED_KEY)
            t0 = time.perf_counter()
            dispatch.enqueue_push()
            times.append(time.perf_counter() - t0)
        enqueue_ms = statistics.median(times) * 1000

    from django_q.models import OrmQ

    queued_before = OrmQ.objects.count()
    started = time.perf_counter()
    for i in range(args.n):
        save(f"C{i}")
    elapsed = time.perf_counter() - started
    parts = decompose(args, save, merchant) if args.mode == "queue" else {}
    common.child_result(
        {
            **parts,
            "seconds": elapsed,
            "ms_per_save": elapsed / args.n * 1000,
            "queries_first": len(first.captured_queries),
            "queries_steady": len(steady.captured_queries) / 100,
            "sql_first": [q["sql"][:160] for q in first.captured_queries],
            "enqueue_ms": enqueue_ms,
            "tasks_enqueued": OrmQ.objects.count() - queued_before,
        }
    )


def decompose(args, save, merchant) -> dict:
    """Queue mode: the parts of a save measured alone, in the same shape."""
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models.signals import post_save
    from django.utils import timezone
    from sales.models import Customer

    from thred_django.engine import dispatch, marking
    from thred_django.engine import upsert as outbox
    from thred_django.mappings import registry

    k = min(2000, args.n)
    uid = "thred_django.marking.on_save"
    post_save.disconnect(dispatch_uid=uid)
    try:
        started = time.perf_counter()
        for i in range(k):
            save(f"H{i}")  # the host's save without thred_django
        host = (time.perf_counter() - started) / k
    finally:
        post_save.connect(marking._on_save, dispatch_uid=uid)
    mapping = registry.get(Customer)
    objs = list(Customer.objects.filter(number__startswith="H"))

    def upserts() -> None:
        for obj in objs:
            outbox.upsert([marking.mark_values(mapping, obj, "upsert", timezone.now())], "default")

    if args.shape == "atomic":  # the upsert joins the host's open transaction
        with transaction.atomic():
            started = time.perf_counter()
            upserts()
            upsert = (time.perf_counter() - started) / len(objs)
    else:  # the upsert commits on its own
        started = time.perf_counter()
        upserts()
        upsert = (time.perf_counter() - started) / len(objs)
    cache.set(dispatch.PUSH_QUEUED_KEY, 1, 600)
    started = time.perf_counter()
    for _ in range(k):
        dispatch.enqueue_push()  # debounced: the flag is set
    enqueue = (time.perf_counter() - started) / k
    return {"host_ms": host * 1000, "upsert_ms": upsert * 1000, "debounced_ms": enqueue * 1000}


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--warmup", type=int, default=300)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--mode", choices=MODES)
    p.add_argument("--shape", choices=SHAPES)
    p.add_argument("--show-sql", action="store_true", help="print the SQL of one save")
    args = p.parse_args()
    if args.child:
        return child(args)

    common.print_machine()
    results: dict = {}
    sql: dict = {}
    for kind in common.db_kinds(args.db):
        for shape in SHAPES:
            for rep in range(args.repeat):
                for mode in MODES if rep % 2 == 0 else MODES[::-1]:
                    url = common.fresh_database(kind, f"save_{mode}")
                    env = common.env_for(url, THRED_SYNC_MODE=mode)
                    out = common.run_child(
                        __file__,
                        [
                            "--mode",
                            mode,
                            "--shape",
                            shape,
                            "--n",
                            str(args.n),
                            "--warmup",
                            str(args.warmup),
                        ],
                        env,
                    )
                    common.drop_database(url)
                    results.setdefault((kind, shape, mode), []).append(out)
                    sql[(kind, shape, mode)] = out["sql_first"]
                    print(
                        f"# {kind:8} {shape:10} {mode:8} run {rep + 1}: "
                        f"{out['ms_per_save']:.3f} ms/save",
                        file=sys.stderr,
                        flush=True,
                    )

    rows = []
    summary = []
    for kind in common.db_kinds(args.db):
        for shape in SHAPES:
            off = results[(kind, shape, "disabled")]
            on = results[(kind, shape, "queue")]
            off_ms = statistics.median(r["ms_per_save"] for r in off)
            on_ms = statistics.median(r["ms_per_save"] for r in on)
            rows.append(
                [
                    kind,
                    shape,
                    f"{off_ms:.3f}",
                    f"{on_ms:.3f}",
                    f"{on_ms / off_ms:.2f}",
                    f"{on[0]['queries_steady'] - off[0]['queries_steady']:g}",
                    f"{on[0]['queries_first'] - off[0]['queries_first']:g}",
                    f"{statistics.median(r['enqueue_ms'] for r in on):.2f}",
                    sum(r["tasks_enqueued"] for r in on),
                ]
            )
            summary.append(
                {
                    "db": kind,
                    "shape": shape,
                    "disabled_ms": off_ms,
                    "queue_ms": on_ms,
                    "ratio": on_ms / off_ms,
                    "runs_disabled": [r["ms_per_save"] for r in off],
                    "runs_queue": [r["ms_per_save"] for r in on],
                    "queries_disabled": off[0]["queries_steady"],
                    "queries_queue": on[0]["queries_steady"],
                    "queries_queue_enqueue": on[0]["queries_first"],
                }
            )
    common.table(
        f"Save overhead: {args.n:,} customers, median of {args.repeat} (target ratio ≤ 1.25)",
        [
            "db",
            "shape",
            "disabled ms/save",
            "queue ms/save",
            "ratio",
            "+queries/save",
            "+queries (save that enqueues)",
            "one enqueue ms",
            "tasks enqueued",
        ],
        rows,
    )
    parts = []
    for kind in common.db_kinds(args.db):
        for shape in SHAPES:
            on = results[(kind, shape, "queue")]
            host = statistics.median(r["host_ms"] for r in on)
            upsert = statistics.median(r["upsert_ms"] for r in on)
            debounced = statistics.median(r["debounced_ms"] for r in on)
            parts.append(
                [
                    kind,
                    shape,
                    f"{host:.3f}",
                    f"{upsert:.3f}",
                    f"{debounced:.3f}",
                    f"{(host + upsert + debounced) / host:.2f}",
                    f"{(host + upsert) / host:.2f}",
                ]
            )
    common.table(
        "Where a queue-mode save's time goes (each part alone, same shape, medians)",
        [
            "db",
            "shape",
            "host save ms",
            "outbox upsert ms",
            "debounced enqueue ms",
            "sum / host",
            "floor: (host + upsert) / host",
        ],
        parts,
    )
    if args.show_sql:
        for (kind, shape, mode), queries in sql.items():
            print(f"\n# SQL of a save that enqueues: {kind} {shape} {mode}")
            for q in queries:
                print("   ", q)
    common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
