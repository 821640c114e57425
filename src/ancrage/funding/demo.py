"""The real programs named in the sources (DOMAIN.md, seeds/), with demonstration rules, and the
demo organizations' agreements (amounts by fiscal year, quarterly targets, a renewal coming).

The sources name the programs and their spirit — PASI Stream 1 is the strictest; asylum seekers
and people without status are not covered by the department; a newcomer arrived 5 years ago or
less; francization is for adults — not their legal text. The rules below follow that spirit and
say so in their note; an administrator corrects them on the funding page, without code.

Called by the demo command after the network is built (`seed_funding()`); `reset_funding()`
removes them before organizations are deleted (programs protect their funder).
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.db.models import PROTECT
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.core.reference_data import LIAISON_PILOT_BOROUGHS
from ancrage.demo.montreal import (
    ANCHOR_NAME,
    BOROUGH_OF,
    LIAISON_DEMO_BOROUGH,
    borough_organization_name,
    demo_email,
    library_organization_name,
)
from ancrage.funding import services
from ancrage.funding.models import (
    AdvisorVisit,
    Agreement,
    EligibilityRule,
    FollowedOrganization,
    FundingKind,
    FundingProgram,
    ReportingCadence,
    TargetMetric,
)
from ancrage.funding.selectors import FiscalYear, fiscal_year_of
from ancrage.network.models import Membership, Organization
from ancrage.network.services import organization_create

# key -> (acronym, full name, kind, head-office borough): looked up by acronym (or by name when
# the funder has none), created when the network has none. Names match the demo network's.
FUNDERS = {
    "MIFI": (
        "MIFI",
        "Ministère de l'Immigration, de la Francisation et de l'Intégration",
        OrganizationKind.FUNDER,
        None,
    ),
    "SDSS": (
        "SDSS",
        "Service de la diversité sociale et des sports",
        OrganizationKind.CITY_SERVICE,
        None,
    ),
    "BINAM": (
        "BINAM",
        "Bureau d'intégration des nouveaux arrivants à Montréal",
        OrganizationKind.CITY_SERVICE,
        None,
    ),
    "CENTRAIDE": ("", "Centraide du Grand Montréal", OrganizationKind.FUNDER, "ville-marie"),
    "MSSS": (
        "MSSS",
        "Ministère de la Santé et des Services sociaux",
        OrganizationKind.FUNDER,
        None,
    ),
    **{
        f"borough:{code}": ("", borough_organization_name(code), OrganizationKind.BOROUGH, code)
        for code in LIAISON_PILOT_BOROUGHS
    },
}

# Program codes of the pilot boroughs' budgets (codes are at most 40 characters).
BOROUGH_BUDGETS = {
    "ahuntsic-cartierville": "borough-ahuntsic-cartierville",
    "lasalle": "borough-lasalle",
    "montreal-nord": "borough-montreal-nord",
    "villeray-saint-michel-parc-extension": "borough-villeray-st-michel-parc-ex",
}
BOROUGH_NAMES_EN = {
    "ahuntsic-cartierville": "Ahuntsic-Cartierville",
    "lasalle": "LaSalle",
    "montreal-nord": "Montréal-Nord",
    "villeray-saint-michel-parc-extension": "Villeray–Saint-Michel–Parc-Extension",
}

NEWCOMER_YEARS = 5
PROTECTED = ["permanent-resident", "refugee"]
IMMIGRANTS_WITH_STATUS = ["permanent-resident", "refugee", "temporary-worker", "student", "citizen"]
ALL_BOROUGHS = object()  # placeholder resolved to every borough code at seeding time

# code, funder acronym, kind, names, description, [(valid_from, valid_to, conditions, note)]
PROGRAMS: list[dict[str, Any]] = [
    {
        "code": "pasi-stream-1",
        "funder": "MIFI",
        "kind": FundingKind.SERVICE_AGREEMENT,
        "names": {
            "fr": "PASI – Volet 1 : accompagnement",
            "en": "PASI – Stream 1: accompaniment",
        },
        "description": {
            "fr": "Programme d'accompagnement et de soutien à l'intégration du MIFI, volet "
            "accompagnement : services individuels d'accueil et d'installation, financés par "
            "client admissible (entente de service). A remplacé le PRINT.",
            "en": "The MIFI's integration support program, accompaniment stream: one-to-one "
            "reception and settlement services, funded per eligible client (service agreement). "
            "Replaced the PRINT.",
        },
        "versions": [
            (
                date(2020, 7, 1),
                None,
                [
                    {"status_in": PROTECTED},
                    {"years_since_max": NEWCOMER_YEARS, "since": "arrived_quebec"},
                    {"lives_in_quebec": True},
                ],
                "Règle de démonstration : résidents permanents et personnes protégées arrivés au "
                "Québec depuis 5 ans ou moins et qui y habitent (le volet le plus strict).",
            ),
            (
                date(2024, 7, 1),
                None,
                [
                    {"status_in": [*PROTECTED, "temporary-worker"]},
                    {"years_since_max": NEWCOMER_YEARS, "since": "arrived_quebec"},
                    {"lives_in_quebec": True},
                ],
                "Version de démonstration, en cours d'année : travailleurs temporaires ajoutés, pour "
                "montrer qu'une nouvelle version s'applique à partir du jour où elle commence.",
            ),
        ],
    },
    {
        "code": "pasi-stream-2",
        "funder": "MIFI",
        "kind": FundingKind.SERVICE_AGREEMENT,
        "names": {
            "fr": "PASI – Volet 2 : soutien à l'intégration",
            "en": "PASI – Stream 2: integration support",
        },
        "description": {
            "fr": "Activités collectives d'intégration (séances d'information, ateliers) pour "
            "les personnes immigrantes ayant un statut.",
            "en": "Group integration activities (information sessions, workshops) for immigrants "
            "who hold a status.",
        },
        "versions": [
            (
                date(2020, 7, 1),
                None,
                [{"status_in": IMMIGRANTS_WITH_STATUS}, {"lives_in_quebec": True}],
                "Règle de démonstration : toute personne immigrante ayant un statut et habitant au "
                "Québec; demandeurs d'asile et personnes sans statut servis sur d'autres fonds.",
            ),
        ],
    },
    {
        "code": "pili-francization",
        "funder": "MIFI",
        "kind": FundingKind.SERVICE_AGREEMENT,
        "names": {
            "fr": "Francisation (PILI)",
            "en": "Francization (PILI)",
        },
        "description": {
            "fr": "Programme d'intégration linguistique pour les immigrants : cours de français "
            "pour adultes. Une classe compte au moins 20 participants.",
            "en": "Language integration program for immigrants: French courses for adults. A "
            "class needs at least 20 participants.",
        },
        "versions": [
            (
                date(2019, 1, 1),
                None,
                [
                    {"status_in": [*IMMIGRANTS_WITH_STATUS, "asylum-seeker"]},
                    {"age_min": 16},
                    {"lives_in_quebec": True},
                ],
                "Règle de démonstration : personnes de 16 ans et plus habitant au Québec, "
                "demandeurs d'asile compris.",
            ),
        ],
    },
    {
        "code": "psm-mission",
        "funder": "MIFI",
        "kind": FundingKind.MISSION,
        "names": {
            "fr": "PSM – Soutien à la mission",
            "en": "PSM – Mission support",
        },
        "description": {
            "fr": "Finance la mission globale de l'organisme, et non des services par client.",
            "en": "Funds the organization's overall mission, not services per client.",
        },
        "versions": [
            (
                date(2019, 1, 1),
                None,
                [],
                "Financement à la mission : aucune condition sur la personne servie.",
            ),
        ],
    },
    {
        "code": "liaison-libraries",
        "funder": "SDSS",
        "kind": FundingKind.PROJECT,
        "names": {
            "fr": "Agents de liaison en bibliothèque",
            "en": "Liaison Officers in Libraries",
        },
        "description": {
            "fr": "Programme de la Ville financé par l'entente MIFI–Montréal (salaire et budget "
            "de base) et les arrondissements; cible les personnes nouvellement arrivées des "
            "quatre arrondissements pilotes.",
            "en": "The City's program, funded by the MIFI–Montréal agreement (base salary and "
            "budget) and the boroughs; aimed at newcomers in the four pilot boroughs.",
        },
        "versions": [
            (
                date(2015, 1, 1),
                None,
                [
                    {"years_since_max": NEWCOMER_YEARS, "since": "arrived_canada"},
                    {"borough_in": list(LIAISON_PILOT_BOROUGHS)},
                ],
                "Personnes nouvellement arrivées (5 ans ou moins au Canada) des quatre "
                "arrondissements pilotes; les activités restent ouvertes à tous.",
            ),
        ],
    },
    {
        "code": "montreal-inclusive",
        "funder": "BINAM",
        "kind": FundingKind.PROJECT,
        "names": {
            "fr": "Montréal inclusive",
            "en": "An Inclusive Montréal",
        },
        "description": {
            "fr": "Subventions de projets (3,75 M$ sur trois ans) : réduire la discrimination, "
            "faire respecter les droits des nouveaux arrivants, briser l'isolement des femmes "
            "immigrantes, réduire les obstacles à l'embauche.",
            "en": "Project grants ($3.75M over three years): reduce discrimination, enforce "
            "newcomers' rights, break the isolation of immigrant women, reduce barriers to "
            "hiring.",
        },
        "versions": [
            (
                date(2018, 9, 1),
                None,
                [{"borough_in": ALL_BOROUGHS}],
                "Règle de démonstration : toute personne habitant à Montréal, quel que soit son "
                "statut — demandeurs d'asile et personnes sans statut compris.",
            ),
        ],
    },
    {
        "code": "pmd",
        "funder": "MIFI",
        "kind": FundingKind.PROJECT,
        "names": {
            "fr": "PMD – Programme Mobilisation-Diversité",
            "en": "PMD – Mobilization-Diversity Program",
        },
        "description": {
            "fr": "Projets concertés qui rendent les milieux plus accueillants et inclusifs pour "
            "les personnes immigrantes (municipalités, organismes).",
            "en": "Joint projects that make communities more welcoming and inclusive of "
            "immigrants (municipalities, organizations).",
        },
        "versions": [
            (
                date(2019, 1, 1),
                None,
                [],
                "Financement de projets : aucune condition sur la personne servie.",
            ),
        ],
    },
    {
        "code": "print-legacy",
        "funder": "MIFI",
        "kind": FundingKind.SERVICE_AGREEMENT,
        "is_active": False,
        "names": {
            "fr": "PRINT – Programme Réussir l'intégration (ancien)",
            "en": "PRINT – Succeeding in Integration Program (former)",
        },
        "description": {
            "fr": "Ancien programme d'intégration du ministère, remplacé par le PASI. Gardé pour "
            "l'historique des ententes.",
            "en": "The department's former integration program, replaced by the PASI. Kept for "
            "the history of agreements.",
        },
        "versions": [
            (
                date(2010, 1, 1),
                date(2020, 6, 30),
                [
                    {"status_in": PROTECTED},
                    {"years_since_max": NEWCOMER_YEARS, "since": "arrived_quebec"},
                    {"lives_in_quebec": True},
                ],
                "Règle de démonstration : résidents permanents et personnes protégées arrivés au "
                "Québec depuis 5 ans ou moins, jusqu'au remplacement par le PASI.",
            ),
        ],
    },
    {
        "code": "centraide-mission",
        "funder": "CENTRAIDE",
        "kind": FundingKind.MISSION,
        "names": {
            "fr": "Centraide – Soutien à la mission",
            "en": "Centraide – Mission support",
        },
        "description": {
            "fr": "Soutien pluriannuel à la mission des organismes qui luttent contre la pauvreté "
            "et l'exclusion sociale.",
            "en": "Multi-year support to the mission of organizations fighting poverty and "
            "social exclusion.",
        },
        "versions": [
            (date(2015, 1, 1), None, [], "Financement à la mission : aucune condition."),
        ],
    },
    {
        "code": "psoc-mission",
        "funder": "MSSS",
        "kind": FundingKind.MISSION,
        "names": {
            "fr": "PSOC – Programme de soutien aux organismes communautaires",
            "en": "PSOC – Community Organizations Support Program",
        },
        "description": {
            "fr": "Financement à la mission globale des organismes communautaires du réseau de la "
            "santé et des services sociaux.",
            "en": "Funding of the overall mission of community organizations of the health and "
            "social services network.",
        },
        "versions": [
            (date(2015, 1, 1), None, [], "Financement à la mission : aucune condition."),
        ],
    },
    *[
        {
            "code": code,
            "funder": f"borough:{borough}",
            "kind": FundingKind.PROJECT,
            "names": {
                "fr": f"Budget de l'arrondissement {BOROUGH_OF[borough]}",
                "en": f"Borough budget: {BOROUGH_NAMES_EN[borough]}",
            },
            "description": {
                "fr": "Contributions de l'arrondissement : avantages sociaux des agents de liaison, "
                "budget de fonctionnement supplémentaire, soutien aux activités locales.",
                "en": "The borough's contributions: liaison officers' benefits, extra operating "
                "budget, support to local activities.",
            },
            "versions": [
                (date(2015, 1, 1), None, [], "Budget local : aucune condition sur la personne."),
            ],
        }
        for borough, code in BOROUGH_BUDGETS.items()
    ],
]


def _funder(key: str, actor: Any) -> Organization:
    acronym, name, kind, borough = FUNDERS[key]
    found = (
        Organization.objects.filter(acronym=acronym)
        if acronym
        else Organization.objects.filter(name=name, kind=kind)
    )
    existing = found.order_by("pk").first()
    if existing is not None:
        return existing
    return organization_create(
        actor=actor,
        name=name,
        kind=kind,
        acronym=acronym,
        borough=Borough.objects.filter(code=borough).first() if borough else None,
    )


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


@transaction.atomic
def seed_funding(
    *, actor: Any = None, stdout: TextIO | None = None, today: date | None = None
) -> list[FundingProgram]:
    """Create the programs above with their rule versions (programs already there are kept), then
    the demo organizations' agreements, when the demo network is there."""
    every_borough = list(Borough.objects.filter(is_active=True).values_list("code", flat=True))
    created = []
    for spec in PROGRAMS:
        if FundingProgram.objects.filter(code=spec["code"]).exists():
            continue
        program = services.program_create(
            actor=actor,
            funder=_funder(spec["funder"], actor),
            code=spec["code"],
            names=spec["names"],
            description=spec["description"],
            kind=spec["kind"],
            is_active=spec.get("is_active", True),
        )
        for valid_from, valid_to, conditions, note in spec["versions"]:
            items = [
                {**c, "borough_in": every_borough} if c.get("borough_in") is ALL_BOROUGHS else c
                for c in conditions
            ]
            services.rule_version_create(
                actor=actor,
                program=program,
                valid_from=valid_from,
                valid_to=valid_to,
                conditions={"all": items},
                note=note,
            )
        created.append(program)
    _say(
        stdout,
        _("%(count)d funding programs with their eligibility rules.") % {"count": len(created)},
    )
    agreements = seed_agreements(today=today or timezone.localdate())
    _say(stdout, _("%(count)d funding agreements.") % {"count": agreements})
    return created


# --- Demo agreements -----------------------------------------------------------------------------
#
# The anchor organization's portfolio tells the sources' story: most of the money comes from the
# department (PASI streams, PILI at $3,000 a quarter, a small PSM mission grant of $115,000), with
# Centraide, the PSOC, a Montréal inclusive project and a borough contribution beside it. The
# Liaison Officer's agreement (the City's program, in the demo library network) comes up for
# renewal within 90 days. Dates follow today, like the rest of the demo.


def _fy(start_year: int) -> FiscalYear:
    return FiscalYear(start_year)


def _yearly(starts_on: date, ends_on: date, per_year: Decimal) -> list[tuple[date, date, Decimal]]:
    """One amount per fiscal year of the period, in proportion of the days it covers."""
    amounts = []
    year = fiscal_year_of(starts_on)
    while year.first <= ends_on:
        first, last = max(year.first, starts_on), min(year.last, ends_on)
        days = (last - first).days + 1
        whole = (year.last - year.first).days + 1
        amounts.append((first, last, (per_year * days / whole).quantize(Decimal("1"))))
        year = FiscalYear(year.start_year + 1)
    return amounts


def _quarterly(starts_on: date, ends_on: date, per_quarter: Decimal) -> list:
    amounts = []
    year = fiscal_year_of(starts_on)
    while year.first <= ends_on:
        for first, last in year.quarters():
            if starts_on <= first and last <= ends_on:
                amounts.append((first, last, per_quarter))
        year = FiscalYear(year.start_year + 1)
    return amounts


def _quarter_targets(
    starts_on: date, ends_on: date, until: date, per_quarter: dict[str, int]
) -> list[tuple[str, date, date, int]]:
    """Quarterly targets for each whole quarter of the agreement, up to the end of the fiscal
    year of `until` (targets are set a year ahead, not for the agreement's far future)."""
    until = fiscal_year_of(until).last
    targets = []
    year = fiscal_year_of(starts_on)
    while year.first <= min(ends_on, until):
        for first, last in year.quarters():
            if starts_on <= first and last <= ends_on and first <= until:
                targets += [(metric, first, last, value) for metric, value in per_quarter.items()]
        year = FiscalYear(year.start_year + 1)
    return targets


def _agreement(
    organization: Organization,
    code: str,
    starts_on: date,
    ends_on: date,
    *,
    amounts: list[tuple[date, date, Decimal]],
    targets: list[tuple[str, date, date, int]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Agreement | None:
    """One agreement with its amounts and targets, through the services; kept if there already."""
    program = FundingProgram.objects.filter(code=code).first()
    if program is None:
        return None
    if Agreement.objects.filter(
        organization=organization, program=program, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).exists():
        return None
    agreement = services.agreement_create(
        actor=None,
        organization=organization,
        program=program,
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )
    for first, last, amount in amounts:
        services.amount_set(
            actor=None, agreement=agreement, period_start=first, period_end=last, amount=amount
        )
    for metric, first, last, value in targets:
        services.target_set(
            actor=None,
            agreement=agreement,
            metric=metric,
            period_start=first,
            period_end=last,
            value=value,
        )
    return agreement


def _anchor_portfolio(anchor: Organization, today: date) -> list[Agreement | None]:
    y = fiscal_year_of(today).start_year
    previous, current, following = _fy(y - 1), _fy(y), _fy(y + 1)
    borough_code = BOROUGH_BUDGETS.get(anchor.borough.code if anchor.borough else "", "")
    made = [
        _agreement(
            anchor,
            "pasi-stream-1",
            previous.first,
            following.last,
            reference=f"PASI-V1-{y - 1}-0457",
            amounts=_yearly(previous.first, following.last, Decimal(420_000)),
            targets=_quarter_targets(
                previous.first,
                following.last,
                today,
                {TargetMetric.ELIGIBLE_CLIENTS: 35, TargetMetric.SERVICES: 140},
            ),
            renewal_on=following.last - timedelta(days=183),
            recurring=True,
            restrictions="Services individuels aux personnes admissibles seulement (résidents "
            "permanents et personnes protégées arrivés depuis 5 ans ou moins). Les services aux "
            "demandeurs d'asile ne peuvent être imputés à cette entente.",
        ),
        _agreement(
            anchor,
            "pasi-stream-2",
            previous.first,
            previous.last,
            reference=f"PASI-V2-{y - 1}-0311",
            amounts=[(previous.first, previous.last, Decimal(140_000))],
            targets=_quarter_targets(
                previous.first,
                previous.last,
                today,
                {TargetMetric.SESSIONS: 12, TargetMetric.PARTICIPANTS: 150},
            ),
            recurring=True,
        ),
        _agreement(
            anchor,
            "pasi-stream-2",
            current.first,
            current.last,
            reference=f"PASI-V2-{y}-0311",
            amounts=[(current.first, current.last, Decimal(150_000))],
            targets=_quarter_targets(
                current.first,
                current.last,
                today,
                {TargetMetric.SESSIONS: 12, TargetMetric.PARTICIPANTS: 160},
            ),
            recurring=True,
        ),
        *[
            _agreement(
                anchor,
                "pili-francization",
                year.first,
                year.last,
                reference=f"PILI-{year.start_year}-88",
                amounts=_quarterly(year.first, year.last, Decimal(3_000)),
                targets=_quarter_targets(
                    year.first,
                    year.last,
                    today,
                    {TargetMetric.SESSIONS: 24, TargetMetric.PARTICIPANTS: 20},
                ),
                recurring=True,
                restrictions="Une classe compte au moins 20 participants.",
            )
            for year in (previous, current)
        ],
        _agreement(
            anchor,
            "psm-mission",
            previous.first,
            following.last,
            cadence=ReportingCadence.ANNUAL,
            amounts=_yearly(previous.first, following.last, Decimal(115_000)),
            recurring=True,
        ),
        _agreement(
            anchor,
            "centraide-mission",
            previous.first,
            following.last,
            cadence=ReportingCadence.ANNUAL,
            amounts=_yearly(previous.first, following.last, Decimal(85_000)),
            recurring=True,
        ),
        _agreement(
            anchor,
            "psoc-mission",
            previous.first,
            current.last,
            cadence=ReportingCadence.ANNUAL,
            amounts=_yearly(previous.first, current.last, Decimal(62_000)),
            recurring=True,
            # The ministry settles the renewal months ahead: always a flag on the calendar.
            renewal_on=min(current.last, today + timedelta(days=150)),
        ),
        _agreement(
            anchor,
            "montreal-inclusive",
            date(y - 1, 9, 1),
            date(y + 1, 8, 31),
            cadence=ReportingCadence.ANNUAL,
            reference=f"MI-{y - 1}-027",
            amounts=_yearly(date(y - 1, 9, 1), date(y + 1, 8, 31), Decimal(75_000)),
            targets=[(TargetMetric.PARTICIPANTS, current.first, current.last, 120)],
            restrictions="Projet « Femmes en réseau » : briser l'isolement des femmes immigrantes "
            "et favoriser leur autonomie financière. Ne finance pas les activités déjà financées "
            "par une autre entente.",
        ),
        _agreement(
            anchor,
            "print-legacy",
            date(2016, 4, 1),
            date(2020, 3, 31),
            reference="PRINT-2016-0457",
            amounts=_yearly(date(2016, 4, 1), date(2020, 3, 31), Decimal(360_000)),
        ),
    ]
    if borough_code:
        made.append(
            _agreement(
                anchor,
                borough_code,
                current.first,
                current.last,
                cadence=ReportingCadence.ANNUAL,
                amounts=[(current.first, current.last, Decimal(10_000))],
            )
        )
    return made


def _liaison_agreements(library: Organization, today: date) -> list[Agreement | None]:
    """The agreement that pays the Liaison Officer ends within 90 days: the renewal is near."""
    in_two_months = today + timedelta(days=60)
    next_month = date(in_two_months.year, in_two_months.month, 28) + timedelta(days=4)
    ends_on = next_month - timedelta(days=next_month.day)  # last day of that month
    day_after = ends_on + timedelta(days=1)
    starts_on = day_after.replace(year=day_after.year - 3)  # a three-year agreement
    y = fiscal_year_of(today).start_year
    current = _fy(y)
    made = [
        _agreement(
            library,
            "liaison-libraries",
            starts_on,
            ends_on,
            reference=f"EMIM-AL-{starts_on.year}-04",
            amounts=_yearly(starts_on, ends_on, Decimal(95_000)),
            targets=_quarter_targets(
                starts_on,
                ends_on,
                today,
                {TargetMetric.SESSIONS: 60, TargetMetric.PARTICIPANTS: 900},
            ),
            restrictions="Paie le salaire de base de l'agente de liaison et le budget de "
            "fonctionnement de base (entente MIFI–Ville de Montréal). Les avantages sociaux et le "
            "budget supplémentaire sont à la charge de l'arrondissement.",
        ),
    ]
    borough_code = BOROUGH_BUDGETS.get(library.borough.code if library.borough else "", "")
    if borough_code:
        made.append(
            _agreement(
                library,
                borough_code,
                current.first,
                current.last,
                cadence=ReportingCadence.ANNUAL,
                amounts=[(current.first, current.last, Decimal(28_000))],
                recurring=True,
                restrictions="Avantages sociaux de l'agente de liaison et budget de "
                "fonctionnement supplémentaire.",
            )
        )
    return made


def _other_organizations(today: date) -> list[Agreement | None]:
    """A PASI agreement (and for some a PSM grant) for a few staffed community organizations, so
    that the department's advisor has several organizations to follow."""
    y = fiscal_year_of(today).start_year
    current = _fy(y)
    directors = Membership.objects.current().filter(
        role=Role.DIRECTOR, organization__kind=OrganizationKind.COMMUNITY_ORGANIZATION
    )
    others = (
        Organization.objects.filter(pk__in=directors.values("organization"))
        .exclude(name=ANCHOR_NAME)
        .order_by("name")[:OTHER_ORGANIZATIONS]
    )
    made: list[Agreement | None] = []
    for index, organization in enumerate(others):
        made.append(
            _agreement(
                organization,
                "pasi-stream-1",
                current.first,
                current.last,
                reference=f"PASI-V1-{y}-{index + 100}",
                amounts=[(current.first, current.last, Decimal(150_000 + 20_000 * index))],
                targets=_quarter_targets(
                    current.first,
                    current.last,
                    today,
                    {TargetMetric.ELIGIBLE_CLIENTS: 12 + 2 * index},
                ),
                recurring=True,
            )
        )
        if index % 2:
            made.append(
                _agreement(
                    organization,
                    "psm-mission",
                    current.first,
                    current.last,
                    cadence=ReportingCadence.ANNUAL,
                    amounts=[(current.first, current.last, Decimal(80_000))],
                    recurring=True,
                )
            )
    return made


OTHER_ORGANIZATIONS = 6
ADVISOR_EMAIL = demo_email("conseillere.mifi")


def _advisor_follows(today: date) -> None:
    """The department's demo advisor follows the anchor and two others, with two visits."""
    advisor = (
        Membership.objects.current()
        .filter(user__username=ADVISOR_EMAIL, role=Role.FUNDER_ADVISOR)
        .select_related("user", "organization")
        .first()
    )
    if advisor is None:
        return
    user, funder = advisor.user, advisor.organization
    funded = Organization.objects.filter(agreements__program__funder=funder).distinct()
    anchor = funded.filter(name=ANCHOR_NAME).first()
    for organization in [anchor, *funded.exclude(name=ANCHOR_NAME).order_by("name")[:2]]:
        if organization is not None:
            services.organization_follow(actor=user, funder=funder, organization=organization)
    if anchor is None or AdvisorVisit.objects.filter(funder=funder, organization=anchor).exists():
        return
    services.visit_record(
        actor=user,
        funder=funder,
        organization=anchor,
        visited_on=today - timedelta(days=150),
        open_questions="Délais de validation du statut pour les personnes arrivées par "
        "parrainage collectif.",
        follow_ups="L'organisme transmet sa procédure de vérification des documents.",
        follow_up_by=today - timedelta(days=120),
        today=today,
    )
    services.visit_record(
        actor=user,
        funder=funder,
        organization=anchor,
        visited_on=today - timedelta(days=40),
        open_questions="Le nombre de clients admissibles du dernier trimestre est sous la cible "
        "du PASI volet 1 : beaucoup de personnes servies sont demandeuses d'asile, non "
        "admissibles.",
        follow_ups="Transmettre le calendrier des séances collectives du prochain trimestre. "
        "Revoir ensemble la cible du volet 1 au renouvellement.",
        follow_up_by=today + timedelta(days=20),
        today=today,
    )


def seed_agreements(*, today: date) -> int:
    """The demo organizations' agreements, amounts and targets, and the advisor's follows and
    visits; what is already there is kept. Returns the number of agreements created."""
    made: list[Agreement | None] = []
    anchor = Organization.objects.filter(name=ANCHOR_NAME).select_related("borough").first()
    if anchor is not None:
        made += _anchor_portfolio(anchor, today)
    library = (
        Organization.objects.filter(name=library_organization_name(LIAISON_DEMO_BOROUGH))
        .select_related("borough")
        .first()
    )
    if library is not None:
        made += _liaison_agreements(library, today)
    made += _other_organizations(today)
    _advisor_follows(today)
    return sum(1 for agreement in made if agreement is not None)


@transaction.atomic
def reset_funding() -> int:
    """Delete every agreement, advisor's note, rule version and program (before the organizations
    that fund them or hold them). Rows of other apps that protect an agreement (reports) go
    first."""
    for relation in Agreement._meta.related_objects:
        if relation.on_delete is PROTECT and relation.related_model._meta.app_label != "funding":
            relation.related_model._default_manager.all().delete()
    AdvisorVisit.objects.all().delete()
    FollowedOrganization.objects.all().delete()
    Agreement.objects.all().delete()  # with their amounts, targets and alerts
    EligibilityRule.objects.all().delete()
    deleted, _detail = FundingProgram.objects.all().delete()
    return deleted
