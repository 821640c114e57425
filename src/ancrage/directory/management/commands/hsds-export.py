"""`ancrage hsds-export`: the public directory as Open Referral HSDS 3.0 (JSON or CSV datapackage)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ancrage.api.hsds.exporter import FORMATS, hsds_export


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Export the published services, their organizations and places as Open Referral "
            "HSDS 3.0: a JSON document or a tabular datapackage (zip of CSV files)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="zip",
            help=_("zip: datapackage of CSV files; json: one JSON document (default: zip)."),
        )
        parser.add_argument("--output", required=True, help=_("File to write."))

    def handle(self, *args, format: str, output: str, **options) -> None:
        content = hsds_export(format=format)
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from error
        self.stdout.write(
            _("Wrote %(path)s (%(size)d bytes).") % {"path": output, "size": len(content)}
        )
