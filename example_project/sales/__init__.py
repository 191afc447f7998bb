"""The example sales platform: merchants (tenants), their sales, payments and bills.

Plain Django models that know nothing of Thred; ``thred_mappings.py`` connects them.
"""
