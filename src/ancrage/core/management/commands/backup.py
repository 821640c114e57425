"""`ancrage backup [FILE]`: the whole database in one portable archive (see ancrage.core.backup)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import backup


class Command(BaseCommand):
    @property
    def help(self):  # translated when asked, once the catalogues are loaded
        return _(
            "Write the whole database (identities still encrypted, without the keys) to one "
            "archive that restores into SQLite or PostgreSQL."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            help=_("archive to write (default: var/backups/ancrage-DATE.tar.gz)"),
        )
        parser.add_argument(
            "--with-keys",
            metavar="FILE",
            help=_(
                "also write the vault keys to FILE (readable by its owner only); "
                "keep it apart from the backup"
            ),
        )
        parser.add_argument("--no-compress", action="store_true", help=_("write a plain tar file"))
        parser.add_argument(
            "--database", default="default", help=_("database alias (default: default)")
        )

    def handle(
        self, *args, output=None, with_keys=None, no_compress=False, database="default", **options
    ):
        if output is None:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            suffix = ".tar" if no_compress else ".tar.gz"
            folder = Path(settings.VAR_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            output = folder / f"ancrage-{stamp}{suffix}"
        verbose = options.get("verbosity", 1) >= 2
        started = time.perf_counter()
        try:
            if with_keys and Path(with_keys).exists():
                raise backup.BackupError(
                    _("%(path)s already exists: the keys file is never overwritten.")
                    % {"path": with_keys}
                )
            manifest = backup.backup(
                output,
                using=database,
                compress=not no_compress,
                progress=(lambda table, rows: self.stdout.write(f"  {table}: {rows}"))
                if verbose
                else None,
            )
            if with_keys:
                backup.write_keys_file(with_keys)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"])
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(tables)d tables, %(rows)d rows, %(size).1f MB in %(seconds).1f s."
            )
            % {
                "path": output,
                "tables": len(manifest["tables"]),
                "rows": rows,
                "size": Path(output).stat().st_size / 1e6,
                "seconds": time.perf_counter() - started,
            }
        )
        if with_keys:
            self.stdout.write(
                _("Vault keys written to %(path)s (mode 0600): store it apart from the backup.")
                % {"path": with_keys}
            )
        else:
            self.stdout.write(
                _("The vault keys are not in the backup: restoring needs the same keys.")
            )
