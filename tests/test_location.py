"""A database on a network drive or in a synced folder is named as a risk."""

from __future__ import annotations

from salesdesk.safety.location import check_location, location_risk, mount_of

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
40 27 0:45 / /home rw,relatime - ext4 /dev/vdb1 rw
41 40 0:46 / /home/ana/shared rw,relatime shared:5 - nfs4 filer:/export/sales rw,vers=4.2
42 40 0:47 / /home/ana/My\\040Box rw,relatime - fuse.sshfs ana@host:/data rw
43 40 0:48 / /mnt/win rw - cifs //server/sales rw
"""


def test_the_mount_holding_a_path_is_the_deepest_one():
    assert mount_of("/home/ana/shared/sales.sqlite3", MOUNTINFO)[:2] == ("/home/ana/shared", "nfs4")
    assert mount_of("/home/ana/sharedother/x.sqlite3", MOUNTINFO)[:2] == ("/home", "ext4")
    assert mount_of("/home/ana/My Box/x.sqlite3", MOUNTINFO)[:2] == ("/home/ana/My Box", "fuse.sshfs")
    assert mount_of("/var/x.sqlite3", MOUNTINFO)[:2] == ("/", "ext4")


def test_network_file_systems_are_named_with_the_risk():
    risk = location_risk("/home/ana/shared/sales.sqlite3", MOUNTINFO)
    assert risk.kind == "network" and risk.name == "nfs4"
    assert "network drive (nfs4 from filer:/export/sales" in risk.message
    assert "write-ahead log does not work over network file systems" in risk.message
    assert location_risk("/mnt/win/sales.sqlite3", MOUNTINFO).name == "cifs"
    assert location_risk("/home/ana/My Box/sales.sqlite3", MOUNTINFO).name == "fuse.sshfs"
    assert location_risk("/home/ana/sales.sqlite3", MOUNTINFO) is None


def test_sync_folders_are_named_with_the_risk():
    for path, service in (
        ("/home/ana/Dropbox/sales.sqlite3", "Dropbox"),
        ("/home/ana/Dropbox (Contoso)/crm/sales.sqlite3", "Dropbox"),
        ("/home/ana/OneDrive - Contoso/sales.sqlite3", "OneDrive"),
        ("/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/sales.sqlite3", "iCloud Drive"),
        ("/Users/ana/Library/CloudStorage/GoogleDrive-ana@example.com/My Drive/sales.sqlite3", "Google Drive"),
        ("/home/ana/Nextcloud/sales.sqlite3", "Nextcloud"),
    ):
        risk = location_risk(path, MOUNTINFO)
        assert risk is not None and risk.kind == "sync" and risk.name == service, path
        assert f"synced by {service}" in risk.message and "copy the file while SalesDesk is writing" in risk.message
    assert location_risk("/home/ana/Documents/sales-dropbox.sqlite3", MOUNTINFO) is None  # the file name alone is not
    assert location_risk("/home/ana/Sync/sales.sqlite3", "", sync_markers=True).name == "Syncthing"


def test_this_test_folder_is_not_risky(tmp_path):
    (tmp_path / "Dropbox").mkdir()
    assert check_location(tmp_path / "sales.sqlite3") is None
    assert check_location(tmp_path / "Dropbox" / "sales.sqlite3").name == "Dropbox"
    (tmp_path / "Sync").mkdir()
    (tmp_path / "Sync" / ".stfolder").mkdir()
    assert check_location(tmp_path / "Sync" / "sales.sqlite3").name == "Syncthing"
