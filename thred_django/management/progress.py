"""A small progress bar on stderr for management commands (no dependency)."""

from __future__ import annotations

import sys
import time
from typing import Any


class ProgressBar:
    def __init__(self, total: int | None, label: str, stream: Any = None) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream or sys.stderr
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            shown = min(self.done, self.total)
            filled = int(30 * shown / self.total)
            bar = "#" * filled + "-" * (30 - filled)
            text = f"\r{self.label} [{bar}] {shown}/{self.total}"
        else:
            text = f"\r{self.label} {self.done}"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()
