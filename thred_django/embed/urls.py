"""Mount with ``path("thred/embed/", include("thred_django.embed.urls"))``."""

from django.urls import path

from thred_django.embed.views import BusinessTokenView

app_name = "thred_embed"

urlpatterns = [path("token/", BusinessTokenView.as_view(), name="business-token")]
