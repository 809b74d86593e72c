"""Errors whose message is written for the person using SalesDesk.

The Qt layer shows ``str(error)`` in a dialog and the command line prints it on one
line, so every message names what is wrong in the user's terms.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType


class SalesDeskError(Exception):
    """Base class: a failure the user can understand and act on."""


class RuleError(SalesDeskError):
    """A business rule refused the action (hierarchy, stage, status...)."""


class ValidationError(RuleError):
    """A value typed by the user is not acceptable.

    ``field`` names the form field so a dialog can show the message next to it.
    """

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NotFoundError(SalesDeskError):
    """The record the action refers to no longer exists."""


class DatabaseError(SalesDeskError):
    """The database file cannot be used: wrong kind, too new, damaged, unreachable."""


def log_if_unexpected(exc: BaseException, what: str, logger_name: str = "salesdesk") -> bool:
    """Log ``exc`` with its traceback unless it is one of ours (written for the user):
    a bug caught to keep the screen true to the database must still reach the log.
    Whether it was unexpected."""
    if isinstance(exc, SalesDeskError):
        return False
    import logging

    logging.getLogger(logger_name).error("%s failed unexpectedly", what, exc_info=(type(exc), exc, exc.__traceback__))
    return True


# --- what the error dialog says (built without Qt, so the CLI and tests can use it) ---


@dataclass(frozen=True)
class ErrorReport:
    """What the error dialog says; built without Qt so it can be tested on its own."""

    title: str
    message: str
    details: str | None  # the traceback; None for errors written for the user
    log_file: Path | None
    user_error: bool
    reload: bool  # the screens should show again what the database holds


def cause(exc: BaseException) -> str:
    """``Type: message`` of a failure, for the user's eyes: a database driver's own error
    rather than SQLAlchemy's wrapper, whose text carries the SQL and its parameters."""
    inner = getattr(exc, "orig", None)  # sqlalchemy.exc.StatementError, without importing it here
    shown = inner if isinstance(inner, BaseException) else exc
    return f"{type(shown).__name__}: {shown}" if str(shown) else type(shown).__name__


def describe_error(
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: TracebackType | None,
    log_file: Path | None = None,
) -> ErrorReport:
    """Plain words for an exception.

    ``SalesDeskError`` messages are written for the user (a refused rule, a damaged
    file) and are shown alone.  Anything else is a bug: say what failed in one
    sentence, reassure about the data, and keep the traceback for "Details".
    """
    if isinstance(exc, SalesDeskError):
        # A write the storage refused (disk full, read-only, locked) may have left a
        # screen showing what was not saved; a refused rule changed nothing on screen.
        return ErrorReport("SalesDesk", str(exc) or exc_type.__name__, None, log_file, True,
                           isinstance(exc, DatabaseError))
    what = cause(exc) if exc is not None else exc_type.__name__
    message = (
        "SalesDesk ran into an unexpected problem and could not finish what it was doing.\n\n"
        "Nothing half-done was saved: each change is written whole or not at all, and the "
        "screens now show what the database holds.\n\n"
        f"The problem: {what}"
    )
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    return ErrorReport("Something went wrong", message, details, log_file, False, True)
