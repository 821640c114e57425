"""`ancrage funding-renewals [--dry-run] [--today YYYY-MM-DD]`: e-mail the directors and
coordinators of each organization whose agreement comes up for renewal in 180, 90 or 30 days
(run daily from cron; idempotent: each step is sent once per agreement and renewal date)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ancrage.funding.services import renewal_alerts_due, renewal_alerts_send


class Command(BaseCommand):
    help = "E-mail renewal alerts 180, 90 and 30 days before each agreement's renewal date."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list only, send nothing")
        parser.add_argument(
            "--today", help="the day to act as (YYYY-MM-DD), to catch up after an outage"
        )

    def handle(self, *args, dry_run=False, today=None, **options):
        day = None
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today must be a date, YYYY-MM-DD.") from None
        if dry_run:
            due = renewal_alerts_due(day or timezone.localdate())
            for agreement, step in due:
                self.stdout.write(
                    f"{agreement.organization.name}\t{agreement.program.code}\t"
                    f"{agreement.renewal_date.isoformat()}\t{step}"
                )
            self.stdout.write(f"{len(due)} renewal alert(s) due.")
            return
        sent = renewal_alerts_send(today=day)
        for alert in sent:
            self.stdout.write(
                f"{alert.agreement.organization.name}\t{alert.agreement.program.code}\t"
                f"{alert.renewal_date.isoformat()}\t{alert.days_before}\t"
                f"{len(alert.recipients)} recipient(s)"
            )
        self.stdout.write(f"{len(sent)} renewal alert(s) sent.")
