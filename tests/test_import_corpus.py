"""A fixed corpus of nasty files (tests/data/import), each with its expected outcome, and
generated extremes: a huge cell, a million rows streamed in bounded memory.

Every file either imports completely or is refused with row-numbered problems and the
database byte for byte as before.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from salesdesk.transfer.importer import guess_mapping, import_file
from salesdesk.transfer.problems import ImportRefused

from tests.conftest import dump

CORPUS = Path(__file__).parent / "data" / "import"
SERIAL = ("is a number, not a date: write it as YYYY-MM-DD, or say the column holds spreadsheet serial "
          "numbers (in the wizard's Values page, or \"serial_dates\" in the mapping)")

# file -> ("ok", {table: rows}, {sql: expected}) or ("refused", [problems as printed])
EXPECTED: dict[str, tuple] = {
    "accounts_utf16_tab.csv": ("ok", 2, {"SELECT name, city FROM accounts ORDER BY id": [
        ("Südwerk GmbH", "München"), ("Étoile SA", "Lyon")]}),
    "accounts_cp1252_semicolon.csv": ("ok", 2, {"SELECT name, sector, country FROM accounts ORDER BY id": [
        ("Café Crème", "Food", "France"), ("Naïve Ltd", "Retail", "UK")]}),
    "accounts_utf8_bom_crlf.csv": ("ok", 1, {"SELECT name, website, employees FROM accounts": [
        ("BOM Corp", "https://bom.example", 1500)]}),
    "accounts_pipe_blank_lines.csv": ("ok", 2, {"SELECT name, city FROM accounts ORDER BY id": [
        ("Pipe One", "Oslo"), ("Pipe Two", "Bergen")]}),
    "accounts_quoted_newlines.csv": ("ok", 2, {"SELECT name, city FROM accounts ORDER BY id": [
        ('Multi\nLine "Quoted" Inc', "Paris"), ("Second, with comma", "Nice")]}),
    # formulas come in as the text they are; the export neutralises them (test_export)
    "accounts_formulas.csv": ("ok", 2, {"SELECT name, website FROM accounts ORDER BY id": [
        ('=HYPERLINK("http://evil")', "+1-555"), ("@SUM(A1)", "-x")]}),
    "accounts_header_only.csv": ("ok", 0, {"SELECT count(*) FROM accounts": [(0,)]}),
    # a number in a date column is a serial only where the mapping says so (test_import_values)
    "deals_serial_dates.csv": ("refused", [
        f"row 2, column created_at: 45000.5 {SERIAL}", f"row 2, column expected_close: 45000 {SERIAL}"]),
    "deals_dates.xlsx": ("refused", [f"row 3, column Close Date: 45000 {SERIAL}"]),
    "accounts_empty.csv": ("refused", ["row 1: the file is empty: it needs a header row naming the columns"]),
    # random bytes hold valid UTF-8 sequences and bytes that are not: two encodings in one file
    "accounts_binary.csv": ("refused", [
        "row 1, column 1: byte 0xBD is not UTF-8, while the rest of the file is: save the file again as UTF-8"]),
    "accounts_duplicate_headers.csv": ("refused", [
        "row 1, column city: appears twice (columns 2 and 3); rename or unmap one"]),
    "accounts_ragged.csv": ("refused", ["row 3: has 4 cells but the header names 2 columns"]),
    "accounts_too_long.csv": ("refused", ["row 3, column name: is 300 characters long; at most 200 fit"]),
    "accounts_unterminated_quote.csv": ("refused", [
        "row 3: the file cannot be read as CSV (unexpected end of data)"]),
    "deals_nul_byte.csv": ("refused", ["row 2, column title: holds a NUL character: is the file binary, or UTF-16 "
                                       "without its byte-order mark?"]),
    "deals_wrong_types.csv": ("refused", [
        "row 3, column amount: 'ten euros' is not an amount of money",
        "row 3, column expected_close: 'next week' is not a date; write it as YYYY-MM-DD",
        "row 3, column probability: 'fifty' is not a whole number",
        "row 4, column amount: 1e400 is written with an exponent; write the amount out in digits",
        "row 4, column expected_close: '2026-02-30' is not a date",
        "row 4, column probability: 150 is not between 0 and 100"]),
}


def test_the_corpus_is_complete():
    # values_ and reading_ files are checked by tests/test_import_values.py and test_import_reading.py
    assert sorted(p.name for p in CORPUS.iterdir() if not p.name.startswith(("values_", "reading_"))) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_has_its_expected_outcome(org, db_path, name):
    path = CORPUS / name
    kind = name.split("_")[0]
    outcome = EXPECTED[name]
    if outcome[0] == "ok":
        result = import_file(org.db, path, guess_mapping(path, kind), backup=False)
        assert result.created.get(kind, 0) == outcome[1]
        with org.db.read() as reader:
            for sql, rows in outcome[2].items():
                assert reader.execute(sql) == rows
    else:
        before = db_path.read_bytes(), dump(org.db)
        with pytest.raises(ImportRefused) as refused:
            import_file(org.db, path, guess_mapping(path, kind), backup=False)
        assert [str(p) for p in refused.value.problems] == outcome[1]
        assert (db_path.read_bytes(), dump(org.db)) == before


def test_a_cell_bigger_than_any_field_is_refused_with_its_row(org, db_path, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("name,city\nSmall,Lyon\nHuge," + "x" * 2_000_000 + "\nAfter,Nice\n", encoding="utf-8")
    before = db_path.read_bytes()
    with pytest.raises(ImportRefused) as refused:
        import_file(org.db, path, guess_mapping(path, "accounts"), backup=False)
    assert [str(p) for p in refused.value.problems] == ["row 3: a cell is longer than 1,000,000 characters"]
    assert db_path.read_bytes() == before


def _deals_file(path: Path, rows: int, title: str = "Deal") -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("title,owner,stage,amount\n")
        out.writelines(f"{title} {i},ava@example.com,Proposal,{i % 9999}.50\n" for i in range(rows))
    return path


def test_reading_streams_memory_stays_flat(org, tmp_path):
    """A dry run holds no row it has read: its peak is far below what the rows would take."""
    path = _deals_file(tmp_path / "wide.csv", 20_000, title="A deal with a rather long title " * 3)
    mapping = guess_mapping(path, "deals")
    import_file(org.db, path, mapping, dry_run=True)  # warm: compiled statements, caches
    tracemalloc.start()
    try:
        result = import_file(org.db, path, mapping, dry_run=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.created == {"deals": 20_000}
    assert path.stat().st_size > 2_000_000
    assert peak < 3_000_000, f"peak {peak:,} bytes"


# The command in a child process that reports its own peak memory (VmHWM counts the
# process image after exec only; ru_maxrss would include the forked test runner's).
CHILD = """
import sys
from salesdesk.cli import main
code = main(sys.argv[1:])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("peak", peak.split()[1], file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_a_million_rows_stream_through_a_dry_run(db_path, org, tmp_path):
    """The whole pipeline on 1M rows (45 MB): read, parsed and checked in a child process
    whose peak memory stays bounded, and the database is left as it was."""
    org.db.close()
    path = _deals_file(tmp_path / "million.csv", 1_000_000)
    before = db_path.read_bytes()
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", CHILD, "--db", str(db_path), "import", "deals", str(path),
                            "--dry-run"], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("Would import million.csv (1,000,000 rows): new: 1,000,000 deals")
    peak_kb = int(child.stderr.split("peak")[-1])
    assert peak_kb < 150_000, f"{peak_kb:,} kB"  # holding the rows would take well over 1 GB
    assert time.perf_counter() - started < 20
    assert db_path.read_bytes() == before
