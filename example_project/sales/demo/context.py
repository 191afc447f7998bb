"""What every demo builder shares: the random source, the merchant, the calendar."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sales.models import Merchant

from .catalog import Country, Kind

# The demo's fixed "today" is just after a quarter of trading; nothing reads the clock.
PERIOD_START = date(2025, 1, 1)
PERIOD_DAYS = 90


@dataclass
class DemoContext:
    rng: random.Random
    merchant: Merchant
    country: Country
    kind: Kind
    per_business: int

    # --- calendar -------------------------------------------------------------------
    def day(self, first: int = 0, last: int = PERIOD_DAYS - 1) -> date:
        """A day of the trading period, ``first``..``last`` days after its start."""
        return PERIOD_START + timedelta(days=self.rng.randint(first, last))

    def moment(self, day: date, first_hour: int = 8, last_hour: int = 18) -> datetime:
        """A UTC time during business hours on ``day``."""
        at = time(self.rng.randint(first_hour, last_hour - 1), self.rng.randrange(0, 60, 5))
        return datetime.combine(day, at, tzinfo=UTC)

    # --- money ----------------------------------------------------------------------
    def price(self, low: int, high: int) -> int:
        """A unit price in minor units of the merchant's currency (whole-ish numbers)."""
        major = self.rng.randint(low, high) * self.country.scale
        cents = self.rng.choice((0, 0, 0, 50, 95, 99))
        return major * 100 + cents

    def fraction(self, low: float, high: float) -> Decimal:
        """A percentage between ``low`` and ``high`` (as a Decimal with 1 decimal)."""
        return Decimal(self.rng.randint(int(low * 10), int(high * 10))) / 10

    def token(self, length: int = 12) -> str:
        """A random reference string (deterministic for the seed)."""
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(length))


def later(day: date, first: int, last: int, rng: random.Random) -> date:
    """A day ``first``..``last`` days after ``day``."""
    return day + timedelta(days=rng.randint(first, last))
