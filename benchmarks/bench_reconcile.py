#!/usr/bin/env python
"""6. Reconciliation memory: peak RSS of ``thred_reconcile`` over N host rows, for several N.

For each N (default 10,000 and 100,000) a fresh database gets about N mixed records
(``datagen.mixed``, 8 merchants, marked by ``thred_backfill``), pushed through the stub
transport so every record is synced with an acknowledged payload. Then 0.01 % of the
rows (at least 5 each) drift on purpose: payments changed with ``QuerySet.update()``
(``edited_unmarked``) and customers whose outbox row is deleted (a lost mark:
``unmarked``). A new process runs ``thred_reconcile --json`` (output discarded) against
``benchmarks.mirror`` — a Thred that lists exactly what the outbox acknowledged, a page
at a time — while a thread samples its RSS. Reported: host rows and Thred objects read,
seconds, drift found (must equal the drift made), RSS after ``django.setup()``, at 10 %
and 50 % of the run's time, at the end, and the peak (VmHWM). Constant memory means the
peak does not grow with N.

    benchmarks/bench_reconcile.py [--records 10000,100000] [--db sqlite|postgres]
"""

from __future__ import annotations

import io
import os
import sys
import time
from contextlib import redirect_stderr, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common


def _generate(n: int) -> dict:
    from django.core.management import call_command

    from benchmarks import datagen
    from thred_django.engine.runner import push_due

    started = time.perf_counter()
    counts = datagen.mixed(n, merchants=8)
    with redirect_stderr(io.StringIO()):
        call_command("thred_backfill", stdout=io.StringIO())
    push_due(until_idle=True)
    return {"counts": counts, "seconds": time.perf_counter() - started}


def _drift(n: int) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F
    from sales import models as s

    from thred_django.models import SyncRecord

    each = max(5, n // 10_000)
    payments = list(s.Payment.objects.order_by("pk").values_list("pk", flat=True)[:each])
    s.Payment.objects.filter(pk__in=payments).update(amount_cents=F("amount_cents") - 1)
    customers = list(s.Customer.objects.order_by("-pk").values_list("pk", flat=True)[:each])
    ct = ContentType.objects.get_for_model(s.Customer)
    SyncRecord.objects.filter(content_type=ct, object_id__in=[str(pk) for pk in customers]).delete()
    return {"edited_unmarked": each, "unmarked": each}


def child(args) -> None:
    common.setup_django()
    if args.step == "generate":
        result = _generate(args.n)
        result["drift"] = _drift(args.n)
        return common.child_result(result)

    from django.core.management import call_command

    from thred_django.engine.reconcile import reconcile
    from thred_django.models import SyncRecord

    records = SyncRecord.objects.count()
    baseline = common.rss_mb()
    found: dict[str, int] = {}
    checked = [0]

    def on_business(tally) -> None:
        checked[0] += tally.checked
        for kind, count in tally.counts.items():
            found[kind] = found.get(kind, 0) + count

    started = time.perf_counter()
    with common.RssSampler(0.25) as sampler:
        if args.api:
            reconcile(on_business=on_business)
        else:
            out = io.StringIO()
            # Exit status 1: the drift made on purpose.
            with redirect_stderr(io.StringIO()), suppress(SystemExit):
                call_command("thred_reconcile", "--json", stdout=out)
            # The JSON streamed out is the command's; only its summary is kept here.
            found = _summary_counts(out.getvalue())
            out.close()
    elapsed = time.perf_counter() - started
    samples = sampler.samples

    def at(fraction: float) -> float:
        """RSS sampled when ``fraction`` of the run's time had passed."""
        for seconds, rss in samples:
            if seconds >= fraction * elapsed:
                return rss
        return samples[-1][1]

    common.child_result(
        {
            "records": records,
            "checked": checked[0],
            "found": found,
            "seconds": elapsed,
            "baseline_mb": baseline,
            "end_mb": common.rss_mb(),
            "at10_mb": at(0.1),
            "at50_mb": at(0.5),
            "samples": samples[:: max(1, len(samples) // 40)],
            "max_sampled_mb": max(rss for _, rss in sampler.samples),
            "peak_mb": common.rss_mb("VmHWM"),
        }
    )


def _summary_counts(text: str) -> dict[str, int]:
    import json

    return dict(json.loads(text)["summary"]["counts"])


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.set_defaults(db=os.environ.get("BENCH_DB", "postgres"))
    p.add_argument("--records", default="10000,100000")
    p.add_argument("--step", choices=("generate", "reconcile"))
    p.add_argument("--n", type=int, default=0)
    p.add_argument(
        "--api",
        action="store_true",
        help="call engine.reconcile.reconcile() instead of the command (no JSON output)",
    )
    args = p.parse_args()
    if args.child:
        return child(args)

    common.print_machine()
    kinds = common.db_kinds(args.db)
    kind = "postgres" if "postgres" in kinds else "sqlite"
    rows = []
    results = []
    for n in [int(x) for x in args.records.split(",")]:
        url = common.fresh_database(kind, "reconcile")
        env = common.env_for(
            url,
            THRED_SYNC_MODE="queue",
            THRED_TRANSPORT="benchmarks.stub.stub_transport",
            THRED_BASE_URL="http://testserver/thred-sandbox",
            DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        )
        gen = common.run_child(__file__, ["--step", "generate", "--n", str(n)], env)
        print(f"# {n:,}: generated, pushed in {gen['seconds']:.0f} s", file=sys.stderr)
        env.update(THRED_TRANSPORT="benchmarks.mirror.mirror_transport")
        out = common.run_child(
            __file__, ["--step", "reconcile", *(["--api"] if args.api else [])], env
        )
        common.drop_database(url)
        results.append({"n": n, "made": gen["drift"], **out})
        print(
            f"# {n:,}: reconciled {out['records']:,} records in {out['seconds']:.0f} s, "
            f"peak {out['peak_mb']:.0f} MB, drift found {out['found']} (made {gen['drift']})",
            file=sys.stderr,
            flush=True,
        )
        rows.append(
            [
                f"{out['records']:,}",
                f"{out['seconds']:.0f}",
                f"{out['records'] / out['seconds']:.0f}",
                ", ".join(f"{k} {v}" for k, v in sorted(out["found"].items())),
                ", ".join(f"{k} {v}" for k, v in sorted(gen["drift"].items())),
                f"{out['baseline_mb']:.0f}",
                f"{out['at10_mb']:.0f}",
                f"{out['at50_mb']:.0f}",
                f"{out['end_mb']:.0f}",
                f"{out['peak_mb']:.0f}",
            ]
        )
    common.table(
        f"Reconciliation memory ({kind}, mirror transport; target: peak flat in N)",
        [
            "outbox records",
            "seconds",
            "records/s",
            "drift found",
            "drift made",
            "RSS after setup MB",
            "RSS at 10 % of the time MB",
            "at 50 % MB",
            "at end MB",
            "peak RSS MB",
        ],
        rows,
    )
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
