"""Any file, however malformed, imports completely or leaves the database unchanged with
row-numbered problems: never half an import, never a crash."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from salesdesk.transfer.importer import guess_mapping, import_file
from salesdesk.transfer.problems import ImportRefused

from tests.conftest import dump

HEADERS = ("title", "owner", "stage", "amount", "expected_close", "status", "probability", "won_on", "notes",
           "external_id", "Junk")
WORDS = ("", " ", "=1+1", "1,5", "1.234,56", "2026-13-01", "2026-02-03", "03/04/2026", "45000", "'", '"', "\n",
         "\r\n", "ava@example.com", "Ava Stone", "Nobody", "Proposal", "Deal", "Contact", "won", "lost", "open",
         "-3", "1e9999", "\x00", "\t", "999999999999999", "50", "150", "ÄÖÜ €", "X-1", "X-2")

cells = st.one_of(st.sampled_from(WORDS), st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))


# What each column usually holds, so that many generated files are nearly right.
GOOD = {"title": st.sampled_from(["Deal A", "=HYPERLINK(1)", "Zoë, \"quoted\"\nline"]),
        "owner": st.sampled_from(["ava@example.com", "Ava Stone", "Ben Cole"]),
        "stage": st.sampled_from(["Contact", "Proposal", "Deal"]),
        "amount": st.sampled_from(["10", "1,234.50", "€ 5", ""]),
        "expected_close": st.sampled_from(["2026-03-01", "45000"]),
        "won_on": st.sampled_from(["2026-03-02", ""]),
        "status": st.just(""),
        "probability": st.sampled_from(["", "50"])}


@st.composite
def malformed_files(draw, nearly_right: bool = False) -> bytes:
    """Any header and cells; ``nearly_right``: the columns a deal needs and mostly fitting cells."""
    if nearly_right:
        extra = st.lists(st.sampled_from(HEADERS[3:]), max_size=4, unique=True)
        headers = ["title", "owner", "stage", *draw(extra)]
        headers = draw(st.permutations(headers))
        width = len(headers)
        good = st.tuples(*(GOOD.get(h, st.just("")) for h in headers)).map(list)
        row = st.one_of(good, good, good, st.tuples(*(st.one_of(GOOD.get(h, cells), cells) for h in headers)).map(list),
                        st.lists(cells, min_size=0, max_size=width + 2))
    else:
        headers = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=8))
        row = st.lists(cells, min_size=0, max_size=max(1, len(headers)) + 2)
    rows = draw(st.lists(row, max_size=5 if nearly_right else 8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    if headers:
        writer.writerow(headers)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    mutation = draw(st.sampled_from(["none"] * (6 if nearly_right else 2) + ["truncate", "insert", "flip"]))
    if data and mutation != "none":
        at = draw(st.integers(0, len(data) - 1))
        if mutation == "truncate":
            data = data[:at]
        elif mutation == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
        else:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    return data


def check_all_or_nothing(org, path, data: bytes, policy: str) -> None:
    path.write_bytes(data)
    before = dump(org.db, skip=())
    deals_before = len(before["deals"])
    try:
        mapping = guess_mapping(path, "deals")
        mapping.duplicates = policy
        result = import_file(org.db, path, mapping, backup=False)
    except ImportRefused as refused:
        event("refused")
        assert refused.problems
        for problem in refused.problems:
            assert problem.row >= 1 and str(problem).startswith(f"row {problem.row}")
        assert dump(org.db, skip=()) == before
    else:
        event("imported" if result.created else "imported, nothing new")
        after = dump(org.db, skip=())
        created = result.created.get("deals", 0)
        assert len(after["deals"]) == deals_before + created
        assert result.rows == created + result.skipped.get("deals", 0) + result.updated.get("deals", 0)
        assert len(after["audit_log"]) == len(before["audit_log"]) + 1


POLICIES = st.sampled_from(["skip", "update", "create"])
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=malformed_files(), policy=POLICIES)
def test_any_file_imports_completely_or_changes_nothing(org, tmp_path, data, policy):
    check_all_or_nothing(org, tmp_path / "any.csv", data, policy)


@SETTINGS
@given(data=malformed_files(nearly_right=True), policy=POLICIES)
def test_a_nearly_right_file_imports_completely_or_changes_nothing(org, tmp_path, data, policy):
    check_all_or_nothing(org, tmp_path / "nearly.csv", data, policy)


PEOPLE = {"name": st.sampled_from(["Pat Doe", "Sam Roe", "Ava Stone", "Lee Poe", ""]),
          "email": st.sampled_from(["pat@x.test", "sam@x.test", "ava@example.com", "", "not an email"]),
          "role": st.sampled_from(["Salesperson", "Team Leader", "Branch Manager", "VP Sales", "Boss", ""]),
          "manager": st.sampled_from(["Pat Doe", "sam@x.test", "Vera Price", "Nora Banks", "Tia Lund", "Nobody", ""]),
          "branch": st.sampled_from(["North", "South", "West", ""]),
          "active": st.sampled_from(["yes", "no", "maybe", ""]),
          "external_id": st.sampled_from(["P-1", "P-2", ""])}


@st.composite
def people_files(draw) -> bytes:
    headers = ["name", *draw(st.lists(st.sampled_from(sorted(PEOPLE)[1:]), max_size=6, unique=True))]
    headers = draw(st.permutations(headers))
    rows = draw(st.lists(st.tuples(*(PEOPLE.get(h, cells) for h in headers)).map(list), max_size=6))
    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    return out.getvalue().encode("utf-8")


@SETTINGS
@given(data=people_files(), policy=POLICIES)
def test_a_people_file_keeps_the_hierarchy_rules_or_changes_nothing(org, tmp_path, data, policy):
    from salesdesk.services.checks import rule_problems

    path = tmp_path / "people.csv"
    path.write_bytes(data)
    before = dump(org.db, skip=())
    try:
        mapping = guess_mapping(path, "people")
        mapping.duplicates = policy
        import_file(org.db, path, mapping, backup=False)
    except ImportRefused as refused:
        event("refused")
        assert all(p.row >= 1 for p in refused.problems)
        assert dump(org.db, skip=()) == before
    else:
        event("imported")
        with org.db.session() as session:
            assert rule_problems(session) == []


@st.composite
def files_of_any_kind(draw) -> tuple[str, bytes]:
    from salesdesk.transfer.kinds import KINDS

    kind = draw(st.sampled_from(sorted(KINDS)))
    names = list(KINDS[kind].field_names)
    headers = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    words = st.one_of(cells, st.sampled_from(["Acme", "Vera Price", "ava@example.com", "2026-03", "2026-W10",
                                              "2026-Q1", "month", "won_revenue", "won_deals", "12.5", "W-1"]))
    rows = draw(st.lists(st.lists(words, min_size=len(headers), max_size=len(headers)), max_size=5))
    out = io.StringIO()
    csv.writer(out, delimiter=draw(st.sampled_from([",", ";"]))).writerows([headers, *rows])
    return kind, out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@SETTINGS
@given(generated=files_of_any_kind(), policy=POLICIES)
def test_any_kind_imports_completely_or_changes_nothing(org, tmp_path, generated, policy):
    kind, data = generated
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    before = dump(org.db, skip=())
    try:
        mapping = guess_mapping(path, kind)
        mapping.duplicates = policy
        import_file(org.db, path, mapping, backup=False)
    except ImportRefused as refused:
        event(f"{kind}: refused")
        assert all(p.row >= 1 for p in refused.problems)
        assert dump(org.db, skip=()) == before
    else:
        event(f"{kind}: imported")
