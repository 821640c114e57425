"""Demo data of calls for projects: the City's "An Inclusive Montréal" call with about sixty
synthetic applications from the demo organizations, and a borough's small call open today.

"Montréal inclusive" (BINAM, the City's newcomer integration office): $3.75M over three fiscal
years, the five objectives of the programme, five weighted criteria. Its deadline passed a week
ago and it is closed for review: applications are submitted (most), still drafts (never sent) or
withdrawn, each with a budget per year and per line that adds up to its request, a logic model,
partners and sometimes a co-applicant. Together they ask for about three times the envelope, so
the allocation has choices to make. The borough call is open, so organizations see the in-app
notice and the public page lists it.

Everything is written directly (like the demo's other bulk data), deterministic for a seed, and
idempotent: a call already there (by code) is left as it is. `reset_grants()` removes them
before the organizations and programs they point to.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.funding.models import FundingProgram
from ancrage.funding.selectors import FiscalYear, fiscal_year_of
from ancrage.grants.models import (
    AllocationRun,
    Application,
    ApplicationState,
    Award,
    BudgetLine,
    CallObjective,
    CallState,
    CallYear,
    CoApplicant,
    Criterion,
    GrantCall,
    Instalment,
    LogicModelRow,
    ProgressReport,
    ProjectActivity,
    ProjectPartner,
    ReviewAssignment,
    Score,
)
from ancrage.network.models import Membership, Organization

MAIN_CODE = "montreal-inclusive"
BOROUGH_CODE = "lasalle-interculturel"
# The previous round of the programme, decided a year ago: its funded projects are under way.
PREVIOUS_CODE = "montreal-inclusive-precedent"
PREVIOUS_APPLICATIONS = 9
PREVIOUS_FUNDED = 6
REVIEWERS_PER_APPLICATION = 2
APPLICATIONS = 60
ENVELOPE_PER_YEAR = Decimal("1250000")
APPLICANT_KINDS = (OrganizationKind.COMMUNITY_ORGANIZATION, OrganizationKind.SOCIAL_ECONOMY)

OBJECTIVES = (
    (
        "discrimination",
        "Réduire la discrimination et le racisme",
        "Reduce discrimination and racism",
    ),
    (
        "rights",
        "Faire respecter les droits des personnes nouvellement arrivées",
        "Safeguard newcomers' rights",
    ),
    (
        "women",
        "Briser l'isolement des femmes immigrantes et favoriser leur autonomie financière",
        "Break the isolation of immigrant women and foster their financial independence",
    ),
    (
        "hiring",
        "Réduire les obstacles à l'embauche des personnes immigrantes",
        "Reduce barriers to hiring immigrants",
    ),
    (
        "employers",
        "Sensibiliser les employeurs à l'apport de la diversité",
        "Raise employers' awareness of diversity's contribution",
    ),
)

# (code, French, English, weight, what reviewers look for in French)
CRITERIA = (
    (
        "relevance",
        "Pertinence au regard des objectifs",
        "Relevance to the objectives",
        30,
        "Le projet répond clairement à un ou plusieurs objectifs de l'appel.",
    ),
    (
        "impact",
        "Retombées pour les personnes visées",
        "Benefits for the people concerned",
        25,
        "Résultats attendus mesurables, cibles réalistes, personnes rejointes.",
    ),
    (
        "feasibility",
        "Faisabilité et budget réaliste",
        "Feasibility and realistic budget",
        20,
        "Échéancier, ressources et budget cohérents avec les activités.",
    ),
    (
        "partnerships",
        "Partenariats et concertation",
        "Partnerships and coordination",
        15,
        "Partenaires engagés, ancrage dans le milieu, concertation locale.",
    ),
    (
        "complementarity",
        "Complémentarité avec l'offre existante",
        "Complementarity with existing services",
        10,
        "Le projet ne dédouble pas un service ou une activité déjà offerts.",
    ),
)


@dataclass(frozen=True)
class Idea:
    objective: str
    title: str
    summary: str
    groups: tuple[str, ...]
    activity: str
    output: str
    outcome: str
    indicator: str
    target: int


IDEAS = (
    Idea(
        "discrimination",
        "Cafés-dialogues interculturels",
        "Des rencontres animées entre résidents de longue date et personnes immigrantes pour "
        "déconstruire les préjugés, dans les bibliothèques et les parcs du quartier.",
        ("newcomers", "immigrants"),
        "Cafés-dialogues mensuels",
        "20 rencontres",
        "Moins de préjugés déclarés",
        "Participants qui disent avoir changé d'idée",
        150,
    ),
    Idea(
        "discrimination",
        "Ambassadeurs contre le racisme à l'école",
        "Des jeunes formés comme ambassadeurs animent des ateliers contre le racisme dans les "
        "écoles secondaires et les maisons de jeunes.",
        ("youth",),
        "Formation d'ambassadeurs",
        "25 jeunes formés",
        "Des élèves outillés pour réagir",
        "Ateliers donnés par les ambassadeurs",
        40,
    ),
    Idea(
        "discrimination",
        "Logement sans discrimination",
        "Accompagnement des familles immigrantes victimes de discrimination dans la recherche "
        "de logement et sensibilisation des propriétaires.",
        ("families", "newcomers"),
        "Accompagnement individuel",
        "120 familles accompagnées",
        "Des familles logées sans discrimination",
        "Plaintes accompagnées jusqu'au bout",
        60,
    ),
    Idea(
        "rights",
        "Cliniques d'information juridique",
        "Des cliniques mensuelles avec des avocats bénévoles sur les droits des locataires, "
        "des travailleurs et le statut d'immigration, avec interprètes.",
        ("newcomers",),
        "Cliniques juridiques",
        "12 cliniques par année",
        "Des personnes qui connaissent et exercent leurs droits",
        "Personnes informées",
        300,
    ),
    Idea(
        "rights",
        "Mes droits au travail",
        "Ateliers sur les normes du travail pour les travailleuses et travailleurs étrangers "
        "temporaires et les demandeurs d'asile, dans leur langue.",
        ("newcomers", "immigrants"),
        "Ateliers sur les normes du travail",
        "30 ateliers",
        "Moins d'abus au travail",
        "Participants capables de nommer leurs recours",
        250,
    ),
    Idea(
        "rights",
        "Accompagnement vers les services publics",
        "Des intervenantes accompagnent les personnes nouvellement arrivées dans leurs démarches "
        "(RAMQ, école, aide financière) et défendent leurs droits.",
        ("newcomers", "families"),
        "Accompagnements individuels",
        "400 accompagnements",
        "Accès aux services auxquels les personnes ont droit",
        "Démarches réussies",
        300,
    ),
    Idea(
        "women",
        "Femmes en réseau",
        "Des rencontres hebdomadaires thé et tricot, de l'agriculture urbaine et des sorties "
        "pour briser l'isolement des femmes immigrantes.",
        ("women",),
        "Rencontres hebdomadaires",
        "40 rencontres",
        "Des femmes moins isolées",
        "Participantes qui disent connaître plus de gens",
        80,
    ),
    Idea(
        "women",
        "Entrepreneures immigrantes",
        "Un parcours d'accompagnement pour les femmes immigrantes qui veulent lancer leur "
        "entreprise : formation, mentorat et microcrédit.",
        ("women", "immigrants"),
        "Parcours d'entrepreneuriat",
        "3 cohortes de 15 femmes",
        "Autonomie financière",
        "Entreprises lancées",
        20,
    ),
    Idea(
        "women",
        "Cuisines collectives du monde",
        "Des cuisines collectives où les femmes immigrantes isolées préparent des repas ensemble "
        "et apprennent le français du quotidien.",
        ("women", "newcomers"),
        "Cuisines collectives",
        "60 ateliers",
        "Réseau social et français du quotidien",
        "Participantes régulières",
        45,
    ),
    Idea(
        "hiring",
        "Stages en milieu de travail",
        "Des stages rémunérés de huit semaines dans des entreprises du quartier pour les "
        "personnes immigrantes qualifiées sans expérience québécoise.",
        ("immigrants", "newcomers"),
        "Stages rémunérés",
        "30 stages",
        "Premier emploi dans son domaine",
        "Stagiaires en emploi six mois après",
        20,
    ),
    Idea(
        "hiring",
        "Reconnaissance des acquis",
        "Accompagnement dans la reconnaissance des diplômes et des compétences acquises à "
        "l'étranger, avec les ordres professionnels.",
        ("immigrants",),
        "Accompagnement en reconnaissance des acquis",
        "80 dossiers",
        "Diplômes reconnus",
        "Dossiers complétés",
        60,
    ),
    Idea(
        "hiring",
        "Français au travail",
        "Des cours de français adaptés à des métiers en pénurie (soins, transport, cuisine) "
        "donnés le soir, avec halte-garderie.",
        ("newcomers", "women"),
        "Cours de français métier",
        "4 groupes par année",
        "Embauche dans un métier en pénurie",
        "Personnes embauchées",
        40,
    ),
    Idea(
        "employers",
        "Employeurs inclusifs",
        "Des formations et un accompagnement des PME pour recruter et intégrer des personnes "
        "immigrantes : entrevues, accueil, gestion de la diversité.",
        ("immigrants",),
        "Formations aux employeurs",
        "50 entreprises formées",
        "Des pratiques de recrutement inclusives",
        "Entreprises qui changent leurs pratiques",
        30,
    ),
    Idea(
        "employers",
        "Jumelage employeurs et talents",
        "Des rencontres de jumelage entre employeurs du quartier et personnes immigrantes "
        "qualifiées, suivies d'un accompagnement à l'intégration.",
        ("immigrants", "newcomers"),
        "Rencontres de jumelage",
        "8 rencontres",
        "Des embauches et des employeurs convaincus",
        "Embauches issues du jumelage",
        40,
    ),
    Idea(
        "employers",
        "Campagne « La diversité, ça rapporte »",
        "Une campagne auprès des commerçants et des chambres de commerce sur l'apport de la "
        "diversité, avec témoignages d'entreprises.",
        ("immigrants",),
        "Campagne de sensibilisation",
        "200 commerces rejoints",
        "Des employeurs ouverts à l'embauche",
        "Commerces engagés",
        100,
    ),
)

LINES = (
    ("Salaires et charges sociales", Decimal("0.62")),
    ("Activités et matériel", Decimal("0.15")),
    ("Interprétation et traduction", Decimal("0.06")),
    ("Communications", Decimal("0.05")),
    ("Frais de fonctionnement", Decimal("0.12")),
)
PARTNER_NAMES = (
    "Bibliothèque du quartier",
    "Maison de la culture",
    "Centre de services scolaire",
    "CIUSSS (équipe de proximité)",
    "Chambre de commerce locale",
    "Table de concertation en immigration",
    "Carrefour jeunesse-emploi",
    "Clinique juridique bénévole",
)


@dataclass
class GrantsSummary:
    calls: int = 0
    applications: int = 0
    reviews: int = 0
    projects: int = 0
    by_state: dict[str, int] | None = None


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _funder(acronym: str, name: str, kind: str) -> Organization:
    found = Organization.objects.filter(acronym=acronym).order_by("pk").first() if acronym else None
    found = found or Organization.objects.filter(name=name).order_by("pk").first()
    if found is None:
        found = Organization.objects.create(
            name=name, acronym=acronym, kind=kind, is_synthetic=True
        )
    return found


def _call(
    *,
    code: str,
    funder: Organization,
    titles: dict[str, str],
    descriptions: dict[str, str],
    state: str,
    opens_at: datetime,
    closes_at: datetime,
    envelopes: dict[int, Decimal],
    objectives: tuple,
    criteria: tuple,
    kinds: tuple[str, ...],
    boroughs: list[Borough],
    documents: list[dict[str, str]],
    cap: Decimal | None,
    program: FundingProgram | None = None,
) -> GrantCall:
    call = GrantCall.objects.create(
        funder=funder,
        program=program,
        code=code,
        titles=titles,
        descriptions=descriptions,
        state=state,
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_kinds=list(kinds),
        documents_required=documents,
        max_per_organization=cap,
    )
    call.eligible_boroughs.set(boroughs)
    CallYear.objects.bulk_create(
        CallYear(call=call, year=year, envelope=amount) for year, amount in envelopes.items()
    )
    CallObjective.objects.bulk_create(
        CallObjective(call=call, code=c, names={"fr": fr, "en": en}, position=i)
        for i, (c, fr, en) in enumerate(objectives)
    )
    Criterion.objects.bulk_create(
        Criterion(
            call=call,
            code=c,
            names={"fr": fr, "en": en},
            descriptions={"fr": look_for},
            weight=weight,
            scale_max=5,
            position=i,
        )
        for i, (c, fr, en, weight, look_for) in enumerate(criteria)
    )
    return call


def _round(amount: Decimal, step: int = 500) -> Decimal:
    return (amount / step).quantize(Decimal("1")) * step


def _budget(
    rng: random.Random, years: list[int], most: int
) -> dict[int, list[tuple[str, Decimal]]]:
    """Lines per year that add up, to the cent, to the year's request."""
    span = min(rng.choice([1, 2, 2, 3, 3, 3]), len(years))
    first = rng.choice(years[: len(years) - span + 1])
    chosen = [y for y in years if first <= y < first + span]
    # `most` thousands of dollars a year, so that the whole request stays under the call's cap.
    base = _round(Decimal(rng.randint(most // 4, most)) * 1000, 1000)
    budget = {}
    for offset, year in enumerate(chosen):
        requested = _round(base * Decimal(str(1 + 0.03 * offset)))
        lines = rng.sample(LINES[1:], rng.randint(1, 3))
        rows = [(label, _round(requested * share, 100)) for label, share in lines]
        rows.insert(0, (LINES[0][0], requested - sum((a for _l, a in rows), Decimal("0"))))
        budget[year] = rows
    return budget


def _directors(organization_ids: list[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for membership in (
        Membership.objects.current()
        .filter(organization_id__in=organization_ids, role__in=(Role.DIRECTOR, Role.COORDINATOR))
        .select_related("user")
        .order_by("role", "pk")
    ):
        found.setdefault(membership.organization_id, membership.user)
    return found


def _applications(
    call: GrantCall,
    organizations: list[Organization],
    *,
    rng: random.Random,
    count: int,
    states: list[str],
    submitted_between: tuple[datetime, datetime],
    most: int,
) -> list[Application]:
    years = sorted(call.years.values_list("year", flat=True))
    objectives = {o.code: o for o in call.objectives.all()}
    ideas = [idea for idea in IDEAS if idea.objective in objectives] or list(IDEAS)
    directors = _directors([o.pk for o in organizations])
    made = []
    for number in range(count):
        organization = organizations[number % len(organizations)]
        idea = ideas[(number * 7 + rng.randrange(len(ideas))) % len(ideas)]
        state = states[number % len(states)]
        budget = _budget(rng, years, most)
        start, end = submitted_between
        sent = start + (end - start) * rng.random() if state != ApplicationState.DRAFT else None
        borough = organization.borough
        application = Application.objects.create(
            call=call,
            organization=organization,
            title=f"{idea.title} — {borough.name if borough else organization.name}"[:200],
            summary=f"{idea.summary} Porté par {organization.name}.",
            target_groups=list(idea.groups),
            state=state,
            minimum_viable=rng.choice(
                [None, Decimal("50"), Decimal("60"), Decimal("70"), Decimal("80")]
            ),
            requested={
                str(year): str(sum((a for _l, a in rows), Decimal("0")))
                for year, rows in budget.items()
            },
            submitted_at=sent,
            created_by=directors.get(organization.pk),
        )
        chosen = [objectives[idea.objective]] if idea.objective in objectives else []
        if chosen and rng.random() < 0.35:
            chosen.append(objectives[rng.choice(list(objectives))])
        application.objectives.set(chosen)
        if borough is not None:
            application.boroughs.set([borough])
        BudgetLine.objects.bulk_create(
            BudgetLine(application=application, year=year, label=label, amount=amount)
            for year, rows in budget.items()
            for label, amount in rows
        )
        LogicModelRow.objects.bulk_create(
            LogicModelRow(
                application=application,
                position=position,
                activity=idea.activity if position == 1 else f"{idea.activity} (volet {position})",
                output=idea.output,
                outcome=idea.outcome,
                indicator=idea.indicator,
                target=max(1, idea.target * (4 - position) // 3),
            )
            for position in range(1, rng.randint(1, 3) + 1)
        )
        ProjectPartner.objects.bulk_create(
            ProjectPartner(
                application=application,
                name=name,
                role="Partenaire de réalisation",
                agreed=state != ApplicationState.DRAFT or rng.random() < 0.6,
            )
            for name in rng.sample(PARTNER_NAMES, rng.randint(0, 2))
        )
        if rng.random() < 0.2 and len(organizations) > 1:
            other = organizations[(number + 1) % len(organizations)]
            if other.pk != organization.pk:
                CoApplicant.objects.create(
                    application=application,
                    organization=other,
                    confirmed_at=sent if sent else None,
                )
        made.append(application)
    return made


def _applicants(rng: random.Random, *, borough: str | None = None) -> list[Organization]:
    organizations = Organization.objects.filter(kind__in=APPLICANT_KINDS)
    if borough:
        organizations = organizations.filter(borough__code=borough)
    found = list(organizations.select_related("borough").order_by("name", "pk"))
    rng.shuffle(found)
    return found


# --- Reviews and funded projects -------------------------------------------------------------


def _seed_reviews(call: GrantCall, rng: random.Random, *, completed_at: datetime) -> int:
    """Completed reviews of every submitted (or decided) application by up to two of the
    funder's grant reviewers, never one with a conflict of interest (`review.exclusions`)."""
    from ancrage.grants import review

    reviewers = list(review.reviewers_of(call))
    applications = list(
        call.applications.filter(
            state__in=(
                ApplicationState.SUBMITTED,
                ApplicationState.FUNDED,
                ApplicationState.DECLINED,
            )
        ).order_by("pk")
    )
    if not reviewers or not applications:
        return 0
    excluded = review.exclusions(applications, reviewers)
    criteria = list(call.criteria.order_by("position", "code"))
    assignments = []
    for number, application in enumerate(applications):
        # A project's quality, the same for every reviewer give or take a point.
        quality = rng.choice([2, 3, 3, 4, 4, 4, 5])
        free = [r for r in reviewers if (application.pk, r.pk) not in excluded]
        start = number % len(free) if free else 0
        for reviewer in (free[start:] + free[:start])[:REVIEWERS_PER_APPLICATION]:
            assignment = ReviewAssignment(
                application=application, reviewer=reviewer, completed_at=completed_at
            )
            assignment.marks = [  # type: ignore[attr-defined]
                max(1, min(c.scale_max, quality + rng.choice([-1, 0, 0, 1]))) for c in criteria
            ]
            assignments.append(assignment)
    ReviewAssignment.objects.bulk_create(assignments)
    made = ReviewAssignment.objects.filter(application__call=call).order_by("pk")
    marks = {(a.application_id, a.reviewer_id): a.marks for a in assignments}  # type: ignore[attr-defined]
    Score.objects.bulk_create(
        Score(
            assignment=assignment,
            criterion=criterion,
            score=score,
            comment="Évaluation de démonstration." if criterion.position == 0 else "",
        )
        for assignment in made
        for criterion, score in zip(
            criteria, marks[(assignment.application_id, assignment.reviewer_id)], strict=True
        )
    )
    return len(assignments)


def _applicants_with_activities() -> list[Organization]:
    """Applicant organizations, the demo's anchor organization first, then those running
    activities (their projects have something to link), by name."""
    from ancrage.activities.models import Activity

    running = set(
        Activity.objects.filter(organization__kind__in=APPLICANT_KINDS).values_list(
            "organization_id", flat=True
        )
    )
    try:
        from ancrage.demo.montreal import ANCHOR_NAME
    except ImportError:  # pragma: no cover - the demo package is always there
        ANCHOR_NAME = ""
    found = list(
        Organization.objects.filter(kind__in=APPLICANT_KINDS)
        .select_related("borough")
        .order_by("name", "pk")
    )
    return sorted(found, key=lambda o: (o.name != ANCHOR_NAME, o.pk not in running, o.name, o.pk))


def _decide(call: GrantCall, funded: list[Application], declined: list[Application], on: date):
    """The committee's decision as it would be adopted: a run, awards per year, states."""
    adopted = _at(on, 15)
    run = AllocationRun.objects.create(
        call=call,
        options={"partial": False, "floor_percent": "0", "one_per_objective": False, "cap": None},
        feasible=True,
        is_decision=True,
        result={
            "amounts": {
                str(a.pk): {str(y): str(v) for y, v in sorted(a.requested.items())} for a in funded
            },
            "adopted_at": adopted.isoformat(),
        },
    )
    Award.objects.bulk_create(
        Award(application=a, run=run, year=int(year), amount=Decimal(amount))
        for a in funded
        for year, amount in sorted(a.requested.items())
        if Decimal(amount) > 0
    )
    Application.objects.filter(pk__in=[a.pk for a in funded]).update(state=ApplicationState.FUNDED)
    Application.objects.filter(pk__in=[a.pk for a in declined]).update(
        state=ApplicationState.DECLINED
    )


def _projects_under_way(
    applications: list[Application], rng: random.Random, today: date
) -> dict[str, int]:
    """Each funded project's schedule, the reports already due submitted (one late, one still
    missing), the instalments they released paid, and the organization's activities linked."""
    from ancrage.activities.models import Activity
    from ancrage.grants import projects

    counts = {"reports": 0, "submitted": 0, "instalments": 0, "paid": 0, "activities": 0}
    for number, application in enumerate(applications):
        report_days, lines = projects.default_schedule(application)
        period = projects.period_of(application)
        rows = list(application.logic_model.order_by("position"))
        reports = []
        for position, due in enumerate(report_days):
            report = ProgressReport(application=application, due_on=due)
            past = due < today
            # The latest report past due of the third project is still missing (overdue).
            missing = (
                number == 2
                and past
                and (position + 1 == len(report_days) or report_days[position + 1] >= today)
            )
            if past and not missing:
                late = number == 1 and position == 0
                sent_on = due + timedelta(days=12) if late else due - timedelta(days=3)
                share = (due - period.start).days / max(1, (period.end - period.start).days)
                report.submitted_at = _at(sent_on, 14)
                report.narrative = (
                    "Les activités se déroulent comme prévu; les partenaires sont engagés et "
                    "les participantes et participants reviennent d'une séance à l'autre."
                )
                report.indicator_values = {
                    projects.indicator_key(row): int(
                        row.target * min(1.0, share) * rng.uniform(0.7, 1.1)
                    )
                    for row in rows
                }
            reports.append(report)
        ProgressReport.objects.bulk_create(reports)
        submitted = {r.due_on: r.submitted_at for r in reports if r.submitted_at}
        instalments = []
        for index, line in enumerate(lines):
            paid_on = None
            if index == 0 and line.due_on + timedelta(days=5) <= today:
                paid_on = line.due_on + timedelta(days=5)
            elif line.due_on in submitted:
                released = timezone.localdate(submitted[line.due_on]) + timedelta(days=20)
                paid_on = released if released <= today else None
            instalments.append(
                Instalment(
                    application=application,
                    due_on=line.due_on,
                    amount=line.amount,
                    condition=line.condition,
                    paid_on=paid_on,
                )
            )
        Instalment.objects.bulk_create(instalments)
        activities = list(
            Activity.objects.filter(organization_id=application.organization_id).order_by("pk")[:2]
        )
        ProjectActivity.objects.bulk_create(
            ProjectActivity(application=application, activity=activity) for activity in activities
        )
        counts["reports"] += len(reports)
        counts["submitted"] += len(submitted)
        counts["instalments"] += len(instalments)
        counts["paid"] += sum(1 for i in instalments if i.paid_on)
        counts["activities"] += len(activities)
    return counts


def _previous_round(rng: random.Random, today: date) -> tuple[GrantCall | None, list[Application]]:
    """Last year's round of the programme, decided: a few projects funded, the others declined."""
    applicants = _applicants_with_activities()
    if not applicants:
        return None, []
    current = fiscal_year_of(today).start_year
    # Decided a month before its first year began: the projects started with the year.
    decided_on = FiscalYear(current - 1).first - timedelta(days=30)
    call = _call(
        code=PREVIOUS_CODE,
        funder=_funder(
            "BINAM",
            "Bureau d'intégration des nouveaux arrivants à Montréal",
            OrganizationKind.CITY_SERVICE,
        ),
        program=FundingProgram.objects.filter(code="montreal-inclusive").first(),
        titles={
            "fr": "Montréal inclusive (appel précédent)",
            "en": "An Inclusive Montréal (previous round)",
        },
        descriptions={
            "fr": "L'appel précédent du programme : ses projets sont en cours.",
            "en": "The programme's previous call: its projects are under way.",
        },
        state=CallState.DECIDED,
        opens_at=_at(decided_on - timedelta(days=110), 9),
        closes_at=_at(decided_on - timedelta(days=45), 16),
        envelopes={current - 1 + i: Decimal("700000") for i in range(3)},
        objectives=OBJECTIVES,
        criteria=CRITERIA,
        kinds=APPLICANT_KINDS,
        boroughs=[],
        documents=[],
        cap=Decimal("450000"),
    )
    made = _applications(
        call,
        applicants[:PREVIOUS_APPLICATIONS],
        rng=rng,
        count=min(PREVIOUS_APPLICATIONS, len(applicants)),
        states=[ApplicationState.SUBMITTED],
        submitted_between=(call.opens_at + timedelta(days=5), call.closes_at),
        most=100,
    )
    # Projects that started last year first, so that reports and payments have happened.
    funded = sorted(made, key=lambda a: (min(a.requested), a.pk))[:PREVIOUS_FUNDED]
    _seed_reviews(call, rng, completed_at=_at(decided_on - timedelta(days=20), 11))
    _decide(call, funded, [a for a in made if a not in funded], decided_on)
    for application in funded:
        application.refresh_from_db()
    return call, made


@transaction.atomic
def seed_grants(
    *, seed: int = 2025, stdout: TextIO | None = None, today: date | None = None
) -> GrantsSummary:
    """The demo calls and their applications (calls already there are kept as they are)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    summary = GrantsSummary(by_state={})
    first_year = fiscal_year_of(today).start_year + 1

    if not GrantCall.objects.filter(code=MAIN_CODE).exists():
        applicants = _applicants(rng)
        if applicants:
            call = _call(
                code=MAIN_CODE,
                funder=_funder(
                    "BINAM",
                    "Bureau d'intégration des nouveaux arrivants à Montréal",
                    OrganizationKind.CITY_SERVICE,
                ),
                program=FundingProgram.objects.filter(code="montreal-inclusive").first(),
                titles={"fr": "Montréal inclusive", "en": "An Inclusive Montréal"},
                descriptions={
                    "fr": "La Ville soutient, par des subventions de projets de 3,75 M$ sur trois "
                    "ans, les organismes qui réduisent la discrimination, font respecter les "
                    "droits des personnes nouvellement arrivées, brisent l'isolement des femmes "
                    "immigrantes, réduisent les obstacles à l'embauche et sensibilisent les "
                    "employeurs à l'apport de la diversité.",
                    "en": "The City supports, with $3.75M of project grants over three years, "
                    "organizations that reduce discrimination, safeguard newcomers' rights, break "
                    "the isolation of immigrant women, reduce barriers to hiring and raise "
                    "employers' awareness of diversity's contribution.",
                },
                state=CallState.CLOSED,
                opens_at=_at(today - timedelta(days=75), 9),
                closes_at=_at(today - timedelta(days=7), 16),
                envelopes={first_year + i: ENVELOPE_PER_YEAR for i in range(3)},
                objectives=OBJECTIVES,
                criteria=CRITERIA,
                kinds=APPLICANT_KINDS,
                boroughs=[],
                documents=[],
                cap=Decimal("450000"),
            )
            states = [ApplicationState.SUBMITTED] * 10 + [
                ApplicationState.DRAFT,
                ApplicationState.SUBMITTED,
            ]
            states[5] = ApplicationState.WITHDRAWN
            made = _applications(
                call,
                applicants[:55],
                rng=rng,
                count=APPLICATIONS,
                states=states,
                submitted_between=(call.opens_at + timedelta(days=10), call.closes_at),
                most=140,  # three years at most 432,600 $: under the cap of 450,000 $
            )
            summary.calls += 1
            summary.applications += len(made)
            for application in made:
                summary.by_state[application.state] = summary.by_state.get(application.state, 0) + 1

    if not GrantCall.objects.filter(code=BOROUGH_CODE).exists():
        lasalle = Borough.objects.filter(code="lasalle").first()
        applicants = _applicants(rng, borough="lasalle") if lasalle else []
        if lasalle is not None:
            call = _call(
                code=BOROUGH_CODE,
                funder=_funder("", "Arrondissement de LaSalle", OrganizationKind.BOROUGH),
                titles={
                    "fr": "LaSalle interculturel : fonds d'initiatives",
                    "en": "Intercultural LaSalle: initiatives fund",
                },
                descriptions={
                    "fr": "Petits projets qui rapprochent les résidents de toutes origines à "
                    "LaSalle : fêtes de quartier, jumelages, activités en bibliothèque.",
                    "en": "Small projects that bring LaSalle residents of every origin together: "
                    "street festivals, pairings, library activities.",
                },
                state=CallState.PUBLISHED,
                opens_at=_at(today - timedelta(days=10), 9),
                closes_at=_at(today + timedelta(days=25), 16),
                envelopes={first_year: Decimal("150000")},
                objectives=OBJECTIVES[:1],
                criteria=(
                    (*CRITERIA[0][:3], 50, CRITERIA[0][4]),
                    (*CRITERIA[2][:3], 30, CRITERIA[2][4]),
                    (*CRITERIA[3][:3], 20, CRITERIA[3][4]),
                ),
                kinds=APPLICANT_KINDS,
                boroughs=[lasalle],
                documents=[
                    {"fr": "Lettre d'appui d'un partenaire", "en": "A partner's letter of support"}
                ],
                cap=Decimal("25000"),
            )
            made = []
            if applicants:
                made = _applications(
                    call,
                    applicants[:3],
                    rng=rng,
                    count=min(3, len(applicants)),
                    states=[ApplicationState.DRAFT],
                    submitted_between=(call.opens_at, call.closes_at),
                    most=24,
                )
            summary.calls += 1
            summary.applications += len(made)
            for application in made:
                summary.by_state[application.state] = summary.by_state.get(application.state, 0) + 1

    # The main call is closed for review: its submitted applications reviewed, so that the
    # committee's ranking and allocation have something to weigh.
    projects_rng = random.Random(seed + 1)
    main = GrantCall.objects.filter(code=MAIN_CODE).first()
    if main is not None and not ReviewAssignment.objects.filter(application__call=main).exists():
        summary.reviews += _seed_reviews(
            main, projects_rng, completed_at=_at(today - timedelta(days=2), 10)
        )
    if not GrantCall.objects.filter(code=PREVIOUS_CODE).exists():
        previous, made = _previous_round(projects_rng, today)
        if previous is not None:
            summary.calls += 1
            summary.applications += len(made)
            funded = list(
                previous.applications.filter(state=ApplicationState.FUNDED).order_by("pk")
            )
            summary.projects = len(funded)
            _projects_under_way(funded, projects_rng, today)
            for application in previous.applications.all():
                summary.by_state[application.state] = summary.by_state.get(application.state, 0) + 1

    _say(
        stdout,
        _("%(calls)d calls for projects, %(applications)d applications.")
        % {"calls": summary.calls, "applications": summary.applications},
    )
    return summary


@transaction.atomic
def reset_grants() -> int:
    """Delete every call with its applications (before the organizations and programs they
    point to)."""
    from ancrage.grants.models import AllocationRun, Award, Instalment, ProgressReport

    Award.objects.all().delete()
    AllocationRun.objects.all().delete()
    ProgressReport.objects.all().delete()
    Instalment.objects.all().delete()
    Application.objects.all().delete()
    deleted, _detail = GrantCall.objects.all().delete()
    return deleted
