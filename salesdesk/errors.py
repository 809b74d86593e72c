"""Errors whose message is written for the person using SalesDesk.

The Qt layer shows ``str(error)`` in a dialog and the command line prints it on one
line, so every message names what is wrong in the user's terms.
"""


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
