"""Progress of long management commands: one bar on a terminal, quiet lines otherwise.

On a TTY with ``tqdm`` installed (``pip install "thred-django[cli]"``) a single tqdm bar
is drawn on stderr. Anywhere else (a pipe, a log file, a queue worker's output, or no
tqdm) a plain line is written at most every ``interval`` seconds and once at the end, so
logs are not flooded with carriage returns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol


class Progress(Protocol):
    def advance(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


def _is_tty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class LineProgress:
    """``label: done/total`` lines, at most one per ``interval`` seconds, and a last one."""

    def __init__(
        self,
        total: int | None,
        label: str,
        stream: Any = None,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream or sys.stderr
        self.interval = interval
        self._clock = clock
        self._last = clock()
        self._written = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = self._clock()
        if now - self._last >= self.interval:
            self._last = now
            self._write()

    def _write(self) -> None:
        if self.done == self._written:
            return
        self._written = self.done
        text = f"{self.label}: {self.done}" + (f"/{self.total}" if self.total else "")
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        self._write()


class TqdmProgress:
    def __init__(self, total: int | None, label: str, stream: Any = None) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total or None, desc=label, file=stream or sys.stderr, leave=True)

    def advance(self, n: int = 1) -> None:
        bar = self._bar
        if bar.total is not None and bar.n + n > bar.total:
            bar.total = bar.n + n  # work found during the run (parents, new marks)
        bar.update(n)

    def close(self) -> None:
        self._bar.close()


def progress(total: int | None, label: str, stream: Any = None) -> Progress:
    """A tqdm bar on a terminal (when tqdm is installed), quiet lines otherwise."""
    stream = stream or sys.stderr
    if _is_tty(stream):
        try:
            return TqdmProgress(total, label, stream)
        except ImportError:
            pass
    return LineProgress(total, label, stream)


# The name the commands used before; kept for host code that imported it.
ProgressBar = progress
