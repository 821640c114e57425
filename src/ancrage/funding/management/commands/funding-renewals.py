"""`ancrage funding-renewals [--dry-run] [--today YYYY-MM-DD]`: e-mail the directors and
coordinators of each organization whose agreement comes up for renewal in 180, 90 or 30 days
(run daily from cron; idempotent: each step is sent once per agreement and renewal date)."""

from ancrage.core.management.reminders import DailyReminderCommand
from ancrage.funding.services import renewal_alerts_due, renewal_alerts_send


class Command(DailyReminderCommand):
    help = "E-mail renewal alerts 180, 90 and 30 days before each agreement's renewal date."

    def handle(self, *args, dry_run=False, today=None, **options):
        day = self.day(today)
        if dry_run:
            due = renewal_alerts_due(day)
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
