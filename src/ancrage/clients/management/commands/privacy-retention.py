"""`ancrage privacy-retention`: de-identify clients inactive for their organization's retention
period (docs/PRIVACY.md). Meant to run every night (docs/OPERATIONS.md); safe to run again."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ancrage.clients.privacy import retention_run


class Command(BaseCommand):
    help = (
        "Erase the identity of clients with no activity for their organization's retention "
        "period (7 years unless a director set another); profiles are kept for statistics."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list who would be de-identified, change nothing"
        )
        parser.add_argument("--today", help="the date to count from (YYYY-MM-DD); default today")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: expected a date as YYYY-MM-DD, got {today!r}") from exc
        found = retention_run(today=day, dry_run=dry_run)
        for inactive in found:
            client = inactive.client
            self.stdout.write(
                f"{client.organization_id}\t{client.code}\tlast activity "
                f"{inactive.last_activity_on}\t({inactive.inactive_years} years)"
            )
        verb = "would be de-identified (dry run: nothing changed)" if dry_run else "de-identified"
        self.stdout.write(f"{len(found)} client(s) {verb}.")
