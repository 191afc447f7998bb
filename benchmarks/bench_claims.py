#!/usr/bin/env python
"""Claims over a large outbox: what a claim costs when much is due (PostgreSQL).

A fresh database gets, by SQL (no host rows: a claim reads only the outbox), ``--history``
synced records and ``--due`` pending ones spread over ``--businesses`` businesses (a
platform onboarding many merchants at once: a backfill), then ``VACUUM ANALYZE``. One
process then claims as one push thread does (``runner.drain``): a business's records
(``claim_business(BATCH_SIZE)``, from the run's candidates where the engine has them),
marked synced at once (a stand-in for the push), then the same business again (nothing
left), then the next business, for ``--claims`` businesses; and it asks
``seconds_until_due()`` ``--idle`` times (what a thread with nothing to claim asks).

Reported per engine: milliseconds per business claimed (both claims; wall time of one
thread: the database's time and the engine's), how many reads of the due businesses
(the statement grouping every due record by business) it took, and milliseconds per
``seconds_until_due``. ``--engine-commit REV`` measures REV too, on a database with
REV's schema (this checkout's migrations back to REV's last one), alternating
(before, after, after, before).

    benchmarks/bench_claims.py [--history 500000] [--due 100000] [--businesses 1000]
                               [--claims 200] [--idle 20] [--engine-commit REV]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

FILL = """
INSERT INTO thred_django_syncrecord (
    object_id, resource, rank, tenant_id, external_id, thred_id, state, action, force,
    revision, payload_hash, idempotency_key, sent_hash, inactive_in_thred, attempts,
    next_attempt_at, last_error_code, last_error_message, created_at, updated_at,
    content_type_id)
SELECT g::text,
       (ARRAY['customer', 'invoice', 'payment'])[g %% 3 + 1], g %% 3,
       'b' || (g %% %(businesses)s), 'e' || g,
       CASE WHEN g <= %(history)s THEN 't' || g ELSE '' END,
       CASE WHEN g <= %(history)s THEN 'synced' ELSE 'pending' END,
       'upsert', false, gen_random_uuid(), '', '', '', false, 0,
       now() - interval '1 hour' + (g %% 3600) * interval '1 second', '', '', now(), now(),
       %(content_type)s
FROM generate_series(1, %(total)s) g
"""


def child(args) -> None:
    common.setup_django()
    from django.db import connection

    if args.step == "fill":
        from django.contrib.contenttypes.models import ContentType

        from thred_django.models import SyncRecord

        values = {
            "businesses": args.businesses,
            "history": args.history,
            "total": args.history + args.due,
            "content_type": ContentType.objects.get_for_model(SyncRecord).pk,
        }
        with connection.cursor() as cursor:
            cursor.execute(FILL, values)
            cursor.execute("VACUUM ANALYZE thred_django_syncrecord")
        return common.child_result({"rows": values["total"]})

    from thred_django.conf import thred_settings
    from thred_django.engine import claim, runner
    from thred_django.models import SyncRecord

    reads = 0
    grouped = 'MIN("thred_django_syncrecord"."rank")'  # the read of the due businesses

    def count(execute, sql, params, many, context):
        nonlocal reads
        reads += grouped in sql
        return execute(sql, params, many, context)

    queue = claim.Candidates() if hasattr(claim, "Candidates") else None
    extra = {"queue": queue} if queue is not None else {}
    size = int(thred_settings.BATCH_SIZE)
    spent: list[float] = []
    with connection.execute_wrapper(count):
        for _ in range(args.claims):
            started = time.perf_counter()
            batch = claim.claim_business(size, **extra)
            took = time.perf_counter() - started
            if not batch.records:
                break
            tenant = batch.records[0].tenant_id
            ids = [r.id for r in batch.records]
            SyncRecord.objects.filter(id__in=ids).update(
                state="synced", lease_token=None, lease_until=None
            )
            started = time.perf_counter()
            again = claim.claim_business(size, tenant_id=tenant)  # its business again
            took += time.perf_counter() - started
            assert not again.records, "a business with more due than one claim"
            spent.append(took)
        idle = []
        for _ in range(args.idle):
            started = time.perf_counter()
            runner.seconds_until_due()
            idle.append(time.perf_counter() - started)
    return common.child_result(
        {
            "claims": len(spent),
            "claim_ms": statistics.mean(spent) * 1000 if spent else float("nan"),
            "claim_ms_p50": statistics.median(spent) * 1000 if spent else float("nan"),
            "reads": reads,
            "idle_ms": statistics.median(idle) * 1000 if idle else float("nan"),
        }
    )


def measure(args, label: str, env: dict[str, str], down_to: str | None) -> list:
    url = common.fresh_database("postgres", "claims")
    db_env = common.env_for(url, **env)
    if down_to:  # REV's schema: this checkout's migrations back to REV's last one
        common.manage(common.env_for(url), "migrate", "thred_django", down_to, "-v", "0")
    sizes = ["--history", str(args.history), "--due", str(args.due)]
    sizes += ["--businesses", str(args.businesses), "--claims", str(args.claims)]
    sizes += ["--idle", str(args.idle)]
    common.run_child(__file__, ["--step", "fill", *sizes], db_env)
    out = common.run_child(__file__, ["--step", "claims", *sizes], db_env)
    common.drop_database(url)
    print(f"# {label}: {out}", file=sys.stderr, flush=True)
    return [
        label,
        f"{args.history:,} / {args.due:,} / {args.businesses:,}",
        out["claims"],
        f"{out['claim_ms']:.2f}",
        f"{out['claim_ms_p50']:.2f}",
        out["reads"],
        f"{out['idle_ms']:.2f}",
        f"{os.getloadavg()[0]:.1f}",
    ]


def last_migration(code: Path) -> str:
    names = sorted(p.stem for p in (code / "thred_django" / "migrations").glob("0*.py"))
    return names[-1]


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--step", choices=("fill", "claims"))
    p.add_argument("--history", type=int, default=500_000)
    p.add_argument("--due", type=int, default=100_000)
    p.add_argument("--businesses", type=int, default=1_000)
    p.add_argument("--claims", type=int, default=200)
    p.add_argument("--idle", type=int, default=20)
    p.add_argument("--engine-commit", metavar="COMMIT")
    args = p.parse_args()
    if args.child:
        return child(args)
    if not common.pg_available():
        raise SystemExit("bench_claims.py needs PostgreSQL (BENCH_PG_URL)")
    common.print_machine()
    after = ("after (this checkout)", {}, None)
    engines = [after]
    if args.engine_commit:
        code = common.worktree(args.engine_commit)
        subprocess.run(["git", "-C", str(code), "log", "-1", "--oneline"], check=True)
        before = (f"before ({args.engine_commit})", {"BENCH_CODE": str(code)}, None)
        before = (*before[:2], last_migration(code))
        engines = [before, after, after, before]  # ABBA: the machine drifts
    rows = [measure(args, label, env, down) for label, env, down in engines]
    common.table(
        "Claims over a large outbox (PostgreSQL; one thread, claims of one business "
        f"each, BATCH_SIZE as configured); load average {os.getloadavg()[0]:.2f}",
        [
            "engine",
            "synced / due / businesses",
            "businesses claimed",
            "ms per business (mean)",
            "ms per business (p50)",
            "reads of the due businesses",
            "ms per seconds_until_due",
            "load (1 min)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
