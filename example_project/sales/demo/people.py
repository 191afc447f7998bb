"""Names, addresses and contact details of merchants, customers and vendors."""

from __future__ import annotations

import random
import unicodedata

from .catalog import COMPANY_TRADES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, STREETS, Country


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated: ``"Café Nörd"`` → ``"cafe-nord"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "-".join(words)


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_TRADES)}"


def email_for(name: str, domain: str, mailbox: str = "") -> str:
    local = mailbox or slug(name).replace("-", ".")
    return f"{local}@{domain}"


def phone(rng: random.Random, country: Country) -> str:
    codes = {"GB": "44", "DE": "49", "NL": "31", "IE": "353", "SE": "46", "ES": "34"}
    return f"+{codes.get(country.code, '44')}{rng.randint(100_000_000, 999_999_999)}"


def street_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)}"


def postal_code(rng: random.Random, country: Country) -> str:
    if country.code == "GB":
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        area = rng.choice(("LS", "BS", "M", "N", "SE"))
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return f"{area}{rng.randint(1, 20)} {inward}"
    return f"{rng.randint(10000, 99999)}"


def vat_number(rng: random.Random, country: Country) -> str:
    return f"{country.vat_prefix}{rng.randint(100_000_000, 999_999_999)}"
