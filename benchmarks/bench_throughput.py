#!/usr/bin/env python
"""7. Throughput under a remote API's latency: one worker process, 100 ms per call.

Two shapes, each a fresh PostgreSQL database: one business with about 5,000 mixed records
(``--one``), and 20 businesses with about 10,000 (``--many``, ``--businesses``), made by
the example project's ``seed_demo`` and marked by ``thred_backfill``. The sandbox is
served on the same database with THRED_SANDBOX latency ``--latency`` (default 0.1 s:
every response waits that long, outside any lock) by ``--server``: granian (the default;
Rust HTTP, the WSGI application on 2 processes of Python threads; the ``bench`` extra)
or gunicorn (gthread, 3 processes: its HTTP in Python), or each of a comma-separated
list in turn (``gunicorn,granian:2x24``: processes x threads). By default the server
has 16 threads more than the worker has calls in flight, as a call holds its thread for
the latency: a remote API's calls do not wait for each other. For each
shape, server and engine, the outbox goes back to pending, the sandbox is emptied and
one ``manage.py thred_sync --until-idle`` runs (stopped after ``--time-limit`` seconds,
default 120: an engine that slow is measured on what it did).

The worker runs as a platform at this latency would configure it: ``--max-in-flight``
calls in flight (THRED["MAX_IN_FLIGHT"], default 64: at ~115 ms per call one worker
carries at most that many / 0.115 calls per second) and its database connections from
Django's pool of at most ``--db-pool`` (default 16; 0: no pool, a connection per
thread); the most connections it held at once is reported.

Engines: this checkout's, and with ``--engine-commit REV`` also REV's (before/after in
the same run, same data, same server, same settings). Reported:
records settled, the push window (first to last record synced; start-up left out),
records per second (targets: one business ≥ 100, 20 businesses ≥ 300), the ratio to the
shape's first row, where the CPU went during the worker's run (the worker per record
settled; the sandbox server's processes per answered call, and of that what its
application took (Django's handler and the sandbox, thread CPU of each call, counted
in the server's processes by ``benchmarks/wsgi_probe.py``) and the rest of those
processes (the server's own work: HTTP, its threads); this database's PostgreSQL
backends per record settled; and the cores kept busy by everything else on the
machine: other engineers' suites), and double sends (records whose create reached the
sandbox more than once; must be 0). The load average is printed per row and with the
table. ``--repeat N`` runs each engine N times per server (the engines' order
alternating, A B B A …) and adds a summary per shape and engine: the least, median and
most records/s, how many runs met the target, and the median CPU columns (this machine's
speed moves from one minute to the next: one run is no verdict).

    benchmarks/bench_throughput.py [--one 5000] [--many 10000] [--businesses 20]
                                   [--latency 0.1] [--time-limit 120] [--engine-commit REV]
                                   [--server granian|gunicorn[:WxT],…] [--workers N]
                                   [--threads N] [--max-in-flight 64] [--db-pool 16]
                                   [--repeat N]
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common
from benchmarks.bench_scaleout import RECORDS_PER_UNIT, step_measure, step_reset


def child(args) -> None:
    common.setup_django()
    if args.step == "reset":
        return common.child_result(step_reset(args))
    from django.db.models import Avg

    from thred_django.sandbox.models import RequestLog

    measured = step_measure()
    durations = sorted(RequestLog.objects.values_list("duration_ms", flat=True))
    measured["server_ms_p50"] = durations[len(durations) // 2] if durations else float("nan")
    measured["server_ms_avg"] = RequestLog.objects.aggregate(a=Avg("duration_ms"))["a"]
    return common.child_result(measured)


def engine_file(manage: Path, env: dict[str, str]) -> str:
    """Which thred_django a worker started this way imports (printed, to be sure)."""
    code = "import thred_django.engine.runner as r; print(r.__file__)"
    out = subprocess.run(
        [common.PY, str(manage), "shell", "-c", code],
        env=env,
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def run_engine(env: dict[str, str], manage: Path, time_limit: float, log: Path) -> dict:
    """One thred_sync --until-idle (at most ``time_limit`` seconds); its CPU and wall."""
    print(f"# engine: {engine_file(manage, env)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    out = log.open("w")
    proc = subprocess.Popen(
        [
            common.PY,
            str(manage),
            "thred_sync",
            "--until-idle",
            "--time-limit",
            str(time_limit),
        ],
        env=env,
        cwd=common.ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = proc.wait()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"code": code, "wall": time.perf_counter() - started, "cpu": cpu}


Engine = tuple[str, dict[str, str], Path]  # label, environment, manage.py


def run_engines(
    args, name: str, srv: common.Gunicorn, engines: list[Engine], log_dir: Path, round_: int = 0
):
    """Each engine once against this server: outbox back to pending, sandbox emptied."""
    results = []
    env = {**srv.env, "THRED_BASE_URL": f"{srv.url}/thred-sandbox"}
    for label, extra, manage in engines:
        reset = common.run_child(__file__, ["--step", "reset", "--latency", str(args.latency)], env)
        log = log_dir / f"{name}-{label.split()[0]}{f'-{round_ + 1}' if round_ else ''}.log"
        probe0 = srv.probe_totals()
        gunicorn0, busy0 = common.cpu_seconds(srv.pids()), common.system_busy_seconds()
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        worker = {
            "BENCH_MAX_IN_FLIGHT": str(args.max_in_flight),
            "BENCH_DB_POOL": str(args.db_pool or ""),
            "BENCH_DB_APPLICATION": WORKER_APPLICATION,
        }
        with (
            common.CpuTracker(f" {database} ") as postgres,
            common.ConnectionCounter(env["DATABASE_URL"], WORKER_APPLICATION) as held,
        ):
            run = run_engine({**env, **extra, **worker}, manage, args.time_limit, log)
        run["connections"] = held.peak
        run["sandbox_cpu"] = common.cpu_seconds(srv.pids()) - gunicorn0
        run["postgres_cpu"] = postgres.seconds
        run["busy_cpu"] = common.system_busy_seconds() - busy0
        probe1 = srv.probe_totals()
        run["probe"] = {key: probe1[key] - probe0[key] for key in probe1}
        measured = common.run_child(__file__, ["--step", "measure"], env)
        measured.update(run, engine=label, records=reset["records"], shape=name)
        measured["server"] = f"{srv.server} {srv.workers} x {srv.threads}"
        measured["load"] = os.getloadavg()[0]
        rate = measured["settled"] / measured["seconds"]
        print(
            f"# {name} / {measured['server']} / {label}: {measured['settled']} settled in "
            f"{measured['seconds']:.1f} s ({rate:.1f} rec/s), server p50 "
            f"{measured['server_ms_p50']:.0f} ms, exit {run['code']}, "
            f"{measured['double_sends']} double sends, load {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
            flush=True,
        )
        results.append(measured)
    return results


WORKER_APPLICATION = "bench-thred-sync"  # its connections' application_name
SERVERS = {"gunicorn": 3, "granian": 2}  # processes by default
SPARE_THREADS = 16  # the server's threads beyond the calls in flight


def server_spec(args, spec: str) -> tuple[str, int, int]:
    """``gunicorn`` or ``granian``, optionally ``:WORKERSxTHREADS`` (else ``--workers``
    and ``--threads``, else ``SERVERS``' processes with threads enough for every call
    in flight and ``SPARE_THREADS`` more: a call holds its thread for the latency, and
    calls waiting for a thread would time the server, not the engine)."""
    server, _, size = spec.strip().partition(":")
    if server not in SERVERS:
        raise SystemExit(f"--server: {server!r} is neither gunicorn nor granian")
    if server == "granian" and importlib.util.find_spec("granian") is None:
        raise SystemExit("--server granian needs granian: pip install -e '.[bench]'")
    workers_text, _, threads_text = size.partition("x")
    workers = int(workers_text or args.workers or SERVERS[server])
    least = -(-(args.max_in_flight + SPARE_THREADS) // workers)
    return server, workers, int(threads_text or args.threads or least)


def check_connections(args) -> None:
    """Stop before the run when PostgreSQL would refuse connections mid-run ("too many
    clients": the sandbox answers 500s and the worker's pool times out): every server
    thread keeps a connection, the worker holds its pool (or one per I/O and claim
    thread), and the harness a few."""
    sizes = [server_spec(args, spec) for spec in args.server.split(",")]
    server = max(workers * threads for _, workers, threads in sizes)
    worker = args.db_pool or args.max_in_flight + CLAIM_THREADS
    needed = server + worker + HARNESS_CONNECTIONS
    free, limit = common.pg_connections_free()
    if needed > free:
        raise SystemExit(
            f"bench_throughput needs up to {needed} PostgreSQL connections ({server} for the "
            f"sandbox server's threads, {worker} for the worker, {HARNESS_CONNECTIONS} for "
            f"itself); {common.PG_SHOWN} has {free} free (max_connections {limit}). Raise it "
            f"(ALTER SYSTEM SET max_connections = {limit + needed - free + 20}; then restart "
            "PostgreSQL) or lower --max-in-flight, --threads or --db-pool."
        )


CLAIM_THREADS = 8  # THRED["CONCURRENCY"]'s default: each claim thread keeps a connection
HARNESS_CONNECTIONS = 4  # the reset and measure steps, the connection counter


def shape(args, name: str, businesses: int, records: int, engines: list[Engine]):
    per_business = max(1, round((records / businesses - 1) / RECORDS_PER_UNIT))
    url, env = common.seeded_database(f"throughput_{name}", businesses, per_business)
    log_dir = common.WORK / "throughput"
    log_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for spec in args.server.split(","):
        server, workers, threads = server_spec(args, spec)
        srv = common.Gunicorn(
            env,
            workers,
            log_dir / f"{server}.log",
            threads=threads,
            server=server,
            probe=log_dir / f"probe-{server}",
        )
        with srv:
            for round_ in range(args.repeat):  # A B B A …: the machine drifts
                order = engines if round_ % 2 == 0 else engines[::-1]
                results += run_engines(args, name, srv, order, log_dir, round_)
    common.drop_database(url)
    return results


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--one", type=int, default=5_000, help="records of the one-business shape")
    p.add_argument("--many", type=int, default=10_000, help="records of the many-business shape")
    p.add_argument("--businesses", type=int, default=20)
    p.add_argument("--latency", type=float, default=0.1)
    p.add_argument("--time-limit", type=float, default=120.0)
    p.add_argument("--workers", type=int, help="server processes (gunicorn 3, granian 2)")
    p.add_argument(
        "--threads",
        type=int,
        help="server threads per process (default: --max-in-flight + 16 over the processes)",
    )
    p.add_argument(
        "--server",
        default="granian",
        help="the sandbox's server(s), comma-separated, each gunicorn or granian, optionally "
        "with :WORKERSxTHREADS (e.g. gunicorn,granian:2x24): each serves every engine",
    )
    p.add_argument(
        "--max-in-flight", type=int, default=64, help="the worker's THRED['MAX_IN_FLIGHT']"
    )
    p.add_argument(
        "--db-pool",
        type=int,
        default=16,
        help="the worker's database connection pool, at most this many (0: none)",
    )
    p.add_argument("--repeat", type=int, default=1, help="runs of each engine per shape and server")
    p.add_argument("--step", choices=("reset", "measure"))
    p.add_argument(
        "--engine-commit",
        metavar="COMMIT",
        help="also run the worker with thred_django of COMMIT (before/after)",
    )
    args = p.parse_args()
    if args.child:
        return child(args)
    if not common.pg_available():
        raise SystemExit(f"bench_throughput needs PostgreSQL ({common.PG_SHOWN}); set BENCH_PG_URL")
    check_connections(args)
    common.print_machine()
    engines: list[Engine] = []
    if args.engine_commit:
        # That commit's manage.py puts that commit's thred_django first on sys.path.
        code = common.worktree(args.engine_commit)
        path = os.pathsep.join([str(code), str(common.ROOT), str(common.EXAMPLE)])
        manage = code / "example_project" / "manage.py"
        engines.append((f"before ({args.engine_commit})", {"PYTHONPATH": path}, manage))
    engines.append(("after (this checkout)", {}, common.EXAMPLE / "manage.py"))
    load = [os.getloadavg()]
    results = []
    if args.one:
        results += shape(args, "one", 1, args.one, engines)
    load.append(os.getloadavg())
    if args.many:
        results += shape(args, "many", args.businesses, args.many, engines)
    load.append(os.getloadavg())

    first = {r["shape"]: r["settled"] / r["seconds"] for r in reversed(results)}
    rows = []
    for r in results:
        rate = r["settled"] / r["seconds"]
        probe = r["probe"]
        calls = max(probe["calls"], 1)
        others = r["busy_cpu"] - r["cpu"] - r["sandbox_cpu"] - r["postgres_cpu"]
        rows.append(
            [
                shape_label(args, r["shape"]),
                r["server"],
                r["engine"],
                f"{args.max_in_flight} / {args.db_pool or 'none'}",
                r["connections"],
                f"{r['settled']:,} / {r['records']:,}",
                f"{r['seconds']:.1f}",
                f"{rate:.1f}",
                f"≥ {TARGETS[r['shape']]}",
                f"{rate / first[r['shape']]:.2f}",
                f"{worker_ms(r):.2f}",
                f"{sandbox_ms(r):.2f}",
                f"{probe['app_cpu'] / calls * 1000:.2f}",
                f"{(probe['process_cpu'] - probe['app_cpu']) / calls * 1000:.2f}",
                f"{postgres_ms(r):.2f}",
                f"{others / r['wall']:.2f}",
                f"{r['server_ms_p50']:.0f}",
                r["double_sends"],
                f"{r['load']:.1f}",
            ]
        )
    common.table(
        f"Throughput, one worker process, API latency {args.latency * 1000:.0f} ms; "
        "load average (1 min) " + ", ".join(f"{x[0]:.2f}" for x in load),
        [
            "shape",
            "sandbox server",
            "engine",
            "in flight / DB pool",
            "worker's DB connections (most)",
            "settled / records",
            "push window s",
            "records/s",
            "target",
            "x first row",
            "worker CPU ms / record",
            "sandbox CPU ms / call",
            "of which the application",
            "of which the server",
            "PostgreSQL CPU ms / record",
            "other cores busy",
            "server ms/call (p50)",
            "double sends",
            "load (1 min) at the end",
        ],
        rows,
    )
    if args.repeat > 1:
        summary(args, results)
    common.write_json(args.json, results)


TARGETS = {"one": 100, "many": 300}  # records/s


def shape_label(args, shape: str) -> str:
    return "1 business" if shape == "one" else f"{args.businesses} businesses"


def worker_ms(r: dict) -> float:
    return r["cpu"] / max(r["settled"], 1) * 1000


def sandbox_ms(r: dict) -> float:
    # (the request log's count; the probe's without a log: BENCH_REQUEST_LOG=0)
    return r["sandbox_cpu"] / (r["requests"] or max(r["probe"]["calls"], 1)) * 1000


def postgres_ms(r: dict) -> float:
    return r["postgres_cpu"] / max(r["settled"], 1) * 1000


def summary(args, results: list[dict]) -> None:
    """Per shape, server and engine: the spread of its runs' records/s, how many met
    the target, and the median of each CPU column."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for r in results:
        groups.setdefault((r["shape"], r["server"], r["engine"]), []).append(r)
    rows = []
    for (shape, server, engine), runs in groups.items():
        rates = [r["settled"] / r["seconds"] for r in runs]
        least, median, most = common.spread(rates)
        met = sum(rate >= TARGETS[shape] for rate in rates)
        rows.append(
            [
                shape_label(args, shape),
                server,
                engine,
                len(runs),
                f"{least:.1f} / {median:.1f} / {most:.1f}",
                f"≥ {TARGETS[shape]}",
                f"{met} of {len(runs)}",
                f"{statistics.median(worker_ms(r) for r in runs):.2f}",
                f"{statistics.median(sandbox_ms(r) for r in runs):.2f}",
                f"{statistics.median(postgres_ms(r) for r in runs):.2f}",
            ]
        )
    common.table(
        f"Throughput over {args.repeat} runs each (API latency {args.latency * 1000:.0f} ms)",
        [
            "shape",
            "sandbox server",
            "engine",
            "runs",
            "records/s least / median / most",
            "target",
            "runs at target",
            "worker CPU ms / record (median)",
            "sandbox CPU ms / call (median)",
            "PostgreSQL CPU ms / record (median)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
