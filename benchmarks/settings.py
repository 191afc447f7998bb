"""Django settings of the benchmarks: the example project's, quiet, and tunable by env.

Everything the example project reads from the environment still applies (DATABASE_URL,
THRED_BASE_URL, THRED_SYNC_MODE, THRED_TRANSPORT, Q_WORKERS …). On top of it:

==========================  ==========================================================
BENCH_CONCURRENCY           THRED["CONCURRENCY"] (default: the engine's, 8)
BENCH_BATCH_SIZE            THRED["BATCH_SIZE"] (default: the engine's, 200)
BENCH_MAX_IN_FLIGHT         THRED["MAX_IN_FLIGHT"] and MAX_CONNECTIONS (default: the engine's)
BENCH_BUSINESS_MAX_IN_FLIGHT  THRED["BUSINESS_MAX_IN_FLIGHT"] (default: the engine's)
BENCH_DB_POOL               on PostgreSQL, the database connections come from Django's pool
                            of at most this many (``OPTIONS["pool"]``; not for the sandbox
                            server's processes)
BENCH_DB_APPLICATION        the ``application_name`` of the process's PostgreSQL
                            connections (``pg_stat_activity``: counted by the benchmark)
BENCH_Q_POLL                Q_CLUSTER["poll"] seconds (default: the example's, 0.5)
BENCH_REQUEST_LOG           THRED_SANDBOX["REQUEST_LOG"] (default: on, as shipped)
BENCH_SANDBOX_SERVER        set by ``common.Gunicorn`` in the sandbox server's processes
                            only; on PostgreSQL their connections commit asynchronously
                            (``synchronous_commit=off``) and skip Django's per-request
                            health check (``SELECT 1``) and prepare their statements
                            (server-side binding, ``prepare_threshold`` 0, generic
                            plans), unless BENCH_SANDBOX_DURABLE=1
BENCH_SANDBOX_PREPARED      0: the sandbox server's statements are not prepared
==========================  ==========================================================

The sandbox server stands in for Thred, a remote API whose own disk flushes, connection
checks and SQL cost the client nothing: on a 2-core machine shared by the worker, the
sandbox and PostgreSQL, they would otherwise be charged to the engine under test (its
statements' planning alone was ~a third of PostgreSQL's CPU in the latency benchmark). The
worker (and every other benchmark process) keeps the example project's settings:
synchronous commits, health checks on.

DEBUG is off (Django keeps every query in memory when it is on) and logging is quiet.
"""

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
for _path in (str(_ROOT), str(_ROOT / "example_project")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

os.environ.setdefault("DJANGO_DEBUG", "0")

from config.settings import *  # noqa: E402,F403
from config.settings import LOGGING, Q_CLUSTER, THRED, THRED_SANDBOX  # noqa: E402

DEBUG = False

if os.environ.get("BENCH_CONCURRENCY"):
    THRED["CONCURRENCY"] = int(os.environ["BENCH_CONCURRENCY"])
if os.environ.get("BENCH_BATCH_SIZE"):
    THRED["BATCH_SIZE"] = int(os.environ["BENCH_BATCH_SIZE"])
if os.environ.get("BENCH_MAX_IN_FLIGHT"):
    THRED["MAX_IN_FLIGHT"] = THRED["MAX_CONNECTIONS"] = int(os.environ["BENCH_MAX_IN_FLIGHT"])
if os.environ.get("BENCH_BUSINESS_MAX_IN_FLIGHT"):
    THRED["BUSINESS_MAX_IN_FLIGHT"] = int(os.environ["BENCH_BUSINESS_MAX_IN_FLIGHT"])
if os.environ.get("BENCH_Q_POLL"):
    Q_CLUSTER["poll"] = float(os.environ["BENCH_Q_POLL"])
if os.environ.get("BENCH_REQUEST_LOG"):
    THRED_SANDBOX["REQUEST_LOG"] = os.environ["BENCH_REQUEST_LOG"] not in ("0", "false", "no")

_DB = DATABASES["default"]  # noqa: F405
if (
    os.environ.get("BENCH_SANDBOX_SERVER") == "1"
    and os.environ.get("BENCH_SANDBOX_DURABLE") != "1"
    and "postgresql" in _DB["ENGINE"]
):
    _DB["CONN_HEALTH_CHECKS"] = False
    _options = "-c synchronous_commit=off"
    _DB["OPTIONS"] = {**_DB.get("OPTIONS", {}), "options": _options}
    if os.environ.get("BENCH_SANDBOX_PREPARED") != "0":
        # Its statements planned once per connection: bound on the server, prepared at
        # their first run, with the generic plan from then on (Django's default plans
        # every statement anew; the server's processes run no migration).
        _DB["OPTIONS"].update(
            server_side_binding=True,
            prepare_threshold=0,
            options=_options + " -c plan_cache_mode=force_generic_plan",
        )
if "postgresql" in _DB["ENGINE"] and os.environ.get("BENCH_DB_APPLICATION"):
    _name = os.environ["BENCH_DB_APPLICATION"]
    _DB["OPTIONS"] = {**_DB.get("OPTIONS", {}), "application_name": _name}
if (
    "postgresql" in _DB["ENGINE"]
    and os.environ.get("BENCH_DB_POOL")
    and os.environ.get("BENCH_SANDBOX_SERVER") != "1"
):
    _size = int(os.environ["BENCH_DB_POOL"])
    _pool = {"min_size": _size // 2, "max_size": _size}
    _DB["OPTIONS"] = {**_DB.get("OPTIONS", {}), "pool": _pool}
    _DB["CONN_MAX_AGE"] = 0  # the pool keeps them

LOGGING["loggers"]["thred_django"]["level"] = os.environ.get("THRED_LOG_LEVEL", "WARNING")
LOGGING["loggers"]["django-q"]["level"] = os.environ.get("Q_LOG_LEVEL", "WARNING")
