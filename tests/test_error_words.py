"""What a failure says to the user: the database's own words, never SQLAlchemy's wrapper
with the SQL statement and its parameters (seen in a "Not saved" dialog after a redo)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from salesdesk.errors import cause, describe_error


def test_a_database_failure_is_named_by_the_drivers_error_without_the_sql(db):
    with pytest.raises(IntegrityError) as caught, db.transaction() as s:
        s.execute(text("INSERT INTO stages (id, pipeline_id, name, position, probability) "
                       "SELECT id, pipeline_id, name, position, probability FROM stages LIMIT 1"))
    said = cause(caught.value)
    assert said.startswith("IntegrityError: UNIQUE constraint failed")
    assert "INSERT" not in said and "SELECT" not in said
    report = describe_error(type(caught.value), caught.value, None)
    assert "INSERT" not in report.message and "UNIQUE constraint failed" in report.message


def test_other_failures_keep_their_type_and_message():
    assert cause(KeyError("deal 7")) == "KeyError: 'deal 7'"
    assert cause(RuntimeError()) == "RuntimeError"
