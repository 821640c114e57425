"""`ancrage grants-announce`: e-mail every open call to the eligible organizations not yet told
(registered after the publication, or with nobody to write to then). Run daily from cron."""

from django.core.management.base import BaseCommand

from ancrage.grants.announcements import announce_open_calls


class Command(BaseCommand):
    help = "Announce open calls for projects to the eligible organizations not yet told."

    def handle(self, *args, **options):
        sent = announce_open_calls()
        for announcement in sent:
            self.stdout.write(
                f"{announcement.call.code}\t{announcement.organization.name}\t"
                f"{announcement.recipients}"
            )
        self.stdout.write(f"{len(sent)} organization(s) told.")
