"""`ancrage grants-progress-remind [--dry-run] [--today YYYY-MM-DD]`: e-mail the directors and
coordinators of each funded project's organization 30, 7 and 0 days before a progress report is
due, and once when it is overdue (run daily from cron; idempotent: each step is sent once per
report, recorded in its `last_reminded_on`)."""

from ancrage.core.management.reminders import DailyReminderCommand
from ancrage.grants.projects import OVERDUE, reminders_due, reports_remind


def _step(step: int) -> str:
    return "overdue" if step == OVERDUE else f"{step}d"


class Command(DailyReminderCommand):
    help = (
        "E-mail funded projects' organizations about progress reports due in 30, 7 or 0 days, "
        "or overdue (once per step)."
    )

    def handle(self, *args, dry_run=False, today=None, **options):
        day = self.day(today)
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
