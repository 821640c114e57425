"""The shape every daily reminder command shares: `--dry-run` and `--today YYYY-MM-DD`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class DailyReminderCommand(BaseCommand):
    """Run daily from cron; `--today` acts as of another day, to catch up after an outage."""

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list only, send nothing")
        parser.add_argument(
            "--today", help="the day to act as (YYYY-MM-DD), to catch up after an outage"
        )

    def day(self, today: str | None) -> date:
        if not today:
            return timezone.localdate()
        try:
            return date.fromisoformat(today)
        except ValueError:
            raise CommandError("--today must be a date, YYYY-MM-DD.") from None
