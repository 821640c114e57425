"""`ancrage hsds-import`: import Open Referral HSDS 3.0 data (CSV datapackage zip or JSON)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ancrage.api.hsds.importer import ImportReport, hsds_import
from ancrage.directory.models import CONTENT_LANGUAGES

KINDS = {
    "organizations": gettext_lazy("Organizations"),
    "places": gettext_lazy("Places"),
    "programs": gettext_lazy("Programs"),
    "services": gettext_lazy("Services"),
}


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Import HSDS 3.0 data exported by Ancrage or another system. Everything is checked "
            "first: if any row is wrong, nothing is changed and every bad row is listed."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("A datapackage (.zip of CSV files) or a JSON file."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check and report what would change, without changing anything."),
        )
        parser.add_argument(
            "--language",
            choices=CONTENT_LANGUAGES,
            default="fr",
            help=_(
                "Language of texts that come without the Ancrage translations table "
                "(default: %(default)s)."
            ),
        )

    def handle(self, *args, path: str, dry_run: bool, language: str, **options) -> None:
        report = hsds_import(path=Path(path), dry_run=dry_run, language=language)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "%(count)d problem in %(file)s: nothing was changed.",
                    "%(count)d problems in %(file)s: nothing was changed.",
                    len(report.problems),
                )
                % {"count": len(report.problems), "file": report.source}
            )
        for line in report.not_kept:
            self.stdout.write(line)
        self.stdout.write(self._summary(report))

    def _summary(self, report: ImportReport) -> str:
        lines = [
            _("Dry run of %(file)s: nothing was changed.") % {"file": report.source}
            if report.dry_run
            else _("Imported %(file)s.") % {"file": report.source}
        ]
        for kind, label in KINDS.items():
            lines.append(
                _("%(kind)s: %(created)d new, %(changed)d changed, %(unchanged)d unchanged")
                % {
                    "kind": label,
                    "created": report.created[kind],
                    "changed": report.changed[kind],
                    "unchanged": report.unchanged[kind],
                }
            )
        return "\n".join(lines)
