#!/usr/bin/env bash
# Check the Debian packages Qt needs (and Xvfb for the tests).  Missing ones are
# installed when we are root; otherwise print the exact command and stop.
#   usage: system-deps.sh run|test
set -u
purpose=${1:-run}
# Qt itself, even offscreen; fonts so text renders (and Qt does not warn).
packages=(libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
# The xcb platform: a real window on X11, or on Xvfb for the GUI tests.
packages+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
           libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1)
if [ "$purpose" = test ]; then
    # xdotool drives real drags in the GUI tests; pdftotext reads exported PDFs back.
    packages+=(xvfb xauth xdotool poppler-utils)
fi
# Wanted, not needed: the tests that use them skip, saying why, where they are missing.
# LibreOffice (headless) checks that no exported cell runs as a formula.
optional=()
if [ "$purpose" = test ]; then
    optional+=(libreoffice-calc-nogui)
fi
# Debian's own Python needs python3-venv for "python3 -m venv".
if ! python3 -c 'import ensurepip' >/dev/null 2>&1 && [ -x /usr/bin/python3 ] \
        && ! /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "make: not a Debian system; make sure Qt's libraries (${packages[*]}) are installed." >&2
    exit 0
fi
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
wanted=()
for package in "${optional[@]}"; do
    installed "$package" || wanted+=("$package")
done
if [ ${#wanted[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "make: installing optional system packages (a few minutes): ${wanted[*]}"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null; } \
            || echo "make: could not install ${wanted[*]}; the tests that need them will be skipped" >&2
    else
        echo "make: optional, for more tests: sudo apt-get install ${wanted[*]}" >&2
    fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "make: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { echo "make: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
    exit 0
fi
echo "make: SalesDesk needs these system packages, which are missing:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
echo "make: run that line, then make $purpose again." >&2
exit 1
