"""Dialogs shared by several screens (errors, about)."""
