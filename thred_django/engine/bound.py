"""An ORM statement compiled once, run again with other values (the claim's lease UPDATE).

Compiling ``QuerySet.update`` with the claim's expressions (the due filter, the
take-over ``CASE``s, 200 ids) cost ~2 ms of CPU per claim, more than SQLite took to run
it (benchmarks/README.md §7, "Fifth round"). ``Template.capture`` runs the ORM's own
statement once, with sentinel values that match no row, and keeps the SQL and the
parameters it sent (``connection.execute_wrapper``, public API); where a sentinel's
prepared form went, later runs put their own values, prepared by the same field
functions (a list sent as one parameter, an array on PostgreSQL: ``engine.oneof``, goes
in whole). The statement is the ORM's own text, so what it does stays exactly as it
was. A capture that is not one statement, or whose parameters do not line up with the
sentinels (same value and type), is refused: the caller then runs the ORM form.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections

# A parameter of the captured statement: a named value, the i-th of a list, a whole list
# (one parameter: an array, ``engine.oneof``), or as sent.
_CONSTANT = ("", -1)
_WHOLE = -2


@dataclass(frozen=True)
class Template:
    sql: str
    params: tuple[Any, ...]  # as captured (the constants are used as they are)
    slots: tuple[tuple[str, int], ...]  # per parameter: (name, -1), (list name, index)

    @classmethod
    def capture(
        cls,
        using: str,
        run: Callable[[], object],
        sentinels: Mapping[str, Any],
        prepare: Mapping[str, Callable[[Any], Any]],
    ) -> Template | None:
        """Run ``run()`` (the ORM statement with ``sentinels``: a name to a value, or to
        a list of values) and return its template; None when it cannot be one."""
        captured: list[tuple[str, Sequence[Any] | None]] = []

        def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connections[using].execute_wrapper(keep):
            run()
        if len(captured) != 1 or not isinstance(captured[0][1], list | tuple):
            return None
        sql, params = captured[0][0], tuple(captured[0][1])
        wanted: list[tuple[Any, tuple[str, int]]] = []
        whole: dict[str, list[Any]] = {}
        for name, value in sentinels.items():
            if isinstance(value, list):
                whole[name] = [prepare[name](v) for v in value]
                wanted += [(prepared, (name, i)) for i, prepared in enumerate(whole[name])]
            else:
                wanted.append((prepare[name](value), (name, -1)))
        slots: list[tuple[str, int]] = []
        found: set[tuple[str, int]] = set()
        for param in params:
            slot = _CONSTANT
            for prepared, where in wanted:
                if type(prepared) is type(param) and prepared == param:
                    slot = where
                    break
            else:
                for name, prepared_list in whole.items():
                    if isinstance(param, list) and param == prepared_list:
                        slot = (name, _WHOLE)
                        found.update((name, i) for i in range(len(prepared_list)))
                        break
            slots.append(slot)
            found.add(slot)
        if any(where not in found for _, where in wanted):
            return None  # a sentinel went in some other form: bind nothing
        return cls(sql, params, tuple(slots))

    def bind(
        self, values: Mapping[str, Any], prepare: Mapping[str, Callable[[Any], Any]]
    ) -> list[Any]:
        """The parameters for ``values`` (same names and list lengths as the sentinels)."""
        ready = {
            name: [prepare[name](v) for v in value]
            if isinstance(value, list)
            else prepare[name](value)
            for name, value in values.items()
        }
        return [
            param if name == "" else (ready[name] if i in (-1, _WHOLE) else ready[name][i])
            for param, (name, i) in zip(self.params, self.slots, strict=True)
        ]


class Templates:
    """Templates by key (database alias, size), captured once each per process; a key
    that could not be captured keeps None (the ORM form runs for it)."""

    def __init__(self, limit: int = 64) -> None:
        self._limit = limit
        self._known: dict[Any, Template | None] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Template | None]) -> tuple[bool, Template | None]:
        """(True, template) when ``key`` was captured before; else (False, the one
        ``make()`` captures now, kept for the next call)."""
        with self._lock:
            if key in self._known:
                return True, self._known[key]
        template = make()
        with self._lock:
            if len(self._known) >= self._limit:
                self._known.clear()
            self._known[key] = template
        return False, template
