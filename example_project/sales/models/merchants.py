"""The tenant: a merchant (an SME) that sells through the platform."""

from django.db import models


class Merchant(models.Model):
    """One business on the platform. Every other record belongs to exactly one."""

    name = models.CharField("trading name", max_length=200)
    legal_name = models.CharField(max_length=200)
    # Legal form as the country's register spells it: limited, sole_trader, gmbh, bv …
    legal_form = models.CharField(max_length=40)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True, default="")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    currency = models.CharField(max_length=3, help_text="ISO 4217; all its sales use it")
    vat_number = models.CharField(max_length=20, blank=True, default="")
    company_number = models.CharField(max_length=20, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    joined_on = models.DateField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
