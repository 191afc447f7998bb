#!/usr/bin/env python
"""5. Memory: peak RSS of a process pushing N records, for several N.

For each N (default 20,000 and 100,000) a fresh database gets about N mixed records
(``datagen.mixed``: customers, invoices with a line, payments, vendors, bills with a
line, bill payments, over 8 merchants; bulk-created, then marked by
``thred_backfill``), and a new process runs ``push_due(until_idle=True)`` while a thread
samples its RSS every 0.25 s. Reported: RSS after ``django.setup()``, RSS when 10 %,
50 % and 100 % of the records were pushed, and the peak (VmHWM). Flat means the peak does
not grow with N. Target: ≤ 200 MB.

No HTTP: pushing 100,000 records through gunicorn takes longer than a benchmark should.
``--transport stub`` (default) answers every call in-process like Thred would (201 with
a new id) and keeps nothing, so the process holds only the engine; ``--transport
sandbox`` runs the real sandbox in the same process (``in_process_transport``, slower;
the process then holds the sandbox too).

    benchmarks/bench_memory.py [--records 20000,100000] [--transport stub|sandbox]
                               [--db sqlite|postgres] (default postgres when reachable)
"""

from __future__ import annotations

import io
import os
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

TRANSPORTS = {
    "stub": "benchmarks.stub.stub_transport",
    "sandbox": "thred_django.sandbox.transport.in_process_transport",
}


def child(args) -> None:
    common.setup_django()
    if args.step == "generate":
        from django.core.management import call_command

        from benchmarks import datagen

        started = time.perf_counter()
        counts = datagen.mixed(args.n, merchants=8)
        with redirect_stderr(io.StringIO()):
            call_command("thred_backfill", stdout=io.StringIO())
        return common.child_result({"counts": counts, "seconds": time.perf_counter() - started})

    from django.db.models import Count

    from thred_django.engine.runner import push_due
    from thred_django.models import SyncRecord
    from thred_django.resources import SETTLED

    todo = SyncRecord.objects.exclude(state__in=SETTLED).count()
    baseline = common.rss_mb()
    marks: list[tuple[int, float]] = []
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        marks.append((done[0], common.rss_mb()))

    started = time.perf_counter()
    with common.RssSampler(0.25) as sampler:
        push_due(until_idle=True, on_progress=progress)
    elapsed = time.perf_counter() - started

    def at(fraction: float) -> float:
        for count, rss in marks:
            if count >= fraction * todo:
                return rss
        return marks[-1][1] if marks else float("nan")

    states = dict(SyncRecord.objects.values_list("state").annotate(n=Count("id")).order_by())
    common.child_result(
        {
            "records": todo,
            "states": states,
            "seconds": elapsed,
            "baseline_mb": baseline,
            "at10_mb": at(0.1),
            "at50_mb": at(0.5),
            "at100_mb": at(1.0),
            "max_sampled_mb": max(rss for _, rss in sampler.samples),
            "peak_mb": common.rss_mb("VmHWM"),
            "samples": sampler.samples[:: max(1, len(sampler.samples) // 40)],
        }
    )


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.set_defaults(db=os.environ.get("BENCH_DB", "postgres"))
    p.add_argument("--records", default="20000,100000")
    p.add_argument("--transport", choices=tuple(TRANSPORTS), default="stub")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--step", choices=("generate", "push"))
    p.add_argument("--n", type=int, default=0)
    args = p.parse_args()
    if args.child:
        return child(args)

    common.print_machine()
    kinds = common.db_kinds(args.db)
    kind = "postgres" if "postgres" in kinds else "sqlite"
    rows = []
    results = []
    for n in [int(x) for x in args.records.split(",")]:
        url = common.fresh_database(kind, "memory")
        env = common.env_for(url, THRED_SYNC_MODE="queue")
        gen = common.run_child(__file__, ["--step", "generate", "--n", str(n)], env)
        print(f"# {n:,}: generated and marked in {gen['seconds']:.0f} s", file=sys.stderr)
        env.update(
            THRED_TRANSPORT=TRANSPORTS[args.transport],
            THRED_BASE_URL="http://testserver/thred-sandbox",
            DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
            BENCH_CONCURRENCY=str(args.concurrency),
        )
        out = common.run_child(__file__, ["--step", "push"], env)
        common.drop_database(url)
        results.append({"n": n, **out})
        print(
            f"# {n:,}: pushed {out['records']:,} in {out['seconds']:.0f} s, "
            f"peak {out['peak_mb']:.0f} MB, states {out['states']}",
            file=sys.stderr,
            flush=True,
        )
        rows.append(
            [
                f"{out['records']:,}",
                f"{out['seconds']:.0f}",
                f"{out['records'] / out['seconds']:.0f}",
                f"{out['baseline_mb']:.0f}",
                f"{out['at10_mb']:.0f}",
                f"{out['at50_mb']:.0f}",
                f"{out['at100_mb']:.0f}",
                f"{out['peak_mb']:.0f}",
            ]
        )
    common.table(
        f"Memory while pushing ({kind}, transport {args.transport}, CONCURRENCY "
        f"{args.concurrency}; target peak ≤ 200 MB, flat in N)",
        [
            "records",
            "seconds",
            "rec/s",
            "RSS after setup MB",
            "RSS at 10 % MB",
            "at 50 % MB",
            "at 100 % MB",
            "peak RSS MB",
        ],
        rows,
    )
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
