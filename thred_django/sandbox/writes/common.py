"""The create every resource but settlements shares: idempotent on ``external_id``.

``create(v, resource, build, ...)`` validates the body, returns the stored object with
200 when the business (the partner, for businesses) already has one with that
``external_id`` (unchanged, whatever the new body says), else builds it with 201.
Concurrent duplicates never make two objects (``idempotency.create_once``). The answer
renders the object as loaded by ``query``; a new one, when ``built`` is given, as
``build`` made it, through ``built`` (its renderer for an object that holds what it
reads with the values written, and has no rows hanging off it yet): a read less.
``one_write`` (True, or a test of the cleaned body) says ``build`` writes with one
statement and locks nothing: no transaction around it in autocommit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.response import Response

from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.views.base import SandboxAPIView

Build = Callable[[dict[str, Any], dict[str, Any]], Any]  # (body, cleaned) -> new object


def create(
    v: SandboxAPIView,
    resource: str,
    query: Callable[[], Any],
    build: Build,
    render: Callable[[Any], dict[str, Any]],
    *,
    lock: Callable[[dict[str, Any]], object] | None = None,
    existing: Callable[[dict[str, Any]], Any] | None = None,
    built: Callable[[Any], dict[str, Any]] | None = None,
    one_write: bool | Callable[[dict[str, Any]], bool] = False,
) -> Response:
    data = v.payload()
    cleaned = v.clean(resource, "create", data)
    # For this body ``build`` writes one statement and locks nothing: no transaction
    # in autocommit (``create_once``); ``lock`` is then not needed either.
    single = one_write(cleaned) if callable(one_write) else one_write

    def find() -> Any:
        if existing is not None:
            return existing(cleaned)
        return query().filter(business=v.business, external_id=cleaned["external_id"]).first()

    obj, created = create_once(
        find,
        lambda: build(data, cleaned),
        (lambda: lock(cleaned)) if lock and not single else None,
        one_write=single,
    )
    v.log.created = created
    if created and built is not None:
        return Response(built(obj), status=201)
    return Response(render(query().get(pk=obj.pk)), status=201 if created else 200)
