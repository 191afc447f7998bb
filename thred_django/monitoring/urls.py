"""``path("thred/", include("thred_django.monitoring.urls"))`` → ``thred/metrics/``,
``thred/health/``. Neither shows a secret or a record; put them behind your own access
rules (an internal network, a reverse proxy) as you would any metrics endpoint."""

from django.urls import path

from thred_django.monitoring import views

app_name = "thred_monitoring"

urlpatterns = [
    path("metrics/", views.metrics, name="metrics"),
    path("health/", views.health, name="health"),
]
