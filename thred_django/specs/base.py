"""The shape of a resource spec: plain, frozen data (no Django, client or engine).

A spec states what the Thred Partner API documents about one resource, and the few
readings this package takes where the docs are silent, each once:

* ``name``, ``label``, ``order``, ``plural``: the name used everywhere (outbox,
  commands, JSON), the one people read (admin, status pages), the position in listings
  and the plural of the client's list call (``list_<plural>``);
* ``parents``: the resources whose Thred ids its body carries; a record is claimed after
  its parents (``claimed_after`` adds an order without a reference), which gives the
  claim rank (``thred_django.specs.RANK``);
* ``ops``: the documented operations, by verb (``VERBS``), each a method and a path
  template. Which update Thred has (PUT, PATCH, none), and whether a host deactivation is
  a void, a cancel or an archive, follows from which verbs are there;
* idempotency: ``external_id_required`` on the create, ``idempotency_key`` (the create
  also carries an ``Idempotency-Key``), ``repeat_create`` (what a create repeating an
  external_id answers: the stored object unchanged, or the object upserted with the new
  body), ``lookup_filter`` (the list filter finding an object by external_id);
* fields: ``fixed`` (an update cannot change them) and ``bound`` (they must agree with
  the fixed ones). Every other field of the create the update carries is updatable;
  ``refused_when_changed`` are fixed fields whose changed value the update refuses
  instead of ignoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from types import MappingProxyType
from typing import Literal

# Every operation a resource can have, in the order they are listed.
VERBS = ("list", "get", "create", "update", "void", "cancel", "archive", "unarchive")
# The verbs that take a Thred object out of use, and the one that brings it back.
DEACTIVATE_VERBS = ("void", "cancel", "archive")
REACTIVATE_OF = {"archive": "unarchive"}

# Every path under a business starts here.
BUSINESS_PATH = "/v1/platform/businesses/{business_id}"

RepeatCreate = Literal["stored", "upserted"]


@dataclass(frozen=True)
class Op:
    """One documented operation: ``method`` and ``path`` (relative to the API's base URL,
    with the trailing slash; ``{name}`` for each path parameter). ``name`` is the
    client's name for it when it is not ``<verb>_<resource>`` (``list_<plural>``).
    ``empty_body``: the document declares an optional body that no call needs (archive,
    unarchive, void: "Send {}"), so ``{}`` is sent."""

    method: str
    path: str
    name: str = ""
    empty_body: bool = False

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in Formatter().parse(self.path) if name)


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    # Position in every listing (choices, admin, README); a new resource takes the next.
    order: int
    plural: str
    ops: Mapping[str, Op]
    parents: tuple[str, ...] = ()
    claimed_after: tuple[str, ...] = ()
    under_business: bool = True
    external_id_required: bool = True
    idempotency_key: bool = False
    repeat_create: RepeatCreate = "stored"
    lookup_filter: str = ""
    # The documented list filter matching part of an external id (our prefix).
    prefix_filter: str = ""
    # Refund payments have no business-wide list: (parent, field) names the list of the
    # parent resource whose objects carry them in that field.
    listed_in: tuple[str, str] | None = None
    fixed: tuple[str, ...] = ()
    bound: tuple[str, ...] = ()
    refused_when_changed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = sorted(set(self.ops) - set(VERBS))
        if unknown:
            raise ValueError(f"{self.name}: unknown verbs {unknown}; expected some of {VERBS}.")
        if "create" not in self.ops:
            raise ValueError(f"{self.name}: every resource has a create.")
        if self.name in (*self.parents, *self.claimed_after):
            raise ValueError(f"{self.name} cannot be its own parent.")
        if not set(self.refused_when_changed) <= set(self.fixed):
            raise ValueError(f"{self.name}: refused_when_changed must be fixed fields.")
        object.__setattr__(self, "ops", MappingProxyType(dict(self.ops)))

    # --- what follows from the declared operations -------------------------------------

    def op(self, verb: str) -> Op | None:
        return self.ops.get(verb)

    def endpoint_name(self, verb: str) -> str:
        """The client's name for the operation ``verb`` (``create_invoice``,
        ``list_invoices``, ``upsert_payout``)."""
        op = self.ops[verb]
        if op.name:
            return op.name
        return f"list_{self.plural}" if verb == "list" else f"{verb}_{self.name}"

    @property
    def upsert(self) -> bool:
        """The create is an upsert: it is also the update."""
        return self.repeat_create == "upserted"

    @property
    def update(self) -> str:
        """How Thred changes an object it holds: ``"put"``, ``"patch"``, ``"upsert"``
        (the create again) or ``""`` (no update)."""
        if "update" in self.ops:
            return self.ops["update"].method.lower()
        return "upsert" if self.upsert else ""

    @property
    def deactivate(self) -> str:
        """``"void"``, ``"cancel"``, ``"archive"`` or ``""`` (Thred has none)."""
        return next((verb for verb in DEACTIVATE_VERBS if verb in self.ops), "")

    @property
    def reactivate(self) -> str:
        """The verb undoing ``deactivate`` (``"unarchive"``), or ``""``. A resource with
        an unarchive but no archive (vendors) never holds one of ours archived."""
        verb = REACTIVATE_OF.get(self.deactivate, "")
        return verb if verb in self.ops else ""

    @property
    def has_archived(self) -> bool:
        """Thred can hold archived ones (it has an unarchive), which its list leaves out
        unless asked (``include_archived``)."""
        return "unarchive" in self.ops

    @property
    def listed_by_business(self) -> bool:
        """Thred lists every object of the business in one list (no other path id)."""
        op = self.ops.get("list")
        return op is not None and set(op.path_params) <= {"business_id"}
