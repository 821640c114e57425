"""`ancrage backup` / `ancrage restore`: a round trip gives back every row (identities still
readable), and a damaged archive, a failure half way, other keys or other migrations leave the
database as it was."""

import gzip
import hashlib
import io
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import tarfile
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import translation

from ancrage.activities.models import Attendance
from ancrage.clients import records
from ancrage.clients.models import Client, Identity, ServiceRecord, ServiceType
from ancrage.core import backup
from ancrage.core.choices import OrganizationKind, Role
from ancrage.grants.models import ApplicationDocument
from tests import factories
from tests.clients.conftest import FAMILY, GIVEN, register
from tests.grants.conftest import make_application, make_call

DOCUMENT = b"%PDF-1.4 lettre d'appui\x00\xff\x10 binaire"
# A round trip needs committed rows; the reference lists that migrations load come back after.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English (French is the default language)."""
    with translation.override("en"):
        yield


class Killed(BaseException):
    """The process stopped from outside (a kill, Ctrl-C), not an error of the code."""


def demo_like_data():
    """Organizations, staff, clients with vault identities, service records, activities with
    attendance, a partnership, a grant application with a document."""
    library = factories.OrganizationFactory(name="Bibliothèque de LaSalle")
    community = factories.OrganizationFactory(name="Carrefour d'accueil")
    factories.PartnershipFactory(organization=library, partner=community)
    intake = factories.member(community, Role.INTAKE_WORKER)
    first = register(community, intake)
    register(
        community,
        intake,
        given_names="Anh",
        family_names="Nguyễn",
        born_on=date(1990, 1, 2),
        email="anh@example.org",
        uci_number="9999-0000",
    )
    records.service_record(
        actor=intake,
        client=first,
        service_type=ServiceType.objects.get(organization=None, code="housing"),
        on=date(2025, 3, 4),
        minutes=45,
        note="Recherche de logement",
    )
    session = factories.SessionFactory(activity=factories.ActivityFactory(organization=library))
    Attendance.objects.create(session=session, newcomers=7, immigrants=2, women=4, total=9)
    funder = factories.OrganizationFactory(
        name="Ville de Montréal", kind=OrganizationKind.CITY_SERVICE
    )
    call = make_call(funder, documents_required=["Lettre d'appui"])
    application = make_application(call, community)
    ApplicationDocument.objects.create(
        application=application,
        requirement=0,
        name="appui.pdf",
        content_type="application/pdf",
        content=DOCUMENT,
        size=len(DOCUMENT),
        sha256="0" * 64,
        uploaded_by=intake,
    )
    return first


def summary():
    return backup.database_summary()


def manifest_summary(manifest):
    return {
        t["table"]: backup.TableSummary(rows=t["rows"], checksum=t["checksum"])
        for t in manifest["tables"]
    }


@COMMITTED
def test_a_backup_restores_into_a_fresh_database_and_a_failed_restore_changes_nothing(tmp_path):
    person = demo_like_data()
    before = summary()
    archive = tmp_path / "ancrage.tar.gz"

    call_command("backup", str(archive), verbosity=0)
    manifest = backup.read_manifest(archive)
    assert manifest_summary(manifest) == before
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["migrations"]["clients"]
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600

    # A fresh database: what `migrate` leaves (content types, permissions), nothing else.
    call_command("flush", interactive=False, verbosity=0)
    assert not Client.objects.exists()
    call_command("restore", str(archive), verbosity=0)

    assert summary() == before
    identity = Identity.objects.get(client_id=person.pk)
    assert (identity.given_names, identity.family_names) == (GIVEN, FAMILY)
    assert identity.date_of_birth == "1988-03-14"
    assert bytes(ApplicationDocument.objects.get().content) == DOCUMENT
    # The sequences follow: the next rows get new ids, not the restored ones.
    newcomer = register(person.organization, given_names="Ilya", family_names="Petrov")
    assert newcomer.pk > person.pk

    # Committed rows, then a restore that stops half way (killed after 40 tables, when the
    # existing rows are already gone): everything is as before. In the same test as the round
    # trip because each test with committed rows costs a full emptying of the database.
    before = summary()

    def interrupted(table, position):
        if position == 40:
            raise Killed

    with pytest.raises(Killed):
        backup.restore(archive, replace=True, progress=interrupted)
    assert summary() == before

    # A broken row (a service record of a client the backup lacks) fails only at the end.
    broken = tmp_path / "broken.tar.gz"
    rewrite(archive, broken, "clients_servicerecord", lambda rows: [bump_client(rows[0])])
    with pytest.raises(backup.BackupError, match="do not load"):
        backup.restore(broken, replace=True)
    assert summary() == before
    assert Identity.objects.get(client_id=newcomer.pk).given_names == "Ilya"

    # A real kill: another process restores and is killed (SIGKILL) after 40 tables.
    url = database_url(tmp_path)
    killed = run(url, "restore", str(archive))
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert run(url, "summary").stdout.decode().strip() == summary_text(before)


@pytest.mark.django_db
def test_a_damaged_or_truncated_archive_is_refused_and_changes_nothing(tmp_path):
    demo_like_data()
    archive = tmp_path / "ancrage.tar.gz"
    backup.backup(archive)
    before = summary()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="damaged or truncated"):
        call_command("restore", str(truncated), "--replace", verbosity=0)

    altered = tmp_path / "altered.tar.gz"
    rewrite(archive, altered, "clients_identity", lambda rows: rows[:-1], fix_hash=False)
    with pytest.raises(backup.BackupError, match="clients_identity does not match"):
        backup.restore(altered, replace=True)

    # Rows that load but differ from what was saved: the checksums catch them.
    edited = tmp_path / "edited.tar.gz"
    rewrite(archive, edited, "clients_servicerecord", lambda rows: [edit_note(rows[0])])
    with pytest.raises(backup.BackupError, match="does not read back as saved"):
        backup.restore(edited, replace=True)

    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(gzip.compress(b"hello"))
    with pytest.raises(backup.BackupError):
        backup.restore(not_a_backup, replace=True)
    assert summary() == before


@pytest.mark.django_db
def test_identities_stay_encrypted_and_the_keys_stay_out_unless_asked(tmp_path, settings):
    demo_like_data()
    archive = tmp_path / "ancrage.tar"
    keys = tmp_path / "keys.env"
    call_command("backup", str(archive), "--no-compress", "--with-keys", str(keys), verbosity=0)

    content = archive.read_bytes()
    assert GIVEN.encode() not in content and b"zephyrine@example.org" not in content
    for key in settings.ANCRAGE_VAULT_KEYS:
        assert key.encode() not in content
    assert settings.ANCRAGE_VAULT_INDEX_KEY.encode() not in content
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    assert f"ANCRAGE_VAULT_KEYS={settings.ANCRAGE_VAULT_KEYS[0]}" in keys.read_text()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("backup", str(tmp_path / "again.tar"), "--with-keys", str(keys))
    assert not (tmp_path / "again.tar").exists()


@pytest.mark.django_db
def test_other_keys_are_refused_unless_forced(tmp_path, settings):
    person = demo_like_data()
    archive = tmp_path / "ancrage.tar.gz"
    backup.backup(archive)
    extra = register(person.organization, given_names="Après", family_names="Sauvegarde")
    before = summary()

    settings.ANCRAGE_VAULT_KEYS = (Fernet.generate_key().decode(),)
    with pytest.raises(CommandError, match="cannot read this backup's identities"):
        call_command("restore", str(archive), "--replace", verbosity=0)
    settings.ANCRAGE_VAULT_INDEX_KEY = "another-blind-index-key-" + "x" * 32
    with pytest.raises(backup.BackupError, match="index key differs"):
        backup.restore(archive, replace=True)
    assert summary() == before

    # --force loads the rows all the same (their identities unreadable until the keys return).
    call_command("restore", str(archive), "--replace", "--force", verbosity=0)
    assert not Client.objects.filter(pk=extra.pk).exists()


@pytest.mark.django_db
def test_a_rotated_key_list_still_reads_the_backup(tmp_path, settings):
    person = demo_like_data()
    archive = tmp_path / "ancrage.tar.gz"
    backup.backup(archive)
    # A new key first, the backup's key kept after it: the identities stay readable.
    settings.ANCRAGE_VAULT_KEYS = (Fernet.generate_key().decode(), *settings.ANCRAGE_VAULT_KEYS)
    backup.restore(archive, replace=True)
    assert Identity.objects.get(client_id=person.pk).given_names == GIVEN


@pytest.mark.django_db
def test_a_backup_without_identities_restores_whatever_the_keys(tmp_path, settings):
    factories.OrganizationFactory(name="Bibliothèque sans clientèle inscrite")
    archive = tmp_path / "ancrage.tar.gz"
    backup.backup(archive)
    settings.ANCRAGE_VAULT_KEYS = (Fernet.generate_key().decode(),)
    backup.restore(archive, replace=True)
    assert manifest_summary(backup.read_manifest(archive)) == summary()


@pytest.mark.django_db
def test_another_migration_state_or_a_database_with_data_is_refused(tmp_path):
    demo_like_data()
    archive = tmp_path / "ancrage.tar.gz"
    backup.backup(archive)
    before = summary()

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), verbosity=0)

    MigrationRecorder(connection).record_applied("clients", "9999_from_the_future")
    with pytest.raises(CommandError, match="clients: applied here, not in the backup"):
        call_command("restore", str(archive), "--replace", verbosity=0)
    assert summary() == before


# --- helpers -----------------------------------------------------------------------------------


def rewrite(source, target, table, change, *, fix_hash=True):
    """Copy an archive with the rows of one table changed (and, if `fix_hash`, a manifest that
    vouches for them: the damage then shows only when loading)."""
    with tarfile.open(source) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive}
    manifest = json.loads(members["manifest.json"])
    entry = next(t for t in manifest["tables"] if t["table"] == table)
    rows = [json.loads(line) for line in members[entry["file"]].splitlines()]
    rows = change(rows)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    members[entry["file"]] = data
    if fix_hash:
        entry["rows"], entry["sha256"] = len(rows), hashlib.sha256(data).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as archive:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))


def bump_client(row):
    columns = [f.column for f in backup._columns(ServiceRecord)]
    row[columns.index("client_id")] = 10**9
    return row


def edit_note(row):
    columns = [f.column for f in backup._columns(ServiceRecord)]
    row[columns.index("note")] = "Modifié après la sauvegarde"
    return row


# Run in another process: print the database's summary, or restore and die after 40 tables.
KILLED_RESTORE = """
import json, os, signal, sys
import django
django.setup()
from ancrage.core import backup
if sys.argv[1] == "summary":
    found = backup.database_summary()
    print(json.dumps({t: [s.rows, s.checksum] for t, s in found.items()}, sort_keys=True))
else:
    def kill(table, position):
        if position == 40:
            os.kill(os.getpid(), signal.SIGKILL)
    backup.restore(sys.argv[2], replace=True, progress=kill)
"""


def summary_text(found):
    return json.dumps({t: [s.rows, s.checksum] for t, s in found.items()}, sort_keys=True)


def run(url, *args):
    """KILLED_RESTORE in a new process (this interpreter, our own script) on that database."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", KILLED_RESTORE, *args],
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ancrage.settings"},
        capture_output=True,
        check=False,
    )


def database_url(tmp_path):
    """A URL another process can open: the test database itself on PostgreSQL; on SQLite (an
    in-memory test database) a file copy of it."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        return (
            f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    path = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"
