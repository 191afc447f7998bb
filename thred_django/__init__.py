"""thred_django: keep a Django platform's sales and bills data in sync with Thred."""

__version__ = "0.1.0"
