"""Where SalesDesk may write a file the user named, and how it writes it.

Reports, exports, mappings and backup copies go to paths people type or pick.  A path
is only a name: through a symlink, ``..`` or a hard link it can be the open database,
its ``-wal``, or a backup, and writing over any of those loses what no undo brings
back.  So, before anything is written, ``check_output_path`` follows the name to the
file it reaches and compares files by device and inode, not by name.  It refuses:

- the database, its ``-wal``, ``-shm``, ``-journal`` and ``.lock`` (those by name as
  well: a missing ``-wal`` made by us would be taken for the database's own);
- the backup folder, anything in it, and any other name of a backup;
- a file in any other database's backup folder (``<name>-backups`` beside a file
  ``<name>``, or holding backup-named files): it would be listed, thinned and
  restored as one of that database's copies;
- an SQLite file (whoever's it is), a name SQLite would take for its ``-wal``;
- a file this process has open, a folder, a device, a missing folder;
- a read-only file (by its mode bits too: ``access()`` says yes to root);
- an existing file, unless the caller says the user chose to replace it.

``written_aside`` then writes under a fresh name in the same folder and puts it in
place once the file is complete (``put_in_place``): a failure leaves the previous file
as it was, and a file that appeared meanwhile is replaced only if the user said so.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from salesdesk.errors import DatabaseError, ValidationError
from salesdesk.paths import backup_dir
from salesdesk.safety.files import NAME_MAX, SIDECARS, FileId, file_id, fsync_file, held_here, sqlite_kind
from salesdesk.safety.unfinished import writing

REPLACE_HINT = "add --replace to replace it"
NEW_NAME = "choose another file name"  # for what never replaces a file (a backup copy)


def check_output_path(path: str | Path, database: str | Path | None, *, replace: bool,
                      if_exists: str = REPLACE_HINT) -> Path:
    """The file ``path`` really names (symlinks and ``..`` followed), when SalesDesk may
    write it; else DatabaseError or ValidationError in one sentence naming ``path``.

    ``database`` is the open database file (None for a server database); ``replace``
    says the user chose to replace an existing file, and ``if_exists`` what to tell them
    when they did not.
    """
    given = Path(path).expanduser()
    try:
        target = given.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte
        raise ValidationError("file", f"{given}: is not a file name SalesDesk can follow ({exc})") from None
    if database is not None:
        _refuse_database_files(given, target, Path(database).expanduser())
    if target.is_dir():
        raise ValidationError("file", f"{given}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise ValidationError("file", f"{given}: no such folder ({target.parent})")
    _refuse_backup_folder(given, target)
    if os.path.lexists(target):
        _refuse_existing(given, target, replace=replace, if_exists=if_exists)
    _refuse_sqlite_sidecar(given, target)
    return target


def sidecar_of(path: Path) -> tuple[Path, str] | None:
    """The database whose ``-wal``, ``-shm`` or ``-journal`` ``path`` is named as (SQLite
    reads such a file as part of that database, whether or not it exists yet), and which."""
    path = Path(path)
    for suffix in SIDECARS:
        if path.name.endswith(suffix) and path.name != suffix:
            owner = path.with_name(path.name[: -len(suffix)])
            if sqlite_kind(owner) in ("sqlite", "empty"):
                return owner, suffix
    return None


def refuse_sidecar(path: Path) -> None:
    """A database given by the name of another one's sidecar (``--db s.sqlite3-wal``):
    written as a database, it would be read as part of that other one."""
    found = sidecar_of(path)
    if found is not None:
        owner, suffix = found
        raise DatabaseError(f"{path}: is the {suffix} file of {owner.name}, not a database; "
                            f"give the database itself ({owner})")


def _refuse_database_files(given: Path, target: Path, database: Path) -> None:
    name = database.name
    for db in {database.absolute(), database.resolve()}:  # SQLite may keep its sidecars by either name
        if _same(target, db):
            raise DatabaseError(f"{given}: is the database {name} itself; choose another file")
        # .lock: where SalesDesk 0.1 kept its lock, still beside older databases
        for side in (Path(f"{db}{suffix}") for suffix in (*SIDECARS, ".lock")):
            if _same(target, side):
                suffix = side.name[len(db.name):]
                raise DatabaseError(f"{given}: belongs to the database {name} (its {suffix} file); "
                                    "choose another file")
        folder = backup_dir(db)
        if _same(target, folder):
            raise DatabaseError(f"{given}: is the backup folder of {name}; choose another file")
        if _same(target.parent, folder):
            if os.path.lexists(target):
                raise DatabaseError(f"{given}: already exists as a backup of {name}; "
                                    "SalesDesk never replaces a backup")
            raise DatabaseError(f"{given}: is in the backup folder of {name}, where only SalesDesk writes; "
                                "choose another folder")
        backup = _backup_named(target, folder)
        if backup is not None:
            raise DatabaseError(f"{given}: already exists as a backup of {name} (another name of "
                                f"{backup}); SalesDesk never replaces a backup")


def _same(target: Path, other: Path) -> bool:
    """One file, or one name in one folder (a sidecar may not exist yet)."""
    found = file_id(target)
    if found is not None and found == file_id(other):
        return True
    folder = file_id(target.parent)
    return (target.name.casefold() == other.name.casefold() and folder is not None
            and folder == file_id(other.parent))


def _backup_named(target: Path, folder: Path) -> str | None:
    """The backup ``target`` is another name of (a hard link elsewhere), if any."""
    wanted = file_id(target)
    if wanted is None or not folder.is_dir():
        return None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        try:
            st = entry.stat()
        except OSError:
            continue
        if FileId(st.st_dev, st.st_ino) == wanted:
            return entry.name
    return None


def _refuse_backup_folder(given: Path, target: Path) -> None:
    """Only SalesDesk writes in a backup folder, and only copies of its own database:
    anything else there would be listed, thinned and restored as one of them."""
    folder = target.parent
    if not folder.name.endswith("-backups"):
        return
    owner = folder.with_name(folder.name[: -len("-backups")])
    if owner.is_file() or _holds_backups(folder):
        raise DatabaseError(f"{given}: is in the backup folder of {owner.name}, where only SalesDesk writes; "
                            "choose another folder")


def _holds_backups(folder: Path) -> bool:
    from salesdesk.safety.backup_names import names_a_backup

    try:
        return any(names_a_backup(entry.name) for entry in os.scandir(folder))
    except OSError:
        return False


def _refuse_existing(given: Path, target: Path, *, replace: bool, if_exists: str) -> None:
    try:
        st = os.stat(target)
    except OSError as exc:
        raise ValidationError("file", f"{given}: cannot be looked at ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):  # before anything reads it: a pipe would never answer
        raise ValidationError("file", f"{given}: is not an ordinary file (a device, a pipe or a socket); "
                                      "choose a file name")
    if held_here(target):
        raise DatabaseError(f"{given}: is a file SalesDesk has open; choose another file")
    kind = sqlite_kind(target)
    if kind == "sqlite":
        raise DatabaseError(f"{given}: already exists and is an SQLite database; SalesDesk never replaces one")
    if kind == "unreadable":
        raise DatabaseError(f"{given}: already exists and cannot be read, so SalesDesk cannot tell what it is; "
                            "choose another file")
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise ValidationError("file", f"{given}: is read-only; SalesDesk does not replace read-only files")
    if not replace:
        raise ValidationError("file", f"{given}: already exists; {if_exists}")


def _refuse_sqlite_sidecar(given: Path, target: Path) -> None:
    """``notes.db-wal`` beside the SQLite file ``notes.db`` would be read as its WAL."""
    found = sidecar_of(target)
    if found is not None:
        owner, suffix = found
        raise DatabaseError(f"{given}: SQLite would take it for the {suffix} file of the database "
                            f"{owner.name}; choose another name")


@contextmanager
def written_aside(target: Path, *, replace: bool | None = None) -> Iterator[Path]:
    """A new empty file beside ``target`` to write; it is put in place of ``target`` when
    the block ends, and deleted when the block fails.

    ``replace``: the user chose to replace ``target`` (``--replace``, a dialog that
    asked); without it, a file found at ``target`` at the end (one that appeared during
    the write) is left as it is and the write refused.  None: replace only what was
    there when the write began (what ``check_output_path`` let through).

    The name is made by ``mkstemp`` (``O_EXCL``, random): two writes never share it, and
    it is never a file or a symlink that was there before.  It is recorded as unfinished
    while written, so what a killed write leaves is removed by the next start or backup.
    """

    target = Path(target)
    if replace is None:
        replace = os.path.lexists(target)
    try:
        handle, name = tempfile.mkstemp(prefix=".salesdesk-", suffix=_temporary_suffix(target), dir=target.parent)
    except OSError as exc:
        raise ValidationError("file", f"{target}: cannot be written ({exc.strerror or exc})") from None
    os.close(handle)
    temp = Path(name)
    with writing(temp):  # removed on the way out, whatever happens: put in place or not
        yield temp
        os.chmod(temp, _file_mode(target))  # mkstemp's 0600 would hide the file from the user's group
        fsync_file(temp)  # the new content is on disk before its name replaces the old file
        put_in_place(temp, target, replace=replace)


def put_in_place(temp: Path, target: Path, *, replace: bool) -> None:
    """The last step of a write: the complete file ``temp`` becomes ``target``.

    With ``replace``, one rename over whatever is there.  Without, never over a file:
    a hard link fails on a name that exists, even one made a moment ago (a check, then
    a rename, would replace a file that appeared in between); where there are no hard
    links (FAT, exFAT, some shares), a checked rename is the best there is.
    """
    if replace:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError:
        raise _appeared(target) from None
    except OSError:  # no hard links on this file system
        if os.path.lexists(target):
            raise _appeared(target) from None
        os.rename(temp, target)
        return
    with suppress(OSError):  # in place already; the caller's writing() removes it otherwise
        os.unlink(temp)


def _appeared(target: Path) -> ValidationError:
    return ValidationError("file", f"{target}: appeared while SalesDesk was writing it and is left as it is; "
                                   "choose another file name")


def _temporary_suffix(target: Path) -> str:
    """``target``'s suffix (a writer may go by it), or none where it would make the name
    too long (``report.<240 characters>``)."""
    return target.suffix if len(os.fsencode(f".salesdesk-{'x' * 8}{target.suffix}")) <= NAME_MAX else ""


def _file_mode(path: Path) -> int:
    """The replaced file's permissions, else what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
