"""The layers stay apart (issue 14): screens run no SQL of their own (they call services),
and the database layer never reaches up into the services."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "salesdesk"
SQL = re.compile(r"""["'](?:SELECT|INSERT|UPDATE|DELETE|WITH RECURSIVE)\s""")


def sources(folder: str):
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        yield path.relative_to(PACKAGE.parent), path.read_text(encoding="utf-8")


def test_no_screen_runs_sql():
    found = [f"{name}: {line.strip()}" for name, text in sources("ui") for line in text.splitlines()
             if SQL.search(line) or line.lstrip().startswith("from sqlalchemy")]
    assert found == []


def test_the_database_layer_does_not_import_the_services():
    found = [str(name) for name, text in sources("db") if re.search(r"^\s*(from|import) salesdesk\.services", text, re.M)]
    assert found == []
