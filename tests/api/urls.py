"""Only the status API, for schema generation tests (the sandbox's views are not ours)."""

from django.urls import include, path

urlpatterns = [path("thred/api/", include("thred_django.api.urls"))]
