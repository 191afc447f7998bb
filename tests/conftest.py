"""Shared fixtures. Feature-specific fixtures live in each tests/<area>/conftest.py."""
