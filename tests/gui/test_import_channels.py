"""The corpus through both doors: every file the import refuses, the wizard and the
command line refuse in the same words (one line per problem on the command line), and
the database stays as it was.  Users meet the wizard first; it must not be the weaker door.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard

from salesdesk.ui.transfer.wizard import ImportWizard

from tests.conftest import dump
from tests.test_import_corpus import CORPUS
from tests.test_import_corpus import EXPECTED as BASIC
from tests.test_import_reading import EXPECTED as READING
from tests.test_import_values import EXPECTED as VALUES
from tests.test_import_values import company, mapping_of  # noqa: F401, F811 (company: a fixture)


def kind_of(name: str) -> str:
    parts = name.split("_")
    return parts[1] if parts[0] in ("values", "reading") else parts[0]


REFUSED = sorted(name for table in (BASIC, READING, VALUES) for name, outcome in table.items()
                 if outcome[0] == "refused")


def wizard_problems(wizard: ImportWizard) -> list[str]:
    """What the wizard shows as refused: the first page's message when the file cannot be
    opened at all, else the check page's list after the dry run."""
    wizard.next()
    if wizard.currentPage() is wizard.source_page:
        return [wizard.source_page.message.text()]
    while wizard.currentPage() is not wizard.check_page:
        wizard.next()
    check = wizard.check_page
    return [check.problem_list.item(i).text() for i in range(check.problem_list.count())]


@pytest.mark.parametrize("name", REFUSED)
def test_the_wizard_refuses_each_file_the_import_refuses_in_the_same_words(company, db_path, ui_settings,  # noqa: F811 (company: the fixture)
                                                                           qtbot, name):
    path = CORPUS / name
    expected = {**BASIC, **READING, **VALUES}[name][1]
    before = db_path.read_bytes(), dump(company.db, skip=())
    wizard = ImportWizard(company.db, ui_settings, path=path, kind=kind_of(name))
    qtbot.addWidget(wizard)
    saved = mapping_of(path)
    if saved:
        wizard.source_page.saved.setText(str(saved))
    wizard.show()
    shown = wizard_problems(wizard)
    if wizard.currentPage() is wizard.source_page:
        assert shown == expected[:1]  # a file that cannot be read: the reason it cannot
    else:
        assert shown == expected
        assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert (db_path.read_bytes(), dump(company.db, skip=())) == before


@pytest.mark.parametrize("name", REFUSED)
def test_the_command_line_refuses_each_file_in_the_same_words_one_line_each(company, db_path, capsys, name):  # noqa: F811 (company: the fixture)
    from salesdesk.cli import main

    company.db.close()
    path = CORPUS / name
    saved = mapping_of(path)
    expected = {**BASIC, **READING, **VALUES}[name][1]
    before = db_path.read_bytes()
    code = main(["--db", str(db_path), "import", kind_of(name), str(path), *(("--mapping", str(saved)) if saved else ())])
    out, err = capsys.readouterr()
    count = len(expected)
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"salesdesk: error: {p}" for p in expected] + [
        f"salesdesk: error: nothing was imported from {name}: {count} problem{'s' if count > 1 else ''}"]
    assert db_path.read_bytes() == before
