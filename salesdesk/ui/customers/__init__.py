"""Customers: accounts and their contacts."""

from salesdesk.ui.customers.screen import CustomersScreen

__all__ = ["CustomersScreen"]
