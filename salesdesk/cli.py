"""The command line: parse, call the services, print one line per outcome.

Without a command it opens the window.  Commands import no Qt except ``report weekly``,
which draws its PDF with Qt on the offscreen platform; all of them run in scheduled jobs
on machines without a display.  Every failure prints one line starting with
``salesdesk: error:`` and exits non-zero; a refused command changes nothing.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from salesdesk import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _say(text: str, *, file=None) -> None:
    """One outcome, one line: a line break inside it (a file name may hold one) is shown
    as ``\\n``, so that a scheduled job reading the output line by line sees one outcome."""
    print(str(text).replace("\r", "\\r").replace("\n", "\\n"), file=file)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, like every other error of ours
        self.exit(EXIT_USAGE, f"salesdesk: error: {message} (see salesdesk --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="salesdesk",
        description="Run a sales team from the desktop. Without a command, opens the window.",
        epilog="The default database lives in your user data folder; --db picks another file "
        "or a database URL (postgresql://user@host/name).",
    )
    parser.add_argument("--version", action="version", version=f"SalesDesk {__version__}")
    parser.add_argument("--db", metavar="PATH|URL", help="database file or URL (default: your user data folder)")
    parser.add_argument("--read-only", action="store_true", help="open the window without allowing changes")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser("demo", help="fill an empty database with a realistic demo company")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same company (default 1)")
    demo.add_argument("--deals", type=_positive_int, default=600, help="number of deals (default 600)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when the database already holds data")

    commands.add_parser("check", help="check the file's integrity, foreign keys and the sales rules")

    backup = commands.add_parser("backup", help="write a verified copy of the database")
    backup.add_argument("file", type=Path, nargs="?",
                        help="the copy to write (must not exist; default: the backup folder, thinned)")
    backup.add_argument("--list", action="store_true", help="list the copies in the backup folder, newest first")

    restore = commands.add_parser("restore", help="put a backup back in place; the current file is kept aside")
    restore.add_argument("backup", help="a backup file, a name from 'backup --list', or 'latest'")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    report = commands.add_parser("report", help="write a report as a PDF")
    reports = report.add_subparsers(dest="report", metavar="REPORT", parser_class=_Parser, required=True)
    weekly = reports.add_parser("weekly", help="the weekly sales report for one ISO week and one scope")
    weekly.add_argument("--week", metavar="YYYY-Www", help="ISO week such as 2026-W48 (default: the last full week)")
    weekly.add_argument("--scope", default="company", metavar="SCOPE",
                        help="company, branch:NAME or person:EMAIL (default: company)")
    weekly.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF to write")
    _add_replace(weekly, "FILE.pdf")

    _add_transfer_commands(commands)

    rates = commands.add_parser("rates", help="the exchange rates that convert other currencies into the company's")
    rate_commands = rates.add_subparsers(dest="rates", metavar="ACTION", parser_class=_Parser, required=True)
    rate_commands.add_parser("list", help="every rate kept, newest first per currency")
    rate_set = rate_commands.add_parser("set", help="keep a rate: what one unit of CURRENCY is worth, from a day on")
    rate_set.add_argument("currency", metavar="CURRENCY", help="an ISO code such as USD")
    rate_set.add_argument("rate", metavar="RATE", help="one CURRENCY in the company's currency, such as 0.9213")
    rate_set.add_argument("--from", dest="valid_from", metavar="YYYY-MM-DD", help="the first day it holds (default: today)")
    rate_import = rate_commands.add_parser("import", help="keep every rate of a CSV file (currency,valid_from,rate), all or none")
    rate_import.add_argument("file", type=Path, metavar="FILE.csv")
    rate_export = rate_commands.add_parser("export", help="write every rate kept to a CSV file that imports back")
    rate_export.add_argument("file", type=Path, metavar="FILE.csv")
    _add_replace(rate_export, "FILE.csv")
    return parser


def _add_transfer_commands(commands) -> None:
    """``import`` and ``export`` (issue 7)."""
    kinds = "people, accounts, contacts, products, deals, targets"
    imp = commands.add_parser("import", help=f"import a CSV or XLSX file ({kinds}), all or nothing; "
                                             "or a known data set: crm-sales-opportunities DIR")
    imp.add_argument("kind", metavar="KIND", help=f"{kinds}, or crm-sales-opportunities")
    imp.add_argument("file", type=Path, metavar="FILE", help="the .csv or .xlsx file (a folder for a data set)")
    imp.add_argument("--mapping", type=Path, metavar="FILE.json",
                     help="columns and values as saved by the import wizard (default: guessed from the headers)")
    imp.add_argument("--dry-run", action="store_true", help="check every row and say what would happen; write nothing")
    imp.add_argument("--duplicates", choices=("skip", "update", "create"),
                     help="rows naming an existing record (by email or external id): skip them (default), "
                          "update it, or create another")
    imp.add_argument("--sheet", metavar="NAME", help="the XLSX sheet to read (default: the first)")
    imp.add_argument("--save-mapping", type=Path, metavar="FILE.json", help="write the mapping used, for next time")
    _add_replace(imp, "the --save-mapping file")
    exp = commands.add_parser("export", help=f"export {kinds} to a CSV or XLSX file that imports back unchanged")
    exp.add_argument("kind", metavar="KIND", help=kinds)
    exp.add_argument("file", type=Path, metavar="FILE", help="FILE.csv (UTF-8) or FILE.xlsx")
    _add_replace(exp, "FILE")


def _add_replace(command, what: str) -> None:
    command.add_argument("--replace", action="store_true",
                         help=f"replace {what} if it exists (never a database, a backup or a read-only file)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from salesdesk.errors import SalesDeskError, cause

    if args.command is None:
        try:
            if args.db is not None:
                _target(args)  # no window for a --db that names no database: one line here
        except SalesDeskError as exc:
            _say(f"salesdesk: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        from salesdesk.app import run_gui

        return run_gui(args.db, read_only=args.read_only)

    handler = {"demo": _demo, "check": _check, "backup": _backup, "restore": _restore, "report": _report,
               "import": _import, "export": _export, "rates": _rates}[args.command]
    try:
        return handler(args)
    except SalesDeskError as exc:
        _say(f"salesdesk: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # the system refused (a full disk while writing a file): its words
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"salesdesk: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one line, with the traceback on request
        if os.environ.get("SALESDESK_DEBUG"):
            raise
        _say(f"salesdesk: error: unexpected failure ({cause(exc)}); "
              f"set SALESDESK_DEBUG=1 for details", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        _say("salesdesk: interrupted; nothing was changed by the unfinished step", file=sys.stderr)
        return 130


def _target(args) -> str:
    """The ``--db`` value, refused in one sentence when it names no database SalesDesk
    can open (empty, a pipe, an unknown kind of URL, a driver not installed...)."""
    if args.db is not None:
        from salesdesk.db.engine import check_target

        return check_target(args.db)
    from salesdesk.paths import default_database

    path = default_database()
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def _exclusive(target: str, *, writes: bool = True):
    """The instance lock for a command that writes: not while a window has the file open
    (it would go on showing what the database no longer holds)."""
    from contextlib import nullcontext

    from salesdesk.db.engine import target_path

    path = target_path(target)
    if not writes or path is None:
        return nullcontext()
    from salesdesk.safety.instance_lock import InstanceLock

    _refuse_backup(path)
    return InstanceLock(path)


def _refuse_backup(path: Path) -> None:
    """A command that changes a database never changes a backup given as ``--db`` (by
    its name or its mark), nor another database's ``-wal``, ``-shm`` or ``-journal``."""
    from salesdesk.errors import DatabaseError
    from salesdesk.safety.backups import is_backup
    from salesdesk.safety.output import refuse_sidecar

    refuse_sidecar(path)
    if is_backup(path):
        # A copy of it would carry the backup mark too: restoring gives a database.
        raise DatabaseError(f"{path}: is a backup, which SalesDesk never changes; restore it into a new file "
                            f"(salesdesk --db NEW.sqlite3 restore {path}), then change that")


def _with_restore_advice(command):
    """A command refused on a damaged file: the one error line, then how to put back the
    newest good backup (what ``check`` prints)."""

    @functools.wraps(command)
    def run(args) -> int:
        from salesdesk.db.migrate import DamagedDatabase

        try:
            return command(args)
        except DamagedDatabase as exc:
            _say(f"salesdesk: error: {exc}", file=sys.stderr)
            _print_restore_advice(exc.path)
            return EXIT_FAILED

    return run


def _refuse_damaged(target: str) -> None:
    """Before a command reads a file: ``quick_check`` and the schema, so a damaged page is
    never read as data (or fails anywhere, as "unexpected failure") and nothing is written
    from it.  Reads nothing else and leaves nothing beside the file.  A file that cannot
    be read now (locked by another program, a disk I/O error) is not damaged: that is
    ``integrity_problems``'s one-line ``DatabaseError``, without restore advice."""
    from salesdesk.db.backup import integrity_problems
    from salesdesk.db.engine import target_path
    from salesdesk.db.migrate import DamagedDatabase
    from salesdesk.safety.files import sqlite_kind

    path = target_path(target)
    if path is not None and sqlite_kind(path) == "sqlite":
        problems = integrity_problems(path, quick=True)
        if problems:
            raise DamagedDatabase(path, problems)


def _open_to_read(args):
    """The database for a command that only reads it (report, export, backup, a dry run):
    a damaged, empty, foreign or newer file is refused, untouched."""
    from salesdesk.db.migrate import open_database

    target = _target(args)
    _refuse_damaged(target)
    return open_database(target, create=False, read_only=True)


def _upgrade_if_older(args) -> None:
    """An older file upgraded, as the window does at its opening (with the usual copy
    before); never a backup, which is only ever read or restored."""
    from salesdesk.db.engine import target_path
    from salesdesk.db.migrate import open_database, schema_state
    from salesdesk.safety.backups import is_backup

    target = _target(args)
    path = target_path(target)
    if path is not None and path.is_file() and not is_backup(path):
        _refuse_damaged(target)
        if schema_state(path) == "older":
            with _exclusive(target):  # not while a window has it open
                open_database(path, create=False).close()


@_with_restore_advice
def _demo(args) -> int:
    from salesdesk.clock import CLOCK
    from salesdesk.db.migrate import open_database
    from salesdesk.services.demo import is_empty, load_demo

    started = CLOCK.elapsed_since()
    _refuse_damaged(_target(args))  # no demo company written into a damaged file
    with _exclusive(_target(args)):
        db = open_database(_target(args))
        try:
            if args.if_empty and not is_empty(db):
                _say(f"{db.display_name} already holds data; no demo company added")
                return EXIT_OK
            summary = load_demo(db, seed=args.seed, deals=args.deals)
        finally:
            db.close()
    _say(
        f"Demo company written to {db.display_name}: {summary.people} people in {summary.branches} branches, "
        f"{summary.accounts} accounts, {summary.deals} deals ({summary.open_deals} open, {summary.won_deals} won, "
        f"{summary.lost_deals} lost) in {CLOCK.elapsed_since(started):.1f} s"
    )
    return EXIT_OK


@_with_restore_advice
def _check(args) -> int:
    from sqlalchemy import text

    from salesdesk.db.backup import integrity_problems
    from salesdesk.db.engine import target_path
    from salesdesk.db.migrate import open_database
    from salesdesk.safety.integrity import looks_like_sqlite
    from salesdesk.services.checks import rule_problems

    target = _target(args)
    path = target_path(target)
    if path is not None and path.is_file() and looks_like_sqlite(path):
        damaged = integrity_problems(path)  # first, and alone: reading a damaged file further may fail anywhere
        if damaged:
            return _report_problems(path, damaged, damaged=True)
    db = open_database(target, create=False, read_only=True)
    try:
        with db.session() as session:
            problems = rule_problems(session)
            people = session.scalar(text("SELECT count(*) FROM people"))
            deals = session.scalar(text("SELECT count(*) FROM deals"))
    finally:
        db.close()
    if problems:
        return _report_problems(db.display_name, problems, damaged=False)
    _say(f"{db.display_name}: ok (integrity, foreign keys and sales rules; {people} people, {deals} deals)")
    return EXIT_OK


def _report_problems(name, problems: list[str], *, damaged: bool) -> int:
    for problem in problems:
        _say(f"salesdesk: problem: {problem}", file=sys.stderr)
    _say(f"{name}: {len(problems)} problem(s) found", file=sys.stderr)
    if damaged:
        _print_restore_advice(name)
    return EXIT_FAILED


def _print_restore_advice(name) -> None:
    from salesdesk.safety.integrity import newest_good_backup

    good = newest_good_backup(name)
    if good is not None:
        _say(f"salesdesk: to put back the newest good backup ({good.taken_at:%Y-%m-%d %H:%M}; the damaged "
              f"file is kept aside), run: salesdesk --db {name} restore {good.path.name}", file=sys.stderr)


@_with_restore_advice
def _backup(args) -> int:
    from salesdesk.db.backup import backup_database
    from salesdesk.errors import DatabaseError

    if args.list:
        return _list_backups(args)
    if args.file is not None:  # refused before opening the database, which may make its -wal
        from salesdesk.db.engine import target_path
        from salesdesk.safety.output import NEW_NAME, check_output_path

        check_output_path(args.file, target_path(_target(args)), replace=False, if_exists=NEW_NAME)
    db = _open_to_read(args)
    try:
        if db.path is None:
            raise DatabaseError("backup works on SQLite files; use your server's tools for a database URL")
        if args.file is None:
            from salesdesk.safety.backups import back_up

            dest = back_up(db.path, "manual")
        else:
            dest = backup_database(db.engine, db.path, dest=args.file.expanduser())  # checked there
    finally:
        db.close()
    _say(f"Backed up {db.display_name} to {dest} (verified)")
    return EXIT_OK


def _sqlite_target(args) -> Path:
    from salesdesk.db.engine import target_path
    from salesdesk.errors import DatabaseError

    path = target_path(_target(args))
    if path is None:
        raise DatabaseError("backups work on SQLite files; use your server's tools for a database URL")
    return path


def _list_backups(args) -> int:
    from salesdesk.paths import backup_dir
    from salesdesk.safety.backups import list_backups

    path = _sqlite_target(args)
    backups = list_backups(path)
    if not backups:
        _say(f"No backups of {path} yet (they go to {backup_dir(path)})")
        return EXIT_OK
    for backup in backups:
        _say(f"{backup.taken_at:%Y-%m-%d %H:%M}  {backup.reason_text:<18}  {backup.size / 1e6:8.1f} MB  {backup.path.name}")
    _say(f"{len(backups)} backup{'s' if len(backups) != 1 else ''} in {backup_dir(path)}")
    return EXIT_OK


def _restore(args) -> int:
    """``restore``: only with the instance lock, so no open window writes over it."""
    from salesdesk.errors import DatabaseError
    from salesdesk.paths import backup_dir
    from salesdesk.safety.backups import newest_backup
    from salesdesk.safety.instance_lock import InstanceLock
    from salesdesk.safety.integrity import aside_name
    from salesdesk.safety.restore import (
        check_restore_target,
        restore_backup,
        verify_backup,
    )

    path = _sqlite_target(args)
    _refuse_backup(path)
    damaged = check_restore_target(path)  # before the lock, which would open a device or a pipe
    if args.backup == "latest":
        newest = newest_backup(path)
        if newest is None:
            raise DatabaseError(f"{path}: has no backups in {backup_dir(path)}")
        backup = newest.path
    else:
        backup = Path(args.backup).expanduser()
        if not backup.exists() and backup.name == args.backup:
            backup = backup_dir(path) / args.backup  # a name from `backup --list`
        backup = backup.resolve()
    verify_backup(backup)
    from contextlib import nullcontext

    # The lock is on the file itself: a missing one has nothing to lock (and locking
    # would make an empty file there)
    with InstanceLock(path) if path.exists() else nullcontext() as lock:
        if path.exists() and not args.yes:
            label = "damaged" if damaged else "before-restore"
            question = (f"Replace {path} with the backup {backup.name}? "
                        f"The current file will be kept as {aside_name(path, label).name}. [y/N] ")
            if not sys.stdin.isatty():
                raise DatabaseError(f"{path}: restoring replaces the database; add --yes to confirm")
            if input(question).strip().lower() not in ("y", "yes"):
                _say("Nothing was changed")
                return EXIT_FAILED
        outcome = restore_backup(backup, path, lock=lock)
    kept = f"; the previous file is kept as {outcome.kept_aside}" if outcome.kept_aside else ""
    _say(f"Restored {path} from {backup} (verified){kept}")
    return EXIT_OK


@_with_restore_advice
def _report(args) -> int:
    """``report weekly``: everything is checked before a file is written; a failure leaves none."""
    from salesdesk.db.engine import target_path
    from salesdesk.domain.periods import last_full_week, parse_iso_week
    from salesdesk.errors import ValidationError
    from salesdesk.reports.weekly import parse_scope, weekly_report
    from salesdesk.safety.output import check_output_path

    try:
        week = parse_iso_week(args.week) if args.week else last_full_week()
    except ValueError as exc:
        raise ValidationError("week", str(exc)) from None
    out = check_output_path(args.out, target_path(_target(args)), replace=args.replace)
    db = _open_to_read(args)
    try:
        with db.read() as reader:
            scope = parse_scope(reader, args.scope)
            report = weekly_report(reader, week, scope)
    finally:
        db.close()

    from salesdesk.reports.weekly_pdf import write_weekly_pdf  # Qt only here

    pages = write_weekly_pdf(report, out, database=db.path, replace=args.replace)  # aside, then renamed
    _say(f"Weekly report {week.label} for {scope.label} written to {out} ({pages} page{'s' if pages != 1 else ''})")
    return EXIT_OK


# --- import and export (issue 7) ---------------------------------------------------------


@_with_restore_advice
def _import(args) -> int:
    """Every problem on its own line (row, column, reason); exit 1 and nothing written if any."""
    from salesdesk.db.engine import target_path
    from salesdesk.db.migrate import open_database
    from salesdesk.errors import ValidationError
    from salesdesk.safety.files import NOT_ORDINARY, is_special, sidecars
    from salesdesk.safety.output import check_output_path
    from salesdesk.transfer.importer import guess_mapping
    from salesdesk.transfer.kinds import KINDS
    from salesdesk.transfer.mapping import Mapping
    from salesdesk.transfer.presets import PRESETS

    name = args.kind.strip().lower()
    if name not in KINDS and name not in PRESETS:
        raise ValidationError("kind", f"{args.kind!r} is not something SalesDesk imports; choose one of "
                                      f"{', '.join([*KINDS, *PRESETS])}")
    source = args.file.expanduser()
    if args.save_mapping:  # refused before anything is imported
        from salesdesk.safety.files import same_file

        if same_file(args.save_mapping.expanduser(), source):
            raise ValidationError("save-mapping", f"{args.save_mapping}: is the file being imported; "
                                                  "give the mapping a name of its own")
        check_output_path(args.save_mapping, target_path(_target(args)), replace=args.replace)
    if name in KINDS and source.is_dir():
        raise ValidationError("file", f"{source}: is a folder; give a .csv or .xlsx file")
    if not source.exists():
        raise ValidationError("file", f"{source}: no such {'folder' if name in PRESETS else 'file'}")
    if is_special(source):  # before anything opens it: a pipe would never answer
        raise ValidationError("file", f"{source}: {NOT_ORDINARY}; give a .csv or .xlsx file")
    if name in KINDS:
        from salesdesk.transfer.problems import ImportRefused

        try:  # guessing reads the file's header: a file refused there is refused as an import
            mapping = Mapping.load(args.mapping, name) if args.mapping else guess_mapping(source, name, args.sheet)
        except ImportRefused as exc:
            _say_refused(exc, source)
            return EXIT_FAILED
        if args.duplicates:
            mapping.duplicates = args.duplicates
    target = _target(args)
    path = target_path(target)
    fresh = path is not None and _fresh(path)  # a new database: a refused import leaves it as it was
    if args.dry_run and fresh:
        return _dry_run_into_a_new_database(args, name, source, mapping if name in KINDS else None)
    if args.dry_run:  # a dry run only reads: refused like export when it cannot
        _open_to_read(args).close()
    elif not fresh:
        _refuse_damaged(target)  # nothing imported into a damaged file
    # fresh implies a path; "path is not None" says so to the type checker
    before = {p for p in sidecars(path) if p.exists()} if fresh and path is not None else set()
    was_empty = fresh and path is not None and path.exists()
    lock = _exclusive(target, writes=not args.dry_run)
    lock.__enter__()  # refused (one line) while a window has the file open; a new file is made and locked
    db = result = None
    try:
        db = open_database(target)
        result = _run_import(db, args, name, source, mapping if name in KINDS else None)
    except BaseException as exc:
        if db is not None:
            db.close()
            db = None
        if fresh:  # still ours (the lock is held): put it back as it was, no file or an empty one
            assert path is not None
            _unmake(path, was_empty, before)
        if not isinstance(exc, _Refused):
            raise
    finally:
        if db is not None:
            db.close()
        lock.__exit__(None, None, None)
    if result is None:
        return EXIT_FAILED
    if name in KINDS and args.save_mapping:  # only a mapping that worked is kept
        mapping.save(args.save_mapping, database=path, replace=args.replace)
    for line in result.lines():
        _say(line)
    return EXIT_OK


class _Refused(Exception):
    """An import refused (its problems printed): the new database is taken back."""


def _run_import(db, args, name: str, source: Path, mapping):
    """The import itself; its problems are printed and ``_Refused`` raised when refused."""
    from salesdesk.transfer.importer import import_file
    from salesdesk.transfer.presets import PRESETS
    from salesdesk.transfer.problems import ImportRefused

    try:
        if name in PRESETS:
            return PRESETS[name](db, source, dry_run=args.dry_run, duplicates=args.duplicates or "skip")
        return import_file(db, source, mapping, dry_run=args.dry_run, sheet=args.sheet)
    except ImportRefused as exc:
        _say_refused(exc, source)
        raise _Refused() from None


def _say_refused(exc, source: Path) -> None:
    """An import's refusal: one line per problem, and one saying nothing was imported."""
    for problem in exc.problems:
        _say(f"salesdesk: error: {problem}", file=sys.stderr)
    if exc.more:
        _say(f"salesdesk: error: … and {exc.more:,} more problems", file=sys.stderr)
    _say(f"salesdesk: error: nothing was imported from {source.name}: {exc.count:,} "
          f"problem{'s' if exc.count != 1 else ''}", file=sys.stderr)


def _dry_run_into_a_new_database(args, name: str, source: Path, mapping) -> int:
    """A dry run for a database that does not exist yet checks the file against a new
    database of its own, made in a private folder: the path named is never touched (a
    window or an import starting there meanwhile would lose what it writes)."""
    import tempfile

    from salesdesk.db.migrate import open_database

    with tempfile.TemporaryDirectory(prefix="salesdesk-dry-run-") as folder:
        db = open_database(Path(folder) / "new.sqlite3")
        try:
            result = _run_import(db, args, name, source, mapping)
        except _Refused:
            return EXIT_FAILED
        finally:
            db.close()
    for line in result.lines():
        _say(line)
    return EXIT_OK


def _fresh(path: Path) -> bool:
    """No database yet: no file, or an empty one (a new file of the user's)."""
    try:
        return path.stat().st_size == 0 and path.is_file()
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _unmake(path: Path, was_empty: bool, before: set[Path]) -> None:
    """Take back the database a refused import made at ``path``: no file (or the empty
    file that was there), and only the sidecars that were not there before."""
    from salesdesk.safety.files import sidecars

    for sidecar in sidecars(path):
        if sidecar not in before:
            sidecar.unlink(missing_ok=True)
    if was_empty:
        os.truncate(path, 0)
    else:
        path.unlink(missing_ok=True)


@_with_restore_advice
def _export(args) -> int:
    from salesdesk.db.engine import target_path
    from salesdesk.errors import ValidationError
    from salesdesk.safety.output import check_output_path
    from salesdesk.transfer.export import export_kind
    from salesdesk.transfer.kinds import KINDS

    name = args.kind.strip().lower()
    if name not in KINDS:
        raise ValidationError("kind", f"{args.kind!r} is not something SalesDesk exports; choose one of "
                                      f"{', '.join(KINDS)}")
    check_output_path(args.file, target_path(_target(args)), replace=args.replace)  # before the database opens
    if name == "deals":
        _upgrade_if_older(args)  # deals are named by the database's reference, which the upgrade makes
    db = _open_to_read(args)
    try:
        count = export_kind(db, name, args.file, replace=args.replace)
    finally:
        db.close()
    _say(f"Exported {count:,} {name} to {args.file.expanduser().resolve()}")
    return EXIT_OK


# --- exchange rates -----------------------------------------------------------------------


@_with_restore_advice
def _rates(args) -> int:
    """``rates list|set|import|export``: a change is one transaction with its audit rows,
    refused whole (nothing kept) at its first bad value."""
    from salesdesk.clock import CLOCK
    from salesdesk.db.engine import target_path
    from salesdesk.db.migrate import open_database
    from salesdesk.errors import ValidationError
    from salesdesk.services import currencies

    if args.rates in ("list", "export"):
        if args.rates == "export":
            from salesdesk.safety.output import check_output_path

            if args.file.suffix.lower() != ".csv":
                raise ValidationError("file", f"{args.file}: a rates file is written as .csv")
            check_output_path(args.file, target_path(_target(args)), replace=args.replace)
        _upgrade_if_older(args)  # a file from before exchange rates has none, and gets their table
        db = _open_to_read(args)
        try:
            with db.session() as session:
                if args.rates == "export":
                    count = currencies.export_rates(session, args.file, db.path, replace=args.replace)
                    _say(f"Exported {count:,} exchange rate{'s' if count != 1 else ''} to "
                         f"{args.file.expanduser().resolve()}")
                    return EXIT_OK
                home = currencies.home_currency(session)
                rows = currencies.list_rates(session)
        finally:
            db.close()
        if not rows:
            _say(f"No exchange rates kept: deals in a currency other than {home} are left out of totals")
        for row in rows:
            _say(f"{row['currency']}  from {row['valid_from'].isoformat()}  "
                 f"1 {row['currency']} = {currencies.plain(row['rate'])} {home}")
        return EXIT_OK

    text = currencies.read_rates_file(args.file) if args.rates == "import" else None
    if args.rates == "set":
        valid_from = currencies.parse_day(args.valid_from) if args.valid_from else CLOCK.today()
    target = _target(args)
    _refuse_damaged(target)
    with _exclusive(target):  # not while a window shows the totals these change
        db = open_database(target, create=False)
        try:
            with db.transaction() as session:
                home = currencies.home_currency(session)
                if text is not None:
                    kept = currencies.import_rates_csv(session, text)
                else:
                    currencies.set_rate(session, args.currency, valid_from, args.rate)
        finally:
            db.close()
    if text is not None:
        _say(f"Kept {len(kept):,} exchange rate{'s' if len(kept) != 1 else ''} into {home} from {args.file}")
    else:
        _say(f"Kept 1 {args.currency.strip().upper()} = {currencies.plain(currencies.parse_rate(args.rate))} {home} "
             f"from {valid_from.isoformat()}")
    return EXIT_OK
