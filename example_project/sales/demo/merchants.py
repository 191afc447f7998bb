"""Demo merchants: one per country in turn, each a different kind of small business."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sales.models import Merchant

from . import people
from .catalog import COUNTRIES, KINDS, Country, Kind


def create_merchant(rng: random.Random, index: int) -> tuple[Merchant, Country, Kind]:
    country = COUNTRIES[index % len(COUNTRIES)]
    kind = KINDS[index % len(KINDS)]  # a different trade for each of the first few
    trading_name = f"{rng.choice(kind.names)} {kind.noun}"
    if index >= len(COUNTRIES):  # keep names distinct when countries repeat
        trading_name = f"{trading_name} {index // len(COUNTRIES) + 1}"
    entity_type, suffix = rng.choice(country.legal_forms)
    legal_name = f"{trading_name} {suffix}".strip() if suffix else people.person(rng)
    domain = f"{people.slug(trading_name)}.example.com"
    merchant = Merchant.objects.create(
        name=trading_name,
        legal_name=legal_name,
        legal_form=entity_type,
        email=people.email_for(trading_name, domain, "accounts"),
        phone=people.phone(rng, country),
        country=country.code,
        currency=country.currency,
        vat_number=people.vat_number(rng, country) if rng.random() < 0.8 else "",
        company_number=str(rng.randint(10_000_000, 99_999_999)) if suffix else "",
        city=rng.choice(country.cities),
        joined_on=date(2024, 1, 1) + timedelta(days=rng.randint(0, 330)),
    )
    return merchant, country, kind
