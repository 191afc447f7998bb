"""``ThredResponse``: what every non-list client call returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ThredResponse(Generic[T]):
    """One successful (2xx) response of the Thred API.

    ``data`` is the parsed JSON body; ``path`` is the API path without host or query
    string (e.g. ``/v1/platform/businesses/<id>/``); ``elapsed`` is in seconds.

    ``data`` is left out of the repr: token responses carry a bearer token and other
    bodies carry personal data, neither of which belongs in a log line or a traceback.
    """

    data: T = field(repr=False)
    status_code: int
    method: str
    path: str
    elapsed: float

    @property
    def created(self) -> bool:
        """True when Thred created the object (201), False for an idempotent repeat (200)."""
        return self.status_code == 201
