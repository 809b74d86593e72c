""""My week" notes: written, replaced, removed, undone exactly, and printed by the report."""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.errors import ValidationError
from salesdesk.reports.weekly import parse_scope, weekly_report
from salesdesk.services import notes
from tests.conftest import dump

WEEK = Period.containing(PeriodKind.WEEK, dt.date(2026, 11, 18))


def write(org, who, text, week=WEEK):
    with org.db.transaction() as s:
        return notes.write_note(s, org.people[who], week.start, text)


def note_texts(org):
    with org.db.read() as reader:
        report = weekly_report(reader, WEEK, parse_scope(reader, "company"))
    return {n.person: n.text for n in report.notes}


def test_a_note_is_written_replaced_and_printed_in_the_report(org):
    write(org, "sp1", "  Closed Quarry Advisory; demo at Lyon next week.  ")
    assert note_texts(org) == {"Ava Stone": "Closed Quarry Advisory; demo at Lyon next week."}
    write(org, "sp1", "Closed Quarry Advisory.")
    assert note_texts(org) == {"Ava Stone": "Closed Quarry Advisory."}
    with org.db.read() as reader:
        assert notes.read_note(reader, org.people["sp1"], WEEK.start) == "Closed Quarry Advisory."
        assert notes.read_note(reader, org.people["sp1"], WEEK.previous().start) == ""


@pytest.mark.parametrize("first, second", [(None, "new"), ("old", "new"), ("old", "")])
def test_undo_puts_the_note_back_exactly(org, first, second):
    if first is not None:
        write(org, "sp2", first)
    before = dump(org.db)
    previous = write(org, "sp2", second)
    assert dump(org.db) != before
    with org.db.transaction() as s:
        notes.restore_note(s, previous)
    assert dump(org.db) == before


def test_blank_text_removes_the_note_and_bad_input_is_refused_untouched(org):
    write(org, "sp3", "Quiet week.")
    write(org, "sp3", "   ")
    assert note_texts(org) == {}
    before = dump(org.db)
    with pytest.raises(ValidationError, match="not a Monday"):
        with org.db.transaction() as s:
            notes.write_note(s, org.people["sp3"], dt.date(2026, 11, 18), "Wednesday?")
    with pytest.raises(ValidationError, match="keep it under"):
        write(org, "sp3", "x" * (notes.MAX_LENGTH + 1))
    assert dump(org.db) == before
