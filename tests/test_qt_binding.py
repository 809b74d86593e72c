"""PySide6 6.12.0 on Python 3.11 aborts ("Fatal Python error: none_dealloc") after a few
thousand calls of Qt methods returning None.  These tests catch that combination, both
as installed and as allowed by pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import PySide6
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CRASHING = Version("6.12.0")


def test_installed_binding_is_not_the_crashing_combination():
    if sys.version_info < (3, 12):
        assert Version(PySide6.__version__) < CRASHING, (
            f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} aborts after many Qt calls"
        )


def test_pyproject_pins_forbid_the_crashing_combination():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pyside = [Requirement(d) for d in dependencies if d.lower().startswith("pyside6")]
    assert pyside, "pyproject.toml must depend on PySide6-Essentials"
    for python in ("3.11", "3.12", "3.13"):
        env = {"python_version": python, "python_full_version": python + ".0"}
        active = [r for r in pyside if r.marker is None or r.marker.evaluate(env)]
        assert len(active) == 1, f"exactly one PySide6 requirement must apply on Python {python}"
        if python == "3.11":
            assert not active[0].specifier.contains(CRASHING), "6.12.0 must be excluded on Python 3.11"


def test_thousands_of_void_qt_calls_do_not_abort():
    script = textwrap.dedent("""
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        label = QLabel()
        for i in range(30000):
            label.setText(str(i))       # returns None
            label.setEnabled(i % 2 == 0)  # returns None
        print("survived", label.text())
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived 29999" in result.stdout
