#!/usr/bin/env python
"""3. Push throughput over real HTTP, against the ceiling of the same server.

The example project's ``seed_demo`` makes about N (default 10,000) mixed records —
businesses, customers, invoices, payments, refunds, refund payments, payouts, vendors,
bills, bill payments, vendor credits — over 8 businesses (``--businesses``; SYNC_MODE
"disabled", then ``thred_backfill`` marks them all). The sandbox is served by gunicorn
(gthread workers, which keep connections alive) on the same PostgreSQL database. Then, per round:

* ``engine``: a process runs ``push_due(until_idle=True)`` (what ``thred_sync
  --until-idle`` and the queue task run) with THRED["CONCURRENCY"] threads;
* ``ceiling``: the sandbox is emptied and a bare httpx loop sends the very requests the
  engine made (its acknowledged payloads, in its order, parent ids mapped to the new
  ones) to the same server with the same concurrency: one thread per business at a time,
  one shared ``httpx.Client``, a partner token and one token per business.

Reported: records per second (records settled / wall time), HTTP calls per second, the
ratio engine / ceiling (target ≥ 0.7), SQL queries per record in the sync process, and
where the CPU went (sync process, gunicorn, the rest — mostly PostgreSQL — from
/proc/stat). Between rounds the outbox is reset to pending and the sandbox truncated.

    benchmarks/bench_push.py [--records 10000] [--rounds 2] [--businesses 8]
                             [--concurrency <businesses>] [--workers 3] [--threads 2]
                             [--profile DIR]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

BUSINESSES = 8
# seed_demo makes about 9.6 records per business per --per-business (plus the business).
RECORDS_PER_UNIT = 9.6


# --- child steps ----------------------------------------------------------------------------


def count_queries() -> list[int]:
    """Count every SQL statement of every connection this process opens (threads too);
    ``KINDS`` tallies them by statement shape (verb and table)."""
    from django.db.backends.signals import connection_created

    counter = [0]

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        KINDS[_shape(sql)] = KINDS.get(_shape(sql), 0) + 1
        return execute(sql, params, many, context)

    def install(sender, connection, **kwargs):
        if wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(wrapper)

    connection_created.connect(install, weak=False)
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        install(None, conn)
    return counter


KINDS: dict[str, int] = {}


def _shape(sql: str) -> str:
    words = sql.replace('"', "").split()
    verb = words[0].upper() if words else "?"
    table = ""
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in words[:40]:
            table = words[words.index(marker) + 1] if marker != verb else words[1]
            break
    if verb == "UPDATE":
        table = words[1]
    return f"{verb} {table}".strip()


def step_reset() -> dict:
    """Outbox back to pending (as after a backfill), sandbox and caches emptied."""
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone
    from django_q.models import OrmQ

    from thred_django.models import BusinessHealth, SyncAttempt, SyncRecord

    truncate_sandbox()
    SyncAttempt.objects.all().delete()
    BusinessHealth.objects.all().delete()
    OrmQ.objects.all().delete()
    SyncRecord.objects.update(
        state="pending",
        thred_id="",
        payload_hash="",
        acked_payload=None,
        idempotency_key="",
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_token=None,
        lease_until=None,
        claimed_revision=None,
        blocked_by=None,
        last_error_status=None,
        last_error_code="",
        last_error_message="",
        last_error_details=None,
        last_attempt_at=None,
        synced_at=None,
        force=False,
    )
    cache.clear()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"records": SyncRecord.objects.count()}


def truncate_sandbox() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_app_config("thred_sandbox").get_models()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            from thred_django.sandbox.reset import reset_sandbox

            reset_sandbox()


def step_engine(args) -> dict:
    from collections import Counter

    from django.db.models import Count

    import thred_django
    from thred_django.engine.runner import push_due
    from thred_django.models import SyncAttempt, SyncRecord
    from thred_django.resources import SETTLED

    print(f"# engine code: {Path(thred_django.__file__).parent}", file=sys.stderr)
    queries = count_queries()
    todo = SyncRecord.objects.exclude(state__in=SETTLED).count()
    queries[0] = 0
    KINDS.clear()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    cpu0 = os.times()
    started = time.perf_counter()
    stats = push_due(until_idle=True)
    elapsed = time.perf_counter() - started
    cpu1 = os.times()
    if profiler is not None:
        profiler.stop()
        out = Path(args.profile)
        out.mkdir(parents=True, exist_ok=True)
        (out / "engine.html").write_text(profiler.output_html())
        (out / "engine.txt").write_text(profiler.output_text(unicode=False, color=False))
    used = queries[0]
    states = Counter(
        dict(SyncRecord.objects.values_list("state").annotate(n=Count("id")).order_by())
    )
    calls = SyncAttempt.objects.filter(outcome="success").count()
    settled = sum(n for s, n in states.items() if s in SETTLED)
    return {
        "records": todo,
        "settled": settled,
        "states": dict(states),
        "calls": calls,
        "seconds": elapsed,
        "rounds": stats.rounds,
        "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        "queries": used,
        "queries_per_record": used / max(todo, 1),
        "queries_by_kind": {
            k: v / max(todo, 1) for k, v in sorted(KINDS.items(), key=lambda kv: -kv[1])
        },
    }


def build_plan() -> list[list[dict]]:
    """Per business, the calls the engine made, in its order (business first)."""
    from thred_django import lifecycle
    from thred_django.models import SyncAttempt, SyncRecord

    order = list(
        SyncAttempt.objects.filter(outcome="success")
        .order_by("id")
        .values_list("record_id", flat=True)
    )
    records = {
        r["id"]: r
        for r in SyncRecord.objects.filter(id__in=order).values(
            "id", "resource", "tenant_id", "thred_id", "acked_payload", "idempotency_key"
        )
    }
    plans: dict[str, list[dict]] = {}
    for record_id in order:
        r = records[record_id]
        plans.setdefault(r["tenant_id"], []).append(
            {
                "resource": r["resource"],
                "payload": r["acked_payload"],
                "old_id": r["thred_id"],
                # the key the engine persisted and sent (it depends on the payload)
                "key": r["idempotency_key"] if lifecycle.of(r["resource"]).idempotency_key else "",
            }
        )
    for plan in plans.values():
        plan.sort(key=lambda call: call["resource"] != "business")  # stable: business first
    return list(plans.values())


CREATE_ENDPOINT = {
    "business": "create_business",
    "customer": "create_customer",
    "vendor": "create_vendor",
    "invoice": "create_invoice",
    "payment": "create_payment",
    "payout": "upsert_payout",
    "refund": "create_refund",
    "refund_payment": "create_refund_payment",
    "bill": "create_bill",
    "bill_payment": "create_bill_payment",
    "vendor_credit": "create_vendor_credit",
}


def step_ceiling(args) -> dict:
    import base64
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from django.conf import settings

    from thred_django.client.endpoints import ENDPOINTS
    from thred_django.client.gaps import IDEMPOTENCY_KEY_HEADER

    plans = build_plan()
    truncate_sandbox()
    conf = settings.THRED
    base = conf["BASE_URL"].rstrip("/")
    client = httpx.Client(
        timeout=httpx.Timeout(10.0, connect=5.0),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        headers={"User-Agent": "bench-ceiling", "Accept": "application/json"},
    )
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    ids: dict[str, str] = {}

    def remap(value):
        if isinstance(value, str):
            return ids.get(value, value)
        if isinstance(value, list):
            return [remap(v) for v in value]
        if isinstance(value, dict):
            return {k: remap(v) for k, v in value.items()}
        return value

    def new_id(data: dict) -> str:
        if isinstance(data.get("payment"), dict):
            data = data["payment"]
        return str(data.get("id", ""))

    started = time.perf_counter()
    basic = base64.b64encode(f"{conf['PARTNER_ID']}:{conf['API_KEY']}".encode()).decode()
    response = client.post(
        base + ENDPOINTS["get_partner_token"].path,
        data={"grant_type": "client_credentials", "client_id": conf["PARTNER_ID"]},
        headers={"Authorization": f"Basic {basic}"},
    )
    partner = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def send(path: str, payload: dict, headers: dict) -> dict:
        body = json.dumps(payload, separators=(",", ":")).encode()
        res = client.post(
            base + path, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        with lock:
            statuses[res.status_code] = statuses.get(res.status_code, 0) + 1
        return res.json()

    def run_business(plan: list[dict]) -> None:
        first = plan[0]
        data = send(ENDPOINTS["create_business"].path, first["payload"], partner)
        business_id = str(data["id"])
        ids[first["old_id"]] = business_id
        token = send(ENDPOINTS["get_business_token"].format(business_id=business_id), {}, partner)
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        for call in plan[1:]:
            payload = remap(call["payload"])
            params = {"business_id": business_id}
            if call["resource"] == "refund_payment":
                params["refund_id"] = payload.pop("refund_id")
            headers = dict(auth)
            if call["key"]:
                headers[IDEMPOTENCY_KEY_HEADER] = call["key"]
            path = ENDPOINTS[CREATE_ENDPOINT[call["resource"]]].format(**params)
            ids[call["old_id"]] = new_id(send(path, payload, headers))

    cpu0 = os.times()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        for future in [pool.submit(run_business, plan) for plan in plans]:
            future.result()
    elapsed = time.perf_counter() - started
    cpu1 = os.times()
    client.close()
    records = sum(len(plan) for plan in plans)
    return {
        "records": records,
        "calls": records,  # token calls left out, as in the engine's count
        "seconds": elapsed,
        "statuses": statuses,
        "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
    }


def child(args) -> None:
    common.setup_django()
    if args.step == "reset":
        return common.child_result(step_reset())
    if args.step == "engine":
        return common.child_result(step_engine(args))
    return common.child_result(step_ceiling(args))


# --- parent ---------------------------------------------------------------------------------


def measure(script: str, step: str, args, env: dict, server: common.Gunicorn) -> dict:
    gunicorn0 = common.cpu_seconds(server.pids())
    busy0 = common.system_busy_seconds()
    extra = ["--step", step, "--concurrency", str(args.concurrency)]
    if args.profile and step == "engine":
        extra += ["--profile", args.profile]
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    # A backend's title: "postgres: [15/main: ]<role> <database> <client> <state>"
    with common.CpuTracker(f" {database} ") as postgres:
        out = common.run_child(script, extra, env)
    out["gunicorn_cpu"] = common.cpu_seconds(server.pids()) - gunicorn0
    out["postgres_cpu"] = postgres.seconds
    out["busy_cpu"] = common.system_busy_seconds() - busy0
    return out


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--businesses", type=int, default=BUSINESSES)
    p.add_argument(
        "--concurrency",
        type=int,
        help="THRED['CONCURRENCY'] (default: one thread per business)",
    )
    p.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    p.add_argument(
        "--threads", type=int, default=2, help="gunicorn threads per worker (0: sync workers)"
    )
    p.add_argument("--profile", metavar="DIR", help="pyinstrument profile of the engine run")
    p.add_argument("--step", choices=("reset", "engine", "ceiling"))
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument(
        "--engine-commit",
        metavar="COMMIT",
        help="also run the engine step with thred_django of COMMIT (a worktree), each round "
        "both engines in ABBA order, each followed by its ceiling; everything else (schema, "
        "data, sandbox server, ceiling) with this checkout's",
    )
    args = p.parse_args()
    if args.concurrency is None:
        args.concurrency = args.businesses
    if args.child:
        return child(args)

    if not common.pg_available():
        raise SystemExit(f"bench_push needs PostgreSQL ({common.PG_SHOWN}); set BENCH_PG_URL")
    common.print_machine()
    if args.engine_commit:
        print(f"# engine from commit {args.engine_commit}", file=sys.stderr)
    per_business = max(1, round((args.records / args.businesses - 1) / RECORDS_PER_UNIT))
    t0 = time.perf_counter()
    url, env = common.seeded_database("push", args.businesses, per_business)
    print(f"# seeded and marked in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    log = common.WORK / "push-gunicorn.log"
    rounds = []
    with common.Gunicorn(env, args.workers, log, threads=args.threads) as server:
        env = {
            **server.env,
            "THRED_BASE_URL": f"{server.url}/thred-sandbox",
            "BENCH_CONCURRENCY": str(args.concurrency),
        }
        engines: list[tuple[str, dict[str, str]]] = [("this checkout", {})]
        if args.engine_commit:
            code = str(common.worktree(args.engine_commit))
            engines.insert(0, (args.engine_commit, {"BENCH_CODE": code}))
        for n in range(args.rounds):
            # ABBA over rounds when two engines: the load drifts on a shared machine
            for label, extra in engines if n % 2 == 0 else engines[::-1]:
                reset = common.run_child(__file__, ["--step", "reset"], env)
                engine = measure(__file__, "engine", args, {**env, **extra}, server)
                engine["load"] = os.getloadavg()[0]
                ceiling = measure(__file__, "ceiling", args, env, server)
                ceiling["load"] = os.getloadavg()[0]
                rounds.append({"engine": engine, "ceiling": ceiling, "label": label, "n": n + 1})
                print(
                    f"# round {n + 1}, engine {label}: {reset['records']} records; engine "
                    f"{engine['settled'] / engine['seconds']:.0f} rec/s "
                    f"({engine['states']}), ceiling "
                    f"{ceiling['records'] / ceiling['seconds']:.0f} rec/s ({ceiling['statuses']})",
                    file=sys.stderr,
                    flush=True,
                )
    if not args.keep:
        common.drop_database(url)

    rows = []
    for r in rounds:
        n = f"{r['n']} ({r['label']})" if args.engine_commit else r["n"]
        e, c = r["engine"], r["ceiling"]
        e_rate = e["settled"] / e["seconds"]
        c_rate = c["records"] / c["seconds"]
        rows.append(
            [
                n,
                f"{e['settled']:,}",
                f"{e['seconds']:.1f}",
                f"{e_rate:.0f}",
                f"{e['calls'] / e['seconds']:.0f}",
                f"{c['seconds']:.1f}",
                f"{c_rate:.0f}",
                f"{e['calls'] / e['seconds'] / (c['calls'] / c['seconds']):.2f}",
                f"{e['queries_per_record']:.1f}",
                f"{e['load']:.1f} / {c['load']:.1f}",
            ]
        )
    common.table(
        f"Push throughput over HTTP: gunicorn {args.workers} workers"
        + (f" x {args.threads} threads (keep-alive)" if args.threads else " (sync)")
        + ", sandbox on PostgreSQL, "
        f"CONCURRENCY {args.concurrency} (targets: ≥ 0.7 of ceiling, ≥ 300 records/s)",
        [
            "round",
            "records",
            "engine s",
            "engine rec/s",
            "engine calls/s",
            "ceiling s",
            "ceiling calls/s",
            "engine/ceiling (calls/s)",
            "SQL/record (sync)",
            "load (1 min) after engine / ceiling",
        ],
        rows,
    )
    cpu_rows = []
    labels = list(dict.fromkeys(r["label"] for r in rounds))
    for engine_label in labels:
        mine = [r for r in rounds if r["label"] == engine_label]
        for label in ("engine", "ceiling"):
            n = statistics.median(r[label]["calls"] for r in mine)

            def med(key: str, label: str = label, mine: list = mine) -> float:
                return statistics.median(r[label][key] for r in mine)

            secs, busy = med("seconds"), med("busy_cpu")
            parts = [med("cpu"), med("gunicorn_cpu"), med("postgres_cpu")]
            parts.append(busy - sum(parts))
            name = f"{label} ({engine_label})" if len(labels) > 1 else label
            cpu_rows.append(
                [name, f"{secs:.1f}"]
                + [f"{part:.1f} s = {part / n * 1000:.1f} ms/call" for part in parts]
                + [f"{busy / secs:.2f}"]
            )
    common.table(
        "Where the CPU went (median round): CPU seconds, and per call sent",
        [
            "run",
            "wall s",
            "sync / replay process",
            "gunicorn (sandbox)",
            "PostgreSQL (this database)",
            "rest of the machine",
            "cores busy",
        ],
        cpu_rows,
    )
    kinds = next(r for r in reversed(rounds) if r["label"] == "this checkout")["engine"][
        "queries_by_kind"
    ]
    common.table(
        "SQL statements per pushed record in the sync process, by kind (this checkout, last round)",
        ["statement", "per record"],
        [[kind, f"{n:.2f}"] for kind, n in kinds.items() if n >= 0.01],
    )
    common.write_json(args.json, rounds)


if __name__ == "__main__":
    main()
