"""Fixtures of the grants tests: a funder with a call (years, envelopes, objectives, weighted
criteria), applicant organizations with their staff, and applications in any state with a budget.

The helpers below are plain functions (usable from any test module) and fixtures built on them.
Amounts are `Decimal`; years are the call's fiscal years (named by the year they start). The call
opens a day before and closes thirty days after the test runs (server time), unless told otherwise.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.grants.models import (
    AllocationRun,
    Application,
    ApplicationState,
    Award,
    BudgetLine,
    CallObjective,
    CallState,
    CallYear,
    Criterion,
    GrantCall,
    LogicModelRow,
    ProjectPartner,
)
from tests import factories

YEARS = (2025, 2026, 2027)
ENVELOPES = {2025: Decimal("1250000.00"), 2026: Decimal("1250000.00"), 2027: Decimal("1250000.00")}
# (code, French, English)
OBJECTIVES = (
    ("discrimination", "Réduire la discrimination", "Reduce discrimination"),
    (
        "rights",
        "Protéger les droits des personnes nouvellement arrivées",
        "Safeguard newcomers' rights",
    ),
    ("women", "Briser l'isolement des femmes immigrantes", "Break immigrant women's isolation"),
    ("hiring", "Réduire les obstacles à l'embauche", "Reduce barriers to hiring"),
    ("employers", "Sensibiliser les employeurs", "Raise employers' awareness"),
)
# (code, French, English, weight, highest score): weights add up to 100.
CRITERIA = (
    ("relevance", "Pertinence", "Relevance", 30, 5),
    ("feasibility", "Faisabilité", "Feasibility", 25, 5),
    ("partnerships", "Partenariats", "Partnerships", 20, 5),
    ("impact", "Retombées", "Impact", 25, 5),
)
# Per year: (line, amount); the default budget of an application, 60,000 $ a year.
BUDGET = (("Salaires", Decimal("45000.00")), ("Activités", Decimal("15000.00")))


def make_call(
    funder=None,
    *,
    code: str | None = None,
    state: str = CallState.PUBLISHED,
    opens_at=None,
    closes_at=None,
    envelopes: dict[int, Decimal] | None = None,
    objectives=OBJECTIVES,
    criteria=CRITERIA,
    eligible_kinds=(),
    eligible_boroughs=(),
    documents_required=(),
    max_per_organization: Decimal | None = None,
    created_by=None,
) -> GrantCall:
    """A call with its years, objectives and criteria (written directly, in any state)."""
    now = timezone.now()
    funder = funder or factories.OrganizationFactory(
        name="Ville (bailleur de test)", kind=OrganizationKind.CITY_SERVICE
    )
    call = GrantCall.objects.create(
        funder=funder,
        code=code or f"appel-{GrantCall.objects.count() + 1}-{funder.pk}",
        titles={"fr": "Montréal inclusive (test)", "en": "An Inclusive Montréal (test)"},
        descriptions={
            "fr": "Projets qui favorisent l'inclusion des personnes immigrantes.",
            "en": "Projects that foster the inclusion of immigrants.",
        },
        state=state,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=30),
        eligible_kinds=list(eligible_kinds),
        documents_required=list(documents_required),
        max_per_organization=max_per_organization,
        created_by=created_by,
    )
    if eligible_boroughs:
        call.eligible_boroughs.set(
            [b if not isinstance(b, str) else factories.borough(b) for b in eligible_boroughs]
        )
    for year, envelope in (envelopes or ENVELOPES).items():
        CallYear.objects.create(call=call, year=year, envelope=envelope)
    for position, (obj_code, fr, en) in enumerate(objectives):
        CallObjective.objects.create(
            call=call, code=obj_code, names={"fr": fr, "en": en}, position=position
        )
    for position, (crit_code, fr, en, weight, scale) in enumerate(criteria):
        Criterion.objects.create(
            call=call,
            code=crit_code,
            names={"fr": fr, "en": en},
            weight=weight,
            scale_max=scale,
            position=position,
        )
    return call


def make_application(
    call: GrantCall,
    organization=None,
    *,
    state: str = ApplicationState.SUBMITTED,
    title: str = "Cuisines du monde : briser l'isolement",
    summary: str = "Ateliers de cuisine collective pour les femmes immigrantes isolées.",
    objectives=None,
    boroughs=("lasalle",),
    target_groups=("women", "newcomers"),
    budget: dict[int, tuple[tuple[str, Decimal], ...]] | None = None,
    minimum_viable: Decimal | None = None,
    logic_model: bool = True,
    partners: tuple[tuple[str, bool], ...] = (("Bibliothèque du quartier", True),),
    created_by=None,
) -> Application:
    """An application with a budget for every year of the call (requested = sum of its lines),
    a logic model row and a partner, written directly in the given state."""
    organization = organization or factories.OrganizationFactory()
    years = list(call.years.values_list("year", flat=True))
    budget = budget if budget is not None else dict.fromkeys(years, BUDGET)
    application = Application.objects.create(
        call=call,
        organization=organization,
        title=title,
        summary=summary,
        target_groups=list(target_groups),
        state=state,
        minimum_viable=minimum_viable,
        requested={
            str(year): str(sum((amount for _, amount in lines), Decimal("0")))
            for year, lines in budget.items()
        },
        submitted_at=timezone.now() if state != ApplicationState.DRAFT else None,
        created_by=created_by,
    )
    application.objectives.set(
        objectives if objectives is not None else list(call.objectives.all()[:1])
    )
    application.boroughs.set(
        [b if not isinstance(b, str) else factories.borough(b) for b in boroughs]
    )
    for year, lines in budget.items():
        for label, amount in lines:
            BudgetLine.objects.create(
                application=application, year=year, label=label, amount=amount
            )
    if logic_model:
        LogicModelRow.objects.create(
            application=application,
            position=1,
            activity="Ateliers de cuisine hebdomadaires",
            output="40 ateliers",
            outcome="Les participantes élargissent leur réseau",
            indicator="Participantes qui disent connaître plus de gens",
            target=60,
        )
    for name, agreed in partners:
        ProjectPartner.objects.create(
            application=application, name=name, role="Prête ses locaux", agreed=agreed
        )
    return application


@pytest.fixture
def funder_org(db):
    """The funder: a city service (the call's owner)."""
    return factories.OrganizationFactory(
        name="Service de la diversité (test)", kind=OrganizationKind.CITY_SERVICE
    )


@pytest.fixture
def call_manager(funder_org):
    """Manages the funder's calls (grants.manage)."""
    return factories.member(funder_org, Role.COORDINATOR)


@pytest.fixture
def reviewer(funder_org):
    """A grant reviewer of the funder (grants.review)."""
    return factories.member(funder_org, Role.GRANT_REVIEWER)


@pytest.fixture
def call(funder_org, call_manager):
    """A published call, open now, closing in thirty days; three years of 1.25 M$."""
    return make_call(funder_org, created_by=call_manager)


@pytest.fixture
def draft_call(funder_org, call_manager):
    return make_call(funder_org, state=CallState.DRAFT, created_by=call_manager)


@pytest.fixture
def applicant_org(db):
    """An eligible community organization in LaSalle."""
    return factories.OrganizationFactory(name="Carrefour d'accueil (test)")


@pytest.fixture
def other_applicant_org(db):
    return factories.OrganizationFactory(name="Maison des familles (test)")


@pytest.fixture
def applicant(applicant_org):
    """The applicant organization's director (grants.apply)."""
    return factories.member(applicant_org, Role.DIRECTOR)


@pytest.fixture
def other_applicant(other_applicant_org):
    return factories.member(other_applicant_org, Role.DIRECTOR)


@pytest.fixture
def draft_application(call, applicant_org, applicant):
    return make_application(call, applicant_org, state=ApplicationState.DRAFT, created_by=applicant)


@pytest.fixture
def submitted_application(call, applicant_org, applicant):
    """A submitted application of 60,000 $ a year over the call's three years."""
    return make_application(call, applicant_org, created_by=applicant)


# --- Funded projects -------------------------------------------------------------------------


def fund(application, amounts=None, adopted_at=None):
    """Write the decision directly: a run adopted, awards per year, the application funded
    (60,000 $ in 2025 and in 2026 unless told otherwise)."""
    amounts = amounts or {2025: Decimal("60000.00"), 2026: Decimal("60000.00")}
    run = AllocationRun.objects.create(
        call=application.call,
        is_decision=True,
        result={"adopted_at": (adopted_at or timezone.now()).isoformat()},
    )
    for year, amount in amounts.items():
        Award.objects.create(application=application, run=run, year=year, amount=amount)
    application.state = ApplicationState.FUNDED
    application.save(update_fields=["state"])
    return application


@pytest.fixture
def closed_call(funder_org, call_manager):
    """A decided call of 2025 and 2026, its deadline a month ago."""
    now = timezone.now()
    return make_call(
        funder_org,
        state=CallState.DECIDED,
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=30),
        envelopes={2025: Decimal("500000.00"), 2026: Decimal("500000.00")},
    )


@pytest.fixture
def project(closed_call, applicant_org):
    """The applicant's project, funded 60,000 $ a year in 2025 and 2026."""
    return fund(make_application(closed_call, applicant_org))


@pytest.fixture
def scheduled(project, call_manager):
    """The project with its default schedule, set up by the funder's call manager."""
    from ancrage.grants import projects

    return projects.project_setup(actor=call_manager, application=project)
