"""URLs: the admin, and the embedded Thred sandbox the client talks to by default."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("thred-sandbox/", include("thred_django.sandbox.urls")),
]
