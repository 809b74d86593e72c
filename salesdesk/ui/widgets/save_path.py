"""Asking where to save an export or which folder to use, remembering the folder.

A file chosen to write is checked against the open database before the dialog's answer
counts (``salesdesk.safety.output``): the database under any name, its sidecars, a
backup, an SQLite or read-only file are refused in a message, and the dialog comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from salesdesk.errors import SalesDeskError
from salesdesk.safety.output import check_output_path

def ask_save_path(parent: QWidget | None, settings: QSettings | None, key: str, title: str, name: str, kind: str,
                  suffix: str, *, database: Path | None) -> Path | None:
    """A file to write (with ``suffix`` added when the user left it out), or None.

    ``key`` is where the last folder is kept, so the next export starts there.  The
    dialog has asked before replacing the file it returns; a name we complete with
    ``suffix`` was never asked about, so an existing file of that name is refused.
    """
    folder = Path(str(settings.value(key, str(Path.home())))) if settings is not None else Path.home()

    def ask() -> tuple[str, bool]:
        chosen, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name), f"{kind} (*.{suffix})")
        if not chosen or Path(chosen).suffix.lower() == f".{suffix}":
            return chosen, True
        return str(Path(chosen).with_suffix(f".{suffix}")), False

    path = ask_until_allowed(parent, ask, database, title=title,
                             if_exists=f"type the name with its .{suffix} ending to replace it")
    if path is not None and settings is not None:
        settings.setValue(key, str(path.parent))
    return path


def ask_until_allowed(parent: QWidget | None, ask: Callable[[], tuple[str, bool]], database: Path | None, *,
                      title: str, if_exists: str) -> Path | None:
    """Ask (``ask`` returns a name, or "" for Cancel, and whether the user agreed to
    replace it) until the name is one SalesDesk may write; the reason for each refusal
    is shown first.  None when the user cancels."""
    while True:
        chosen, replace = ask()
        if not chosen:
            return None
        try:
            check_output_path(chosen, database, replace=replace, if_exists=if_exists)
        except SalesDeskError as exc:
            QMessageBox.warning(parent, title, str(exc))
            continue
        return Path(chosen)


def written_or_refused(parent: QWidget, write: Callable[[], Path], title: str = "Not exported") -> Path | None:
    """What ``write()`` wrote, or None once the reason it was refused or failed is shown."""
    try:
        return write()
    except (SalesDeskError, OSError) as exc:
        QMessageBox.warning(parent, title, str(exc))
        return None


def ask_folder(parent: QWidget, settings: QSettings | None, key: str, title: str,
               default: Path | None = None) -> Path | None:
    """A folder (the one chosen last time under ``key``, else ``default``, else home), or None."""
    start = str(default or Path.home())
    if settings is not None:
        start = str(settings.value(key, "")) or start
    chosen = QFileDialog.getExistingDirectory(parent, title, start)
    if not chosen:
        return None
    if settings is not None:
        settings.setValue(key, chosen)
    return Path(chosen)
