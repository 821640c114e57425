"""`ancrage vault-rotate`: re-encrypt the identity vault with the newest key, rebuild its index.

Key rotation, step by step (docs/PRIVACY.md): put the new key first in ANCRAGE_VAULT_KEYS,
keeping the old ones after it; restart; run this command; then remove the old keys.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from ancrage.clients.services import vault_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every identity of the vault with the newest key of ANCRAGE_VAULT_KEYS and "
        "rebuild the blind index with ANCRAGE_VAULT_INDEX_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200, help="identities per transaction")

    def handle(self, *args, batch=200, **options):
        count = vault_rotate(batch=max(1, batch))
        self.stdout.write(
            f"{count} identities re-encrypted with the newest of "
            f"{len(settings.ANCRAGE_VAULT_KEYS)} key(s); blind index rebuilt."
        )
