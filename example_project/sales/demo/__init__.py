"""Deterministic demo data for the example platform (``manage.py seed_demo``)."""
