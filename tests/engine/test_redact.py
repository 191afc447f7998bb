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
