"""What an installation gets: the packages, the resources in a built wheel, and a desktop
entry and AppStream data that agree with each other and with the program."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import salesdesk
from salesdesk.resource_files import APP_ID, PACKAGE

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DESKTOP = ROOT / "resources" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / "linux" / f"{APP_ID}.metainfo.xml"


def test_the_package_list_names_every_package():
    """pyproject.toml names the packages one by one (find cannot map resources/): a new
    package left out of the list would be missing from the wheel."""
    on_disk = {p.parent.relative_to(ROOT).as_posix().replace("/", ".")
               for p in (ROOT / "salesdesk").rglob("__init__.py")}
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) == on_disk | {PACKAGE}
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {PACKAGE: "resources"}


def source_copy(folder: Path) -> Path:
    """The checkout's files as git has them (the working tree's text, without build/ or
    .venv/), so a stale build/ folder cannot slip old files into the wheel."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from the checkout (about 5 s: pip builds it with setuptools in an
    isolated environment, as any installer does)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the wheel is built from the git checkout's files")
    source = source_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
                           capture_output=True, text=True)
    if built.returncode and "satisfies the requirement setuptools" in built.stderr:
        pytest.skip(f"pip cannot fetch the build backend here: {built.stderr.strip().splitlines()[-1]}")
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("salesdesk-*.whl")
    return found


def test_the_wheel_ships_icons_fonts_desktop_entry_and_metainfo(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {name.removeprefix("salesdesk/resources/") for name in names if name.startswith("salesdesk/resources/")}
    expected = {f"icons/{p.name}" for p in (ROOT / "resources" / "icons").glob("*.svg")}
    expected |= {f"fonts/{p.name}" for p in (ROOT / "resources" / "fonts").iterdir()}
    expected |= {f"linux/{DESKTOP.name}", f"linux/{METAINFO.name}", "translations/README.md", "__init__.py"}
    assert shipped == expected
    assert "icons/app.svg" in shipped and "fonts/LiberationSans-Bold.ttf" in shipped
    assert not [name for name in names if name.startswith("resources/")]  # no top-level package "resources"
    assert not [name for name in names if ".data/" in name]  # nothing outside site-packages
    assert "salesdesk/db/migrations/script.py.mako" in names


def test_an_installed_wheel_finds_its_resources(wheel, tmp_path):
    """Unpacked as an installer would, away from the checkout: the resources are the
    installed package's, and an icon and a font are read from there."""
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    script = ("import salesdesk, salesdesk.resource_files as r\n"
              "print(salesdesk.__file__)\nprint(r.folder())\n"
              "print(len(r.read('icons', 'app.svg')), r.path('fonts', 'LiberationSans-Regular.ttf').is_file())\n")
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True, check=True)
    module, folder, found = ran.stdout.splitlines()
    assert Path(module).is_relative_to(site)
    assert Path(folder) == site / "salesdesk" / "resources"
    size, is_file = found.split()
    assert int(size) == (ROOT / "resources" / "icons" / "app.svg").stat().st_size and is_file == "True"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_starts_the_installed_program_with_its_icon():
    entry = desktop_entry()
    assert entry["Type"] == "Application" and entry["Name"] == salesdesk.APP_NAME
    assert entry["Exec"].split()[0] in PYPROJECT["project"]["gui-scripts"]
    assert entry["Icon"] == APP_ID  # a packager installs icons/app.svg under this name
    assert entry["StartupWMClass"] == salesdesk.APP_NAME  # Qt's X11 window class: the application name


def test_metainfo_names_the_desktop_entry_and_the_current_version():
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.find("launchable[@type='desktop-id']").text == DESKTOP.name
    assert component.findtext("provides/binary") in PYPROJECT["project"]["gui-scripts"]
    assert component.findtext("name") == desktop_entry()["Name"]
    newest = component.find("releases/release")
    assert newest is not None and newest.get("version") == salesdesk.__version__


@pytest.mark.parametrize(("tool", "args", "path"), [
    ("desktop-file-validate", [], DESKTOP),
    ("appstreamcli", ["validate", "--no-net"], METAINFO),
])
def test_the_freedesktop_validators_accept_the_files(tool, args, path):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian: desktop-file-utils, appstream)")
    ran = subprocess.run([tool, *args, str(path)], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
