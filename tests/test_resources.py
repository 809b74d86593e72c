"""The shipped resources the code asks for are there: every icon named, translations."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from salesdesk import resource_files
from salesdesk.ui import icons
from salesdesk.ui.translations import install_translator

ROOT = Path(__file__).resolve().parents[1]


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def icon_names_in_code() -> dict[str, set[str]]:
    """Each icon name the UI code writes, by how it asks: ``icon("x")``, a screen's
    ``icon_name = "x"``, ``ScreenEntry(key, title, "x", ...)`` and the main window's
    ``self._action(text, "x", ...)`` (the transfer menu's ``_action`` takes no icon)."""
    found: dict[str, set[str]] = {"icon()": set(), "icon_name =": set(), "ScreenEntry": set(), "_action": set()}
    for path in sorted((ROOT / "salesdesk" / "ui").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called == "icon" and node.args and (name := _text(node.args[0])):
                    found["icon()"].add(name)
                elif called == "ScreenEntry" and len(node.args) > 2 and (name := _text(node.args[2])):
                    found["ScreenEntry"].add(name)
                elif (called == "_action" and module == "salesdesk/ui/main_window.py" and len(node.args) > 1
                      and (name := _text(node.args[1]))):
                    found["_action"].add(name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "icon_name" for t in targets) and (
                        name := _text(node.value)):
                    found["icon_name ="].add(name)
    return found


def test_every_icon_the_code_asks_for_is_shipped():
    asked = icon_names_in_code()
    for way, names in asked.items():  # the scan still sees each way of asking
        assert names, f"no icon asked for by {way}: the scan in this test is out of date"
    shipped = set(icons.names())
    wanted = set().union(*asked.values()) | {"app"}  # app_icon()
    assert wanted - shipped == set()
    for name in sorted(wanted):
        assert b"<svg" in icons.svg_source(name)


def test_every_screen_entry_and_screen_names_a_shipped_icon():
    from salesdesk.ui.main_window import SCREENS

    for entry in SCREENS:
        assert entry.icon_name in icons.names()
        assert entry.load().icon_name in icons.names()


def test_an_unknown_icon_is_a_key_error():
    with pytest.raises(KeyError, match="no icon named 'no-such-icon'"):
        icons.svg_source("no-such-icon")


def test_the_resources_of_a_checkout_are_its_own_folder():
    assert resource_files.folder() == ROOT / "resources"
    assert resource_files.path("fonts", "LiberationSans-Regular.ttf").is_file()


TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
</context>
</TS>
"""


def lrelease() -> str:
    beside = Path(sys.executable).with_name("pyside6-lrelease")  # PySide6 installs it in the venv
    found = str(beside) if beside.exists() else shutil.which("pyside6-lrelease")
    if found is None:
        pytest.skip("pyside6-lrelease is not installed")
    return found


def test_a_shipped_translation_is_installed_for_the_locale(qapp, tmp_path):
    (tmp_path / "salesdesk_de.ts").write_text(TS, encoding="utf-8")
    subprocess.run([lrelease(), str(tmp_path / "salesdesk_de.ts"), "-qm", str(tmp_path / "salesdesk_de.qm")],
                   check=True, capture_output=True)
    translator = install_translator(qapp, QLocale("de_CH"), tmp_path)  # de_CH falls back to de
    try:
        assert translator is not None
        assert Path(translator.filePath()) == tmp_path / "salesdesk_de.qm"
        assert QCoreApplication.translate("MainWindow", "&Quit") == "&Beenden"
    finally:
        if translator is not None:
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("MainWindow", "&Quit") == "&Quit"


def test_without_a_translation_the_texts_stay_as_written(qapp):
    assert not list(resource_files.path("translations").glob("salesdesk_fr*.qm"))
    assert install_translator(qapp, QLocale("fr_FR")) is None
    assert QCoreApplication.translate("MainWindow", "&Quit") == "&Quit"
