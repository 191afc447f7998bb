"""The example project's WSGI application, with the CPU its calls take counted.

``common.Gunicorn(..., probe=True)`` serves ``benchmarks.wsgi_probe:application``: each
call's thread CPU time (``time.thread_time``) from the server handing it the environ to
the response's ``close()`` (Django's handler, middleware, signals, the sandbox's view
and its SQL client side) is summed per process and written, with the process's own CPU
time, to ``$BENCH_PROBE_DIR/<pid>.json`` twice a second (``common.Gunicorn.probe_totals`` sums
them). What the process spends beyond
the calls is the server's: HTTP parsing and writing, scheduling its threads, waiting
for the GIL.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from config.wsgi import application as _django

# BENCH_PROBE_PROFILE=N: every Nth call also runs under cProfile (thread CPU clock); the
# stats of each process go to $BENCH_PROBE_DIR/<pid>.prof.
_every = int(os.environ.get("BENCH_PROBE_PROFILE") or 0)
_profiles: list[Any] = []

_lock = threading.Lock()
_totals = {"calls": 0, "app_cpu": 0.0}
_out = Path(os.environ.get("BENCH_PROBE_DIR", "/tmp/thred-bench/probe"))


class _Counted:
    """The response iterable; the call's CPU is counted when the server closes it."""

    def __init__(self, inner: Iterable[bytes], started: float, profile: Any = None) -> None:
        self.inner = inner
        self.started = started
        self.spent = time.thread_time() - started
        self.profile = profile

    def __iter__(self) -> Iterator[bytes]:
        started = time.thread_time()
        yield from self.inner
        self.spent += time.thread_time() - started

    def close(self) -> None:
        started = time.thread_time()
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()
        spent = self.spent + time.thread_time() - started
        if self.profile is not None:
            self.profile.disable()
            with _lock:
                _profiles.append(self.profile)
        with _lock:
            _totals["calls"] += 1
            _totals["app_cpu"] += spent


def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    _start_writer()
    profile = None
    if _every and _totals["calls"] % _every == 0:
        import cProfile

        profile = cProfile.Profile(time.thread_time)
        profile.enable()
    started = time.thread_time()
    return _Counted(_django(environ, start_response), started, profile)


_writer: threading.Thread | None = None


def _start_writer() -> None:
    global _writer
    if _writer is not None:
        return
    with _lock:
        if _writer is None:
            _writer = threading.Thread(target=_write, daemon=True)
            _writer.start()


def _write() -> None:
    _out.mkdir(parents=True, exist_ok=True)
    path = _out / f"{os.getpid()}.json"
    while True:
        with _lock:
            data = {**_totals, "process_cpu": time.process_time()}
        path.write_text(json.dumps(data))
        if _profiles:
            _dump_profiles(_out / f"{os.getpid()}.prof")
        time.sleep(0.5)


_stats: Any = None


def _dump_profiles(path: Path) -> None:
    import pstats

    global _stats
    with _lock:
        done = list(_profiles)
        _profiles.clear()
    for profile in done:
        _stats = pstats.Stats(profile) if _stats is None else _stats.add(profile)
    _stats.dump_stats(str(path))
