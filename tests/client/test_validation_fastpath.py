"""The precompiled checks in front of the DRF serializers (``validation.fastpath``) and
the quick text walk (``validation.text``) change no answer, only its cost.

``validate_payload`` skips the serializer for a body the precompiled check accepts;
``validated_payload`` always runs it (it returns the cleaned values). So for any body
both must return the same errors, and the check must never accept a body the serializer
refuses. The bodies: the cross-check table's valid bodies and changes, and generated
mutations of them (wrong types, blanks, lengths, bounds, nulls, nesting).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from tests.sandbox.test_schema_cross_check import CHANGES, VALID, body
from thred_django.client import gaps
from thred_django.client.validation import (
    SCHEMAS,
    _check,
    _serializer,
    validate_payload,
    validated_payload,
)
from thred_django.client.validation.fastpath import compile_check
from thred_django.client.validation.fields import _cents, _text
from thred_django.client.validation.text import _clean, _walk, body_text_errors

CONTEXT = {"base_currency": "GBP", "country": "GB"}
U1 = "6f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44"


def drf_accepts(resource: str, action: str, data: Any) -> bool:
    serializer = _serializer(SCHEMAS[resource, action][0])
    try:
        serializer.run_validation(data)
    except ValidationError:
        return False
    return True


def check_of(resource: str, action: str):
    check = _check(SCHEMAS[resource, action][0])
    assert check is not None
    return check


def assert_same(resource: str, action: str, data: Any) -> None:
    fast = validate_payload(resource, action, data, **CONTEXT)
    slow, _ = validated_payload(resource, action, data, **CONTEXT)
    assert fast == slow
    if check_of(resource, action)(data):
        assert drf_accepts(resource, action, data), f"check accepted {data!r}"


@pytest.mark.parametrize(("resource", "action"), sorted(SCHEMAS))
def test_every_schema_compiles_a_check(resource, action):
    check_of(resource, action)


@pytest.mark.parametrize(("resource", "action"), sorted(VALID))
def test_valid_bodies_take_the_quick_path(resource, action):
    data = VALID[resource, action]
    assert check_of(resource, action)(data)
    assert _clean(data, 0)
    assert validate_payload(resource, action, data, **CONTEXT) == {}


@pytest.mark.parametrize(("resource", "action", "change"), CHANGES, ids=repr)
def test_invalid_bodies_get_the_serializers_errors(resource, action, change):
    data = body(resource, action, change)
    assert_same(resource, action, data)
    assert validate_payload(resource, action, data, **CONTEXT)


def test_messages_are_the_serializers_own():
    data = body("invoice", "create", {"line_items": [{"quantity": 1, "unit_price": "x"}]})
    assert validate_payload("invoice", "create", data, **CONTEXT) == {
        "line_items[0].unit_price": ["A valid integer is required."]
    }
    data = body("customer", "create", {"individual_name": "x" * 300})
    limit = gaps.DEFAULT_MAX_LENGTH
    assert validate_payload("customer", "create", data, **CONTEXT) == {
        "individual_name": [f"Ensure this field has no more than {limit} characters."]
    }


# --- generated bodies ---------------------------------------------------------------------

HOSTILE = [
    None,
    "",
    "   ",
    " padded ",
    "x" * 256,
    "x" * 5001,
    "é" * 3,
    "tab\there",
    0,
    -1,
    1,
    10**15,
    10**19,
    -(10**19),
    1.5,
    25.0,
    True,
    False,
    "12",
    "1.5",
    U1,
    U1.upper(),
    "2025-01-15",
    "2025-01-15T09:00:00Z",
    "GBP",
    "EUR",
    [],
    [None],
    [""],
    [U1, U1],
    ["a"],
    [{}],
    [{"quantity": 1, "unit_price": 1}],
    [{"quantity": 1, "unit_price": 1, "sales_taxes": [{"amount": -1}]}],
    [{"quantity": 1, "unit_price": 1, "sales_taxes": None}],
    [{"invoice_id": U1, "amount_cents": 1}],
    [{"bill_id": U1, "amount_cents": 1}],
    [{"amount": 1}],
    {},
    {"id": U1, "type": "bank"},
    {"a": {"b": 1}},
    (1, 2),
]


def _fields(resource: str, action: str) -> list[str]:
    serializer = _serializer(SCHEMAS[resource, action][0])
    return sorted(serializer.fields)


@st.composite
def mutated(draw):
    resource, action = draw(st.sampled_from(sorted(VALID)))
    data = copy.deepcopy(VALID[resource, action])
    names = _fields(resource, action)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        if draw(st.booleans()) and name in data:
            del data[name]
        else:
            data[name] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
    # and inside a nested line or allocation, when the body has one
    for key in ("line_items", "allocations"):
        items = data.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict) and draw(st.booleans()):
            item = items[0]
            field = draw(st.sampled_from([*sorted(item), "description", "tax_account"]))
            item[field] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
    return resource, action, data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_generated_bodies_get_the_same_answer(case):
    resource, action, data = case
    assert_same(resource, action, data)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xFFFF), max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xFFFF), max_size=4),
            children,
            max_size=3,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_quick_text_walk_never_passes_what_the_full_walk_reports(value):
    if _clean(value, 0):
        assert _walk(value) == {}
    assert body_text_errors(value) == _walk(value)


def test_quick_text_walk_refuses_what_it_must():
    deep: Any = "x"
    for _ in range(gaps.MAX_BODY_DEPTH + 1):
        deep = [deep]
    for bad in ("a\x00b", "\ud800", {"k\x00": 1}, {"é": "\udfff"}, deep, {"a": ("\x00",)}):
        assert not _clean(bad, 0)
        assert body_text_errors(bad) == _walk(bad) != {}


# --- what the check will not model ------------------------------------------------------


class WithFieldHook(serializers.Serializer):
    name = _text()

    def validate_name(self, value: str) -> str:
        if value == "bad":
            raise ValidationError("No.")
        return value


class WithValidate(serializers.Serializer):
    amount = _cents()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raise ValidationError("No.")


class Plain(serializers.Serializer):
    name = _text(10, required=True)
    amount = _cents(min_value=1)


def test_serializers_with_hooks_always_run():
    assert compile_check(WithFieldHook()) is None
    assert compile_check(WithValidate()) is None


def test_plain_serializer_check_follows_its_fields():
    check = compile_check(Plain())
    assert check is not None
    assert check({"name": "ok", "amount": 5})
    assert check({"name": "ok", "extra": object()})  # unknown keys: ignored, as by DRF
    for refused in (
        {},
        {"name": ""},
        {"name": "x" * 11},
        {"name": 5},
        {"name": "ok", "amount": 0},
        {"name": "ok", "amount": True},
        {"name": "ok", "amount": "5"},
        {"name": "a\x00"},
        {"name": "\ud800"},
        ["name"],
    ):
        assert not check(refused), refused


def test_threads_share_one_check_and_agree_with_one_thread():
    """The check is compiled once per serializer class for the process (the calls'
    threads of each run are new); threads checking at once get one thread's answers."""
    cases = [(r, a, body(r, a, change)) for r, a, change in CHANGES] + [
        (r, a, VALID[r, a]) for r, a in sorted(VALID)
    ]
    alone = [validate_payload(r, a, data, **CONTEXT) for r, a, data in cases]
    results: dict[int, list[Any]] = {}
    checks: dict[int, Any] = {}
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        start.wait()
        checks[n] = _check(SCHEMAS["invoice", "create"][0])
        results[n] = [validate_payload(r, a, data, **CONTEXT) for r, a, data in cases * 3]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(check) for check in checks.values()}) == 1
    assert checks[0] is _check(SCHEMAS["invoice", "create"][0])
    for n in range(4):
        assert results[n] == alone * 3
    assert any(alone) and not all(alone)  # both valid and invalid bodies were checked
