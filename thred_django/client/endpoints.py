"""The table of Thred Partner API endpoints the client calls, derived from the
resource specs (``thred_django.specs``: method and path of each operation).

Each entry names the client method, the HTTP method, the path template (relative to
``THRED['BASE_URL']``, always with the trailing slash) and which credential it takes:

* ``BASIC``: HTTP Basic partner_uuid:api_key (only the partner-token endpoint);
* ``PARTNER``: the partner (unscoped) bearer token: businesses and the token exchange;
* ``BUSINESS``: the business-scoped bearer token of the ``business_id`` in the path.

Reading chosen where the docs disagree (see ``shared/thred-api/auth.md``): most reference
pages accept the partner token on business sub-resources, the guides and the
bill-payment pages require the business token. The business token satisfies both, so
every ``/businesses/{business_id}/…`` sub-resource (a spec ``under_business``) uses it.
Change ``auth`` in ``_table`` to change that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from string import Formatter
from typing import Any
from urllib.parse import quote

from thred_django import specs


class Auth(StrEnum):
    BASIC = "basic"
    PARTNER = "partner"
    BUSINESS = "business"


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    auth: Auth
    paginated: bool = False

    @cached_property
    def path_params(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in Formatter().parse(self.path) if name)

    @cached_property
    def _param_set(self) -> frozenset[str]:
        return frozenset(self.path_params)

    def format(self, **params: Any) -> str:
        """The concrete path; each id is checked and percent-encoded (no ``../`` tricks)."""
        expected = self._param_set
        if params.keys() != expected:
            raise TypeError(f"{self.name} needs path parameters {sorted(expected)}")
        values: dict[str, str] = {}
        for key, value in params.items():
            text = str(value).strip() if value is not None else ""
            if not text:
                raise ValueError(f"{self.name}: {key} must be a non-empty id, got {value!r}")
            values[key] = quote(text, safe="")
        return self.path.format(**values)


def _table() -> tuple[Endpoint, ...]:
    """Every operation of the resource specs, plus the two token endpoints."""
    table = [
        Endpoint(specs.auth.PARTNER_TOKEN.name, "POST", specs.auth.PARTNER_TOKEN.path, Auth.BASIC),
        Endpoint(
            specs.auth.BUSINESS_TOKEN.name, "POST", specs.auth.BUSINESS_TOKEN.path, Auth.PARTNER
        ),
    ]
    for spec in specs.ALL.values():
        auth = Auth.BUSINESS if spec.under_business else Auth.PARTNER
        for verb, op in spec.ops.items():
            name = spec.endpoint_name(verb)
            table.append(Endpoint(name, op.method, op.path, auth, paginated=verb == "list"))
    return tuple(table)


_TABLE = _table()
ENDPOINTS: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in _TABLE}
assert len(ENDPOINTS) == len(_TABLE), "duplicate endpoint name"
