"""Outbox writes: the mark's statements in their ORM form and in ``engine.sql``.

A focused microbenchmark for the choice ``thred_django/engine/sql.py`` documents: each
statement a save's mark runs, run alternately (blocks of 100) in its
ORM form (``bulk_create(update_conflicts=True)``, ``QuerySet.update``, ``values_list``)
and through ``engine.sql``, in one process on one database, so both see the same load;
repeated in fresh processes, the table shows medians and the sql/orm ratio.

* ``save (atomic)``: a host save in its own ``transaction.atomic()`` (the customer row,
  the mark, the push request after commit; queue mode, debounced): what a save costs;
* ``mark upsert``: the outbox upsert of one mark, alone (inside one transaction);
* ``mark upsert, 500 rows``: one upsert of 500 marks (a backfill batch), per mark;
* ``dependents lookup``: the read every mark makes for records that read its Thred id.

No database is created: SQLite runs in a file under $BENCH_DIR, PostgreSQL in the
database of ``--pg-url`` (default $DATABASE_URL), which is migrated and whose outbox and
example tables are emptied (``manage.py flush``).

    benchmarks/bench_outbox.py [--n 2000] [--repeat 3] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

CASES = (
    "save (atomic)",
    "mark upsert",
    "mark upsert, 500 rows",
    "dependents lookup",
)
FORMS = ("orm", "sql")
BLOCK = 100


def child(args) -> None:
    common.setup_django()
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone
    from sales.models import Customer

    from benchmarks import datagen
    from thred_django.engine import dispatch, marking, remark, sql
    from thred_django.engine import upsert as outbox
    from thred_django.mappings import registry
    from thred_django.models import SyncRecord

    supported = sql.supported

    def use(form: str) -> None:
        sql.supported = (lambda using: False) if form == "orm" else supported

    merchant = datagen.merchant("Bench Bikes")
    cache.set(dispatch.PUSH_QUEUED_KEY, 1, 3600)  # debounced, as while a task waits
    n = args.n
    spent = {(case, form): 0.0 for case in CASES for form in FORMS}
    count = {(case, form): 0 for case in CASES for form in FORMS}

    def customer(number: str) -> Customer:
        return Customer(
            merchant=merchant,
            number=number,
            is_company=False,
            name=f"Customer {number}",
            email=f"{number.lower()}@example.com",
            country="GB",
        )

    def alternate(case: str, items: list, run: Callable[[list], None], size: int = BLOCK) -> None:
        """Run ``items`` in blocks, the two forms taking turns (which goes first too)."""
        for b, start in enumerate(range(0, len(items), 2 * size)):
            for i, form in enumerate(FORMS if b % 2 == 0 else FORMS[::-1]):
                block = items[start + i * size : start + (i + 1) * size]
                if not block:
                    continue
                use(form)
                started = time.perf_counter()
                run(block)
                spent[(case, form)] += time.perf_counter() - started
                count[(case, form)] += len(block)
        use("sql")

    def saves(numbers: list[str]) -> None:
        for number in numbers:
            with transaction.atomic():
                customer(number).save()

    saves([f"W{i}" for i in range(100)])  # warm up
    alternate("save (atomic)", [f"S{i}" for i in range(2 * n)], saves)

    mapping = registry.get(Customer)
    objs = Customer.objects.bulk_create([customer(f"U{i}") for i in range(2 * n)])

    def upserts(block: list) -> None:
        with transaction.atomic():
            for obj in block:
                now = timezone.now()
                outbox.upsert([marking.mark_values(mapping, obj, "upsert", now)], "default")

    alternate("mark upsert", objs, upserts)
    many = Customer.objects.bulk_create([customer(f"B{i}") for i in range(max(2 * n, 2000))])

    def bulk(block: list) -> None:
        now = timezone.now()
        with transaction.atomic():
            outbox.upsert(
                [marking.mark_values(mapping, o, "upsert", now) for o in block], "default"
            )

    alternate("mark upsert, 500 rows", many, bulk, size=500)

    ct = SyncRecord.objects.values_list("content_type_id", flat=True).first()

    def lookups(block: list) -> None:
        for pk in block:
            remark._dependents("default", ct, [str(pk)])

    alternate("dependents lookup", [o.pk for o in objs], lookups)

    common.child_result(
        {
            f"{case}/{form}": spent[(case, form)] / max(1, count[(case, form)]) * 1e6
            for case in CASES
            for form in FORMS
        }
    )


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000, help="items per form and case")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pg-url", default=os.environ.get("DATABASE_URL", ""))
    args = p.parse_args()
    if args.child:
        return child(args)

    common.print_machine()
    urls = {}
    if args.db in ("sqlite", "both"):
        common.WORK.mkdir(parents=True, exist_ok=True)
        urls["sqlite"] = f"sqlite:///{common.WORK / 'outbox.sqlite3'}"
    if args.db in ("postgres", "both") and args.pg_url.startswith("postgres"):
        urls["postgres"] = args.pg_url
    results: dict[str, list[dict[str, float]]] = {}
    for kind, url in urls.items():
        common.manage(common.env_for(url), "migrate", "--noinput", "-v", "0")
        for rep in range(args.repeat):
            env = common.env_for(url, THRED_SYNC_MODE="queue")
            common.manage(env, "flush", "--noinput", "-v", "0")  # an empty database
            argv = ["--n", str(args.n)]
            results.setdefault(kind, []).append(common.run_child(__file__, argv, env))
            print(f"# {kind} run {rep + 1} done", file=sys.stderr, flush=True)
    rows = []
    for kind in urls:
        for case in CASES:
            orm = statistics.median(r[f"{case}/orm"] for r in results[kind])
            ours = statistics.median(r[f"{case}/sql"] for r in results[kind])
            rows.append([kind, case, f"{orm:.1f}", f"{ours:.1f}", f"{ours / orm:.2f}"])
    common.table(
        f"Outbox writes, µs per item, median of {args.repeat} (forms alternating)",
        ["db", "case", "ORM µs", "engine.sql µs", "sql / orm"],
        rows,
    )
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
