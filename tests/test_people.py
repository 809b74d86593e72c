"""The sales hierarchy rules: senior managers, no cycles, one top."""

from __future__ import annotations

import pytest

from salesdesk.db.models import Person
from salesdesk.errors import RuleError, ValidationError
from salesdesk.services import people
from tests.conftest import dump


def manager_of(db, person_id):
    with db.session() as s:
        return s.get(Person, person_id).manager_id


def test_a_person_takes_their_managers_branch_by_default(org):
    with org.db.transaction() as s:
        new = people.add_person(s, name="Eve Hart", role_id=org.roles["Salesperson"], manager_id=org.people["tl_n"])
    with org.db.session() as s:
        assert s.get(Person, new).branch_id == org.branches["North"]


def test_skipping_levels_is_allowed(org):
    with org.db.transaction() as s:
        people.move_person(s, org.people["sp1"], org.people["vp"])
    assert manager_of(org.db, org.people["sp1"]) == org.people["vp"]


def test_a_manager_must_be_more_senior(org):
    before = dump(org.db)
    with pytest.raises(RuleError, match="Ben Cole .Salesperson. cannot manage Ava Stone"):
        with org.db.transaction() as s:
            people.move_person(s, org.people["sp1"], org.people["sp2"])
    with pytest.raises(RuleError, match="more senior role"):
        with org.db.transaction() as s:
            people.add_person(s, name="Odd", role_id=org.roles["Branch Manager"], manager_id=org.people["tl_n"])
    assert dump(org.db) == before


def test_no_cycles(org):
    with pytest.raises(RuleError):
        with org.db.transaction() as s:
            people.move_person(s, org.people["dir"], org.people["tl_n"])
    with pytest.raises(RuleError, match="their own manager"):
        with org.db.transaction() as s:
            people.move_person(s, org.people["tl_n"], org.people["tl_n"])


def test_cycle_rule_names_the_people():
    """Seniority alone rules out cycles; the cycle check guards data with odd ranks."""
    from salesdesk.domain.hierarchy import check_no_cycle

    managers = {1: None, 2: 1, 3: 2, 4: 3}
    names = {1: "Vera", 2: "Tia", 3: "Ava", 4: "Ben"}
    with pytest.raises(RuleError, match="Ben reports to Tia, so cannot become their manager"):
        check_no_cycle(2, 4, managers, names)
    check_no_cycle(4, 2, managers, names)  # moving down-up the same branch is fine


def test_promotion_above_ones_manager_is_refused(org):
    with pytest.raises(RuleError, match="Tia Lund .Team Leader. cannot manage Ava Stone"):
        with org.db.transaction() as s:
            people.edit_person(s, org.people["sp1"], role_id=org.roles["Sales Manager"])


def test_one_top(org):
    with pytest.raises(RuleError, match="Vera Price is already the top"):
        with org.db.transaction() as s:
            people.add_person(s, name="Second Boss", role_id=org.roles["VP Sales"], manager_id=None)
    with pytest.raises(RuleError, match="top of the organisation"):
        with org.db.transaction() as s:
            people.move_person(s, org.people["vp"], org.people["dir"])


def test_role_change_must_keep_reports_junior(org):
    with pytest.raises(RuleError, match="Tia Lund cannot become Salesperson: Ava Stone"):
        with org.db.transaction() as s:
            people.edit_person(s, org.people["tl_n"], role_id=org.roles["Salesperson"])


def test_deactivating_moves_reports_up_and_undo_puts_them_back(org):
    before = dump(org.db)
    with org.db.transaction() as s:
        record = people.deactivate_person(s, org.people["tl_n"])
    assert manager_of(org.db, org.people["sp1"]) == org.people["bm_n"]
    assert set(record.moved_reports) == {org.people["sp1"], org.people["sp2"]}
    with org.db.transaction() as s:
        people.reactivate_person(s, org.people["tl_n"], record)
    assert dump(org.db) == before  # the people's updated_at included


def test_the_top_cannot_be_let_go_while_people_report_to_them(org):
    with pytest.raises(RuleError, match="make someone else the top"):
        with org.db.transaction() as s:
            people.deactivate_person(s, org.people["vp"])


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-email", "not an email address"),
    ("email", "AVA@example.com", "already used by Ava Stone"),
    ("name", " ", "needs a name"),
    ("phone", "call me maybe", "not a phone number"),
])
def test_bad_person_fields_are_named(org, field, value, message):
    with pytest.raises(ValidationError, match=message) as caught:
        with org.db.transaction() as s:
            people.edit_person(s, org.people["sp2"], **{field: value})
    assert caught.value.field == field


def test_an_inactive_person_cannot_manage(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])
        with pytest.raises(RuleError, match="no longer active"):
            people.add_person(s, name="New", role_id=org.roles["Salesperson"], manager_id=org.people["sp3"])
