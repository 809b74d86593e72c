""""My week": the short note each person writes about their week, shown in the weekly report.

One note per person and ISO week (its Monday).  ``write_note`` saves (or, with empty
text, removes) it and returns what was there before, which ``restore_note`` puts back
exactly: the undo step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from salesdesk.db.engine import Reader
from salesdesk.db.models import Person, WeeklyNote
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.errors import NotFoundError, ValidationError
from salesdesk.services import audit

MAX_LENGTH = 4000  # about a page of the report: a note, not an essay


@dataclass(frozen=True)
class NoteBefore:
    """A note as it was before a write: ``id`` None when there was none."""

    person_id: int
    week_start: dt.date
    id: int | None
    text: str = ""
    updated_at: dt.datetime | None = None


def _monday(week_start: dt.date) -> dt.date:
    monday = Period.containing(PeriodKind.WEEK, week_start).start
    if monday != week_start:
        raise ValidationError("week", f"{week_start.isoformat()} is not a Monday: a note belongs to an ISO week")
    return monday


def read_note(reader: Reader, person_id: int, week_start: dt.date) -> str:
    return reader.scalar("SELECT text FROM weekly_notes WHERE person_id = :p AND week_start = :w",
                         {"p": person_id, "w": week_start.isoformat()}) or ""


def write_note(session: Session, person_id: int, week_start: dt.date, text: str) -> NoteBefore:
    """Save a person's note for the week starting ``week_start``; blank text removes it."""
    monday = _monday(week_start)
    if session.get(Person, person_id) is None:
        raise NotFoundError(f"Person #{person_id} no longer exists")
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise ValidationError("text", f"The note is {len(text):,} characters long; keep it under {MAX_LENGTH:,}")
    note = session.scalars(select(WeeklyNote).where(WeeklyNote.person_id == person_id,
                                                    WeeklyNote.week_start == monday)).first()
    before = NoteBefore(person_id, monday, None) if note is None else \
        NoteBefore(person_id, monday, note.id, note.text, note.updated_at)
    if note is None and text:
        session.add(WeeklyNote(person_id=person_id, week_start=monday, text=text))
    elif note is not None and text:
        note.text = text
    elif note is not None:
        session.delete(note)
    session.flush()
    audit.record(session, "note", "person", person_id, week=monday, length=len(text))
    return before


def restore_note(session: Session, before: NoteBefore) -> None:
    """Undo ``write_note``: the note as it was (same row id and time), or none."""
    note = session.scalars(select(WeeklyNote).where(WeeklyNote.person_id == before.person_id,
                                                    WeeklyNote.week_start == before.week_start)).first()
    if before.id is None:
        if note is not None:
            session.delete(note)
    else:
        if note is None:
            note = WeeklyNote(id=before.id, person_id=before.person_id, week_start=before.week_start)
            session.add(note)
        assert before.updated_at is not None  # a note that was there had its time
        note.text, note.updated_at = before.text, before.updated_at
        flag_modified(note, "updated_at")  # the old time, not "now"
    session.flush()
    audit.record(session, "undo", "person", before.person_id, note_week=before.week_start)
