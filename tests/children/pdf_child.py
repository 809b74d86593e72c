"""Writes SalesDesk's PDFs in a process of its own, so that its fonts come from the
``FONTCONFIG_FILE`` the parent chose (tests/test_pdf_fonts.py): fontconfig is read once
per process.

``python tests/children/pdf_child.py DB OUT_DIR YYYY-MM-DD SCOPE...`` writes the weekly
report of the week before the date for each scope (``company``, ``branch:NAME``,
``person:EMAIL``) to ``OUT_DIR/report-N.pdf`` and the whole org chart to
``OUT_DIR/orgchart.pdf``, then prints the files' names.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from salesdesk.db.migrate import open_database
from salesdesk.domain.periods import last_full_week
from salesdesk.reports.weekly import parse_scope, weekly_report
from salesdesk.reports.weekly_pdf import ensure_app, write_weekly_pdf

GENERATED = dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC)  # the stamp the reports carry


def org_chart(db, out: Path) -> Path:
    from PySide6.QtGui import QFont

    from salesdesk.services.org import chart_people
    from salesdesk.ui.orgchart.export import export_pdf
    from salesdesk.ui.orgchart.scene import OrgChartScene

    scene = OrgChartScene(QFont())
    with db.read() as reader:
        scene.set_people(chart_people(reader))
    scene.set_all_collapsed(False)
    scene.make_boxes()
    return export_pdf(scene, out, "Org chart")


def main(database: str, out_dir: str, today: str, *scopes: str) -> None:
    ensure_app()
    out, today_date = Path(out_dir), dt.date.fromisoformat(today)
    db = open_database(Path(database))
    try:
        for n, scope in enumerate(scopes):
            with db.read() as reader:
                report = weekly_report(reader, last_full_week(today_date), parse_scope(reader, scope), today=today_date)
            write_weekly_pdf(report, out / f"report-{n}.pdf", replace=True, generated=GENERATED)
            print(out / f"report-{n}.pdf", flush=True)
        print(org_chart(db, out / "orgchart.pdf"), flush=True)
    finally:
        db.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
