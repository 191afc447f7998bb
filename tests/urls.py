from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("thred-sandbox/", include("thred_django.sandbox.urls")),
    path("thred/api/", include("thred_django.api.urls")),
    path("thred/embed/", include("thred_django.embed.urls")),
    path("thred/", include("thred_django.monitoring.urls")),
]
