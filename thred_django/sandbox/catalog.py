"""The description of one Thred resource the generic views serve: ``Kind``.

Each resource's kind module (``kinds/<name>.py``) declares one ``KIND``: its model, how
to load and render it (``query``, ``render``), its request bodies (``bodies``), which
list filters it has and how its lists are ordered, which token it takes, and its
writes: ``create``, ``update`` (``"put"`` or ``"patch"``) and named ``actions`` (void,
cancel, archive, unarchive). ``views.generic`` serves every resource from these;
``urls`` maps the documented paths onto them; ``reset``, ``summary`` and ``tamper`` read
them too. ``thred_django.sandbox.kinds`` finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import Model
from rest_framework.request import Request

from thred_django.sandbox import filters as f
from thred_django.sandbox.schemas import Body

Write = Callable[..., Any]  # (view, *path ids) -> Response
NEWEST = ("-created_at", "id")


def newest(request: Request) -> tuple[str, ...]:
    return NEWEST


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Model]
    query: Callable[[], Any]  # loads what ``render`` reads
    render: Callable[[Any], dict[str, Any]]
    bodies: Mapping[str, Body] = field(default_factory=dict)  # "create", "update"
    filters: tuple[f.Filter, ...] = ()
    order: Callable[[Request], tuple[str, ...]] = newest
    auth: str = "business"  # see sandbox.auth
    create: Write | None = None
    update: tuple[str, Write] | None = None  # ("put" | "patch", write)
    actions: Mapping[str, Write] = field(default_factory=dict)
    create_action: str = "create"  # the request log's name of a create (payouts: upsert)
    get: Callable[..., Any] | None = None  # (view, id) -> object; default: in ``scope``
    summed: str | None = None  # the amount ``summary`` totals (None: counted only)
    # Its own rows that hang off it (allocations): ``reset`` deletes them just before it.
    tables: tuple[type[Model], ...] = ()
    # ``tamper``: what an object feeds (given it, before the change: a call that
    # recomputes those balances after it), and the total its ``line_items`` give.
    feeds: Callable[[Any], Callable[[], None]] | None = None
    total: Callable[[Mapping[str, Any]], int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "bodies", MappingProxyType(dict(self.bodies)))
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))
