"""`ancrage insights-refresh --all | --service UUID`: recompute overlap suggestions.

Nightly with --all (the whole city: it also catches up a refresh that failed after a publication,
and compares services declaring no need). A publication, edit or discontinuation refreshes its
service's suggestions itself once it commits (`insights.services.overlap_refresh_on_commit`);
--service does the same by hand.
"""

import uuid

from django.core.management.base import BaseCommand, CommandError

from ancrage.directory.models import Service
from ancrage.insights import services


class Command(BaseCommand):
    help = "Recompute overlap suggestions: the whole city (--all) or one service (--service)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every service, activity, project")
        parser.add_argument("--service", metavar="UUID", help="only this service's pairs")

    def handle(self, *args, all=False, service=None, **options):
        if all == bool(service):
            raise CommandError("Give either --all or --service UUID.")
        if service:
            try:
                obj = Service.objects.get(pk=uuid.UUID(service))
            except (ValueError, Service.DoesNotExist) as error:
                raise CommandError(f"No service {service!r}.") from error
            report = services.overlap_refresh_for(obj)
        else:
            report = services.overlap_refresh_all()
        self.stdout.write(
            f"found {report.found}, created {report.created}, updated {report.updated}, "
            f"reopened {report.reopened}, removed {report.removed}"
        )
