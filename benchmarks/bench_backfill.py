#!/usr/bin/env python
"""2. Backfill: ``manage.py thred_backfill`` over N (default 100,000) existing rows.

A generator process bulk-creates N customers of the example project over 10 merchants
with SYNC_MODE "disabled" (no outbox rows). Then, each in its own process so that the
peak RSS (VmHWM) is the command's own: ``thred_backfill`` (every row new: inserts) and
``thred_backfill`` again (every row already marked: the upsert's update path). Reports
wall time, rows per second and peak RSS, with the RSS of the same process right after
``django.setup()`` for reference. Targets: ≤ 10 s and ≤ 200 MB for 100,000 rows.

    benchmarks/bench_backfill.py [--n 100000] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import io
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common


def child(args) -> None:
    common.setup_django()
    if args.step == "generate":
        from benchmarks import datagen

        started = time.perf_counter()
        rows = datagen.customers(args.n - 10, merchants=10)
        return common.child_result({"rows": rows, "seconds": time.perf_counter() - started})

    from django.core.management import call_command

    from thred_django.models import SyncRecord

    baseline = common.rss_mb()
    out = io.StringIO()
    with common.RssSampler(0.1) as sampler, redirect_stderr(io.StringIO()):
        started = time.perf_counter()
        call_command("thred_backfill", stdout=out)
        elapsed = time.perf_counter() - started
    common.child_result(
        {
            "seconds": elapsed,
            "marked": SyncRecord.objects.count(),
            "baseline_mb": baseline,
            "peak_mb": common.rss_mb("VmHWM"),
            "max_sampled_mb": max(rss for _, rss in sampler.samples),
        }
    )


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--step", choices=("generate", "backfill"))
    args = p.parse_args()
    if args.child:
        return child(args)

    common.print_machine()
    rows = []
    results = []
    for kind in common.db_kinds(args.db):
        url = common.fresh_database(kind, "backfill")
        gen = common.run_child(
            __file__,
            ["--step", "generate", "--n", str(args.n)],
            common.env_for(url, THRED_SYNC_MODE="disabled"),
        )
        print(
            f"# {kind}: generated {gen['rows']:,} rows in {gen['seconds']:.1f} s", file=sys.stderr
        )
        for label in ("first (inserts)", "again (updates)"):
            out = common.run_child(
                __file__,
                ["--step", "backfill", "--n", str(args.n)],
                common.env_for(url, THRED_SYNC_MODE="queue"),
            )
            rows.append(
                [
                    kind,
                    label,
                    f"{out['marked']:,}",
                    f"{out['seconds']:.2f}",
                    f"{out['marked'] / out['seconds']:,.0f}",
                    f"{out['baseline_mb']:.0f}",
                    f"{out['peak_mb']:.0f}",
                ]
            )
            results.append({"db": kind, "run": label, **out})
        common.drop_database(url)
    common.table(
        f"Backfill: thred_backfill over {args.n:,} rows (targets ≤ 10 s, ≤ 200 MB)",
        ["db", "run", "rows marked", "seconds", "rows/s", "RSS after setup MB", "peak RSS MB"],
        rows,
    )
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
