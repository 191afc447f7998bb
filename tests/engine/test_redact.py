"""The attempt log's summaries: secret-looking keys masked, every time a key comes back."""

from __future__ import annotations

from thred_django.engine import redact
from thred_django.engine.redact import MASK, summarize


def test_secret_looking_keys_are_masked_each_time_they_come_back():
    body = {"name": "Acme", "api_key": "k-1", "nested": {"Authorization": "Bearer x", "n": 1}}
    for _ in range(3):  # the second and third time, from the keys already seen
        assert summarize(body) == {
            "name": "Acme",
            "api_key": MASK,
            "nested": {"Authorization": MASK, "n": 1},
        }


def test_keys_that_are_not_text_are_stored_as_text_and_checked_too():
    assert summarize({1: "a", ("token",): "b"}) == {"1": "a", "('token',)": MASK}


def test_the_keys_seen_stay_bounded(monkeypatch):
    monkeypatch.setattr(redact, "_KEYS_MAX", 10)
    monkeypatch.setattr(redact, "_KEYS", {})
    for i in range(25):
        assert summarize({f"k{i}": i, f"password{i}": "p"}) == {f"k{i}": i, f"password{i}": MASK}
    assert len(redact._KEYS) <= 10


def test_an_answer_in_brief_keeps_its_own_fields_and_names_what_it_nests():
    answer = {
        "id": "inv-1",
        "status": "SENT",
        "total_amount": 37826,
        "customer": {"id": "cus-1", "email": "a@b.c"},
        "metadata": {"note": "x"},
        "line_items": [{"id": "l-1"}, {"id": "l-2"}],
        "tags": [],
        "paid_at": None,
    }
    assert redact.brief(answer) == {
        "id": "inv-1",
        "status": "SENT",
        "total_amount": 37826,
        "customer": "cus-1",
        "metadata": "{…}",
        "line_items": "[2 items]",
        "tags": [],
        "paid_at": None,
    }
    assert redact.brief(["not", "an", "object"]) == ["not", "an", "object"]
