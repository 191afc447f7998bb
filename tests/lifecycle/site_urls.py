"""URLs of the realhost site: the embedded Thred sandbox only."""

from django.urls import include, path

urlpatterns = [path("thred-sandbox/", include("thred_django.sandbox.urls"))]
