from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Client(TenantMixin):
    """A merchant of the platform, with a schema of its own; one Thred business."""

    name = models.CharField(max_length=100)
    email = models.EmailField(default="owner@example.com")
    country = models.CharField(max_length=2, default="GB")
    currency = models.CharField(max_length=3, default="GBP")

    auto_create_schema = True


class Domain(DomainMixin):
    pass
