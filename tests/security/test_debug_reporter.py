"""The debug page (Django's ExceptionReporter) shows no sandbox partner key and no
secret local of the sandbox's auth functions, with the documented
``DEFAULT_EXCEPTION_REPORTER_FILTER = "thred_django.debug.ThredExceptionReporterFilter"``.

The error is made to happen inside ``check_basic`` after it read the expected key (its
``hmac.compare_digest`` raises), so the raw key is in that frame's locals: the page
must print stars instead. Without the filter the partners' keys do show in the
settings section (the control that the test can fail).
"""

from __future__ import annotations

import base64
import operator
import sys

import pytest
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from thred_django.debug import ThredExceptionReporterFilter
from thred_django.sandbox import auth

PARTNER = "0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b"
KEY = "sandbox-partner-key-0123456789abcdef"
OTHER = "1c7a4d2f-3e5b-4f9a-8b2c-4d6e8f0a2b3c"
OTHER_KEY = "another-partner-key-fedcba9876543210"


def report(monkeypatch, reporter_filter) -> str:
    # A C function (no Python frame of its own holding the key) that raises on two str.
    monkeypatch.setattr(auth.hmac, "compare_digest", operator.truediv)
    request = RequestFactory().post(
        "/thred-sandbox/v1/platform/oauth2/token/",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{PARTNER}:{KEY}".encode()).decode(),
    )
    # What DEFAULT_EXCEPTION_REPORTER_FILTER names (that setting is read once and cached).
    request.exception_reporter_filter = reporter_filter
    try:
        auth.check_basic(request)
    except TypeError:
        exc_type, exc, tb = sys.exc_info()
    else:  # pragma: no cover
        pytest.fail("check_basic did not raise")
    reporter = ExceptionReporter(request, exc_type, exc, tb)
    return reporter.get_traceback_text() + reporter.get_traceback_html()


SANDBOX = {"CONTROL_ENABLED": True, "PARTNERS": {PARTNER: KEY, OTHER: OTHER_KEY}}


@override_settings(THRED_SANDBOX=SANDBOX, DEBUG=True)
def test_debug_page_hides_partner_keys_and_secret_locals(monkeypatch):
    page = report(monkeypatch, ThredExceptionReporterFilter())
    assert "check_basic" in page and "unsupported operand" in page
    assert KEY not in page and OTHER_KEY not in page
    assert base64.b64encode(f"{PARTNER}:{KEY}".encode()).decode() not in page
    assert PARTNER in page  # partner ids are not secret: the settings section is there


@override_settings(THRED_SANDBOX=SANDBOX, DEBUG=True)
def test_without_the_filter_the_partner_keys_show(monkeypatch):
    page = report(monkeypatch, SafeExceptionReporterFilter())
    assert OTHER_KEY in page  # settings section: why the filter is documented
    assert KEY in page  # check_basic's locals, and the request's Authorization header
