"""One check shared by the demo's and the CRM data set's reports: a headline states the
target its own table adds up to (London's once counted its top twice)."""

from __future__ import annotations

from decimal import Decimal

from salesdesk.reports.weekly import PERSON, Scope, parse_scope, weekly_report


def every_scope(reader) -> list[Scope]:
    """The company, every branch and every person who manages someone."""
    scopes = [parse_scope(reader, "company")]
    scopes += [parse_scope(reader, f"branch:{name.lower()}") for (name,) in reader.execute("SELECT name FROM branches")]
    scopes += [Scope(PERSON, pid, "") for (pid,) in reader.execute(
        "SELECT DISTINCT manager_id FROM people WHERE manager_id IS NOT NULL")]
    return scopes


def headline_targets_agree(reader, week, *, today=None) -> int:
    """Assert each scope's headline target is the sum of the top rows of its table (rows
    no other listed row is above); return how many scopes had a target to check."""
    manager_of = dict(reader.execute("SELECT id, manager_id FROM people"))
    checked = 0
    for scope in every_scope(reader):
        report = weekly_report(reader, week, scope, today=today)
        listed = {a.person_id for a in report.attainment}

        def under_a_listed_row(person_id):
            manager = manager_of.get(person_id)
            while manager is not None and manager not in listed:  # noqa: B023 (called at once, in this loop)
                manager = manager_of.get(manager)
            return manager is not None

        tops = [a.target for a in report.attainment if not under_a_listed_row(a.person_id) and a.target is not None]
        assert report.scope_target == (sum(tops, Decimal(0)) if tops else None), scope
        checked += bool(tops)
    return checked
