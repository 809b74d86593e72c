"""What the import wizard shows before importing: the first rows, the words a column
uses, and the SalesDesk words they can be mapped to (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from salesdesk.db.engine import Reader
from salesdesk.transfer.reading import open_sheet
from salesdesk.transfer.values import as_text

PREVIEW_ROWS = 50
MAX_WORDS = 200  # distinct words of a column offered for mapping


@dataclass(frozen=True)
class Preview:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells as text)
    encoding: str
    delimiter: str


def read_preview(path: str | Path, limit: int = PREVIEW_ROWS, sheet: str | None = None) -> Preview:
    rows = []
    with open_sheet(path, sheet) as opened:
        for number, cells in opened.rows:
            if not any(c not in (None, "") for c in cells):
                continue
            rows.append((number, ["" if c is None else as_text(c) for c in cells]))
            if len(rows) >= limit:
                break
        return Preview(opened.headers, rows, opened.encoding, opened.delimiter)


def distinct_words(path: str | Path, headers: list[str], sheet: str | None = None,
                   limit: int = MAX_WORDS) -> dict[str, list[str]]:
    """The different words each of ``headers`` holds, in order of first appearance."""
    found: dict[str, dict[str, None]] = {h: {} for h in headers}
    with open_sheet(path, sheet) as opened:
        where = {h: opened.headers.index(h) for h in headers if h in opened.headers}
        for _number, cells in opened.rows:
            for header, i in where.items():
                if i < len(cells) and cells[i] not in (None, ""):
                    words = found[header]
                    if len(words) < limit:
                        words.setdefault(as_text(cells[i]).strip(), None)
    return {h: [w for w in words if w] for h, words in found.items()}


def mapping_targets(reader: Reader, field: str) -> list[str]:
    """What a file's word can become for ``field``: stage names (and lost in a stage),
    people (by email when they have one), roles, branches, lost reasons."""
    if field == "stage":
        stages = [r[0] for r in reader.execute(
            "SELECT s.name FROM stages s JOIN pipelines p ON p.id = s.pipeline_id "
            "WHERE p.id = (SELECT id FROM pipelines ORDER BY position, id LIMIT 1) ORDER BY s.position, s.id")]
        won = {r[0] for r in reader.execute("SELECT name FROM stages WHERE is_won")}
        return stages + ["lost"] + [f"lost:{s}" for s in stages if s not in won]
    if field in ("owner", "manager", "person"):
        return [r[0] for r in reader.execute(
            "SELECT coalesce(email, external_id, name) FROM people WHERE active ORDER BY lower(name), id")]
    if field == "role":
        return [r[0] for r in reader.execute("SELECT name FROM roles ORDER BY rank")]
    if field == "branch":
        return [r[0] for r in reader.execute("SELECT name FROM branches ORDER BY lower(name)")]
    if field == "lost_reason":
        return [r[0] for r in reader.execute("SELECT name FROM lost_reasons WHERE active ORDER BY position, id")]
    return []


# Words other tools use for the stages of a deal, and what they most likely mean here.
STAGE_WORDS = {
    "lead": "first", "new": "first", "prospecting": "first", "prospect": "first", "open": "first",
    "won": "won", "closed won": "won", "closed/won": "won", "win": "won", "deal": "won",
    "lost": "lost", "closed lost": "lost", "closed/lost": "lost", "loss": "lost",
}


def guess_target(field: str, word: str, targets: list[str]) -> str:
    """The likely SalesDesk word for a file's word, or "" (keep the word as it is)."""
    lowered = {t.casefold(): t for t in targets}
    if word.casefold() in lowered:
        return lowered[word.casefold()]
    if field == "stage" and targets:
        meaning = STAGE_WORDS.get(word.strip().casefold())
        if meaning == "first":
            return targets[0]
        if meaning == "lost":
            return "lost"
        if meaning == "won":
            return next((t for t in targets if t.casefold() == "deal"), "")
    if field in ("owner", "manager", "person"):
        by_name = [t for t in targets if t.split("@")[0].replace(".", " ").casefold() == word.casefold()]
        return by_name[0] if len(by_name) == 1 else ""
    return ""
