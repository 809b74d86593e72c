"""A mapping: which column of a file fills which field, and what its words mean.

Saved as JSON so the next file from the same tool imports without asking again::

    {"kind": "deals",
     "columns": {"Opportunity": "title", "Sales Agent": "owner", "Deal Stage": "stage"},
     "values": {"stage": {"Prospecting": "Contact", "Won": "Deal", "Lost": "lost"}},
     "duplicates": "skip",
     "date_order": "DMY"}

Columns not named are ignored.  A stage value may map to a stage name, to ``lost``
(lost in the first stage) or to ``lost:STAGE`` (lost in that stage).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from salesdesk.errors import ValidationError
from salesdesk.safety.files import open_file
from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.transfer.kinds import Kind, guess_columns, kind

DUPLICATE_POLICIES = ("skip", "update", "create")


@dataclass
class Mapping:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # header -> field name
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {file word: SalesDesk word}
    duplicates: str = "skip"
    date_order: str = ""  # "", "DMY" or "MDY": how to read 03/04/2026

    def __post_init__(self) -> None:
        kind_ = kind(self.kind)
        self.kind = kind_.name
        unknown = sorted(set(self.columns.values()) - set(kind_.field_names))
        if unknown:
            raise ValidationError("mapping", f"{', '.join(unknown)}: not a field of {kind_.label.lower()} "
                                  f"(fields: {', '.join(kind_.field_names)})")
        if self.duplicates not in DUPLICATE_POLICIES:
            raise ValidationError("duplicates", f"{self.duplicates!r}: choose skip, update or create")
        if self.date_order not in ("", "DMY", "MDY"):
            raise ValidationError("date_order", f"{self.date_order!r}: choose DMY or MDY")

    @property
    def spec(self) -> Kind:
        return kind(self.kind)

    @classmethod
    def guess(cls, kind_name: str, headers: list[str]) -> Mapping:
        return cls(kind_name, guess_columns(kind(kind_name), headers))

    def value(self, field_name: str, word: str) -> str:
        """The SalesDesk word for a file's word (as it is when not mapped); case-insensitive."""
        table = self.values.get(field_name)
        if not table:
            return word
        if word in table:
            return table[word]
        lowered = {k.strip().lower(): v for k, v in table.items()}
        return lowered.get(word.strip().lower(), word)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "columns": self.columns, "values": self.values, "duplicates": self.duplicates}
        if self.date_order:
            out["date_order"] = self.date_order
        return out

    def save(self, path: str | Path, *, database: Path | None = None, replace: bool = False) -> Path:
        """Write the mapping to ``path`` (aside, then renamed): never over ``database``, its
        backups or a read-only file, and over an existing file only with ``replace``."""
        target = check_output_path(path, database, replace=replace)
        with written_aside(target) as temp, open_file(temp, "w", encoding="utf-8") as out:
            out.write(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        return target

    @classmethod
    def load(cls, path: str | Path, kind_name: str | None = None) -> Mapping:
        """The mapping saved in ``path``; ``ValidationError`` in one sentence for a file
        that is not one (binary, too large, too deeply nested, naming what SalesDesk
        does not import)."""
        data = _read_json(path)
        if not isinstance(data, dict):
            raise ValidationError("mapping", f"{path}: is not a mapping file")
        name = kind_name or data.get("kind")
        if not name:
            raise ValidationError("mapping", f"{path}: says nothing about what it imports (\"kind\")")
        saved = data.get("kind")
        if saved is not None and not isinstance(saved, str):
            raise ValidationError("mapping", f"{path}: is not a mapping file: its \"kind\" is not a word")
        try:
            wanted = kind(name)
            if saved and kind(saved).name != wanted.name:
                raise ValidationError("mapping", f"{path}: is a mapping for {saved}, not {kind_name}")
        except ValueError as exc:  # a kind SalesDesk does not import
            raise ValidationError("mapping", f"{path}: is not a mapping file SalesDesk can use: {exc}") from None
        columns = data.get("columns") or {}
        values = data.get("values") or {}
        if not isinstance(columns, dict) or not isinstance(values, dict):
            raise ValidationError("mapping", f"{path}: \"columns\" and \"values\" must be objects")
        return cls(wanted.name, {str(k): str(v) for k, v in columns.items()},
                   {str(k): {str(a): str(b) for a, b in v.items()} for k, v in values.items() if isinstance(v, dict)},
                   str(data.get("duplicates", "skip")), str(data.get("date_order", "")))


# A mapping names a few dozen columns and words; a file much larger is something else.
MAX_MAPPING_BYTES = 16 * 1024 * 1024


def _read_json(path: str | Path):
    def refuse(why: str) -> ValidationError:
        return ValidationError("mapping", f"{path}: is not a mapping file: {why}")

    try:
        with open_file(path, "rb") as handle:
            raw = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise ValidationError("mapping", f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_MAPPING_BYTES:
        raise refuse(f"it is larger than {MAX_MAPPING_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("it is not text") from None
    if "\x00" in text:
        raise refuse("it is not text")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError("mapping", f"{path}: is not a mapping file (JSON: {exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise refuse("its JSON is nested too deeply") from None
