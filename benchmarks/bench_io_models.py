#!/usr/bin/env python
"""9. Threads or asyncio for calls in flight: bare httpx against the sandbox at 100 ms.

The sandbox (gunicorn, gthread) answers every request after ``--latency`` seconds. The
same N requests (an unauthenticated list: the latency is applied, then a 401, no work)
go out with ``--in-flight`` at once, two ways, in this one process:

* ``threads``: a pool of that many threads sharing one ``httpx.Client`` (httpx's own
  transport: httpcore and h11);
* ``threads, PooledTransport``: the same over the client's default transport
  (``thred_django.client.transport``: ``http.client`` connections);
* ``asyncio``: one event loop, one ``httpx.AsyncClient``, a semaphore of that size.

Reported: requests per second and client CPU per request. The engine's own per-record
work (claims, payloads, fenced outcome writes) is synchronous Django ORM code; under
asyncio every query would be a ``sync_to_async`` hop to a thread anyway, so the choice
turns on whether the event loop makes the call itself cheaper.

    benchmarks/bench_io_models.py [--requests 2000] [--in-flight 32] [--latency 0.1]
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def with_threads(url: str, n: int, size: int, transport: Any = None) -> tuple[float, float]:
    """``n`` GETs from ``size`` threads through one ``httpx.Client`` (over ``transport``:
    httpx's own when None)."""
    import httpx

    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    client = httpx.Client(limits=limits, timeout=30, transport=transport)
    with client, ThreadPoolExecutor(size) as pool:
        client.get(url)
        c0, t0 = cpu(), time.perf_counter()
        list(pool.map(lambda _: client.get(url).status_code, range(n)))
        return time.perf_counter() - t0, cpu() - c0


def with_pooled(url: str, n: int, size: int) -> tuple[float, float]:
    """``with_threads`` over the client's default transport (``PooledTransport``)."""
    from thred_django.client.transport import pooled

    return with_threads(url, n, size, pooled(size))


def with_asyncio(url: str, n: int, size: int) -> tuple[float, float]:
    import httpx

    async def main() -> tuple[float, float]:
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            await client.get(url)
            gate = asyncio.Semaphore(size)

            async def one() -> int:
                async with gate:
                    return (await client.get(url)).status_code

            c0, t0 = cpu(), time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return time.perf_counter() - t0, cpu() - c0

    return asyncio.run(main())


MODELS = (
    ("threads", with_threads),
    ("threads, PooledTransport", with_pooled),
    ("asyncio", with_asyncio),
)


def child(args) -> None:
    common.setup_django()
    from thred_django.sandbox import faults

    faults.reset_faults()
    faults.set_faults(latency=args.latency)
    common.child_result({})


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2_000)
    p.add_argument("--in-flight", type=int, default=32)
    p.add_argument("--latency", type=float, default=0.1)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--step", choices=("latency",))
    args = p.parse_args()
    if args.child:
        return child(args)
    common.print_machine()
    kind = "postgres" if "postgres" in common.db_kinds(args.db) else "sqlite"
    url = common.fresh_database(kind, "io_models")
    env = common.env_for(url)
    common.run_child(__file__, ["--step", "latency", "--latency", str(args.latency)], env)
    rows = []
    log = common.WORK / "io_models" / "gunicorn.log"
    with common.Gunicorn(env, 3, log, threads=max(16, args.in_flight // 2)) as srv:
        target = f"{srv.url}/thred-sandbox/v1/platform/businesses/"
        for _ in range(args.rounds):
            for name, run in MODELS:
                wall, used = run(target, args.requests, args.in_flight)
                rows.append(
                    [
                        name,
                        args.in_flight,
                        f"{args.requests / wall:.0f}",
                        f"{used / args.requests * 1000:.3f}",
                    ]
                )
                print(f"# {name}: {rows[-1]}", file=sys.stderr, flush=True)
    common.drop_database(url)
    common.table(
        f"Threads vs asyncio, bare httpx, sandbox latency {args.latency * 1000:.0f} ms",
        ["model", "in flight", "requests/s", "client CPU ms/request"],
        rows,
    )


if __name__ == "__main__":
    main()
