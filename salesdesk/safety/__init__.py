"""Data safety without Qt: backups and their thinning, restore, the one-instance lock,
the integrity check on open, and warnings about risky places for a database file.

The window and the command line call these; tests use them directly (README: Data safety).
"""
