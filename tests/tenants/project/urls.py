from django.urls import include, path

urlpatterns = [path("thred-sandbox/", include("thred_django.sandbox.urls"))]
