"""ThredSyncAdminMixin keeps the host's templates and adds to them (tests/admin/host_site.py).

Whatever a host ModelAdmin renders without the mixin — its own ``change_list_template``
/ ``change_form_template``, those of a second mixin (class attributes, or
django-import-export's captured-in-``__init__`` ones, before or after the Thred mixin in
the bases), or Django's per-model template lookup — still renders, with its own content,
and the Thred column, outbox link, status notice and buttons are added to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.admin import host_site
from tests.admin.world import fail, record_of
from tests.testapp import models as m
from thred_django.admin import ThredSyncAdminMixin
from thred_django.admin.mixins import CHANGE_FORM_TEMPLATE, CHANGE_LIST_TEMPLATE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.admin.host_site")]

SALES = "/hosts/testapp/sale/"


def names(response) -> list[str]:
    return [t.name for t in response.templates]


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, response.content.decode()


def outbox_link(site: str) -> str:
    return f'href="/{site}/thred_django/syncrecord/?content_type__id__exact='


def test_host_change_list_template_keeps_its_content_and_gains_thred(admin_client, world):
    fail(world.sales[0], message="Customer unknown")
    response, html = page(admin_client, SALES)
    assert names(response)[:2] == [CHANGE_LIST_TEMPLATE, host_site.HOST_LIST]
    assert 'id="host-title"' in html and 'id="host-report"' in html  # the host's content
    assert "thred-badge-failed" in html and "column-thred_status" in html  # Thred's
    assert outbox_link("hosts") in html and 'class="thred-outbox-link"' in html
    assert 'value="sync_to_thred"' in html


def test_host_change_form_template_keeps_its_content_and_gains_thred(admin_client, world):
    sale = world.sales[0]
    record = fail(sale, code="customer_archived", message="The customer is archived.")
    response, html = page(admin_client, f"{SALES}{sale.pk}/change/")
    assert names(response)[:2] == [CHANGE_FORM_TEMPLATE, host_site.HOST_FORM]
    assert 'id="host-print"' in html and 'id="host-note"' in html
    assert 'name="_save"' in html
    assert f'action="{SALES}{sale.pk}/thred/retry/"' in html
    assert f'action="{SALES}{sale.pk}/thred/resync/"' in html
    assert f'href="/hosts/thred_django/syncrecord/{record.pk}/change/"' in html
    assert "<strong>customer_archived</strong>: The customer is archived." in html


def test_host_add_form_keeps_its_template_without_a_status(admin_client, world):
    response, html = page(admin_client, f"{SALES}add/")
    assert names(response)[:2] == [CHANGE_FORM_TEMPLATE, host_site.HOST_FORM]
    assert 'id="host-note"' in html and 'name="_save"' in html
    assert "thred-status" not in html and "thred-retry" not in html


def test_a_second_mixins_templates_are_kept(admin_client, world):
    shop = world.shop
    response, html = page(admin_client, "/hosts/testapp/shop/")
    assert names(response)[:2] == [CHANGE_LIST_TEMPLATE, "hostsite/report_change_list.html"]
    assert 'id="report-tool"' in html and outbox_link("hosts") in html
    response, html = page(admin_client, f"/hosts/testapp/shop/{shop.pk}/change/")
    assert names(response)[:2] == [CHANGE_FORM_TEMPLATE, "hostsite/report_change_form.html"]
    assert 'id="report-history"' in html and 'id="thred-retry"' in html


def test_import_export_after_the_thred_mixin(admin_client, world):
    response, html = page(admin_client, "/hosts/testapp/client/")
    used = names(response)
    assert used[0] == CHANGE_LIST_TEMPLATE
    assert used[1] == "admin/import_export/change_list_import_export.html"
    assert "'/hosts/testapp/client/import/' class=\"import_link\"" in html
    assert 'class="export_link"' in html
    assert outbox_link("hosts") in html and "column-thred_status" in html


def test_import_export_before_the_thred_mixin_over_the_hosts_template(admin_client, world):
    response, html = page(admin_client, "/hosts/testapp/receipt/")
    used = names(response)
    # Either order: the Thred template extends the one the admin renders without it
    # (import-export's), which extends the host's.
    assert used[:4] == [
        CHANGE_LIST_TEMPLATE,
        "admin/import_export/change_list_import_export.html",
        "admin/import_export/change_list.html",
        host_site.HOST_LIST,
    ]
    assert 'id="host-title"' in html and 'id="host-report"' in html
    assert "'/hosts/testapp/receipt/import/' class=\"import_link\"" in html
    assert outbox_link("hosts") in html


def test_djangos_per_model_template_lookup_is_kept(admin_client, world, settings, tmp_path):
    """No template set anywhere: Django's admin/<app>/<model>/… override still applies."""
    folder = Path(tmp_path) / "admin" / "testapp" / "sale"
    folder.mkdir(parents=True)
    (folder / "change_list.html").write_text(
        '{% extends "admin/change_list.html" %}'
        '{% block object-tools-items %}<li id="project-tool">P</li>{{ block.super }}{% endblock %}'
    )
    (folder / "change_form.html").write_text(
        '{% extends "admin/change_form.html" %}'
        '{% block form_top %}<p id="project-note">P</p>{{ block.super }}{% endblock %}'
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    with override_settings(TEMPLATES=templates):
        response, html = page(admin_client, "/admin/testapp/sale/")
        assert names(response)[:2] == [CHANGE_LIST_TEMPLATE, "admin/testapp/sale/change_list.html"]
        assert 'id="project-tool"' in html and outbox_link("admin") in html
        sale = world.sales[0]
        response, html = page(admin_client, f"/admin/testapp/sale/{sale.pk}/change/")
        assert 'id="project-note"' in html and 'id="thred-status"' in html
    response, html = page(admin_client, "/admin/testapp/shop/")  # and Django's default
    assert names(response)[:2] == [CHANGE_LIST_TEMPLATE, "admin/change_list.html"]


def test_an_actions_own_page_is_left_alone(admin_client, world):
    """The change list view also returns actions' pages (delete confirmation): untouched."""
    data = {
        "action": "delete_selected",
        helpers.ACTION_CHECKBOX_NAME: [str(world.sales[0].pk)],
        "index": "0",
    }
    response = admin_client.post(SALES, data)
    assert response.status_code == 200
    assert "admin/delete_selected_confirmation.html" in names(response)
    assert CHANGE_LIST_TEMPLATE not in names(response)


def test_buttons_and_links_stay_in_the_hosts_site(admin_client, world):
    sale = world.sales[0]
    fail(sale)
    response = admin_client.post(f"{SALES}{sale.pk}/thred/retry/")
    assert response.status_code == 302 and response.url == f"{SALES}{sale.pk}/change/"
    html = admin_client.get(SALES).content.decode()
    record = record_of(sale)
    assert f'href="/hosts/thred_django/syncrecord/{record.pk}/change/"' in html
    assert reverse("admin:thred_django_syncrecord_change", args=[record.pk]) not in html


def test_no_outbox_link_where_the_outbox_is_not_registered(admin_user, world):
    """A site without SyncRecordAdmin: no link to it (``site.is_registered``), no error."""
    model_admin = host_site.SaleAdmin(m.Sale, admin.AdminSite(name="bare"))
    request = RequestFactory().get("/")
    request.user = admin_user
    assert model_admin._outbox_url(request) is None
    assert "<a " not in model_admin.thred_status(world.sales[0])


@pytest.mark.parametrize(
    ("actions", "expected"),
    [((), ["sync_to_thred"]), (["export"], ["export", "sync_to_thred"]), (None, None)],
)
def test_sync_action_joins_the_hosts_action_list(actions, expected):
    cls = type("A", (ThredSyncAdminMixin, admin.ModelAdmin), {"actions": actions})
    model_admin = cls(m.Sale, admin.AdminSite(name="x"))
    assert model_admin.actions == expected


def test_every_admin_of_the_host_site_passes_djangos_checks():
    for model in (m.Sale, m.Shop, m.Client, m.Receipt):
        assert host_site.site.get_model_admin(model).check() == []
