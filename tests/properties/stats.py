"""Counts of a property-based run: cases sent, by status class, per operation.

``report()`` prints one line (pytest ``-s`` shows it) and, when ``THRED_SCHEMA_REPORT``
names a directory, writes ``<name>.json`` there (CI keeps it as an artifact).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any


class RunStats:
    def __init__(self, name: str) -> None:
        self.name = name
        self.statuses: Counter[int] = Counter()
        self.operations: Counter[str] = Counter()

    def add(self, case: Any, status: int) -> None:
        self.statuses[status] += 1
        self.operations[f"{case.operation.method.upper()} {case.operation.path}"] += 1

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def report(self) -> dict[str, Any]:
        summary = {
            "name": self.name,
            "cases": self.cases,
            "operations": len(self.operations),
            "server_errors": self.server_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }
        print(f"\n[schema run {self.name}] {json.dumps(summary)}")
        if directory := os.environ.get("THRED_SCHEMA_REPORT"):
            Path(directory).mkdir(parents=True, exist_ok=True)
            (Path(directory) / f"{self.name}.json").write_text(json.dumps(summary, indent=2))
        return summary
