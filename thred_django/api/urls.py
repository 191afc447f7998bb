"""URLs of the status API. Mount with ``path("thred/api/", include("thred_django.api.urls"))``."""

from django.urls import path

from thred_django.api import views

app_name = "thred_api"

urlpatterns = [
    path(
        "objects/<str:content_type>/<str:pk>/",
        views.ObjectStatusView.as_view(),
        name="object-status",
    ),
    path(
        "objects/<str:content_type>/<str:pk>/retry/",
        views.ObjectRetryView.as_view(),
        name="object-retry",
    ),
    path("businesses/", views.BusinessListView.as_view(), name="business-list"),
    path(
        "businesses/<path:external_id>/", views.BusinessDetailView.as_view(), name="business-detail"
    ),
    path("reconciliation/", views.ReconciliationListView.as_view(), name="reconciliation-list"),
    path(
        "reconciliation/<path:external_id>/",
        views.ReconciliationDetailView.as_view(),
        name="reconciliation-detail",
    ),
]
