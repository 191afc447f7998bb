"""manage.py check refuses throughput settings that cannot work, saying what to set."""

from __future__ import annotations

import pytest

from thred_django.throughput_checks import check_throughput


def ids(messages) -> list[str]:
    return [msg.id for msg in messages]


def test_the_defaults_pass():
    assert check_throughput() == []


@pytest.mark.parametrize("name", ["CONCURRENCY", "MAX_IN_FLIGHT", "BUSINESS_MAX_IN_FLIGHT"])
@pytest.mark.parametrize("bad", [0, -3, "8", 2.5, None, True])
def test_a_ceiling_that_is_not_a_positive_int_is_e050(settings, name, bad):
    settings.THRED = {**settings.THRED, name: bad}
    messages = check_throughput()
    assert ids(messages) == ["thred_django.E050"]
    assert f"THRED['{name}'] is {bad!r}" in messages[0].msg
    assert "whole number of at least 1" in messages[0].msg
    assert f"THRED['{name}'] to an int" in messages[0].hint


def test_a_business_ceiling_above_the_process_ceiling_is_e051(settings):
    settings.THRED = {**settings.THRED, "BUSINESS_MAX_IN_FLIGHT": 40, "MAX_IN_FLIGHT": 32}
    messages = check_throughput()
    assert ids(messages) == ["thred_django.E051"]
    assert "(40) is above THRED['MAX_IN_FLIGHT'] (32)" in messages[0].msg


def test_more_calls_in_flight_than_http_connections_is_e052(settings):
    settings.THRED = {**settings.THRED, "MAX_IN_FLIGHT": 48, "MAX_CONNECTIONS": 20}
    messages = check_throughput()
    assert ids(messages) == ["thred_django.E052"]
    assert "Raise MAX_CONNECTIONS" in messages[0].hint


def test_more_database_connections_than_postgres_allows_is_w050(settings):
    settings.THRED = {
        **settings.THRED,
        "MAX_IN_FLIGHT": 96,
        "MAX_CONNECTIONS": 96,
        "CONCURRENCY": 8,
    }
    messages = check_throughput()
    assert ids(messages) == ["thred_django.W050"]
    assert "104 database connections" in messages[0].msg


@pytest.fixture
def pool_options(settings, monkeypatch):
    """Sets DATABASES['default']['OPTIONS']['pool'] (only read here, never connected)."""
    options = settings.DATABASES["default"].setdefault("OPTIONS", {})

    def set_pool(value):
        monkeypatch.setitem(options, "pool", value)

    return set_pool


def test_with_a_connection_pool_many_calls_in_flight_are_no_w050(settings, pool_options):
    # A pooled worker's I/O threads hand their connection back while Thred answers.
    pool_options({"min_size": 2, "max_size": 20})
    settings.THRED = {**settings.THRED, "MAX_IN_FLIGHT": 96, "MAX_CONNECTIONS": 96}
    assert check_throughput() == []


@pytest.mark.parametrize(("pool", "size"), [(True, 4), ({"min_size": 2, "max_size": 8}, 8)])
def test_a_pool_no_larger_than_the_claim_threads_is_w051(settings, pool_options, pool, size):
    pool_options(pool)
    settings.THRED = {**settings.THRED, "CONCURRENCY": 8}
    messages = check_throughput()
    assert ids(messages) == ["thred_django.W051"]
    assert f"database 'default' has at most {size} connections" in messages[0].msg
    assert "['OPTIONS']['pool']['max_size'] above CONCURRENCY" in messages[0].hint
    settings.THRED = {**settings.THRED, "CONCURRENCY": size - 1}
    assert check_throughput() == []
