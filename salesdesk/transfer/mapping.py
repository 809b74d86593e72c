"""A mapping: which column of a file fills which field, and what its words mean.

Saved as JSON so the next file from the same tool imports without asking again::

    {"kind": "deals",
     "columns": {"Opportunity": "title", "Sales Agent": "owner", "Deal Stage": "stage"},
     "values": {"stage": {"Prospecting": "Contact", "Won": "Deal", "Lost": "lost"}},
     "duplicates": "skip",
     "date_order": "DMY",
     "serial_dates": ["expected_close"],
     "decimal_separator": ",",
     "round_cents": true}

Columns not named are ignored.  A stage value may map to a stage name, to ``lost``
(lost in the first stage) or to ``lost:STAGE`` (lost in that stage).

How cells are read, for the files that need it (see ``values``): ``serial_dates`` names
the date fields whose numbers are spreadsheet serial numbers (a number is no date
otherwise); ``decimal_separator`` is the mark that separates the cents, for amounts such as
``1,234`` that could be read either way; ``round_cents`` rounds amounts with more than
two decimals to the cent (half up) instead of refusing them.  Each is left out of the
saved file when not chosen.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from salesdesk.errors import ValidationError
from salesdesk.safety.files import open_file
from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.transfer.kinds import Kind, guess_columns, kind
from salesdesk.transfer.values import Amounts

DUPLICATE_POLICIES = ("skip", "update", "create")


@dataclass
class Mapping:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # header -> field name
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {file word: SalesDesk word}
    duplicates: str = "skip"
    date_order: str = ""  # "", "DMY" or "MDY": how to read 03/04/2026
    serial_dates: list[str] = field(default_factory=list)  # date fields whose numbers are serial numbers
    decimal_separator: str = ""  # "", "," or ".": the decimal mark of amounts
    round_cents: bool = False  # amounts with more than two decimals rounded to the cent (half up)

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
        if not isinstance(self.serial_dates, list) or not all(isinstance(n, str) for n in self.serial_dates):
            raise ValidationError("serial_dates", "\"serial_dates\" is a list of date fields, such as "
                                                  "[\"expected_close\"]")
        dates = kind_.date_fields
        for name in self.serial_dates:
            if name not in dates:
                raise ValidationError("serial_dates", f"{name}: not a date field of {kind_.label.lower()} "
                                                      f"(date fields: {', '.join(dates) or 'none'})")
        if self.decimal_separator not in ("", ",", "."):
            raise ValidationError("decimal_separator",
                                  "\"decimal_separator\" is \",\" or \".\": the mark before the cents")
        if not isinstance(self.round_cents, bool):
            raise ValidationError("round_cents", "\"round_cents\" is true or false")

    @property
    def spec(self) -> Kind:
        return kind(self.kind)

    @classmethod
    def guess(cls, kind_name: str, headers: list[str]) -> Mapping:
        return cls(kind_name, guess_columns(kind(kind_name), headers))

    def amounts(self) -> Amounts:
        """The reader of this mapping's money cells (its decimal mark, its rounding)."""
        return Amounts(self.decimal_separator, self.round_cents)

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
        out: dict[str, object] = {"kind": self.kind, "columns": self.columns, "values": self.values,
                                  "duplicates": self.duplicates}
        if self.date_order:
            out["date_order"] = self.date_order
        if self.serial_dates:
            out["serial_dates"] = list(self.serial_dates)
        if self.decimal_separator:
            out["decimal_separator"] = self.decimal_separator
        if self.round_cents:
            out["round_cents"] = True
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
        unknown = sorted(set(data) - KEYS)
        if unknown:  # a misspelt choice ("round_cent") would otherwise be silently not made
            guesses = {key: difflib.get_close_matches(key, KEYS, n=1) for key in unknown}
            key = next((k for k in unknown if guesses[k]), unknown[0])  # a misspelling first
            hint = f" (did you mean \"{guesses[key][0]}\"?)" if guesses[key] else ""
            raise ValidationError("mapping", f"{path}: has \"{key}\", which a mapping does not know{hint}; "
                                             f"it knows {', '.join(sorted(KEYS))}")
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
        if not all(isinstance(v, str) for v in columns.values()):
            raise ValidationError("mapping", f"{path}: \"columns\" maps each column to a field name")
        if not all(isinstance(v, dict) and all(isinstance(w, str) for w in v.values()) for v in values.values()):
            raise ValidationError("mapping", f"{path}: \"values\" maps each word of the file to a SalesDesk word")
        try:
            return cls(wanted.name, dict(columns), {k: dict(v) for k, v in values.items()},
                       str(data.get("duplicates", "skip")), str(data.get("date_order", "")),
                       data.get("serial_dates", []), data.get("decimal_separator", ""), data.get("round_cents", False))
        except ValidationError as exc:  # the file named: a mapping is refused before anything is read
            raise ValidationError(exc.field, f"{path}: {exc}") from None


# What a mapping file says (what ``to_json`` writes).
KEYS = frozenset({"kind", "columns", "values", "duplicates", "date_order", "serial_dates", "decimal_separator",
                  "round_cents"})


def _no_twice(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object, refused when it names a key twice (JSON would keep the last, unseen)."""
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise _Twice(key)
        seen[key] = value
    return seen


class _Twice(ValueError):
    pass


# A mapping names a few dozen columns and words; a file much larger is something else.
MAX_MAPPING_BYTES = 1024 * 1024


def _read_json(path: str | Path):
    def refuse(why: str) -> ValidationError:
        return ValidationError("mapping", f"{path}: is not a mapping file: {why}")

    try:
        with open_file(path, "rb") as handle:
            raw = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise ValidationError("mapping", f"{path}: cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:  # a database, a picture, UTF-16: said so even when it is large too
        raise refuse("it is not text")
    if len(raw) > MAX_MAPPING_BYTES:
        raise refuse(f"it is larger than {MAX_MAPPING_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("it is not text") from None
    try:
        return json.loads(text, object_pairs_hook=_no_twice)
    except _Twice as twice:
        raise refuse(f"it names \"{twice}\" twice in one place") from None
    except json.JSONDecodeError as exc:
        raise ValidationError("mapping", f"{path}: is not a mapping file (JSON: {exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise refuse("its JSON is nested too deeply") from None
    except ValueError:  # Python's limit of 4,300 digits for an integer
        raise refuse("a number in it is too long") from None
