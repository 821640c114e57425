"""The real programs named in the sources (DOMAIN.md, seeds/), with demonstration rules.

The sources name the programs and their spirit — PASI Stream 1 is the strictest; asylum seekers
and people without status are not covered by the department; a newcomer arrived 5 years ago or
less; francization is for adults — not their legal text. The rules below follow that spirit and
say so in their note; an administrator corrects them on the funding page, without code.

Called by the demo command after the network is built (`seed_funding()`); `reset_funding()`
removes them before organizations are deleted (programs protect their funder).
"""

from datetime import date
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Borough
from ancrage.core.reference_data import LIAISON_PILOT_BOROUGHS
from ancrage.funding import services
from ancrage.funding.models import EligibilityRule, FundingKind, FundingProgram
from ancrage.network.models import Organization
from ancrage.network.services import organization_create

# (acronym, full name, kind): looked up by acronym, created when the network has none.
FUNDERS = {
    "MIFI": (
        "Ministère de l'Immigration, de la Francisation et de l'Intégration",
        OrganizationKind.FUNDER,
    ),
    "SDSS": ("Service de la diversité sociale et des sports", OrganizationKind.CITY_SERVICE),
    "BINAM": (
        "Bureau d'intégration des nouveaux arrivants à Montréal",
        OrganizationKind.CITY_SERVICE,
    ),
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
]


def _funder(acronym: str, actor: Any) -> Organization:
    found = Organization.objects.filter(acronym=acronym).order_by("pk").first()
    if found is not None:
        return found
    name, kind = FUNDERS[acronym]
    return organization_create(actor=actor, name=name, kind=kind, acronym=acronym)


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


@transaction.atomic
def seed_funding(*, actor: Any = None, stdout: TextIO | None = None) -> list[FundingProgram]:
    """Create the programs above with their rule versions; programs already there are kept."""
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
    return created


@transaction.atomic
def reset_funding() -> int:
    """Delete every rule version and program (before the organizations that fund them)."""
    EligibilityRule.objects.all().delete()
    deleted, _detail = FundingProgram.objects.all().delete()
    return deleted
