"""Demo round tables: the sector table (about 160 member organizations, like the TCRI) and the
Saint-Michel neighbourhood table, their meetings with minutes, and fifteen recommendations in
every state, addressed to the department (MIFI), the City, the health network, a school service
centre and a borough.

`seed_round_tables()` reuses the demo network's organizations and completes the sector table with
synthetic organizations (flagged `is_synthetic`, like every demo row); it works on an empty
database too (tests), creating the tables and institutions it needs. Everything goes through the
services of `roundtables.py`, acting as each table's demo coordinator. Idempotent: members are
added when missing, meetings and recommendations only to a table that has none. Dates follow
today, like the rest of the demo. `reset_round_tables()` removes the recommendations before the
organizations are deleted (a recommendation protects its addressee).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.choices import OrganizationKind as K
from ancrage.core.choices import Role
from ancrage.core.models import Borough
from ancrage.demo.montreal import (
    ANCHOR_NAME,
    CITY_SERVICES,
    DEMO_PASSWORD,
    FUNDERS,
    INSTITUTIONS,
    NEIGHBOURHOODS,
    PATTERNS,
    ROUND_TABLES,
    borough_organization_name,
    demo_email,
    library_organization_name,
)
from ancrage.network.models import Membership, Organization
from ancrage.network.services import membership_add, organization_create
from ancrage.surveys import roundtables
from ancrage.surveys.models import Meeting, Recommendation, TableMember, TableRole

SEED = 2026
SECTOR_MEMBERS = 160
SAINT_MICHEL = "villeray-saint-michel-parc-extension"
SECTOR_TABLE = ROUND_TABLES[0]
NEIGHBOURHOOD_TABLE = ROUND_TABLES[1]

# key -> (name, acronym, kind, head-office borough): looked up by name, created when missing.
INSTITUTIONS_ADDRESSED = {
    "MIFI": (FUNDERS[0][0], "MIFI", K.FUNDER, None),
    "MSSS": (FUNDERS[2][0], "MSSS", K.FUNDER, None),
    "SDSS": (CITY_SERVICES[0][0], "SDSS", K.CITY_SERVICE, "ville-marie"),
    "LIBRARIES": (CITY_SERVICES[1][0], "", K.CITY_SERVICE, "ville-marie"),
    "BINAM": (CITY_SERVICES[2][0], "BINAM", K.CITY_SERVICE, "ville-marie"),
    "CLINIC": (INSTITUTIONS[3][0], "", K.HEALTH_INSTITUTION, SAINT_MICHEL),
    "SCHOOLS": (INSTITUTIONS[4][0], "", K.EDUCATION_INSTITUTION, "ahuntsic-cartierville"),
    "BOROUGH": (borough_organization_name(SAINT_MICHEL), "", K.BOROUGH, SAINT_MICHEL),
}

# Each table's demo coordinator: (local part of the e-mail, first name, last name).
COORDINATORS = {
    SECTOR_TABLE[0]: ("coordination.table-sectorielle", "Nadia", "Haddad-Lemieux"),
    NEIGHBOURHOOD_TABLE[0]: ("coordination.table-saint-michel", "Louis", "Tremblay-Nguyen"),
}

# (days ago, title, place, public, minutes)
SECTOR_MEETINGS = [
    (
        700,
        "Assemblée générale annuelle",
        "Centre communautaire du Plateau",
        True,
        "Présences : 94 organismes membres, 3 observateurs.\n\n"
        "1. Bilan de l'année : 12 recommandations envoyées, 5 réponses reçues.\n"
        "2. Élection de la coprésidence.\n"
        "3. Priorités : financement à la mission, reddition de comptes, francisation.\n\n"
        "Décision : un comité de suivi des recommandations est créé.",
    ),
    (
        420,
        "Rencontre des membres — financement",
        "En ligne",
        True,
        "Tour de table sur les ententes de service.\n"
        "Constat : la saisie des données prend 10 à 15 % du temps des équipes.\n\n"
        "Proposition adoptée : demander au Ministère d'alléger la reddition de comptes.",
    ),
    (
        330,
        "Comité de suivi des recommandations",
        "Bureaux de la Table",
        False,
        "Revue des recommandations en attente.\n"
        "Relance téléphonique du Ministère pour les recommandations sans réponse depuis 90 jours.\n"
        "Note interne : préparer un dossier de presse si aucune réponse d'ici l'automne.",
    ),
    (
        200,
        "Assemblée générale annuelle",
        "Centre communautaire du Plateau",
        True,
        "Présences : 101 organismes membres.\n\n"
        "1. Adoption de six recommandations (voir le suivi public).\n"
        "2. Accueil de nouveaux membres.\n"
        "3. Plan d'action : demandeurs d'asile, francisation à temps partiel, logement.",
    ),
    (
        110,
        "Rencontre des membres — accueil des demandeurs d'asile",
        "En ligne",
        True,
        "Témoignages de cinq organismes : les personnes demandeuses d'asile sont servies sans "
        "financement.\nDécision : documenter ce travail et le porter au Ministère.",
    ),
    (
        40,
        "Comité de suivi des recommandations",
        "Bureaux de la Table",
        False,
        "Trois recommandations attendent une réponse depuis plus de 60 jours.\n"
        "Relances envoyées. Prochaine rencontre avec la direction régionale à confirmer.",
    ),
]
NEIGHBOURHOOD_MEETINGS = [
    (
        300,
        "Rencontre de quartier — familles nouvellement arrivées",
        "Maison du citoyen de Saint-Michel",
        True,
        "Présences : 22 organismes et institutions, 6 résidents.\n\n"
        "Priorités du plan de quartier : places en classe d'accueil, accès à la clinique, "
        "halte-garderie pendant la francisation.",
    ),
    (
        150,
        "Comité famille",
        "Bibliothèque de Saint-Michel",
        False,
        "Suivi des démarches auprès du centre de services scolaire.\n"
        "À faire : compter les enfants en attente d'une place (données des organismes).",
    ),
    (
        25,
        "Rencontre de quartier",
        "Maison du citoyen de Saint-Michel",
        True,
        "Retour sur les réponses reçues.\n"
        "La clinique n'a pas répondu : la Table fera une relance.\n"
        "Nouveau projet : sécurité et éclairage du parc.",
    ),
]


@dataclass(frozen=True)
class Spec:
    """A demo recommendation: its content and its life, in days before today."""

    table: str
    addressee: str
    state: str
    title: str
    text: str
    meeting: int | None = None  # index in the table's meetings
    adopted: int | None = None
    sent: int | None = None
    acknowledged: bool = False
    answered: int | None = None
    answer: str = ""
    remind_after_days: int = 60
    is_public: bool = True


SECTOR, HOOD = SECTOR_TABLE[0], NEIGHBOURHOOD_TABLE[0]
RECOMMENDATIONS = [
    Spec(
        SECTOR,
        "MIFI",
        "partly_accepted",
        "Indexer le financement à la mission au coût de la vie",
        "Que le Ministère indexe chaque année le Programme soutien à la mission (PSM) au coût de "
        "la vie, et que le financement à la mission devienne la part principale du financement "
        "des organismes, comme le prévoit la politique de l'action communautaire.",
        meeting=0,
        adopted=700,
        sent=680,
        acknowledged=True,
        answered=560,
        answer="Le Ministère indexera le PSM de 3 % pour l'exercice en cours. La part du "
        "financement à la mission sera examinée lors de la révision du cadre de financement.",
    ),
    Spec(
        SECTOR,
        "MIFI",
        "rejected",
        "Reconnaître les services aux personnes demandeuses d'asile",
        "Que les services donnés aux personnes demandeuses d'asile soient reconnus et financés "
        "dans les ententes de service, plutôt que donnés sans financement.",
        meeting=4,
        adopted=110,
        sent=100,
        answered=30,
        answer="Les personnes demandeuses d'asile ne sont pas admissibles aux programmes du "
        "Ministère tant que leur statut n'est pas reconnu. Le Ministère transmettra la demande "
        "au gouvernement fédéral.",
    ),
    Spec(
        SECTOR,
        "MIFI",
        "accepted",
        "Alléger la saisie des données de reddition de comptes",
        "Que le Ministère accepte des rapports trimestriels agrégés, produits par les outils des "
        "organismes, plutôt qu'une saisie personne par personne.",
        meeting=1,
        adopted=420,
        sent=400,
        acknowledged=True,
        answered=300,
        answer="Accepté : dès le prochain trimestre, les rapports agrégés produits par les "
        "organismes seront reçus, sans saisie nominative.",
    ),
    Spec(
        SECTOR,
        "BINAM",
        "acknowledged",
        "Publier les appels de projets à tous les organismes en même temps",
        "Que chaque appel de projets soit publié au même moment à tous les organismes du réseau, "
        "avec au moins six semaines pour déposer une demande.",
        meeting=3,
        adopted=200,
        sent=190,
        acknowledged=True,
        remind_after_days=90,
    ),
    Spec(
        SECTOR,
        "MIFI",
        "sent",
        "Signer des ententes de service de trois ans",
        "Que les ententes de service soient signées pour trois ans, afin que les organismes "
        "puissent garder leur personnel entre deux renouvellements.",
        meeting=3,
        adopted=200,
        sent=95,
    ),
    Spec(
        SECTOR,
        "MIFI",
        "no_answer",
        "Offrir la francisation à temps partiel le soir dans chaque arrondissement",
        "Que des cours de francisation à temps partiel soient offerts le soir dans chaque "
        "arrondissement, pour les personnes qui travaillent le jour.",
        meeting=0,
        adopted=700,
        sent=650,
        remind_after_days=90,
    ),
    Spec(
        SECTOR,
        "MSSS",
        "sent",
        "Des interprètes pour les rendez-vous en santé",
        "Que le réseau de la santé offre un interprète à toute personne qui ne parle ni français "
        "ni anglais, pour chaque rendez-vous, sans frais.",
        meeting=5,
        adopted=40,
        sent=20,
    ),
    Spec(
        SECTOR,
        "MIFI",
        "accepted",
        "Ne jamais transmettre l'identité des personnes servies",
        "Que la reddition de comptes ne contienne que des nombres agrégés, sans nom, date de "
        "naissance ni numéro de dossier des personnes servies.",
        meeting=1,
        adopted=420,
        sent=415,
        answered=380,
        answer="Accepté. Le Ministère ne demandera plus de données nominatives dans les rapports.",
    ),
    Spec(
        SECTOR,
        "SDSS",
        "adopted",
        "Une liste prioritaire de logements pour les familles réfugiées",
        "Que la Ville réserve une part des logements sociaux de chaque arrondissement aux "
        "familles réfugiées à leur arrivée.",
        meeting=5,
        adopted=40,
    ),
    Spec(
        SECTOR,
        "LIBRARIES",
        "drafted",
        "S'abonner à la bibliothèque sans preuve d'adresse",
        "Que les bibliothèques acceptent l'abonnement des personnes nouvellement arrivées sans "
        "preuve d'adresse, sur simple déclaration.",
    ),
    Spec(
        SECTOR,
        "BINAM",
        "acknowledged",
        "Financer les projets de « Montréal inclusive » sur plusieurs années",
        "Que les projets retenus dans « Montréal inclusive » soient financés pour trois ans, avec "
        "un versement au début de chaque année.",
        meeting=3,
        adopted=200,
        sent=180,
        acknowledged=True,
    ),
    Spec(
        HOOD,
        "SCHOOLS",
        "partly_accepted",
        "Des places en classe d'accueil dans le quartier",
        "Que les enfants nouvellement arrivés de Saint-Michel aient une place en classe d'accueil "
        "dans une école du quartier, sans transport de plus de 30 minutes.",
        meeting=0,
        adopted=300,
        sent=290,
        acknowledged=True,
        answered=160,
        answer="Deux classes d'accueil ouvriront à la rentrée dans le quartier. Les autres "
        "élèves seront encore transportés vers les écoles voisines.",
    ),
    Spec(
        HOOD,
        "CLINIC",
        "sent",
        "Ouvrir la clinique santé-accueil le samedi",
        "Que la clinique santé-accueil ouvre le samedi matin, pour les familles dont les parents "
        "travaillent en semaine.",
        meeting=1,
        adopted=150,
        sent=140,
    ),
    Spec(
        HOOD,
        "BOROUGH",
        "drafted",
        "Éclairer le parc et ses sentiers",
        "Que l'arrondissement éclaire le parc et ses sentiers, où les familles passent le soir.",
        meeting=2,
    ),
    Spec(
        HOOD,
        "MIFI",
        "adopted",
        "Une halte-garderie pendant les cours de francisation",
        "Que les cours de francisation du quartier offrent une halte-garderie, pour que les "
        "mères de jeunes enfants puissent y assister.",
        meeting=2,
        adopted=25,
    ),
]


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _organization(name: str, kind: str, borough: str | None, **fields: Any) -> Organization:
    existing = Organization.objects.filter(name=name).order_by("pk").first()
    if existing is not None:
        return existing
    return organization_create(
        actor=None,
        name=name,
        kind=kind,
        borough=Borough.objects.filter(code=borough).first() if borough else None,
        is_synthetic=True,
        **fields,
    )


def _table(spec: tuple[str, str, str, tuple[str, ...]]) -> Organization:
    name, borough, mission, _served = spec
    return _organization(name, K.ROUND_TABLE, borough, mission=mission)


def _coordinator(table: Organization) -> Any:
    local, first, last = COORDINATORS[table.name]
    email = demo_email(local)
    found = (
        Membership.objects.current()
        .filter(organization=table, role=Role.COORDINATOR, user__email=email)
        .select_related("user")
        .first()
    )
    if found is not None:
        return found.user
    membership, _created = membership_add(
        actor=None,
        organization=table,
        email=email,
        role=Role.COORDINATOR,
        first_name=first,
        last_name=last,
        title="Coordination de la table",
        started_on=date(2015, 9, 1),
    )
    user = membership.user
    if not user.has_usable_password():
        user.password = make_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _synthetic_members(count: int, rng: random.Random) -> list[Organization]:
    """`count` synthetic community organizations, named like the demo's, created when missing."""
    candidates = [
        (pattern, code, de)
        for pattern in PATTERNS
        for code, hoods in sorted(NEIGHBOURHOODS.items())
        for _hood, de in hoods
    ]
    rng.shuffle(candidates)
    made = []
    for pattern, code, de in candidates:
        if len(made) >= count:
            break
        name = pattern.name.format(de=de)
        if Organization.objects.filter(name__iexact=name).exists():
            continue
        made.append(
            _organization(
                name,
                pattern.kind,
                code,
                mission=pattern.mission.format(de=de),
                is_autonomous_community_action=pattern.kind == K.COMMUNITY_ORGANIZATION,
            )
        )
    return made


def _seat(
    actor: Any, table: Organization, member: Organization, role: str, joined: date, today: date
) -> bool:
    if member.pk == table.pk or TableMember.objects.filter(table=table, member=member).exists():
        return False
    roundtables.table_member_add(
        actor=actor, table=table, member=member, role=role, joined_on=joined, today=today
    )
    return True


def _sector_members(actor: Any, table: Organization, today: date, rng: random.Random) -> int:
    """About 160 organizations: the network's community organizations, then synthetic ones; the
    department and the BINAM observe; three organizations left over the years."""
    added = 0
    observers = [_addressee(key) for key in ("MIFI", "BINAM")]
    for observer in observers:
        added += _seat(actor, table, observer, TableRole.OBSERVER, date(2016, 1, 1), today)
    community = list(
        Organization.objects.filter(kind__in=[K.COMMUNITY_ORGANIZATION, K.SOCIAL_ECONOMY])
        .exclude(tables_joined__table=table)
        .order_by("name")
    )
    sitting = TableMember.objects.filter(table=table).count()
    missing = max(0, SECTOR_MEMBERS - sitting)
    if len(community) < missing:
        community += _synthetic_members(missing - len(community), rng)
    for organization in community[:missing]:
        role = TableRole.CHAIR if organization.name == ANCHOR_NAME else TableRole.MEMBER
        joined = _day(rng, date(2005, 1, 1), today - timedelta(days=30))
        added += _seat(actor, table, organization, role, joined, today)
    _roles_and_departures(actor, table, today, rng)
    return added


def _roles_and_departures(actor: Any, table: Organization, today: date, rng: random.Random) -> None:
    """A co-chair and a secretariat beside the anchor's chair; three former members."""
    seats = list(
        TableMember.objects.filter(table=table, role=TableRole.MEMBER, left_on__isnull=True)
        .select_related("table", "member")
        .order_by("member__name")
    )
    if TableMember.objects.filter(table=table, role=TableRole.CHAIR).count() < 2 and seats:
        seat = seats.pop(len(seats) // 3)
        roundtables.table_member_update(
            actor=actor, seat=seat, role=TableRole.CHAIR, joined_on=seat.joined_on, today=today
        )
    if not TableMember.objects.filter(table=table, role=TableRole.SECRETARIAT).exists() and seats:
        seat = seats.pop(len(seats) // 2)
        roundtables.table_member_update(
            actor=actor,
            seat=seat,
            role=TableRole.SECRETARIAT,
            joined_on=seat.joined_on,
            today=today,
        )
    if not TableMember.objects.filter(table=table, left_on__isnull=False).exists():
        for seat in rng.sample(seats, min(3, len(seats))):
            left = _day(rng, seat.joined_on or date(2010, 1, 1), today - timedelta(days=60))
            roundtables.table_member_update(
                actor=actor,
                seat=seat,
                role=seat.role,
                joined_on=seat.joined_on,
                left_on=left,
                today=today,
            )


def _neighbourhood_members(actor: Any, table: Organization, today: date, rng: random.Random) -> int:
    """Saint-Michel's organizations, its library, the clinic and the borough."""
    local = list(
        Organization.objects.filter(
            kind__in=[K.COMMUNITY_ORGANIZATION, K.SOCIAL_ECONOMY], borough__code=SAINT_MICHEL
        ).order_by("name")
    )
    if not local:
        local = _synthetic_members(8, rng)
    added = 0
    for organization in local[:40]:
        role = TableRole.CHAIR if organization.name == ANCHOR_NAME else TableRole.MEMBER
        joined = _day(rng, date(2010, 1, 1), today - timedelta(days=30))
        added += _seat(actor, table, organization, role, joined, today)
    library = Organization.objects.filter(name=library_organization_name(SAINT_MICHEL)).first()
    if library is not None:
        added += _seat(actor, table, library, TableRole.MEMBER, date(2014, 9, 1), today)
    for key in ("CLINIC", "BOROUGH"):
        added += _seat(actor, table, _addressee(key), TableRole.OBSERVER, date(2012, 1, 1), today)
    return added


def _addressee(key: str) -> Organization:
    name, acronym, kind, borough = INSTITUTIONS_ADDRESSED[key]
    return _organization(name, kind, borough, acronym=acronym)


def _meetings(actor: Any, table: Organization, specs: list[tuple], today: date) -> list[Meeting]:
    if Meeting.objects.filter(table=table).exists():
        return list(Meeting.objects.filter(table=table).order_by("held_on", "pk"))
    return [
        roundtables.meeting_record(
            actor=actor,
            table=table,
            held_on=today - timedelta(days=days),
            title=title,
            place=place,
            minutes=minutes,
            minutes_public=public,
            today=today,
        )
        for days, title, place, public, minutes in specs
    ]


def _recommendation(
    actor: Any, table: Organization, spec: Spec, meetings: list[Meeting], today: date
) -> Recommendation:
    recommendation = roundtables.recommendation_draft(
        actor=actor,
        table=table,
        title=spec.title,
        text=spec.text,
        addressed_to=_addressee(spec.addressee),
        meeting=meetings[spec.meeting] if spec.meeting is not None else None,
        remind_after_days=spec.remind_after_days,
        is_public=spec.is_public,
    )

    def step(name: str, days: int | None = None, answer: str = "") -> None:
        roundtables.recommendation_step(
            actor=actor,
            recommendation=recommendation,
            step=name,
            version=recommendation.version,
            on=today - timedelta(days=days) if days is not None else None,
            answer=answer,
            today=today,
        )

    if spec.adopted is not None:
        step("adopt", spec.adopted)
    if spec.sent is not None:
        step("send", spec.sent)
    if spec.acknowledged:
        step("acknowledge")
    answers = {"accepted": "accept", "partly_accepted": "partly_accept", "rejected": "reject"}
    if spec.state in answers:
        step(answers[spec.state], spec.answered, spec.answer)
    elif spec.state == "no_answer":
        step("declare_no_answer")
    if recommendation.state != spec.state:  # the specs above and the workflow disagree
        raise AssertionError(f"{spec.title}: {recommendation.state} ≠ {spec.state}")
    return recommendation


@transaction.atomic
def seed_round_tables(
    *, today: date | None = None, stdout: TextIO | None = None, seed: int = SEED
) -> dict[str, int]:
    """The demo round tables, their members, meetings and recommendations (see the module)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    summary = {"tables": 0, "members": 0, "meetings": 0, "recommendations": 0}
    plans = [
        (SECTOR_TABLE, _sector_members, SECTOR_MEETINGS),
        (NEIGHBOURHOOD_TABLE, _neighbourhood_members, NEIGHBOURHOOD_MEETINGS),
    ]
    for spec, seat_members, meeting_specs in plans:
        table = _table(spec)
        actor = _coordinator(table)
        summary["tables"] += 1
        summary["members"] += seat_members(actor, table, today, rng)
        had_meetings = Meeting.objects.filter(table=table).exists()
        meetings = _meetings(actor, table, meeting_specs, today)
        summary["meetings"] += 0 if had_meetings else len(meetings)
        if Recommendation.objects.filter(table=table).exists():
            continue
        meetings_by_age = sorted(meetings, key=lambda m: m.held_on)
        for recommendation in RECOMMENDATIONS:
            if recommendation.table == table.name:
                _recommendation(actor, table, recommendation, meetings_by_age, today)
                summary["recommendations"] += 1
    _say(
        stdout,
        _(
            "%(tables)d round tables: %(members)d member organizations added, %(meetings)d "
            "meetings, %(recommendations)d recommendations."
        )
        % summary,
    )
    return summary


@transaction.atomic
def reset_round_tables() -> int:
    """Delete every recommendation (they protect their addressee), meeting and seat."""
    deleted, _detail = Recommendation.objects.all().delete()
    Meeting.objects.all().delete()
    TableMember.objects.all().delete()
    return deleted
