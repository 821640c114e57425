"""`ancrage surveys-library`: load (or complete) the library of ready questionnaires.

Run once after `ancrage migrate` on a new installation (the demo loads it itself); running it again
changes nothing.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ancrage.surveys.library import seed_library


class Command(BaseCommand):
    help = "Load the library of ready questionnaires (idempotent)."

    def handle(self, *args, **options) -> None:
        seed_library()
        self.stdout.write(_("The library of ready questionnaires is loaded."))
