"""Backup and restore of the whole database in a portable archive (`ancrage backup` / `restore`).

The archive is one tar file (gzip-compressed by default) holding:
- `manifest.json`: format version, Ancrage version, database vendor, creation time, the applied
  migrations per app, fingerprints of the vault keys, and for each table its columns, row count,
  checksum (over the rows) and the SHA-256 of its data file;
- `data/<table>.jsonl`: one JSON array per row, values in the column order of the manifest, in a
  vendor-neutral form (ISO dates, decimals as strings, bytes in base64), so a backup made on
  SQLite restores into PostgreSQL and the other way round.

Identity fields of the vault are copied as stored (ciphertext): a backup never decrypts them and
never holds the keys. The manifest records a fingerprint of the keys so that `restore` can refuse
a database whose keys could not read the identities it loads.

Restore loads everything in one transaction: a corrupt archive, a failure or a kill half way
leaves the database as it was. Uploaded files (grant application documents, report files) are
stored in the database, so the archive holds them too; Ancrage keeps no files under MEDIA_ROOT.
"""

import base64
import datetime
import decimal
import hashlib
import io
import json
import os
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import ExpressionWrapper, F
from django.utils import timezone
from django.utils.duration import duration_string
from django.utils.translation import gettext as _

import ancrage

FORMAT = "ancrage-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000
KEY_SAMPLE = 20  # ciphertexts tried with the current keys before a restore
MODULUS = 2**256

# Tables that `migrate` fills by itself (content types, permissions, the reference lists of the
# data migrations): a freshly migrated database holds rows there and still counts as empty.
FILLED_BY_MIGRATE = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "core.borough",
        "core.language",
        "core.immigrationstatus",
        "core.audience",
        "directory.taxonomy",
        "directory.taxonomyterm",
        "clients.servicetype",
        "activities.activitytype",
    }
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's words."""


@dataclass(frozen=True)
class TableSummary:
    rows: int
    checksum: str


# --- Tables and values ------------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages (many-to-many tables too), once each, in a stable order."""
    seen: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        seen.setdefault(meta.db_table, model)
    return [seen[table] for table in sorted(seen)]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if f.column and not getattr(f, "generated", False)
    ]


def _is_raw(field: models.Field) -> bool:
    """Fields that transform values on load (the vault's encrypted text): copied as stored."""
    if not hasattr(field, "from_db_value"):
        return False
    return not type(field).__module__.startswith("django.")


def _encode(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(field: models.Field, value: Any, connection: Any) -> Any:
    if isinstance(field, models.JSONField):
        if value is None and not field.null:
            # A JSON null in a column that refuses SQL NULL (both read back as None).
            return connection.ops.adapt_json_value(None, field.encoder)
        return field.get_db_prep_save(value, connection)
    if value is None or _is_raw(field):
        return value
    return field.get_db_prep_save(field.to_python(value), connection)


def _line(row: list[Any]) -> str:
    # sort_keys: PostgreSQL's jsonb reorders object keys; the checksum must not see it.
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _row_digest(line: str) -> int:
    return int.from_bytes(hashlib.sha256(line.encode("utf-8")).digest(), "big")


def _rows(model: type[models.Model], using: str) -> Iterator[str]:
    """The table's rows as JSON lines, vault ciphertext untouched."""
    fields = _columns(model)
    names = []
    raw = {}
    for field in fields:
        if _is_raw(field):
            alias = f"backup_raw_{field.attname}"
            raw[alias] = ExpressionWrapper(F(field.attname), output_field=models.TextField())
            names.append(alias)
        else:
            names.append(field.attname)
    queryset = model._base_manager.using(using).annotate(**raw).order_by("pk")
    for values in queryset.values_list(*names).iterator(chunk_size=2000):
        yield _line([_encode(f, v) for f, v in zip(fields, values, strict=True)])


def table_summary(model: type[models.Model], using: str = "default") -> TableSummary:
    """Row count and checksum of a table as it is in the database: the sum of the rows' SHA-256
    (modulo 2**256), so it does not depend on the order each database returns rows in."""
    count, total = 0, 0
    for line in _rows(model, using):
        count += 1
        total = (total + _row_digest(line)) % MODULUS
    return TableSummary(rows=count, checksum=f"{total:064x}")


def database_summary(using: str = "default") -> dict[str, TableSummary]:
    return {m._meta.db_table: table_summary(m, using) for m in backed_up_models()}


# --- Migrations and keys ----------------------------------------------------------------------


def migration_state(using: str = "default") -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        state.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def key_fingerprint(key: str) -> str:
    """A short, one-way fingerprint: tells keys apart without revealing them."""
    return hashlib.sha256(f"ancrage-vault-key:{key}".encode()).hexdigest()[:16]


def vault_fingerprints() -> dict[str, Any]:
    index_key = settings.ANCRAGE_VAULT_INDEX_KEY or ""
    return {
        "keys": [key_fingerprint(k) for k in settings.ANCRAGE_VAULT_KEYS],
        "index_key": key_fingerprint(index_key) if index_key else None,
    }


def write_keys_file(path: str | os.PathLike) -> Path:
    """The vault keys in a separate file readable by its owner only (0600), as environment
    variables. Refuses to overwrite a file."""
    path = Path(path)
    if not settings.ANCRAGE_VAULT_KEYS:
        raise BackupError(_("No vault keys are configured: there are no keys to export."))
    content = (
        "# Ancrage identity vault keys. Keep apart from the backups, in a safe place.\n"
        f"ANCRAGE_VAULT_KEYS={','.join(settings.ANCRAGE_VAULT_KEYS)}\n"
        f"ANCRAGE_VAULT_INDEX_KEY={settings.ANCRAGE_VAULT_INDEX_KEY or ''}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(
            _("%(path)s already exists: the keys file is never overwritten.") % {"path": path}
        ) from exc
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(content)
    os.chmod(path, 0o600)  # whatever the umask
    return path


# --- Backup -----------------------------------------------------------------------------------


def _snapshot(using: str) -> None:
    """One consistent view of every table for the whole backup."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    # SQLite: a transaction reads one snapshot already.


def backup(
    output: str | os.PathLike,
    *,
    using: str = "default",
    compress: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Write the archive to `output` (readable by its owner only) and return its manifest.

    The archive appears under its name only once complete: a backup that fails or is killed
    leaves at most a `.partial` file beside it."""
    output = Path(output)
    if output.exists():
        raise BackupError(
            _("%(path)s already exists: choose another file name.") % {"path": output}
        )
    if not output.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": output.parent})
    connection = connections[using]
    tables = []
    with tempfile.TemporaryDirectory(prefix="ancrage-backup-") as workdir:
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=using):
            if outermost:  # the isolation level can only be set at a transaction's start
                _snapshot(using)
            migrations = migration_state(using)
            for model in backed_up_models():
                table = model._meta.db_table
                path = Path(workdir) / f"{table}.jsonl"
                count, total, file_hash = 0, 0, hashlib.sha256()
                with path.open("w", encoding="utf-8") as out:
                    for line in _rows(model, using):
                        data = line + "\n"
                        out.write(data)
                        file_hash.update(data.encode("utf-8"))
                        count += 1
                        total = (total + _row_digest(line)) % MODULUS
                tables.append(
                    {
                        "table": table,
                        "model": model._meta.label_lower,
                        "columns": [f.column for f in _columns(model)],
                        "rows": count,
                        "checksum": f"{total:064x}",
                        "file": f"data/{table}.jsonl",
                        "sha256": file_hash.hexdigest(),
                    }
                )
                if progress:
                    progress(table, count)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "ancrage_version": ancrage.__version__,
            "database_vendor": connection.vendor,
            "created_at": timezone.now().isoformat(),
            "migrations": migrations,
            "vault": vault_fingerprints(),
            "media": None,  # uploaded documents live in the database (see the module's note)
            "tables": tables,
        }
        partial = output.with_name(output.name + ".partial")
        try:
            _write_archive(partial, manifest, Path(workdir), compress)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    return manifest


def _write_archive(partial: Path, manifest: dict[str, Any], workdir: Path, compress: bool) -> None:
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw_out:
        with tarfile.open(fileobj=raw_out, mode="w:gz" if compress else "w") as archive:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
            for entry in manifest["tables"]:
                archive.add(
                    workdir / f"{entry['table']}.jsonl", arcname=entry["file"], recursive=False
                )
        raw_out.flush()
        os.fsync(raw_out.fileno())


# --- Restore ----------------------------------------------------------------------------------


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist.") % {"path": path})
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            _("%(path)s is not an Ancrage backup or is damaged (%(error)s).")
            % {"path": path, "error": exc}
        ) from exc


def _damaged(path: Path, exc: BaseException) -> BackupError:
    return BackupError(
        _("The backup %(path)s is damaged or truncated (%(error)s); nothing was changed.")
        % {"path": path, "error": exc}
    )


def read_manifest(path: str | os.PathLike) -> dict[str, Any]:
    path = Path(path)
    with _open(path) as archive:
        try:
            member = archive.next()
            if member is None or member.name != MANIFEST:
                raise BackupError(
                    _("%(path)s is not an Ancrage backup (no manifest).") % {"path": path}
                )
            manifest = json.loads(archive.extractfile(member).read().decode("utf-8"))
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise _damaged(path, exc) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not an Ancrage backup.") % {"path": path})
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("This backup uses format %(found)s; this version of Ancrage reads format %(known)s.")
            % {"found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    return manifest


def _iter_lines(archive: tarfile.TarFile, entries: dict[str, dict]) -> Iterator[tuple[dict, bytes]]:
    """Each data file of the archive with its manifest entry, in archive order."""
    for member in archive:
        if member.name == MANIFEST:
            continue
        entry = entries.get(member.name)
        if entry is None or not member.isfile():
            raise BackupError(
                _("The backup holds an unexpected file: %(name)s.") % {"name": member.name}
            )
        yield entry, archive.extractfile(member)


def check_migrations(manifest: dict[str, Any], using: str = "default") -> None:
    here = migration_state(using)
    there = manifest["migrations"]
    differences = []
    for app in sorted(set(here) | set(there)):
        missing = sorted(set(there.get(app, [])) - set(here.get(app, [])))
        extra = sorted(set(here.get(app, [])) - set(there.get(app, [])))
        if missing:
            differences.append(
                _("%(app)s: not applied here: %(names)s")
                % {"app": app, "names": ", ".join(missing)}
            )
        if extra:
            differences.append(
                _("%(app)s: applied here, not in the backup: %(names)s")
                % {"app": app, "names": ", ".join(extra)}
            )
    if differences:
        raise BackupError(
            _(
                "The database's migrations differ from the backup's; run the Ancrage version "
                "that made the backup (%(version)s) and `ancrage migrate` to the same state. "
                "Differences: %(differences)s"
            )
            % {"version": manifest.get("ancrage_version"), "differences": "; ".join(differences)}
        )


def check_keys(manifest: dict[str, Any], samples: list[str]) -> None:
    """Refuse when the keys configured here could not decrypt the backup's identities."""
    from ancrage.clients import vault

    recorded = manifest.get("vault") or {}
    current = vault_fingerprints()
    if not samples:
        return  # no identity in the backup: whatever the keys, nothing is unreadable
    problems = []
    if recorded.get("keys") and recorded["keys"][0] not in current["keys"]:
        problems.append(_("the key the backup's identities were encrypted with is not configured"))
    if recorded.get("index_key") and recorded["index_key"] != current["index_key"]:
        problems.append(_("the blind index key differs"))
    if not problems:
        try:
            for token in samples:
                vault.decrypt(token)
        except vault.VaultKeyError:
            problems.append(_("an identity of the backup cannot be decrypted"))
    if problems:
        raise BackupError(
            _(
                "The vault keys configured here cannot read this backup's identities: "
                "%(problems)s. The backup was made with keys %(theirs)s (index key %(their_index)s); "
                "this server has %(ours)s (index key %(our_index)s). Set ANCRAGE_VAULT_KEYS and "
                "ANCRAGE_VAULT_INDEX_KEY to the backup's keys, or restore with --force to load "
                "identities that will stay unreadable."
            )
            % {
                "problems": "; ".join(problems),
                "theirs": ", ".join(recorded.get("keys") or []) or "-",
                "their_index": recorded.get("index_key") or "-",
                "ours": ", ".join(current["keys"]) or "-",
                "our_index": current["index_key"] or "-",
            }
        )


def _raw_column_indexes(entry: dict[str, Any]) -> list[int]:
    try:
        model = apps.get_model(entry["model"])
    except (LookupError, ValueError):
        return []  # a table this database lacks: `restore` names it
    raw = {f.column for f in _columns(model) if _is_raw(f)}
    return [i for i, column in enumerate(entry["columns"]) if column in raw]


def verify_archive(path: str | os.PathLike) -> tuple[dict[str, Any], list[str]]:
    """Read the whole archive once: every data file must match its SHA-256 and row count.
    Returns the manifest and a few vault ciphertexts to try the keys on."""
    path = Path(path)
    manifest = read_manifest(path)
    entries = {e["file"]: e for e in manifest["tables"]}
    samples: list[str] = []
    seen = set()
    with _open(path) as archive:
        try:
            for entry, stream in _iter_lines(archive, entries):
                raw_indexes = _raw_column_indexes(entry)
                digest, count = hashlib.sha256(), 0
                for line in stream:
                    digest.update(line)
                    count += 1
                    if raw_indexes and len(samples) < KEY_SAMPLE:
                        row = json.loads(line)
                        samples.extend(row[i] for i in raw_indexes if row[i] is not None)
                if digest.hexdigest() != entry["sha256"] or count != entry["rows"]:
                    raise BackupError(
                        _("The data of table %(table)s does not match its checksum.")
                        % {"table": entry["table"]}
                    )
                seen.add(entry["file"])
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise _damaged(path, exc) from exc
    missing = sorted(set(entries) - seen)
    if missing:
        raise _damaged(path, ValueError(", ".join(missing)))
    return manifest, samples[:KEY_SAMPLE]


def check_empty(using: str = "default") -> None:
    """A database counts as empty when only `migrate` has written to it."""
    holding = [
        model._meta.db_table
        for model in backed_up_models()
        if model._meta.label_lower not in FILLED_BY_MIGRATE
        and model._base_manager.using(using).exists()
    ]
    if holding:
        raise BackupError(
            _(
                "The database is not empty (%(tables)s hold rows). Restore into a freshly "
                "migrated database, or use --replace to erase this one's data first."
            )
            % {"tables": ", ".join(holding[:5]) + (", …" if len(holding) > 5 else "")}
        )


def _load_table(
    connection: Any, model: type[models.Model], entry: dict[str, Any], stream: Any
) -> None:
    by_column = {f.column: f for f in _columns(model)}
    if set(entry["columns"]) != set(by_column):
        raise BackupError(
            _("The columns of table %(table)s differ from the backup's.")
            % {"table": entry["table"]}
        )
    fields = [by_column[c] for c in entry["columns"]]
    quote = connection.ops.quote_name
    # Names come from the model (the archive's were checked against them), never from the file.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        batch = []
        for line in stream:
            row = json.loads(line)
            batch.append([_decode(f, v, connection) for f, v in zip(fields, row, strict=True)])
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


TRUNCATE_FROM = 5000  # rows: below, DELETE is quicker than TRUNCATE's new files on PostgreSQL


def _empty_tables(connection: Any, tables: list[str]) -> None:
    """Empty every table inside the current transaction."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for statement in connection.ops.sql_flush(no_style(), tables):
                cursor.execute(statement)
            return
        # TRUNCATE refuses tables with foreign-key checks still pending in this transaction
        # (rows written earlier in it): run those checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
        with_triggers = {name.strip('"') for (name,) in cursor.fetchall()}
        truncate, delete = [], []
        # Table names come from the models, never from the archive.
        for table in tables:
            sql = f"SELECT 1 FROM {quote(table)} OFFSET %s LIMIT 1"  # noqa: S608
            cursor.execute(sql, [TRUNCATE_FROM - 1])
            if cursor.fetchone() or table in with_triggers:  # big, or refusing DELETE (audit)
                truncate.append(table)
            else:
                delete.append(table)
        if truncate:
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in truncate)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in delete:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608


def restore(
    path: str | os.PathLike,
    *,
    using: str = "default",
    replace: bool = False,
    force: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Load the archive into the database, all or nothing, and return its manifest.

    Checks, before touching anything: the archive is whole, the migrations match, the keys can
    read the identities (unless `force`), the database is empty (unless `replace`). Then, in one
    transaction: empty every table, load every row, check foreign keys, row counts and
    checksums, reset PostgreSQL's sequences."""
    path = Path(path)
    manifest, samples = verify_archive(path)
    check_migrations(manifest, using)
    if not force:
        check_keys(manifest, samples)
    if not replace:
        check_empty(using)
    connection = connections[using]
    models_by_table = {m._meta.db_table: m for m in backed_up_models()}
    entries = {e["file"]: e for e in manifest["tables"]}
    unknown = sorted(e["table"] for e in entries.values() if e["table"] not in models_by_table)
    if unknown:
        raise BackupError(
            _("The backup holds tables this database does not have: %(tables)s.")
            % {"tables": ", ".join(unknown)}
        )
    with transaction.atomic(using=using), _open(path) as archive:
        _empty_tables(connection, list(models_by_table))
        try:
            for position, (entry, stream) in enumerate(_iter_lines(archive, entries), start=1):
                _load_table(connection, models_by_table[entry["table"]], entry, stream)
                if progress:
                    progress(entry["table"], position)
            connection.check_constraints()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _damaged(path, exc) from exc
        except DatabaseError as exc:
            raise BackupError(
                _(
                    "The backup's rows do not load into this database (%(error)s); nothing was changed."
                )
                % {"error": exc}
            ) from exc
        for entry in entries.values():
            found = table_summary(models_by_table[entry["table"]], using)
            if found != TableSummary(rows=entry["rows"], checksum=entry["checksum"]):
                raise BackupError(
                    _(
                        "Table %(table)s does not read back as saved (%(found)s rows, "
                        "%(expected)s expected, or a different checksum); nothing was changed."
                    )
                    % {"table": entry["table"], "found": found.rows, "expected": entry["rows"]}
                )
        sequences = connection.ops.sequence_reset_sql(no_style(), list(models_by_table.values()))
        if sequences:
            with connection.cursor() as cursor:
                for statement in sequences:
                    cursor.execute(statement)
    return manifest
