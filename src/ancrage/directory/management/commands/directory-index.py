"""`ancrage directory-index`: bring the public directory's search vectors up to date."""

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ancrage.directory.search import forget_index, index_build


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked for, not at import
        return _(
            "Encode the texts of the published services that are new or changed since the last "
            "run (all of them with --rebuild), for the public directory's search."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help=_("Processes that encode in parallel (default: %(default)s)."),
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help=_("Encode every text again, changed or not."),
        )

    def handle(self, *args, workers: int, rebuild: bool, **options) -> None:
        if not 1 <= workers <= 16:
            raise CommandError(_("--workers must be between 1 and 16."))
        report = index_build(workers=workers, rebuild=rebuild, stdout=self.stdout)
        forget_index()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Search index up to date: %(services)d services, %(encoded)d texts encoded "
                    "(%(encode_seconds)s s, %(workers)d process(es)), %(unchanged)d unchanged, "
                    "%(removed)d vectors removed, in %(seconds)s s."
                )
                % vars(report)
            )
        )
