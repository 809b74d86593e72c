"""The PDFs lay themselves out with their own font (issue 13, section 1).

Each document is written twice, each time by a child process under a fontconfig of its
own: one offering only DejaVu (what a fresh Debian machine has), one offering only the
Liberation / Nimbus fonts the system may have (none at all where it has none).  The two
must read alike page for page; neither may cut a text short ("…"), part an amount from
its currency, or embed any font but the bundled Liberation Sans."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from salesdesk.db.migrate import open_database
from salesdesk.db.models import Deal, Person, Stage
from salesdesk.services import deals
from salesdesk.services.demo import load_demo
from salesdesk.services.people import add_person
from tests.pdf_checks import check_document, page_texts, same_document

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 18)  # the report is of week 2026-W46, Mon 9 - Sun 15 Nov
WON_ON, LOST_ON = dt.date(2026, 11, 12), dt.date(2026, 11, 13)
LONG_NAME = "Maximiliane Alexandra Konstantinopoulou-Featherstonehaugh"
LONG_EMAIL = "maximiliane.konstantinopoulou@example.com"
LONG_REASON = ("The customer's procurement board postponed every investment above the threshold until the "
               "merger with their Scandinavian parent closes, and asked us to resubmit the proposal next year "
               "through Donaudampfschifffahrtsgesellschaftskapitänsvertretungsausschuss channels")
BIG = Decimal("987654321.99")
SYSTEM_FONTS = Path("/usr/share/fonts")


def fontconfig(folder: Path, fonts: list[Path]) -> Path:
    """A fontconfig offering exactly ``fonts`` (linked into a folder of their own)."""
    offered = folder / "fonts"
    offered.mkdir(parents=True)
    for font in fonts:
        (offered / font.name).symlink_to(font)
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><dir>{offered}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n")
    return conf


def system_fonts(*prefixes: str) -> list[Path]:
    if not SYSTEM_FONTS.is_dir():
        return []
    return sorted(p for p in SYSTEM_FONTS.rglob("*") if p.is_file() and p.name.startswith(prefixes)
                  and p.suffix.lower() in (".ttf", ".otf", ".pfb", ".t1"))


def flattened(text: str) -> str:
    """The text as one line: words parted by one space, a word broken after its hyphen whole."""
    return " ".join(text.split()).replace("- ", "-")


def add_long_deals(db) -> None:
    """A seller with a long name, in London, who won a very big deal with a long title and
    lost one for a long reason (with a word longer than any column) in the report's week."""
    with db.transaction() as s:
        seller = s.scalars(select(Person).where(Person.manager_id.is_not(None)).order_by(Person.id.desc())).first()
        manager = s.get(Person, seller.manager_id)
        london = s.scalars(select(Person).join(Person.branch).where(Person.manager_id.is_not(None))
                           .where(Person.branch.has(name="London"))).first()
        manager = s.get(Person, london.manager_id) if london else manager
        person = add_person(s, name=LONG_NAME, role_id=seller.role_id, manager_id=manager.id, email=LONG_EMAIL)
        won_stage = s.scalars(select(Stage).where(Stage.is_won).order_by(Stage.id)).first()
        open_stage = s.scalars(select(Stage).where(Stage.pipeline_id == won_stage.pipeline_id, ~Stage.is_won)
                               .order_by(Stage.position)).first()
        won = deals.create_deal(s, title="Enterprise-wide warehouse automation, robotics and five-year "
                                         "service agreement for all Northern European distribution centres",
                                owner_id=person, stage_id=won_stage.id, amount=BIG)
        lost = deals.create_deal(s, title="Multi-site scanner refresh with extended warranty and on-site training",
                                 owner_id=person, stage_id=open_stage.id, amount=BIG - 1)
        deals.mark_lost(s, lost, None, LONG_REASON)
        s.flush()
        s.get(Deal, won).won_on = WON_ON  # the services date them today; the report's week is fixed
        s.get(Deal, lost).lost_on = LOST_ON


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, list[str]]:
    """The demo with the long deals; and the scopes: company, London, a team, a person."""
    path = tmp_path_factory.mktemp("pdf-fonts") / "demo.sqlite3"
    db = open_database(path)
    try:
        load_demo(db, seed=11, deals=600, today=TODAY)
        add_long_deals(db)
        with db.read() as reader:
            manager = reader.execute("SELECT m.email FROM people p JOIN people m ON m.id = p.manager_id "
                                     "WHERE p.email = ?", (LONG_EMAIL,))[0][0]
    finally:
        db.engine.dispose()
    return path, ["company", "branch:London", f"person:{manager}", f"person:{LONG_EMAIL}"]


def written(database: Path, scopes: list[str], conf: Path, out: Path) -> list[Path]:
    out.mkdir()
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("DISPLAY", None)
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "children" / "pdf_child.py"), str(database), str(out),
                           TODAY.isoformat(), *scopes], capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    return [Path(line) for line in done.stdout.split()]


@pytest.fixture(scope="module")
def documents(company, tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """Every document under DejaVu only, and again under Liberation/Nimbus only (or no fonts)."""
    database, scopes = company
    folder = tmp_path_factory.mktemp("fontconfigs")
    dejavu = fontconfig(folder / "dejavu", system_fonts("DejaVu"))
    others = fontconfig(folder / "liberation", system_fonts("Liberation", "Nimbus"))
    return (written(database, scopes, dejavu, folder / "under-dejavu"),
            written(database, scopes, others, folder / "under-liberation"))


def test_every_report_reads_alike_whatever_fonts_the_machine_has(documents):
    under_dejavu, under_others = documents
    assert len(under_dejavu) == 5  # four reports and the org chart
    for one, other in zip(under_dejavu, under_others):
        same_document(one, other)  # same pages, same text, bundled fonts only, nothing cut


def test_long_names_reasons_and_big_amounts_are_printed_whole(documents):
    for report in documents[0][:4]:
        text = "\n".join(check_document(report))
        flat = flattened(text)
        assert "987,654,321.99 EUR" in text  # on one line with its currency
        before, _, after = LONG_REASON.partition(" through ")
        assert before in flat  # every word of the reason, in order
        assert "".join(after.split()) in "".join(flat.split())  # the word wider than its column, broken but whole
        assert LONG_NAME in flat


def test_dates_and_percentages_are_never_wrapped(documents):
    for report in documents[0][:4]:
        lines = [line for page in page_texts(report) for line in page.splitlines()]
        assert any("2026-11-12" in line for line in lines) and any("2026-11-13" in line for line in lines)
        assert not [line for line in lines if line.rstrip().endswith("2026-11-")], "a date wrapped"


def test_the_org_chart_pdf_names_everyone_whole(documents, company):
    chart = documents[0][4]
    text = flattened(" ".join(check_document(chart)))
    assert LONG_NAME in text
    assert "Branch Manager" in text


def test_a_short_table_is_never_split_across_pages(documents):
    """The headline figures (eight rows) sit on one page with their heading."""
    for report in documents[0][:4]:
        pages = page_texts(report)
        holding = [n for n, page in enumerate(pages) if "Deals won" in page or "Activities done" in page]
        first = next(n for n, page in enumerate(pages) if "Headline figures" in page)
        assert "Deals won" in pages[first] and "Activities done" in pages[first], holding
