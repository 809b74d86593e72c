"""Where SalesDesk's own files are: icons, fonts, the desktop entry, translations.

They live in the top-level ``resources/`` folder of the source tree; a wheel installs
that folder as the package ``salesdesk.resources`` (pyproject.toml maps it there), so
every installation finds them with ``importlib.resources`` and no path of its own.
This module is the only place that knows either location; it imports no Qt, so the
core (reports' fonts) may use it too.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

from salesdesk.errors import SalesDeskError

# The freedesktop application id: the desktop file's and the AppStream component's name,
# and the window's desktop file name on Wayland.
APP_ID = "org.salesdesk.SalesDesk"
PACKAGE = "salesdesk.resources"


class ResourcesMissing(SalesDeskError):
    """The installation has lost the files SalesDesk ships."""


@cache
def folder() -> Path:
    """The resources folder: the checkout's ``resources/`` when running from source, else
    the installed package ``salesdesk.resources``.  The checkout comes first because
    make's editable install (``editable_mode=compat``: a path in a .pth file) and
    ``PYTHONPATH`` set to a checkout know nothing of the package mapping."""
    checkout = Path(__file__).resolve().parent.parent / "resources"
    # Our desktop file tells the checkout's folder from any other "resources" that a
    # careless package put in site-packages beside us.
    if (checkout / "linux" / f"{APP_ID}.desktop").is_file():
        return checkout
    try:
        installed = importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise ResourcesMissing(f"SalesDesk's resources ({PACKAGE}) are not installed; reinstall SalesDesk") from None
    if not isinstance(installed, Path):  # fonts and translations are handed to Qt by file name
        raise ResourcesMissing(f"SalesDesk's resources are inside {installed}, not in a folder; install it unpacked")
    return installed


def path(*parts: str) -> Path:
    """The shipped file or folder ``parts`` (``path("icons", "app.svg")``)."""
    return folder().joinpath(*parts)


def read(*parts: str) -> bytes:
    """The contents of the shipped file ``parts``; ``FileNotFoundError`` if there is none."""
    return path(*parts).read_bytes()
