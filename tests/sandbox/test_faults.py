"""Fault injection: every kind, runtime changes, settings defaults and the seed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.sandbox.conftest import basic, error_of
from thred_django.sandbox import faults
from thred_django.sandbox.models import Customer, RequestLog


def create_customer(biz, external_id="c-1"):
    return biz.post("customers/", {"external_id": external_id, "company_name": "C"})


@pytest.mark.django_db
class TestKinds:
    def test_error_500_before_doing_anything(self, biz):
        faults.set_faults(error_500_rate=1.0)
        response = create_customer(biz)
        assert error_of(response)[:2] == (500, "server_error")
        assert response.headers["X-Sandbox-Fault"] == "error_500"
        assert not Customer.objects.exists()

    def test_rate_limit_with_retry_after(self, biz):
        faults.set_faults(rate_limit_rate=1.0, retry_after_seconds=7)
        response = create_customer(biz)
        assert error_of(response)[:2] == (429, "rate_limited")
        assert response.headers["Retry-After"] == "7"
        assert not Customer.objects.exists()

    def test_slow_then_processed(self, biz, monkeypatch):
        slept = []
        monkeypatch.setattr("thred_django.sandbox.views.base.time.sleep", slept.append)
        faults.set_faults(slow_rate=1.0, slow_seconds=0.01)
        response = create_customer(biz)
        assert response.status_code == 201
        assert response.headers["X-Sandbox-Fault"] == "slow"
        assert slept == [0.01]
        assert Customer.objects.filter(external_id="c-1").exists()

    def test_commit_then_500_keeps_the_write(self, biz):
        faults.set_faults(commit_then_500_rate=1.0)
        response = create_customer(biz)
        assert error_of(response)[:2] == (500, "server_error")
        assert response.headers["X-Sandbox-Fault"] == "commit_then_500"
        assert Customer.objects.filter(external_id="c-1").exists()
        faults.reset_faults()
        assert create_customer(biz).status_code == 200  # the retry finds the object

    def test_faults_hit_the_token_endpoint_too(self, sandbox):
        faults.set_faults(error_500_rate=1.0)
        response = sandbox.http.post(
            "/v1/platform/oauth2/token/", data={"client_id": "x"}, headers=basic()
        )
        assert response.status_code == 500

    def test_zero_rates_inject_nothing(self, biz):
        faults.set_faults(error_500_rate=0.0, rate_limit_rate=0.0)
        for index in range(5):
            response = create_customer(biz, f"c-{index}")
            assert response.status_code == 201
            assert "X-Sandbox-Fault" not in response.headers


@pytest.mark.django_db
class TestConfiguration:
    def test_set_merges_and_reset_restores_the_settings(self):
        faults.set_faults(error_500_rate=0.5)
        faults.set_faults(slow_seconds=0.2)
        current = faults.current_faults()
        assert (current.error_500_rate, current.slow_seconds) == (0.5, 0.2)
        assert current.version == 2
        defaults = faults.reset_faults()
        assert defaults.error_500_rate == 0.0 and defaults.slow_seconds == 15.0

    @pytest.mark.parametrize(
        "bad",
        [{"error_500_rate": 1.5}, {"slow_seconds": -1}, {"retry_after_seconds": -2}, {"nope": 1}],
    )
    def test_invalid_values(self, bad):
        with pytest.raises(ValueError):
            faults.set_faults(**bad)

    def test_settings_give_the_defaults(self, biz):
        with override_settings(
            THRED_SANDBOX={"FAULTS": {"rate_limit_rate": 1.0, "retry_after_seconds": 3}}
        ):
            response = create_customer(biz)
            assert response.status_code == 429 and response.headers["Retry-After"] == "3"
            faults.set_faults(rate_limit_rate=0.0)  # the database row wins
            assert create_customer(biz).status_code == 201

    def test_seed_makes_a_run_reproducible(self, biz):
        def run():
            faults.set_faults(error_500_rate=0.5, seed=1234)
            return [create_customer(biz, f"s-{i}").status_code == 500 for i in range(12)]

        first, second = run(), run()
        assert first == second
        assert any(first) and not all(first)  # 0.5 with this seed mixes both outcomes

    def test_fault_is_logged(self, biz):
        faults.set_faults(rate_limit_rate=1.0)
        create_customer(biz)
        row = RequestLog.objects.filter(resource="customer").latest("id")
        assert (row.fault, row.status, row.error_code) == ("rate_limit", 429, "rate_limited")
