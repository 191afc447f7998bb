"""The raw material of the demo data: countries, kinds of merchant, products, names.

Prices are in major units of a pound or euro; ``Country.scale`` converts them for
currencies with a smaller unit (SEK, DKK). Legal forms are ones Thred accepts for the
country (see ``thred_django.client.gaps.ENTITY_TYPES_BY_COUNTRY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    legal_forms: tuple[tuple[str, str], ...]  # (Thred entity_type, suffix of the name)
    standard_rate: Decimal
    reduced_rate: Decimal
    cities: tuple[str, ...]
    vat_prefix: str
    scale: int = 1  # price multiplier for the currency


COUNTRIES: tuple[Country, ...] = (
    Country(
        "GB", "GBP", (("limited", "Ltd"), ("sole_trader", ""), ("llp", "LLP")),
        Decimal("20"), Decimal("5"), ("London", "Leeds", "Bristol", "Manchester"), "GB",
    ),
    Country(
        "DE", "EUR", (("gmbh", "GmbH"), ("ug", "UG"), ("einzelunternehmen", "")),
        Decimal("19"), Decimal("7"), ("Berlin", "Hamburg", "Leipzig", "Köln"), "DE",
    ),
    Country(
        "NL", "EUR", (("bv", "B.V."), ("eenmanszaak", ""), ("vof", "V.O.F.")),
        Decimal("21"), Decimal("9"), ("Amsterdam", "Utrecht", "Rotterdam", "Delft"), "NL",
    ),
    Country(
        "IE", "EUR", (("ltd", "Ltd"), ("sole_trader", "")),
        Decimal("23"), Decimal("13.5"), ("Dublin", "Cork", "Galway", "Limerick"), "IE",
    ),
    Country(
        "SE", "SEK", (("aktiebolag", "AB"), ("enskild_firma", "")),
        Decimal("25"), Decimal("12"), ("Stockholm", "Göteborg", "Malmö", "Uppsala"), "SE",
        scale=10,
    ),
    Country(
        "ES", "EUR", (("sl", "S.L."), ("autonomo", "")),
        Decimal("21"), Decimal("10"), ("Madrid", "Valencia", "Sevilla", "Bilbao"), "ES",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Product:
    name: str
    price: tuple[int, int]  # range of the unit price in major units
    reduced: bool = False  # taxed at the reduced rate
    hourly: bool = False  # quantities in half hours


@dataclass(frozen=True)
class Kind:
    noun: str
    names: tuple[str, ...]
    products: tuple[Product, ...]


KINDS: tuple[Kind, ...] = (
    Kind(
        "Coffee Roasters",
        ("Harbour", "Copper Kettle", "Northside", "Little Bean"),
        (
            Product("Espresso blend 1 kg", (18, 26), reduced=True),
            Product("Single origin 250 g", (8, 14), reduced=True),
            Product("Barista training", (60, 120), hourly=True),
            Product("Grinder service", (45, 90)),
            Product("Office coffee subscription", (90, 240)),
        ),
    ),
    Kind(
        "Bike Works",
        ("Spoke & Chain", "Hillclimb", "Freewheel", "Cadence"),
        (
            Product("Full service", (80, 140)),
            Product("Wheel truing", (20, 35)),
            Product("Commuter bike", (450, 900)),
            Product("Workshop labour", (40, 60), hourly=True),
            Product("Tyre and tube", (25, 60)),
        ),
    ),
    Kind(
        "Design Studio",
        ("Paper Lantern", "Blue Fox", "Studio Nine", "Linework"),
        (
            Product("Logo design", (400, 1500)),
            Product("Design hours", (55, 95), hourly=True),
            Product("Brand guidelines", (900, 2500)),
            Product("Print-ready artwork", (120, 400)),
        ),
    ),
    Kind(
        "Bakery",
        ("Rise & Crumb", "Old Mill", "Golden Crust", "Butter Lane"),
        (
            Product("Catering platter", (45, 120), reduced=True),
            Product("Celebration cake", (40, 180), reduced=True),
            Product("Wholesale bread order", (60, 300), reduced=True),
            Product("Delivery", (8, 25)),
        ),
    ),
    Kind(
        "Yoga Studio",
        ("Lotus Room", "Still Point", "Open Sky", "Salt & Sage"),
        (
            Product("10-class pass", (90, 140)),
            Product("Private session", (50, 90), hourly=True),
            Product("Corporate wellness day", (600, 1600)),
            Product("Yoga mat", (25, 70)),
        ),
    ),
)

FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Daniel", "Elif", "Finn", "Grace", "Hugo", "Isla", "Jonas",
    "Kai", "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tess",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Brennan", "Costa", "de Vries", "Eriksson", "Fischer", "García", "Hughes",
    "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Murphy", "Nakamura", "O'Neill",
    "Patel", "Rossi", "Schmidt", "Taylor", "Weber",
)  # fmt: skip
COMPANY_WORDS = (
    "Acorn", "Beacon", "Cobalt", "Delta", "Evergreen", "Fjord", "Granite", "Horizon",
    "Ivy", "Juniper", "Kestrel", "Lighthouse", "Meridian", "Nimbus", "Orchard", "Pioneer",
)  # fmt: skip
COMPANY_TRADES = (
    "Architects", "Consulting", "Events", "Hotels", "Logistics", "Media", "Partners",
    "Property", "Software", "Travel",
)  # fmt: skip
STREETS = ("High Street", "Station Road", "Market Square", "Church Lane", "Mill Road", "Quay")

REFUND_REASONS = (
    "Item returned",
    "Damaged in delivery",
    "Goodwill gesture",
    "Cancelled booking",
    "Duplicate charge",
    "Order partly cancelled",
)


@dataclass(frozen=True)
class Supply:
    description: str
    price: tuple[int, int]  # major units
    taxed: bool = True


@dataclass(frozen=True)
class VendorKind:
    trade: str
    supplies: tuple[Supply, ...]


VENDOR_KINDS: tuple[VendorKind, ...] = (
    VendorKind("Wholesale", (Supply("Stock purchase", (150, 1200)), Supply("Samples", (20, 80)))),
    VendorKind("Packaging", (Supply("Boxes and bags", (60, 400)), Supply("Labels", (25, 120)))),
    VendorKind("Properties", (Supply("Monthly rent", (900, 2400), taxed=False),)),
    VendorKind("Energy", (Supply("Electricity", (90, 420)), Supply("Gas", (40, 260)))),
    VendorKind(
        "Software", (Supply("POS subscription", (29, 89)), Supply("Accounting app", (15, 45)))
    ),
    VendorKind("Cleaning", (Supply("Office cleaning", (120, 360)),)),
    VendorKind("Accountants", (Supply("Bookkeeping", (150, 450)), Supply("Payroll run", (40, 90)))),
    VendorKind(
        "Equipment", (Supply("Equipment repair", (80, 600)), Supply("Spare parts", (30, 200)))
    ),
)  # fmt: skip
