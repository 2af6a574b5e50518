"""Accounts, roles scoped to a headquarters, department or sub-district, and integration tokens."""
