"""`ancrage grants-progress-remind [--dry-run] [--today YYYY-MM-DD]`: e-mail the directors and
coordinators of each funded project's organization 30, 7 and 0 days before a progress report is
due, and once when it is overdue (run daily from cron; idempotent: each step is sent once per
report, recorded in its `last_reminded_on`)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ancrage.grants.projects import OVERDUE, reminders_due, reports_remind


def _step(step: int) -> str:
    return "overdue" if step == OVERDUE else f"{step}d"


class Command(BaseCommand):
    help = (
        "E-mail funded projects' organizations about progress reports due in 30, 7 or 0 days, "
        "or overdue (once per step)."
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
        if dry_run:
            due = reminders_due(day)
            for report, step in due:
                self.stdout.write(
                    f"{report.application.organization.name}\t{report.application.title}\t"
                    f"{report.due_on.isoformat()}\t{_step(step)}"
                )
            self.stdout.write(f"{len(due)} progress report reminder(s) due.")
            return
        sent = reports_remind(today=day)
        for report, step, recipients in sent:
            self.stdout.write(
                f"{report.application.organization.name}\t{report.application.title}\t"
                f"{report.due_on.isoformat()}\t{_step(step)}\t{recipients} recipient(s)"
            )
        self.stdout.write(f"{len(sent)} progress report reminder(s) sent.")
