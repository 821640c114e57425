"""Fixtures of the reporting tests: a funder with a program, an organization's quarterly agreement
with targets, its staff and the funder's advisor, and small builders for clients, service records,
sessions and reports (rows written directly: these tests count them, they do not test entry).

Other test modules may import the builders (`make_agreement`, `make_client`, `serve`,
`group_session`, `report_in`) and use the fixtures by adding
`from tests.reporting.conftest import *` to their own conftest.
"""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from ancrage.activities.models import Attendance
from ancrage.clients.models import Client, ServiceRecord, ServiceType
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.funding.models import (
    Agreement,
    AgreementTarget,
    FollowedOrganization,
    FundingKind,
    FundingProgram,
    ReportingCadence,
)
from ancrage.reporting.models import AccountabilityReport, ReportState
from tests import factories

__all__ = [
    "agreement",
    "advisor",
    "funder",
    "other_funder",
    "preparer",
    "program",
    "make_agreement",
    "make_client",
    "make_program",
    "serve",
    "group_session",
    "report_in",
]

# The agreement of the tests: the 2025-2026 fiscal year, reported each quarter.
YEAR_START = date(2025, 4, 1)
YEAR_END = date(2026, 3, 31)
Q1 = (date(2025, 4, 1), date(2025, 6, 30))
Q2 = (date(2025, 7, 1), date(2025, 9, 30))
Q3 = (date(2025, 10, 1), date(2025, 12, 31))
Q4 = (date(2026, 1, 1), date(2026, 3, 31))
TODAY = date(2026, 5, 15)  # every period of the agreement has begun

_codes = itertools.count(1)


def make_program(funder, code, *, threshold=5, kind=FundingKind.SERVICE_AGREEMENT):
    return FundingProgram.objects.create(
        funder=funder,
        code=code,
        names={"fr": f"Programme {code}", "en": f"Program {code}"},
        kind=kind,
        small_cell_threshold=threshold,
    )


def make_agreement(
    organization,
    program,
    *,
    starts_on=YEAR_START,
    ends_on=YEAR_END,
    cadence=ReportingCadence.QUARTERLY,
    targets=(),
    reference="",
):
    """An agreement; `targets` as (metric, start, end, value)."""
    agreement = Agreement.objects.create(
        organization=organization,
        program=program,
        starts_on=starts_on,
        ends_on=ends_on,
        cadence=cadence,
        reference=reference or f"{program.code.upper()}-{organization.pk}",
    )
    for metric, start, end, value in targets:
        AgreementTarget.objects.create(
            agreement=agreement, metric=metric, period_start=start, period_end=end, value=value
        )
    return agreement


def make_client(
    organization,
    *,
    status="permanent-resident",
    age_band="25-34",
    gender="woman",
    borough="lasalle",
    arrived=date(2023, 6, 1),
    languages=("fr",),
):
    client = Client.objects.create(
        organization=organization,
        code=f"T{next(_codes):05d}",
        immigration_status=ImmigrationStatus.objects.get(code=status) if status else None,
        age_band=age_band or "",
        gender=gender or "",
        borough=Borough.objects.get(code=borough) if borough else None,
        arrived_quebec_on=arrived,
    )
    if languages:
        client.languages.set(Language.objects.filter(code__in=languages))
    return client


def serve(client, on, *, program=None, covered_by=None, minutes=60, service="housing"):
    """A service record with its eligibility snapshot: charged to `program` (covered by it unless
    `covered_by` says otherwise), or unfunded (no program, covered by none)."""
    if covered_by is None:
        covered_by = [program.code] if program else []
    return ServiceRecord.objects.create(
        client=client,
        service_type=ServiceType.objects.get(organization=None, code=service),
        served_on=on,
        minutes=minutes,
        program=program,
        eligibility={
            "status": "eligible" if program else "unfunded",
            "covered_by": covered_by,
            "evaluated_on": on.isoformat(),
        },
    )


def group_session(activity, on, *, total=0, cancelled=False, hour=18):
    """A session of `activity` on day `on` (Montréal time) with its head count (none if 0)."""
    start = timezone.make_aware(datetime.combine(on, time(hour, 0)))
    session = factories.SessionFactory(
        activity=activity,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status="cancelled" if cancelled else "scheduled",
    )
    if total:
        Attendance.objects.create(session=session, newcomers=total, total=total)
    return session


def report_in(agreement, period=Q1, state=ReportState.DRAFT, **fields):
    """A report row in `state` (for tests of the workflow's table, not of submission)."""
    return AccountabilityReport.objects.create(
        agreement=agreement, period_start=period[0], period_end=period[1], state=state, **fields
    )


@pytest.fixture
def funder(db):
    return factories.OrganizationFactory(name="Ministère (test)", kind=OrganizationKind.FUNDER)


@pytest.fixture
def other_funder(db):
    return factories.OrganizationFactory(name="Fondation (test)", kind=OrganizationKind.FUNDER)


@pytest.fixture
def program(funder):
    return make_program(funder, "pasi-test")


@pytest.fixture
def agreement(org_a, program):
    """Organization A's quarterly agreement for 2025-2026, with a yearly and a Q1 target."""
    return make_agreement(
        org_a,
        program,
        targets=[
            ("eligible_clients", YEAR_START, YEAR_END, 20),
            ("services", YEAR_START, YEAR_END, 60),
            ("eligible_clients", Q1[0], Q1[1], 6),
            ("sessions", YEAR_START, YEAR_END, 10),
            ("participants", YEAR_START, YEAR_END, 100),
        ],
    )


@pytest.fixture
def preparer(org_a):
    """A coordinator of organization A: prepares and submits its reports."""
    return factories.member(org_a, Role.COORDINATOR)


@pytest.fixture
def advisor(funder, org_a):
    """The funder's partnership advisor, following organization A."""
    user = factories.member(funder, Role.FUNDER_ADVISOR)
    FollowedOrganization.objects.create(funder=funder, advisor=user, organization=org_a)
    return user
