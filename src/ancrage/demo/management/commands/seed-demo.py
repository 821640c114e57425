"""`ancrage seed-demo`: fill the database with the synthetic Montréal demonstration network."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ancrage.core.choices import OrganizationKind
from ancrage.demo import city
from ancrage.demo.montreal import DEFAULT_SEED, DEMO_PASSWORD
from ancrage.demo.services import (
    BoroughsMissing,
    DemoAccount,
    DemoDataExists,
    DemoSummary,
    demo_accounts,
    demo_reset,
    demo_seed,
)
from ancrage.network.models import Organization

SCALES = ("demo", "city")


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked for, not at import
        return _(
            "Fill the database with the synthetic Montréal demonstration network: libraries, "
            "community organizations, city services, funders, partnerships and one account per role."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_(
                "Random seed; the same seed always builds the same data (default: %(default)s)."
            ),
        )
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="demo",
            help=_(
                "Size of the network: demo (about 180 organizations) or city (1,000,000 clients, "
                "10,000,000 service records, 2,000,000 attendance rows, 20,000 services; "
                "PostgreSQL)."
            ),
        )
        parser.add_argument(
            "--factor",
            type=float,
            default=1.0,
            help=_(
                "With --scale city: multiply every count by this factor (default: %(default)s; "
                "at most 0.05 on SQLite)."
            ),
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing if organizations already exist, except list the demo accounts."),
        )
        mode.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "Delete all organizations, sites, memberships, partnerships and demo accounts first "
                "(the audit log is kept)."
            ),
        )

    def handle(
        self,
        *args,
        seed: int,
        scale: str,
        factor: float,
        if_empty: bool,
        reset: bool,
        **options,
    ) -> None:
        if scale == "city":
            self._city(seed=seed, factor=factor, if_empty=if_empty, reset=reset)
            return
        if if_empty and Organization.objects.exists():
            self.stdout.write(_("The database already holds organizations: nothing was created."))
            self._print_accounts(demo_accounts())
            return
        try:
            with transaction.atomic():
                if reset:
                    demo_reset(stdout=self.stdout)
                summary = demo_seed(seed=seed, stdout=self.stdout)
        except DemoDataExists as exc:
            raise CommandError(
                _(
                    "The database already holds organizations or demo accounts. Run again with "
                    "--reset to replace everything with the demo data (this deletes all "
                    "organizations, sites, memberships, partnerships and demo accounts), or with "
                    "--if-empty to keep what is there."
                )
            ) from exc
        except BoroughsMissing as exc:
            raise CommandError(
                _("The list of boroughs is missing: run “ancrage migrate” first.")
            ) from exc
        except (ProtectedError, RestrictedError) as exc:
            raise CommandError(
                _("Other records still refer to the organizations or accounts to delete: %(error)s")
                % {"error": exc}
            ) from exc
        self._print_summary(summary)

    def _city(self, *, seed: int, factor: float, if_empty: bool, reset: bool) -> None:
        if reset:
            raise CommandError(
                _(
                    "--reset is not available with --scale city: generate the city into an "
                    "empty database (for example a new one made by “ancrage migrate”)."
                )
            )
        if factor <= 0:
            raise CommandError(_("The factor must be above 0."))
        if connection.vendor != "postgresql" and factor > city.SQLITE_MAX_FACTOR:
            raise CommandError(
                _(
                    "SQLite holds at most factor %(max)s of the city; use PostgreSQL "
                    "(DATABASE_URL) for the full city, or a smaller --factor."
                )
                % {"max": city.SQLITE_MAX_FACTOR}
            )
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write(
                    _("The database already holds organizations: nothing was created.")
                )
                return
            raise CommandError(
                _(
                    "The city-scale data is generated into an empty database only, and this one "
                    "already holds organizations. Create a new database, run “ancrage migrate”, "
                    "then run this command again."
                )
            )
        sizes = city.sizes(factor)
        self.stdout.write(
            _(
                "Generating the city (factor %(factor)s): %(clients)s clients, %(records)s "
                "service records, %(attendances)s attendance rows, %(services)s services…"
            )
            % {
                "factor": factor,
                "clients": number_format(sizes.clients, force_grouping=True),
                "records": number_format(sizes.service_records, force_grouping=True),
                "attendances": number_format(sizes.attendances, force_grouping=True),
                "services": number_format(sizes.services, force_grouping=True),
            }
        )
        with transaction.atomic():
            generated = city.generate(factor=factor, seed=seed, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                _("City generated in %(seconds)s s (seed %(seed)d).")
                % {"seconds": number_format(generated.seconds, 1), "seed": seed}
            )
        )
        for name, count in generated.counts().items():
            self.stdout.write(f"  {name}: {number_format(count, force_grouping=True)}")

    def _print_summary(self, summary: DemoSummary) -> None:
        out = self.stdout
        labels = dict(OrganizationKind.choices)
        out.write(
            self.style.SUCCESS(
                _("Demo network created in %(seconds)s s (seed %(seed)d).")
                % {"seconds": number_format(summary.seconds, 1), "seed": summary.seed}
            )
        )
        out.write(_("Organizations: %(count)d") % {"count": summary.organizations})
        for kind, count in summary.organizations_by_kind.items():
            out.write("  " + _("%(label)s: %(count)d") % {"label": labels[kind], "count": count})
        out.write(
            _("Sites: %(count)d, of which %(branches)d library branches")
            % {"count": summary.sites, "branches": summary.library_branches}
        )
        out.write(
            _("Memberships: %(count)d; demo accounts: %(users)d")
            % {"count": summary.memberships, "users": summary.users}
        )
        out.write(_("Partnerships: %(count)d") % {"count": summary.partnerships})
        out.write(
            _("Activities: %(count)d; sessions: %(sessions)d, of which %(cancelled)d cancelled")
            % {
                "count": summary.activities,
                "sessions": summary.sessions,
                "cancelled": summary.cancelled_sessions,
            }
        )
        out.write(
            _(
                "Attendances (head counts added up, not distinct people): %(count)d, of which "
                "%(pilot)d at the activities of the pilot boroughs' liaison officers"
            )
            % {"count": summary.attendances, "pilot": summary.pilot_attendances}
        )
        out.write(_("Outreach contacts: %(count)d") % {"count": summary.outreach_contacts})
        out.write(_("Services in the public directory: %(count)d") % {"count": summary.services})
        self._print_accounts(summary.accounts)

    def _print_accounts(self, accounts: list[DemoAccount]) -> None:
        out = self.stdout
        if not accounts:
            out.write(_("No demo account found in this database."))
            return
        out.write("")
        out.write(
            self.style.MIGRATE_HEADING(
                _("Demo accounts (the same password for all: %(password)s)")
                % {"password": DEMO_PASSWORD}
            )
        )
        rows = [(_("Role"), _("E-mail"), _("Organization"))]
        rows += [(a.role_label, a.email, a.organization) for a in accounts]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for number, (role, email, organization) in enumerate(rows):
            out.write(f"  {role:<{widths[0]}}  {email:<{widths[1]}}  {organization}".rstrip())
            if number == 0:
                out.write("  " + "-" * (widths[0] + widths[1] + 4 + max(len(r[2]) for r in rows)))
