"""`ancrage referrals-remind [--days N] [--dry-run]`: e-mail the receiving organizations' staff
about referrals sent N days ago or more and still unanswered (run daily from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ancrage.clients.referrals import REMIND_AFTER_DAYS, referrals_remind, unanswered


class Command(BaseCommand):
    help = "List and e-mail referrals left unanswered for N days to the receiving organizations."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=REMIND_AFTER_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="list only, send nothing")

    def handle(self, *args, days=REMIND_AFTER_DAYS, dry_run=False, **options):
        if not 1 <= days <= 365:
            raise CommandError("--days must be between 1 and 365.")
        referrals = list(unanswered(days=days)) if dry_run else referrals_remind(days=days)
        for referral in referrals:
            self.stdout.write(
                f"{referral.client.code}\t{referral.from_organization.name} → "
                f"{referral.to_organization.name}\t"
                f"{timezone.localdate(referral.sent_at).isoformat()}"
            )
        verb = "waiting" if dry_run else "reminded"
        self.stdout.write(f"{len(referrals)} referral(s) {verb} (unanswered for {days}+ days).")
