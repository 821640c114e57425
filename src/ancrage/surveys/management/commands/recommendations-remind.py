"""`ancrage recommendations-remind [--dry-run] [--today YYYY-MM-DD]`: e-mail each round table's
coordinators about its recommendations sent and still without an answer after their waiting time
(run daily from cron; idempotent: once per recommendation and period, audited)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ancrage.surveys import recommendations as workflow
from ancrage.surveys.roundtables import recommendations_remind, reminders_due


class Command(BaseCommand):
    help = (
        "E-mail round tables' coordinators about recommendations waiting for an institution's "
        "answer longer than their reminder delay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list only, send nothing")
        parser.add_argument(
            "--today", help="the day to act as (YYYY-MM-DD), to catch up after an outage"
        )

    def handle(self, *args, dry_run=False, today=None, **options):
        day = timezone.localdate()
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today must be a date, YYYY-MM-DD.") from None
        found = reminders_due(day) if dry_run else recommendations_remind(today=day)
        for recommendation in found:
            self.stdout.write(
                f"{recommendation.table.name}\t{recommendation.addressed_to.name}\t"
                f"{recommendation.sent_on.isoformat()}\t"
                f"{workflow.days_waiting(recommendation, day)}\t{recommendation.title}"
            )
        verb = "waiting" if dry_run else "reminded"
        self.stdout.write(f"{len(found)} recommendation(s) {verb}.")
