"""URLs: the admin, thred_django's status API and embed token, the accounting page, and
the embedded Thred sandbox."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    # The sandbox the client talks to by default (THRED_BASE_URL).
    path("thred-sandbox/", include("thred_django.sandbox.urls")),
]

if find_spec("thred_django.api") is not None:  # the DRF status API, when installed
    urlpatterns.append(path("thred/api/", include("thred_django.api.urls")))
if find_spec("thred_django.embed") is not None:  # embedded accounting (Thred's widget)
    from sales.views import accounting

    urlpatterns += [
        path("thred/embed/", include("thred_django.embed.urls")),
        path("accounting/", accounting, name="accounting"),
    ]
