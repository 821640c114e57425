"""`ancrage recommendations-remind [--dry-run] [--today YYYY-MM-DD]`: e-mail each round table's
coordinators about its recommendations sent and still without an answer after their waiting time
(run daily from cron; idempotent: once per recommendation and period, audited)."""

from ancrage.core.management.reminders import DailyReminderCommand
from ancrage.surveys import recommendations as workflow
from ancrage.surveys.roundtables import recommendations_remind, reminders_due


class Command(DailyReminderCommand):
    help = (
        "E-mail round tables' coordinators about recommendations waiting for an institution's "
        "answer longer than their reminder delay."
    )

    def handle(self, *args, dry_run=False, today=None, **options):
        day = self.day(today)
        found = reminders_due(day) if dry_run else recommendations_remind(today=day)
        for recommendation in found:
            self.stdout.write(
                f"{recommendation.table.name}\t{recommendation.addressed_to.name}\t"
                f"{recommendation.sent_on.isoformat()}\t"
                f"{workflow.days_waiting(recommendation, day)}\t{recommendation.title}"
            )
        verb = "waiting" if dry_run else "reminded"
        self.stdout.write(f"{len(found)} recommendation(s) {verb}.")
