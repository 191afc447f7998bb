"""The API key and the bearer tokens never leave the client: not in logs, admin pages, the
attempt log, exception messages or API responses.

Two runs are scanned:

* the chaos run (tests/reliability/chaos.py): every line gunicorn and each SIGKILLed or
  finishing ``thred_sync`` process wrote, at DEBUG on every logger, and what the example
  project's outbox stored;
* an in-process run of the engine against the sandbox with caplog at DEBUG on every
  logger, meeting every error path the client has: injected 500s, 429s and lost
  responses, a 401 that forces re-authentication, a timeout, a 403, a permanent 400,
  and a misbehaving server that echoes the Authorization header and the API key back in
  its error bodies (JSON and plain text, on the token endpoint too). Afterwards the
  admin pages (as a superuser) and the DRF API responses of the same data are scanned.

Tokens are collected by wrapping the transport (``leaks.TokenCollector`` here,
tests/reliability/token_tap.py in the chaos run); token-shaped strings are flagged even
if the collector missed them.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from django.urls import reverse

from tests.engine.conftest import ap_chain, ar_chain
from tests.engine.fake_transport import Rule
from tests.security.leaks import Secrets, TokenCollector
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.client.http import HttpCore
from thred_django.engine.runner import push_due
from thred_django.exceptions import ThredError
from thred_django.models import SyncAttempt, SyncRecord
from thred_django.sandbox import faults
from thred_django.sandbox.transport import in_process_transport

# --- the chaos run's logs ---------------------------------------------------------------------


@pytest.mark.chaos
def test_chaos_logs_and_outbox_hold_no_secret(chaos_run) -> None:
    site = chaos_run.site
    secrets = Secrets(site.partner_id, site.api_key, set(chaos_run.issued_tokens()))
    assert len(secrets.tokens) >= 4  # a partner token and one per business, at least
    logs = {path.name: path.read_text(errors="replace") for path in site.log_files()}
    workers = [name for name in logs if name.startswith("sync-")]
    assert len(workers) == len(chaos_run.kills) + 1
    # The scan covered what it claims: DEBUG from every layer, every request's access line.
    everything = "\n".join(logs.values())
    for marker in (
        "DEBUG thred_django.client: Thred POST",
        "thred_django",
        "POST /thred-sandbox/v1/",
    ):
        assert marker in everything, marker
    assert "oauth2/token/" in logs["gunicorn.log"]
    problems = secrets.scan(logs.items())
    problems += secrets.scan([("outbox and attempt log", chaos_run.holdings["stored"])])
    assert not problems, problems[:20]


# --- a full-DEBUG in-process run ----------------------------------------------------------------

ECHO = "[echo]"


def echo_rule(secrets: Secrets, where: str, status: int, *, text: bool = False) -> Rule:
    """A server that puts the request's credentials into its error body (once)."""
    seen: list[httpx.Request] = []

    def matches(request: httpx.Request) -> bool:
        if request.method == "POST" and request.url.path.endswith(where):
            seen.append(request)
            return True
        return False

    def respond() -> httpx.Response:
        auth = seen[-1].headers.get("Authorization", "")
        message = f"{ECHO} you sent {auth!r} for key {secrets.api_key} ({auth.split()[-1]})"
        if text:
            return httpx.Response(status, text=message)
        body = {
            "error": message,
            "error_code": "echo",
            "details": {"company_name": [message], auth: ["header as a field name"]},
        }
        return httpx.Response(status, json=body)

    return Rule(matches, respond)


def timeout_rule(where: str) -> Rule:
    def boom() -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    return Rule(lambda r: r.method == "POST" and r.url.path.endswith(where), boom)


@pytest.fixture
def secrets(thred, settings) -> Secrets:
    """A distinctive API key; every issued token collected from the token responses."""
    found = Secrets(settings.THRED["PARTNER_ID"], f"sk-security-{uuid.uuid4().hex}")
    settings.THRED = {
        **settings.THRED,
        "API_KEY": found.api_key,
        "BREAKER_COOLDOWN": 0.01,
        "MAX_ATTEMPTS": 30,
        "RETRY_AFTER_MAX": 0.01,
    }
    thred.inner = TokenCollector(in_process_transport(), found)
    return found


@pytest.fixture
def raised(monkeypatch) -> list[ThredError]:
    """Every ThredError the request core raises during the test."""
    errors: list[ThredError] = []
    real = HttpCore.send

    def send(self, *args: Any, **kwargs: Any):
        try:
            return real(self, *args, **kwargs)
        except ThredError as exc:
            errors.append(exc)
            raise

    monkeypatch.setattr(HttpCore, "send", send)
    return errors


@pytest.fixture
def debug_everything(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "thred_django", "django", "django_q"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def run_engine_through_every_error(thred, secrets: Secrets) -> dict[str, Any]:
    shops = [
        m.Shop.objects.create(name=f"Tenant {i} Ltd", email=f"t{i}@example.com") for i in range(3)
    ]
    chains = [{**ar_chain(shop), **ap_chain(shop)} for shop in shops]
    invalid = m.Receipt.objects.create(shop=shops[1], sale=chains[1]["sale"], amount_cents=-1)

    thred.rules += [
        echo_rule(secrets, "/oauth2/token/", 500),  # the partner token, on its first try
        echo_rule(secrets, "/vendors/", 400),  # permanent, body echoed
        echo_rule(secrets, "/bills/", 502, text=True),  # transient, plain-text body
        echo_rule(secrets, "/customers/", 401),  # forces a token renewal
        timeout_rule("/payouts/"),
    ]
    thred.answer("POST", "/vendor-credits/", 403, {"error": "No", "error_code": "forbidden"})
    faults.set_faults(
        error_500_rate=0.1,
        rate_limit_rate=0.1,
        commit_then_500_rate=0.1,
        retry_after_seconds=0,
        seed=7,
    )
    push_due(until_idle=True)
    faults.reset_faults()
    return {"shops": shops, "chains": chains, "invalid": invalid}


def admin_pages(admin_client, records: list[SyncRecord]) -> list[tuple[str, str]]:
    urls = [
        reverse("admin:thred_django_syncrecord_changelist"),
        reverse("admin:thred_django_syncrecord_changelist") + "?state__exact=failed",
        reverse("admin:thred_django_syncrecord_dashboard"),
        reverse("admin:testapp_sale_changelist"),
        reverse("admin:testapp_shop_changelist"),
    ]
    urls += [reverse("admin:thred_django_syncrecord_change", args=[r.pk]) for r in records]
    urls += [
        reverse("admin:testapp_sale_change", args=[r.object_id])
        for r in records
        if r.resource == "invoice"
    ]
    pages = []
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        pages.append((f"admin {url}", response.content.decode()))
    return pages


def api_responses(admin_client, records: list[SyncRecord]) -> list[tuple[str, str]]:
    responses = []
    for record in records:
        label = f"{record.content_type.app_label}.{record.content_type.model}"
        url = reverse("thred_api:object-status", args=[label, record.object_id])
        responses.append((url, admin_client.get(url).content.decode()))
    urls = [reverse("thred_api:business-list")]
    urls += [
        reverse("thred_api:business-detail", args=[r.external_id])
        for r in records
        if r.resource == "business"
    ]
    responses += [(url, admin_client.get(url).content.decode()) for url in urls]
    failed = next(r for r in records if r.state == "failed")
    label = f"{failed.content_type.app_label}.{failed.content_type.model}"
    url = reverse("thred_api:object-retry", args=[label, failed.object_id])
    response = admin_client.post(url)
    assert response.status_code == 202
    responses.append((url, response.content.decode()))
    return responses


def stored_rows() -> list[tuple[str, str]]:
    attempts = json.dumps(list(SyncAttempt.objects.values()), default=str)
    records = json.dumps(list(SyncRecord.objects.values()), default=str)
    return [("SyncAttempt rows", attempts), ("SyncRecord rows", records)]


def log_text(caplog) -> list[tuple[str, str]]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in caplog.records]  # with tracebacks
    return [("log records", "\n".join(lines)), ("caplog.text", caplog.text)]


def test_engine_run_at_full_debug_leaks_nothing(
    thred, secrets, raised, debug_everything, admin_client
):
    world = run_engine_through_every_error(thred, secrets)

    # The run met what this test claims to cover.
    assert len(secrets.tokens) >= 4  # partner + 3 businesses (+ renewals)
    kinds = Counter(type(exc).__name__ for exc in raised)
    for kind in (
        "ThredServerError",
        "ThredRateLimitError",
        "ThredAuthenticationError",
        "ThredTimeoutError",
        "ThredValidationError",
        "ThredPermissionError",
    ):
        assert kinds[kind] > 0, kinds
    echoed = [exc for exc in raised if ECHO in str(exc.body)]
    assert len(echoed) >= 3  # the redaction really had something to remove
    assert all("[redacted]" in str(exc.body) for exc in echoed)
    loggers = {record.name for record in debug_everything.records}
    # (httpx's client logger is not on the path: ``HttpCore`` hands requests to the
    # transport itself; the chaos run's logs cover the real transport)
    assert {"thred_django.client", "django.request"} <= loggers, loggers
    records = list(SyncRecord.objects.select_related("content_type"))
    states = Counter(r.state for r in records)
    assert states["failed"] >= 3 and states["synced"] > 20, states

    texts = log_text(debug_everything)
    texts += [(f"{type(exc).__name__} str", str(exc)) for exc in raised]
    texts += [(f"{type(exc).__name__} repr", repr(exc)) for exc in raised]
    texts += [(f"{type(exc).__name__} body", json.dumps(exc.body, default=str)) for exc in raised]
    texts += [(f"{type(exc).__name__} args", repr(exc.args)) for exc in raised]
    client = get_client()
    texts += [("client repr", repr(client)), ("token store repr", repr(client._tokens))]
    texts += stored_rows()
    texts += admin_pages(admin_client, records)
    texts += api_responses(admin_client, records)

    problems = secrets.scan(texts)
    assert not problems, problems[:20]
    assert SyncRecord.objects.get(object_id=world["invalid"].pk, resource="payment").state in (
        "failed",
        "pending",  # retried through the API above
    )
