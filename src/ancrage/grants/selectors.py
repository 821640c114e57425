"""Reads of calls and applications: open calls, eligibility, the applicant's and the funder's lists,
amounts requested per year, the overlap check.

Access goes through `core.tenancy`: a call is the funder's (`grants.manage`), an application its
organization's (`grants.apply`); a co-applicant organization reads the application it takes part
in; the funder sees an application once it is sent (never a draft). A foreign or forged id is a 404.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Audience
from ancrage.core.tenancy import BIGINT_MAX
from ancrage.grants.models import (
    Application,
    ApplicationState,
    BudgetLine,
    CallAnnouncement,
    CallState,
    CoApplicant,
    GrantCall,
)
from ancrage.network.models import Membership, Organization

ZERO = Decimal("0")
# The public sees a call from its publication on; a draft is the funder's only.
PUBLIC_STATES = (CallState.PUBLISHED, CallState.CLOSED, CallState.DECIDED)
SENT_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.FUNDED,
    ApplicationState.DECLINED,
    ApplicationState.WITHDRAWN,
)
# Applications still in the running (or decided): what the envelope is compared with.
IN_PLAY = (ApplicationState.SUBMITTED, ApplicationState.FUNDED, ApplicationState.DECLINED)


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    return pk


# --- Calls ----------------------------------------------------------------------------------


def open_calls(now: datetime | None = None) -> QuerySet[GrantCall]:
    """Calls taking applications now (published, between opening and deadline)."""
    now = now or timezone.now()
    return (
        GrantCall.objects.filter(state=CallState.PUBLISHED, opens_at__lte=now, closes_at__gte=now)
        .select_related("funder")
        .order_by("closes_at", "code")
    )


def public_calls(now: datetime | None = None) -> QuerySet[GrantCall]:
    """What the public page lists: calls open now or soon (published, deadline not passed)."""
    now = now or timezone.now()
    return (
        GrantCall.objects.filter(state=CallState.PUBLISHED, closes_at__gte=now)
        .select_related("funder")
        .prefetch_related("years", "objectives", "eligible_boroughs")
        .order_by("closes_at", "code")
    )


def public_call(code: str) -> GrantCall:
    """One published call (open, closed or decided) by its code, or 404."""
    if not isinstance(code, str) or len(code) > 60:
        raise Http404
    found = (
        GrantCall.objects.filter(code=code, state__in=PUBLIC_STATES)
        .select_related("funder")
        .prefetch_related("years", "objectives", "criteria", "eligible_boroughs")
        .first()
    )
    if found is None:
        raise Http404
    return found


def calls_managed(user: Any) -> QuerySet[GrantCall]:
    """The calls of the funders where `user` manages calls."""
    return (
        tenancy.scoped(GrantCall, user, tenancy.MANAGE_CALLS)
        .select_related("funder")
        .prefetch_related("years")
        .order_by("-opens_at", "code")
    )


def envelope_of(call: GrantCall) -> dict[int, Decimal]:
    return {year.year: year.envelope for year in call.years.all()}


# --- Eligibility ------------------------------------------------------------------------------


def organization_boroughs(organization: Organization) -> set[int]:
    """Where an organization is: its borough and the boroughs it serves."""
    ids = set(organization.boroughs_served.values_list("pk", flat=True))
    if organization.borough_id:
        ids.add(organization.borough_id)
    return ids


def eligibility_problems(call: GrantCall, organization: Organization) -> list[str]:
    """Why an organization may not apply to the call (empty: it may)."""
    problems = []
    if organization.pk == call.funder_id:
        problems.append(_("A funder does not apply to its own call."))
    if call.eligible_kinds and organization.kind not in call.eligible_kinds:
        problems.append(
            _("This call is for %(kinds)s: %(name)s is a %(kind)s.")
            % {
                "kinds": ", ".join(
                    str(OrganizationKind(kind).label).lower() for kind in call.eligible_kinds
                ),
                "name": organization.name,
                "kind": str(organization.get_kind_display()).lower(),
            }
        )
    eligible = set(call.eligible_boroughs.values_list("pk", flat=True))
    if eligible and not eligible & organization_boroughs(organization):
        problems.append(
            _("This call is for organizations of certain boroughs: %(name)s is in none of them.")
            % {"name": organization.name}
        )
    return problems


def eligible_organizations(call: GrantCall) -> QuerySet[Organization]:
    """Every organization registered in Ancrage that may apply to the call."""
    organizations = Organization.objects.exclude(pk=call.funder_id)
    if call.eligible_kinds:
        organizations = organizations.filter(kind__in=call.eligible_kinds)
    boroughs = list(call.eligible_boroughs.values_list("pk", flat=True))
    if boroughs:
        organizations = organizations.filter(
            Q(borough__in=boroughs) | Q(boroughs_served__in=boroughs)
        ).distinct()
    return organizations.order_by("name", "pk")


@dataclass
class OpenCall:
    """A call open now, for a staff member of organizations eligible to it."""

    call: GrantCall
    organizations: list[Organization] = field(default_factory=list)  # eligible, theirs
    applications: list[Application] = field(default_factory=list)  # theirs, to this call
    may_apply: bool = False  # the person may apply for one of those organizations


def open_calls_for(user: Any, now: datetime | None = None) -> list[OpenCall]:
    """The in-app notice: calls open now for which one of the user's organizations is eligible
    (for every staff member of those organizations; directors and coordinators may apply)."""
    if user is None or not user.is_authenticated:
        return []
    mine = list(
        Organization.objects.filter(
            pk__in=Membership.objects.current().filter(user=user).values("organization_id")
        )
        .prefetch_related("boroughs_served")
        .order_by("name")
    )
    if not mine:
        return []
    applying = tenancy.grant_for(user, tenancy.APPLY_GRANTS)
    calls = list(open_calls(now).prefetch_related("eligible_boroughs"))
    applications = defaultdict(list)
    for application in tenancy.scoped(Application, user, tenancy.APPLY_GRANTS).filter(
        call__in=calls
    ):
        applications[application.call_id].append(application)
    found = []
    for call in calls:
        eligible = [o for o in mine if not eligibility_problems(call, o)]
        if eligible:
            found.append(
                OpenCall(
                    call,
                    eligible,
                    applications[call.pk],
                    may_apply=any(applying.covers(o.pk) for o in eligible),
                )
            )
    return found


def announcements_of(call: GrantCall) -> QuerySet[CallAnnouncement]:
    return call.announcements.select_related("organization").order_by("organization__name")


# --- Applications -----------------------------------------------------------------------------


def _with_details(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.select_related("call", "call__funder", "organization").prefetch_related(
        "objectives", "boroughs"
    )


def applications_of(user: Any) -> QuerySet[Application]:
    """The applications of the organizations where the user may apply."""
    return _with_details(tenancy.scoped(Application, user, tenancy.APPLY_GRANTS)).order_by(
        "-created_at", "-pk"
    )


def co_applications_of(user: Any) -> QuerySet[CoApplicant]:
    """Applications of other organizations naming one of the user's organizations co-applicant."""
    grant = tenancy.grant_for(user, tenancy.APPLY_GRANTS)
    rows = CoApplicant.objects.select_related(
        "organization", "application", "application__organization", "application__call"
    )
    if not grant.everywhere:
        rows = rows.filter(organization_id__in=grant.organization_ids)
    return rows.order_by("-application__created_at", "pk")


def application_for_applicant(
    user: Any, pk: Any, capability: str = tenancy.APPLY_GRANTS
) -> Application:
    """The application, for its organization's director or coordinator; 404 otherwise."""
    return tenancy.object_for(Application, user, capability, pk=_pk(pk))


def application_for_co_applicant(user: Any, pk: Any) -> tuple[Application, CoApplicant]:
    """The application (read-only) and the co-applicant row of one of the user's organizations."""
    rows = co_applications_of(user).filter(application_id=_pk(pk))
    row = rows.first()
    if row is None:
        raise Http404
    return row.application, row


def co_applicant_for(user: Any, pk: Any) -> CoApplicant:
    """A co-applicant row the user may confirm (their own organization's), or 404."""
    row = co_applications_of(user).filter(pk=_pk(pk)).first()
    if row is None:
        raise Http404
    return row


def applications_for_call(call: GrantCall) -> QuerySet[Application]:
    """The funder's list: the applications sent to the call (never a draft)."""
    return _with_details(call.applications.filter(state__in=SENT_STATES)).order_by(
        "organization__name", "pk"
    )


def application_for_funder(user: Any, pk: Any) -> Application:
    """An application sent to one of the calls the user manages, or 404."""
    calls = tenancy.scoped(GrantCall, user, tenancy.MANAGE_CALLS)
    found = (
        _with_details(Application.objects.filter(call__in=calls, state__in=SENT_STATES))
        .filter(pk=_pk(pk))
        .first()
    )
    if found is None:
        raise Http404
    return found


def requested_of(application: Application) -> dict[int, Decimal]:
    """The amount the application requests each year."""
    return {
        int(year): Decimal(str(amount))
        for year, amount in sorted((application.requested or {}).items())
    }


def budget_totals(application: Application) -> dict[int, Decimal]:
    """What the budget lines add up to, each year."""
    return {
        row["year"]: row["total"]
        for row in application.budget.values("year").annotate(total=Sum("amount")).order_by("year")
    }


@dataclass
class BudgetYear:
    year: int
    requested: Decimal
    lines: list[BudgetLine]
    total: Decimal

    @property
    def difference(self) -> Decimal:
        return self.total - self.requested

    @property
    def adds_up(self) -> bool:
        return self.total == self.requested


def budget_table(application: Application) -> list[BudgetYear]:
    """The budget as shown: every year of the call, its request, its lines and their total
    (computed here, on the server, whatever the browser showed)."""
    requested = requested_of(application)
    by_year: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in application.budget.order_by("year", "pk"):
        by_year[line.year].append(line)
    years = sorted(
        set(application.call.years.values_list("year", flat=True)) | set(requested) | set(by_year)
    )
    return [
        BudgetYear(
            year=year,
            requested=requested.get(year, ZERO),
            lines=by_year[year],
            total=sum((line.amount for line in by_year[year]), ZERO),
        )
        for year in years
    ]


def requested_by_application(
    call: GrantCall, states: tuple[str, ...] = IN_PLAY
) -> dict[int, dict[int, Decimal]]:
    """{application id: {year: amount requested}} for the call's applications in `states`
    (submitted, funded, declined by default): what the allocation weighs against the envelope."""
    return {
        pk: {int(year): Decimal(str(amount)) for year, amount in (requested or {}).items()}
        for pk, requested in call.applications.filter(state__in=states)
        .order_by("pk")
        .values_list("pk", "requested")
    }


def requested_totals(call: GrantCall, states: tuple[str, ...] = IN_PLAY) -> dict[int, Decimal]:
    """The amounts requested each year across the call's applications, beside every year of
    the envelope (a year nobody asked for shows 0)."""
    totals = dict.fromkeys(call.years.values_list("year", flat=True), ZERO)
    for requested in requested_by_application(call, states).values():
        for year, amount in requested.items():
            totals[year] = totals.get(year, ZERO) + amount
    return dict(sorted(totals.items()))


def call_summary(call: GrantCall) -> list[dict[str, Any]]:
    """Per year: envelope, amount requested by the applications sent, and the ratio."""
    envelope = envelope_of(call)
    requested = requested_totals(call)
    rows = []
    for year in sorted(set(envelope) | set(requested)):
        env, asked = envelope.get(year, ZERO), requested.get(year, ZERO)
        rows.append(
            {
                "year": year,
                "envelope": env,
                "requested": asked,
                "ratio": (asked / env) if env else None,
            }
        )
    return rows


def application_counts(call: GrantCall) -> dict[str, int]:
    counts = dict.fromkeys(ApplicationState.values, 0)
    for state in call.applications.values_list("state", flat=True):
        counts[state] += 1
    return counts


def application_detail(application: Application) -> Application:
    """The application with what its pages show, read in a few queries."""
    return (
        Application.objects.filter(pk=application.pk)
        .select_related("call", "call__funder", "organization")
        .prefetch_related(
            "objectives",
            "boroughs",
            "logic_model",
            Prefetch("partners"),
            Prefetch("co_applicants", queryset=CoApplicant.objects.select_related("organization")),
            "documents",
        )
        .get()
    )


def target_group_names(application: Application) -> str:
    """The groups the project is for, named in the reader's language."""
    codes = application.target_groups or []
    names = {a.code: a.name for a in Audience.objects.filter(code__in=codes)}
    return ", ".join(str(names[code]) for code in codes if code in names)


def overlaps_for(application: Application, *, limit: int = 8) -> list[Any]:
    """The existing services, activities and funded projects closest to the application, with
    a score and why (see `overlap`): shown to the applicant and to the reviewers."""
    from ancrage.grants import overlap

    return overlap.closest(application, limit=limit)
