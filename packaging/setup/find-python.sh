#!/usr/bin/env bash
# Print the first Python >= 3.11 that can create a virtual environment.
# Newer first: PySide6 6.12 needs 3.12+ (on 3.11 we pin 6.11, see pyproject.toml).
set -u
for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3 /usr/bin/python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        command -v "$candidate"
        exit 0
    fi
done
echo "make: no Python 3.11 or newer with venv support found." >&2
if command -v apt-get >/dev/null 2>&1; then
    echo "make: install one with:  sudo apt-get install python3 python3-venv" >&2
fi
exit 1
