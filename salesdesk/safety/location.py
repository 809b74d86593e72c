"""Is the database file somewhere that can lose or corrupt it?

Two risky places: a network file system (SQLite's write-ahead log needs shared memory
between the processes using the file, which a network drive does not give, and its
locks are unreliable there) and a folder a sync client watches (it may copy the file
halfway through a write, separate it from its ``-wal``, or bring back an older copy
from another computer).  ``location_risk`` is pure: it reads a mount table text and a
path, so tests give it hand-made ``/proc/self/mountinfo`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

NETWORK_FILESYSTEMS = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre", "ncpfs", "davfs",
    "fuse.sshfs", "sshfs", "fuse.davfs2", "fuse.glusterfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse",
    "fuse.smbnetfs", "fuse.curlftpfs", "fuse.cephfs", "fuse.onedriver", "fuse.google-drive-ocamlfuse",
}

# A path part (lower case) -> the sync service it belongs to.  Matched as a prefix, so
# "Dropbox (Company)" and "OneDrive - Contoso" count too.
SYNC_FOLDERS = (
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("my drive", "Google Drive"),
    ("icloud drive", "iCloud Drive"),
    ("icloud", "iCloud Drive"),
    ("com~apple~clouddocs", "iCloud Drive"),
    ("nextcloud", "Nextcloud"),
    ("owncloud", "ownCloud"),
    ("pcloud", "pCloud"),
    ("megasync", "MEGA"),
    ("box sync", "Box"),
    ("seafile", "Seafile"),
)


@dataclass(frozen=True)
class LocationRisk:
    kind: str  # "network" or "sync"
    name: str  # the file system type or the sync service
    message: str


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in octal (\\040...)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_of(path: PurePosixPath, mountinfo: str) -> tuple[str, str, str] | None:
    """(mount point, file system type, source) of the mount holding ``path``."""
    best = None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or not tail:
            continue
        point = _unescape(fields[4])
        inside = point == "/" or str(path) == point or str(path).startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best[0])):  # later mounts hide earlier ones
            best = (point, tail[0], _unescape(tail[1]) if len(tail) > 1 else "")
    return best


def location_risk(path: Path | str, mountinfo: str = "", sync_markers: bool = False) -> LocationRisk | None:
    """Why ``path`` is a risky place for a database, or None.

    ``sync_markers`` says a folder above the file holds a Syncthing ``.stfolder``.
    """
    where = PurePosixPath(str(path))
    mount = mount_of(where, mountinfo) if mountinfo else None
    if mount is not None and (mount[1] in NETWORK_FILESYSTEMS or mount[1].split(".")[0] in NETWORK_FILESYSTEMS):
        point, fstype, source = mount
        return LocationRisk(
            "network", fstype,
            f"{where.name} is on a network drive ({fstype}{' from ' + source if source else ''}, mounted at {point}). "
            "SQLite's write-ahead log does not work over network file systems and their locks are unreliable: "
            "a dropped connection or a second computer can corrupt the database. "
            "Move it to this computer's own disk (File ▸ Open database), and keep backups on the share if you like.",
        )
    for part in where.parts[:-1]:
        lowered = part.lower()
        for prefix, service in SYNC_FOLDERS:
            if lowered.startswith(prefix):
                return _sync_risk(where, service)
    if sync_markers:
        return _sync_risk(where, "Syncthing")
    return None


def _sync_risk(path: PurePosixPath, service: str) -> LocationRisk:
    return LocationRisk(
        "sync", service,
        f"{path.name} is in a folder synced by {service}. A sync client can copy the file while SalesDesk is "
        "writing it, separate it from its -wal file, or bring back an older copy from another computer: "
        "changes can be lost or the file corrupted. Keep the database outside synced folders.",
    )


def check_location(path: Path) -> LocationRisk | None:
    """``location_risk`` for a real file on this machine."""
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    except OSError:
        mountinfo = ""
    path = Path(path).resolve()
    markers = any((folder / ".stfolder").exists() for folder in path.parents)
    return location_risk(path, mountinfo, sync_markers=markers)
