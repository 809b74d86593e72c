"""Where SalesDesk keeps the user's data, logs and backups (per platform conventions)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from salesdesk import APP_NAME, ORG_NAME


def data_dir() -> Path:
    override = os.environ.get("SALESDESK_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, ORG_NAME))


def log_dir() -> Path:
    override = os.environ.get("SALESDESK_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, ORG_NAME))


def default_database() -> Path:
    return data_dir() / "salesdesk.sqlite3"


def backup_dir(database: Path) -> Path:
    """Backups live beside the database, in a folder named after its whole file name:
    ``sales.db`` and ``sales.sqlite3`` in one folder must never share (or restore, or
    thin) each other's copies.  (A name too long for "-backups" is shortened the way
    ``safety.files.fit_name`` shortens every name SalesDesk derives.)"""
    from salesdesk.safety.files import fit_name

    return database.parent / fit_name(database.name, "-backups")
