"""`ancrage restore FILE`: load a backup of `ancrage backup`, all or nothing."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ancrage.core import backup


class Command(BaseCommand):
    @property
    def help(self):  # translated when asked, once the catalogues are loaded
        return _(
            "Load a backup into an empty database (or replace this one's data with --replace), "
            "in one transaction: on any error the database stays as it was."
        )

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("archive written by `ancrage backup`"))
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("erase the data of this database first (it is not empty)"),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "restore even though the vault keys configured here cannot read the backup's "
                "identities"
            ),
        )
        parser.add_argument(
            "--database", default="default", help=_("database alias (default: default)")
        )

    def handle(self, *args, archive, replace=False, force=False, database="default", **options):
        verbose = options.get("verbosity", 1) >= 2
        started = time.perf_counter()
        try:
            manifest = backup.restore(
                archive,
                using=database,
                replace=replace,
                force=force,
                progress=(lambda table, position: self.stdout.write(f"  {table}"))
                if verbose
                else None,
            )
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"])
        self.stdout.write(
            _(
                "Restored %(rows)d rows in %(tables)d tables from the backup of %(created)s "
                "(%(vendor)s, Ancrage %(version)s) in %(seconds).1f s; counts and checksums match."
            )
            % {
                "rows": rows,
                "tables": len(manifest["tables"]),
                "created": manifest["created_at"],
                "vendor": manifest["database_vendor"],
                "version": manifest["ancrage_version"],
                "seconds": time.perf_counter() - started,
            }
        )
