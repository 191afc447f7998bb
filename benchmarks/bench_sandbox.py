#!/usr/bin/env python
"""The sandbox's CPU per API call, in process: what gunicorn spends per call in §7.

Records once the requests a push makes (``seed_demo`` data, marked by
``thred_backfill``, pushed by ``thred_sync --until-idle`` through the in-process
transport), then replays them, in the order they were sent, against an emptied sandbox
straight through Django's ``WSGIHandler`` (the middleware of the benchmarks' settings,
as under gunicorn; ``BENCH_SANDBOX_SERVER`` set, so the database settings are the
benchmark server's): ids and tokens the sandbox hands out are mapped onto the replay's.
Reported: the handler's CPU (thread time) and SQL statements per call, overall and per
resource and action; ``--profile FILE`` also writes the cProfile stats of one replay
(and prints its top functions). ``--code-commit REV`` replays with REV's sandbox too
(same requests, same database, alternating rounds): before/after in one run.

Needs a PostgreSQL database it may empty (``--database-url``, default
``$DATABASE_URL``); the recording is kept in ``$BENCH_DIR/sandbox-requests.json``.

    benchmarks/bench_sandbox.py --database-url postgres://…/db [--businesses 4]
        [--per-business 50] [--rounds 3] [--profile FILE] [--code-commit REV] [--record]
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

RECORDING = common.WORK / "sandbox-requests.json"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_recorded: list[dict[str, Any]] = []
_lock = threading.Lock()


# --- recording ----------------------------------------------------------------------------


def recording_transport() -> Any:
    """THRED["TRANSPORT"] while recording: the in-process transport, keeping each call."""
    import httpx

    from thred_django.sandbox.transport import in_process_transport

    inner = in_process_transport()

    class Recording(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            body = request.read()
            call = {
                "method": request.method,
                "path": request.url.raw_path.decode(),
                "headers": {k.decode(): v.decode() for k, v in request.headers.raw},
                "body": body.decode("utf-8"),
            }
            with _lock:
                _recorded.append(call)  # in the order sent: parents before children
            response = inner.handle_request(request)
            content = response.read()
            call["status"] = response.status_code
            call["answer"] = content.decode("utf-8")
            return httpx.Response(response.status_code, headers=response.headers, content=content)

    return Recording()


def step_record(args) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command(
            "seed_demo",
            businesses=args.businesses,
            per_business=args.per_business,
            seed=1,
            stdout=devnull,
        )
        call_command("thred_backfill", stdout=devnull)
        call_command("thred_sync", until_idle=True, stdout=devnull)
    from benchmarks import bench_sandbox  # the module THRED["TRANSPORT"] names

    RECORDING.parent.mkdir(parents=True, exist_ok=True)
    RECORDING.write_text(json.dumps(bench_sandbox._recorded))
    return {"calls": len(bench_sandbox._recorded)}


# --- replay -------------------------------------------------------------------------------


class Mapper:
    """Ids and tokens of the recording -> the replay's (learnt from the answers)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def learn(self, old: Any, new: Any) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in old.keys() & new.keys():
                self.learn(old[key], new[key])
        elif isinstance(old, list) and isinstance(new, list):
            for a, b in zip(old, new, strict=False):
                self.learn(a, b)
        elif isinstance(old, str) and isinstance(new, str) and old != new:
            # ids, tokens. The first answer that holds an id is its create's, which pairs
            # it for sure; a later answer may list objects in another order than the
            # recording's (a payout's refund payments), and pairing those by position
            # would send the next call to the wrong object.
            self.known.setdefault(old, new)

    def text(self, value: str) -> str:
        value = _UUID.sub(lambda m: self.known.get(m.group(0), m.group(0)), value)
        return self.known.get(value, value)

    def header(self, value: str) -> str:
        scheme, _, token = value.partition(" ")
        return f"{scheme} {self.known.get(token, token)}" if token else value


def environ(call: dict[str, Any], mapper: Mapper) -> dict[str, Any]:
    path, _, query = mapper.text(call["path"]).partition("?")
    body = mapper.text(call["body"]).encode("utf-8")
    env: dict[str, Any] = {
        "REQUEST_METHOD": call["method"],
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in call["headers"].items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            env["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            env[f"HTTP_{key}"] = mapper.header(value) if key == "AUTHORIZATION" else value
    return env


def label(call: dict[str, Any]) -> str:
    parts = [p for p in call["path"].split("?")[0].split("/") if p and not _UUID.fullmatch(p)]
    return (
        f"{call['method']} {'/'.join(parts[parts.index('v1') + 1 :] if 'v1' in parts else parts)}"
    )


def started(status: list[str], line: str, headers: Any, exc_info: Any = None) -> None:
    status.append(line)


def step_replay(args) -> dict:
    import cProfile
    import pstats

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from thred_django.sandbox.reset import reset_sandbox

    calls = json.loads(RECORDING.read_text())
    reset_sandbox()
    handler = WSGIHandler()
    mapper = Mapper()
    queries = [0]

    shown: set[str] = set()
    current = [""]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        if args.sql and current[0] not in shown:
            print(f"#   {current[0]}: {sql[:300]}", file=sys.stderr)
        return execute(sql, params, many, context)

    per: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    total_cpu = 0.0
    total_queries = 0
    with connection.execute_wrapper(count):
        for call in calls:
            env = environ(call, mapper)
            queries[0] = 0
            current[0] = label(call)
            if profiler:
                profiler.enable()
            cpu0 = time.thread_time()
            chunks: list[bytes] = []
            status: list[str] = []
            result = handler(env, functools.partial(started, status))
            chunks.extend(result)
            result.close()
            cpu = time.thread_time() - cpu0
            if profiler:
                profiler.disable()
            code = int(status[0].split()[0])
            statuses[code] = statuses.get(code, 0) + 1
            total_cpu += cpu
            total_queries += queries[0]
            shown.add(current[0])
            per.setdefault(label(call), []).append(cpu)
            per.setdefault(f"{label(call)} #sql", []).append(queries[0])
            if code != call["status"]:
                print(f"# {label(call)}: {code}, recorded {call['status']}", file=sys.stderr)
            with contextlib.suppress(ValueError):
                mapper.learn(json.loads(call["answer"]), json.loads(b"".join(chunks)))
    if profiler:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
    rows = {
        key: (sum(values) / len(values), len(values))
        for key, values in per.items()
        if not key.endswith("#sql")
    }
    return {
        "calls": len(calls),
        "cpu_us": total_cpu / len(calls) * 1e6,
        "sql": total_queries / len(calls),
        "statuses": statuses,
        "per": {
            key: {
                "n": n,
                "cpu_us": mean * 1e6,
                "sql": sum(per[f"{key} #sql"]) / n,
            }
            for key, (mean, n) in rows.items()
        },
    }


def child(args) -> None:
    if args.step == "record":
        os.environ["THRED_TRANSPORT"] = "benchmarks.bench_sandbox.recording_transport"
    else:  # the database settings of the benchmark's sandbox server
        os.environ["BENCH_SANDBOX_SERVER"] = "1"
    common.setup_django()
    if args.step == "record":
        return common.child_result(step_record(args))
    return common.child_result(step_replay(args))


def main() -> None:
    p = common.parser(__doc__ or "")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    p.add_argument("--businesses", type=int, default=4)
    p.add_argument("--per-business", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--record", action="store_true", help="record again")
    p.add_argument("--profile", metavar="FILE")
    p.add_argument("--code-commit", metavar="REV")
    p.add_argument("--sql", action="store_true", help="print the SQL of one call per kind")
    p.add_argument("--step", choices=("record", "replay"))
    args = p.parse_args()
    if args.child:
        return child(args)
    if not args.database_url.startswith("postgres"):
        raise SystemExit(
            "bench_sandbox needs --database-url postgres://… (a database it may empty)"
        )
    env = common.env_for(args.database_url, THRED_SYNC_MODE="queue")
    if args.record or not RECORDING.exists():
        recorded = common.run_child(
            __file__,
            [
                "--step",
                "record",
                "--businesses",
                str(args.businesses),
                "--per-business",
                str(args.per_business),
            ],
            env,
        )
        print(f"# recorded {recorded['calls']} calls", file=sys.stderr)
    codes: list[tuple[str, dict[str, str]]] = [("this checkout", env)]
    if args.code_commit:
        tree = common.worktree(args.code_commit)
        codes.insert(0, (f"before ({args.code_commit})", {**env, "BENCH_CODE": str(tree)}))
    results: dict[str, list[dict]] = {name: [] for name, _ in codes}
    for n in range(args.rounds):
        for name, code_env in codes if n % 2 == 0 else codes[::-1]:
            extra = ["--sql"] if args.sql else []
            extra += (
                ["--profile", args.profile]
                if args.profile and name == "this checkout" and n == 0
                else []
            )
            out = common.run_child(__file__, ["--step", "replay", *extra], code_env)
            out["load"] = os.getloadavg()[0]
            results[name].append(out)
            print(
                f"# {name}: {out['cpu_us']:.0f} µs/call, {out['sql']:.1f} SQL/call, "
                f"{out['statuses']}, load {out['load']:.1f}",
                file=sys.stderr,
                flush=True,
            )
    rows = []
    for name, runs in results.items():
        best = min(runs, key=lambda r: r["cpu_us"])
        rows.append(
            [
                name,
                best["calls"],
                f"{best['cpu_us']:.0f}",
                " / ".join(f"{r['cpu_us']:.0f}" for r in runs),
                f"{best['sql']:.2f}",
            ]
        )
    common.table(  # prints it
        "Sandbox CPU per call (WSGIHandler, in process)",
        ["code", "calls", "best µs/call", "rounds µs/call", "SQL/call"],
        rows,
    )
    detail = []
    for name, runs in results.items():
        best = min(runs, key=lambda r: r["cpu_us"])
        for key, row in sorted(best["per"].items()):
            detail.append([name, key, row["n"], f"{row['cpu_us']:.0f}", f"{row['sql']:.2f}"])
    common.table(
        "Per request kind (best round)", ["code", "request", "n", "µs/call", "SQL/call"], detail
    )


if __name__ == "__main__":
    main()
