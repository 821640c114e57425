"""Funded projects: the schedule of progress reports and instalments, the reports, the payments,
the activities a project runs, reminders, and the city's view of what the programme funded.

A funded project is an application the committee's decision funded (`ApplicationState.FUNDED`,
with `Award`s per year). Its period runs from the first day of its first awarded fiscal year to
the last day of its last one. The funder's call managers (`grants.manage`) set up its schedule
(`project_setup`: a progress report every six months and a final report; a first instalment at
signature, one on each approved interim report, the holdback on the final one) and may change it
(`schedule_save`) as long as the instalments add up exactly to the allocation; they mark
instalments paid. The organization (`grants.apply`) submits each report once (narrative and a
value per indicator of its logic model) and links its own activities to the project.

Reminders (`reports_remind`, run daily by `ancrage grants-progress-remind`): the organization's
directors and coordinators are written to 30, 7 and 0 days before a report is due, and once when
it is overdue; `last_reminded_on` says which step was sent, so each step goes once.

Writes are the functions with keyword-only arguments (one transaction each: bad input changes
nothing); reads follow. Attendance leaves the organization only through `core.privacy.suppress`.
"""

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ancrage.activities.models import Activity, Attendance, Session
from ancrage.core import privacy, tenancy
from ancrage.core.audit import audit_record
from ancrage.core.mail import mail_in_their_languages
from ancrage.core.tenancy import BIGINT_MAX
from ancrage.funding.selectors import FiscalYear
from ancrage.grants.announcements import recipients_by_organization
from ancrage.grants.models import (
    TEXT_MAX,
    AllocationRun,
    Application,
    ApplicationState,
    Award,
    GrantCall,
    Instalment,
    LogicModelRow,
    ProgressReport,
    ProjectActivity,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
MONEY_MAX = Decimal("100000000")
REPORT_EVERY_MONTHS = 6
# The final report (and the holdback paid on it) comes after the project's last day.
FINAL_REPORT_AFTER = timedelta(days=60)
GRACE_AFTER_END = timedelta(days=90)
INTERIM_REPORT_AFTER = timedelta(days=30)  # after the end of each six-month period
HOLDBACK = Decimal("0.10")  # of the allocation, paid on the approved final report
REMINDER_STEPS = (30, 7, 0)
OVERDUE = -1
INDICATOR_MAX = 10_000_000


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    return pk


def _may_manage(actor: Any, application: Application) -> None:
    if not tenancy.has_capability(actor, tenancy.MANAGE_CALLS, application.call.funder_id):
        raise PermissionDenied


def _may_apply(actor: Any, application: Application) -> None:
    if not tenancy.has_capability(actor, tenancy.APPLY_GRANTS, application.organization_id):
        raise PermissionDenied


def _add_months(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ")


# --- The project's period and money ---------------------------------------------------------


def allocated_by_year(application: Application) -> dict[int, Decimal]:
    return dict(application.awards.order_by("year").values_list("year", "amount"))


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def latest(self) -> date:
        """The last day a report or an instalment may be due (the final report after the end)."""
        return self.end + GRACE_AFTER_END

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.latest


def period_of(application: Application, years: Iterable[int] | None = None) -> Period | None:
    """From the first day of the first awarded fiscal year to the last day of the last one."""
    years = sorted(years if years is not None else allocated_by_year(application))
    if not years:
        return None
    return Period(FiscalYear(years[0]).first, FiscalYear(years[-1]).last)


def _decided_on(application: Application) -> date | None:
    run = (
        AllocationRun.objects.filter(awards__application=application, is_decision=True)
        .distinct()
        .first()
    )
    adopted = ((run.result or {}).get("adopted_at") if run else None) or None
    if adopted:
        try:
            return timezone.localdate(datetime.fromisoformat(adopted))
        except (TypeError, ValueError):
            return None
    return None


@dataclass
class Money:
    allocated: Decimal
    scheduled: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.paid


def money_of(application: Application) -> Money:
    instalments = application.instalments.aggregate(
        scheduled=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False))
    )
    allocated = application.awards.aggregate(total=Sum("amount"))["total"] or ZERO
    return Money(allocated, instalments["scheduled"] or ZERO, instalments["paid"] or ZERO)


# --- The schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalmentLine:
    due_on: date
    amount: Decimal
    condition: str = ""


def default_schedule(
    application: Application,
) -> tuple[list[date], list[InstalmentLine]]:
    """Reports every six months and a final one; a first instalment at signature, one on each
    interim report and the holdback on the final report, adding up to the allocation."""
    period = period_of(application)
    total = sum(allocated_by_year(application).values(), ZERO)
    if period is None or total <= 0:
        return [], []
    interim = []
    months = REPORT_EVERY_MONTHS
    while _add_months(period.start, months) <= period.end:
        interim.append(_add_months(period.start, months) - timedelta(days=1) + INTERIM_REPORT_AFTER)
        months += REPORT_EVERY_MONTHS
    final = period.end + FINAL_REPORT_AFTER
    signed = _decided_on(application)
    signature = signed if signed is not None and period.holds(signed) else period.start
    holdback = (total * HOLDBACK).quantize(CENT, rounding=ROUND_DOWN)
    rest = total - holdback
    parts = 1 + len(interim)
    share = (rest / parts).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [rest - share * (parts - 1)] + [share] * (parts - 1)
    lines = [InstalmentLine(signature, amounts[0], _("At the signature of the agreement"))]
    for due, amount in zip(interim, amounts[1:], strict=True):
        lines.append(
            InstalmentLine(
                due,
                amount,
                _("On approval of the progress report due %(date)s") % {"date": due.isoformat()},
            )
        )
    lines.append(InstalmentLine(final, holdback, _("On approval of the final report")))
    return [*interim, final], [line for line in lines if line.amount > 0]


def _audit(actor: Any, target: Any, application: Application, action: str, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=target,
        organization_id=application.organization_id,
        details={"project": application.pk, **details},
    )


def _funded(application: Application) -> Application:
    """The application, locked, if it is a funded project with an allocation."""
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if locked.state != ApplicationState.FUNDED or not locked.awards.exists():
        raise ValidationError(
            _("Only a funded project has a schedule of reports and instalments."),
            code="not_funded",
        )
    return locked


@transaction.atomic
def project_setup(*, actor: Any, application: Application) -> Application:
    """Give a funded project its default schedule (once: a project already set up keeps its own)."""
    _may_manage(actor, application)
    application = _funded(application)
    if application.progress_reports.exists() or application.instalments.exists():
        raise ValidationError(
            _("This project already has its schedule: change it instead."), code="set_up"
        )
    reports, instalments = default_schedule(application)
    ProgressReport.objects.bulk_create(
        ProgressReport(application=application, due_on=due) for due in reports
    )
    Instalment.objects.bulk_create(
        Instalment(
            application=application,
            due_on=line.due_on,
            amount=line.amount,
            condition=line.condition,
        )
        for line in instalments
    )
    _audit(
        actor,
        application,
        application,
        "change",
        schedule="set up",
        reports=len(reports),
        instalments=len(instalments),
    )
    return application


def _clean_amount(value: Any, position: int) -> Decimal:
    invalid = _("Instalment %(n)d: enter an amount in dollars, to the cent, above zero.") % {
        "n": position
    }
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"instalments": invalid}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or not 0 < amount <= MONEY_MAX:
        raise ValidationError({"instalments": invalid})
    return amount.quantize(CENT)


def _clean_day(value: Any, period: Period, field_name: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field_name: _("%(what)s: enter a date.") % {"what": label}})
    if not period.holds(value):
        raise ValidationError(
            {
                field_name: _(
                    "%(what)s: %(date)s is outside the project's years; give a date from "
                    "%(start)s to %(end)s (the final report may come up to 90 days after the end)."
                )
                % {
                    "what": label,
                    "date": value.isoformat(),
                    "start": period.start.isoformat(),
                    "end": period.latest.isoformat(),
                }
            }
        )
    return value


@transaction.atomic
def schedule_save(
    *,
    actor: Any,
    application: Application,
    reports: Sequence[date],
    instalments: Sequence[InstalmentLine | Mapping[str, Any]],
) -> Application:
    """Replace the reports not yet submitted and the instalments not yet paid. The instalments,
    paid ones included, must add up exactly to the allocation; every date must fall in the
    project's years (plus 90 days for the final report). Bad input changes nothing."""
    _may_manage(actor, application)
    application = _funded(application)
    period = period_of(application)
    assert period is not None  # a funded project has awards
    days = []
    for position, day in enumerate(reports, start=1):
        days.append(_clean_day(day, period, "reports", _("Report %(n)d") % {"n": position}))
    if len(set(days)) != len(days):
        raise ValidationError({"reports": _("Two reports are due the same day: keep one.")})
    submitted = list(application.progress_reports.filter(submitted_at__isnull=False))
    if not days and not submitted:
        raise ValidationError({"reports": _("A funded project owes at least a final report.")})
    if {r.due_on for r in submitted} & set(days):
        raise ValidationError(
            {"reports": _("A report already submitted is due that day: choose another date.")}
        )
    lines = []
    for position, item in enumerate(instalments, start=1):
        if isinstance(item, InstalmentLine):
            due, amount, condition = item.due_on, item.amount, item.condition
        else:
            due, amount = item.get("due_on"), item.get("amount")
            condition = item.get("condition") or ""
        label = _("Instalment %(n)d") % {"n": position}
        lines.append(
            InstalmentLine(
                _clean_day(due, period, "instalments", label),
                _clean_amount(amount, position),
                str(condition).strip()[:300],
            )
        )
    paid = application.instalments.filter(paid_on__isnull=False)
    paid_total = paid.aggregate(total=Sum("amount"))["total"] or ZERO
    allocated = application.awards.aggregate(total=Sum("amount"))["total"] or ZERO
    total = paid_total + sum((line.amount for line in lines), ZERO)
    if total != allocated:
        raise ValidationError(
            {
                "instalments": _(
                    "The instalments add up to %(total)s $ (%(paid)s $ already paid) but the "
                    "allocation is %(allocated)s $: the difference is %(difference)s $."
                )
                % {
                    "total": _money(total),
                    "paid": _money(paid_total),
                    "allocated": _money(allocated),
                    "difference": _money(allocated - total),
                }
            },
            code="does_not_add_up",
        )
    reminded = dict(
        application.progress_reports.filter(submitted_at__isnull=True).values_list(
            "due_on", "last_reminded_on"
        )
    )
    application.progress_reports.filter(submitted_at__isnull=True).delete()
    application.instalments.filter(paid_on__isnull=True).delete()
    ProgressReport.objects.bulk_create(
        # A date kept keeps its reminders: nobody is told twice of the same step.
        ProgressReport(application=application, due_on=day, last_reminded_on=reminded.get(day))
        for day in sorted(days)
    )
    Instalment.objects.bulk_create(
        Instalment(
            application=application,
            due_on=line.due_on,
            amount=line.amount,
            condition=line.condition,
        )
        for line in sorted(lines, key=lambda line: line.due_on)
    )
    _audit(
        actor,
        application,
        application,
        "change",
        schedule="changed",
        reports=len(days),
        instalments=len(lines),
    )
    return application


# --- Progress reports -----------------------------------------------------------------------


def indicator_key(row: LogicModelRow | int) -> str:
    return str(row if isinstance(row, int) else row.pk)


def _clean_indicator(value: Any, row: LogicModelRow) -> int:
    invalid = _("“%(indicator)s”: enter a whole number, zero or more.") % {
        "indicator": row.indicator
    }
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(
            {
                indicator_key(row): _("“%(indicator)s”: give its value so far.")
                % {"indicator": row.indicator}
            }
        )
    if isinstance(value, bool):
        raise ValidationError({indicator_key(row): invalid})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({indicator_key(row): invalid}) from None
    if not 0 <= number <= INDICATOR_MAX:
        raise ValidationError({indicator_key(row): invalid})
    return number


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    report: ProgressReport,
    narrative: str,
    indicator_values: Mapping[str, Any],
    now: datetime | None = None,
) -> ProgressReport:
    """Submit a progress report once: what happened and a value for each indicator of the logic
    model (keyed by the row's id). A report submitted after its due date is recorded late."""
    locked = (
        ProgressReport.objects.select_for_update()
        .select_related("application", "application__call")
        .get(pk=report.pk)
    )
    application = locked.application
    _may_apply(actor, application)
    if locked.submitted_at is not None:
        raise ValidationError(
            _("This report was already submitted on %(date)s: it cannot be submitted twice.")
            % {"date": timezone.localdate(locked.submitted_at).isoformat()},
            code="submitted",
        )
    if application.state != ApplicationState.FUNDED:
        raise ValidationError(_("Only a funded project reports its progress."), code="not_funded")
    text = (narrative or "").strip()
    if not text:
        raise ValidationError({"narrative": _("Tell what happened since the last report.")})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {"narrative": _("Keep it under %(max)d characters.") % {"max": TEXT_MAX}}
        )
    values = {}
    errors: dict[str, list[str]] = {}
    for row in application.logic_model.all():
        try:
            values[indicator_key(row)] = _clean_indicator(
                indicator_values.get(indicator_key(row)), row
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    locked.narrative = text
    locked.indicator_values = values
    locked.submitted_at = now or timezone.now()
    locked.save(update_fields=["narrative", "indicator_values", "submitted_at"])
    _audit(actor, locked, application, "change", submitted=True, late=is_late(locked))
    return locked


def is_late(report: ProgressReport, today: date | None = None) -> bool:
    """Submitted after its due date, or still not submitted once the date has passed."""
    if report.submitted_at is not None:
        return timezone.localdate(report.submitted_at) > report.due_on
    return (today or timezone.localdate()) > report.due_on


@dataclass
class IndicatorProgress:
    row: LogicModelRow
    value: int | None
    percent: int | None


def progress_of(
    report: ProgressReport | None, rows: Iterable[LogicModelRow]
) -> list[IndicatorProgress]:
    """Each indicator of the logic model, its value in the report and the share of its target."""
    values = (report.indicator_values or {}) if report is not None else {}
    found = []
    for row in rows:
        value = values.get(indicator_key(row))
        percent = round(100 * value / row.target) if isinstance(value, int) and row.target else None
        found.append(IndicatorProgress(row, value if isinstance(value, int) else None, percent))
    return found


# --- Instalments ----------------------------------------------------------------------------


@transaction.atomic
def instalment_pay(
    *, actor: Any, instalment: Instalment, paid_on: date, today: date | None = None
) -> Instalment:
    """Record that an instalment was paid, on a day that has come (once)."""
    locked = (
        Instalment.objects.select_for_update()
        .select_related("application", "application__call")
        .get(pk=instalment.pk)
    )
    _may_manage(actor, locked.application)
    if locked.paid_on is not None:
        raise ValidationError(
            _("This instalment was already paid on %(date)s.")
            % {"date": locked.paid_on.isoformat()},
            code="paid",
        )
    if not isinstance(paid_on, date):
        raise ValidationError({"paid_on": _("Enter the date of the payment.")})
    today = today or timezone.localdate()
    if paid_on > today:
        raise ValidationError({"paid_on": _("A payment is recorded once made, not in advance.")})
    period = period_of(locked.application)
    if period is not None and paid_on < period.start - timedelta(days=365):
        raise ValidationError(
            {"paid_on": _("This date is long before the project began: check the year.")}
        )
    locked.paid_on = paid_on
    locked.save(update_fields=["paid_on"])
    _audit(
        actor,
        locked,
        locked.application,
        "change",
        paid_on=paid_on.isoformat(),
        amount=str(locked.amount),
    )
    return locked


# --- The project's activities ---------------------------------------------------------------


def activities_to_link(application: Application) -> QuerySet[Activity]:
    """The organization's own activities not yet linked to the project."""
    return (
        Activity.objects.filter(organization_id=application.organization_id)
        .exclude(pk__in=application.project_activities.values("activity_id"))
        .order_by("-created_at", "pk")
    )


@transaction.atomic
def activity_link(
    *, actor: Any, application: Application, activity: Activity | int
) -> ProjectActivity:
    """Link one of the organization's own activities to its funded project."""
    _may_apply(actor, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state != ApplicationState.FUNDED:
        raise ValidationError(
            _("Only a funded project has activities linked to it."), code="not_funded"
        )
    pk = activity.pk if isinstance(activity, Activity) else activity
    own = Activity.objects.filter(pk=pk, organization_id=application.organization_id).first()
    if own is None:
        # Another organization's activity, or none: the same answer, nothing about it.
        raise ValidationError({"activity": _("Choose one of your organization's activities.")})
    if application.project_activities.filter(activity=own).exists():
        raise ValidationError({"activity": _("This activity is already linked to the project.")})
    link = ProjectActivity.objects.create(application=application, activity=own)
    _audit(actor, link, application, "create", activity=own.pk)
    return link


@transaction.atomic
def activity_unlink(*, actor: Any, link: ProjectActivity) -> None:
    application = link.application
    _may_apply(actor, application)
    _audit(actor, link, application, "delete", activity=link.activity_id)
    link.delete()


@dataclass
class ActivityLine:
    link: ProjectActivity
    sessions: int
    participants: int | None  # None: hidden (a small number, shown to the funder)


def _activity_counts(activity_ids: Iterable[int], now: datetime) -> dict[int, tuple[int, int]]:
    sessions = dict(
        Session.objects.filter(
            activity_id__in=list(activity_ids),
            status=Session.Status.SCHEDULED,
            starts_at__lte=now,
        )
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n")
    )
    people = dict(
        Attendance.objects.filter(
            session__activity_id__in=list(activity_ids),
            session__status=Session.Status.SCHEDULED,
        )
        .values("session__activity_id")
        .annotate(n=Sum("total"))
        .values_list("session__activity_id", "n")
    )
    return {pk: (sessions.get(pk, 0), people.get(pk) or 0) for pk in set(sessions) | set(people)}


def threshold_of(call: GrantCall) -> int:
    program = call.program
    return program.small_cell_threshold if program is not None else privacy.DEFAULT_THRESHOLD


def activity_lines(
    application: Application, *, suppressed: bool, now: datetime | None = None
) -> tuple[list[ActivityLine], int | None]:
    """The linked activities with their sessions held and participants, and the total of
    participants. `suppressed` (the funder's view): attendance goes through `privacy.suppress`."""
    links = list(application.project_activities.select_related("activity").order_by("activity__pk"))
    counts = _activity_counts([link.activity_id for link in links], now or timezone.now())
    raw = {link.pk: counts.get(link.activity_id, (0, 0)) for link in links}
    total = sum(people for _sessions, people in raw.values())
    if not suppressed:
        return [ActivityLine(link, raw[link.pk][0], raw[link.pk][1]) for link in links], total
    keys = [str(link.pk) for link in links]
    table = privacy.suppress(
        {(str(pk), "participants"): people for pk, (_s, people) in raw.items()},
        rows=keys,
        columns=["participants"],
        threshold=threshold_of(application.call),
    )
    lines = [
        ActivityLine(link, raw[link.pk][0], table.cell(str(link.pk), "participants"))
        for link in links
    ]
    return lines, table.column_total("participants") if keys else 0


# --- Reminders ------------------------------------------------------------------------------


def reminder_step(days_left: int) -> int | None:
    """The step a report due in `days_left` days has reached: 30, 7, 0 (due today) or OVERDUE
    (None: too early)."""
    if days_left < 0:
        return OVERDUE
    reached = [step for step in REMINDER_STEPS if days_left <= step]
    return min(reached) if reached else None


def _step_sent(report: ProgressReport) -> int | None:
    if report.last_reminded_on is None:
        return None
    return reminder_step((report.due_on - report.last_reminded_on).days)


def reminders_due(today: date) -> list[tuple[ProgressReport, int]]:
    """(report, step) for each report of a funded project not yet submitted whose most urgent
    step reached has not been sent yet. A step covers the earlier ones: a report set up 5 days
    before its date gets one reminder, not two."""
    found = []
    for report in (
        ProgressReport.objects.filter(
            submitted_at__isnull=True,
            application__state=ApplicationState.FUNDED,
            due_on__lte=today + timedelta(days=max(REMINDER_STEPS)),
        )
        .select_related("application", "application__organization", "application__call")
        .order_by("due_on", "pk")
    ):
        step = reminder_step((report.due_on - today).days)
        if step is None:
            continue
        sent = _step_sent(report)
        if sent is None or step < sent:
            found.append((report, step))
    return found


def reminder_message(report: ProgressReport, today: date) -> tuple[str, str]:
    """Subject and text of a reminder, in the active language."""
    application = report.application
    days = (report.due_on - today).days
    if days > 0:
        subject = ngettext(
            "Progress report due in %(days)d day: %(project)s",
            "Progress report due in %(days)d days: %(project)s",
            days,
        ) % {"days": days, "project": application.title}
    elif days == 0:
        subject = _("Progress report due today: %(project)s") % {"project": application.title}
    else:
        subject = _("Progress report overdue since %(date)s: %(project)s") % {
            "date": report.due_on.isoformat(),
            "project": application.title,
        }
    lines = [
        _(
            "The progress report of the project “%(project)s” (%(organization)s), funded by "
            "%(funder)s under “%(call)s”, is due on %(date)s."
        )
        % {
            "project": application.title,
            "organization": application.organization.name,
            "funder": application.call.funder.name,
            "call": application.call.title,
            "date": report.due_on.isoformat(),
        },
        _("Instalments that depend on it are paid once it is approved."),
        "",
        _("Submit it in Ancrage: %(path)s")
        % {"path": reverse("grants:project_report", kwargs={"pk": report.pk})},
    ]
    return subject, "\n".join(lines)


def reports_remind(*, today: date | None = None) -> list[tuple[ProgressReport, int, int]]:
    """E-mail each due reminder to the organization's directors and coordinators, in each one's
    language, and record the step (`last_reminded_on`): once per report and step, whatever the
    number of runs. A project whose organization has nobody to tell waits for the next run."""
    today = today or timezone.localdate()
    due = reminders_due(today)
    people = recipients_by_organization(
        sorted({report.application.organization_id for report, _step in due})
    )
    sent = []
    for report, step in due:
        recipients = people.get(report.application.organization_id)
        if not recipients:
            continue
        with transaction.atomic():
            # Claimed first: a second run at the same time finds the row changed and stops; a
            # mail failure rolls it back, so tomorrow's run tries again.
            claimed = ProgressReport.objects.filter(
                pk=report.pk, last_reminded_on=report.last_reminded_on, submitted_at__isnull=True
            ).update(last_reminded_on=today)
            if not claimed:
                continue
            mail_in_their_languages(recipients, lambda: reminder_message(report, today))  # noqa: B023
            audit_record(
                actor=None,
                action="change",
                target=report,
                organization_id=report.application.organization_id,
                reason="progress report reminder",
                details={"step": step, "due_on": report.due_on.isoformat()},
            )
        sent.append((report, step, len(recipients)))
    return sent


# --- Reads: the organization's and the funder's projects -------------------------------------


def _projects(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return (
        queryset.filter(state=ApplicationState.FUNDED)
        .select_related("call", "call__funder", "organization")
        .prefetch_related("objectives", "boroughs")
    )


def projects_of(user: Any) -> QuerySet[Application]:
    """The funded projects of the organizations where the user may apply."""
    return _projects(tenancy.scoped(Application, user, tenancy.APPLY_GRANTS)).order_by(
        "-call__closes_at", "title", "pk"
    )


def project_for_applicant(user: Any, pk: Any) -> Application:
    """A funded project of one of the user's organizations (404 otherwise; 403 for a member
    without `grants.apply`)."""
    return tenancy.object_for(
        Application, user, tenancy.APPLY_GRANTS, pk=_pk(pk), state=ApplicationState.FUNDED
    )


def project_for_funder(user: Any, pk: Any) -> Application:
    """A funded project of a call the user manages, or 404."""
    pk = _pk(pk)
    calls = tenancy.scoped(GrantCall, user, tenancy.MANAGE_CALLS)
    found = _projects(Application.objects.filter(call__in=calls)).filter(pk=pk).first()
    if found is not None:
        return found
    # A member of the funder without `grants.manage` (a reviewer…): visible, not allowed.
    seen = tenancy.scoped(GrantCall, user, tenancy.VIEW)
    if _projects(Application.objects.filter(call__in=seen)).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def report_for_applicant(user: Any, pk: Any) -> ProgressReport:
    report = tenancy.object_for(
        ProgressReport,
        user,
        tenancy.APPLY_GRANTS,
        pk=_pk(pk),
        application__state=ApplicationState.FUNDED,
    )
    return report


def instalment_for_funder(user: Any, pk: Any) -> Instalment:
    calls = tenancy.scoped(GrantCall, user, tenancy.MANAGE_CALLS)
    found = (
        Instalment.objects.filter(
            application__call__in=calls, application__state=ApplicationState.FUNDED
        )
        .select_related("application", "application__call")
        .filter(pk=_pk(pk))
        .first()
    )
    if found is None:
        raise Http404
    return found


def link_for_applicant(user: Any, pk: Any) -> ProjectActivity:
    return tenancy.object_for(ProjectActivity, user, tenancy.APPLY_GRANTS, pk=_pk(pk))


@dataclass
class ProjectLine:
    application: Application
    money: Money
    reports_due: int
    reports_late: int
    next_report: date | None
    set_up: bool


def project_lines(
    applications: Iterable[Application], today: date | None = None
) -> list[ProjectLine]:
    """Each project with its money (allocated, paid, remaining) and its reports, in few queries."""
    today = today or timezone.localdate()
    projects = list(applications)
    ids = [a.pk for a in projects]
    allocated = dict(
        Award.objects.filter(application_id__in=ids)
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    instalments = {
        row["application_id"]: row
        for row in Instalment.objects.filter(application_id__in=ids)
        .values("application_id")
        .annotate(scheduled=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False)))
    }
    reports: dict[int, list[ProgressReport]] = {}
    for report in ProgressReport.objects.filter(application_id__in=ids).order_by("due_on"):
        reports.setdefault(report.application_id, []).append(report)
    lines = []
    for application in projects:
        row = instalments.get(application.pk, {})
        mine = reports.get(application.pk, [])
        open_reports = [r for r in mine if r.submitted_at is None]
        lines.append(
            ProjectLine(
                application=application,
                money=Money(
                    allocated.get(application.pk) or ZERO,
                    row.get("scheduled") or ZERO,
                    row.get("paid") or ZERO,
                ),
                reports_due=len(open_reports),
                reports_late=sum(1 for r in mine if is_late(r, today)),
                next_report=open_reports[0].due_on if open_reports else None,
                set_up=bool(mine) or bool(row),
            )
        )
    return lines


def funded_of(call: GrantCall) -> QuerySet[Application]:
    return _projects(call.applications.all()).order_by("organization__name", "title", "pk")


# --- The city's view: what the programme funded, by objective and by borough -----------------


@dataclass
class FigureRow:
    key: str
    label: str
    projects: int = 0
    allocated: Decimal = ZERO
    paid: Decimal = ZERO
    participants: int | None = 0  # after suppression: None is hidden


@dataclass
class ProgrammeFigures:
    by_objective: list[FigureRow]
    by_borough: list[FigureRow]
    objective_total: FigureRow
    borough_total: FigureRow
    projects: int
    allocated: Decimal
    paid: Decimal
    threshold: int
    hidden: bool = False
    notes: list[str] = field(default_factory=list)


NO_BOROUGH = "-"


def _participants_by_project(projects: list[Application], now: datetime) -> dict[int, int]:
    links = ProjectActivity.objects.filter(application__in=projects).values_list(
        "application_id", "activity_id"
    )
    pairs = list(links)
    counts = _activity_counts({activity for _a, activity in pairs}, now)
    found: dict[int, int] = {}
    for application_id, activity_id in pairs:
        found[application_id] = found.get(application_id, 0) + counts.get(activity_id, (0, 0))[1]
    return found


def _table(
    rows: list[tuple[str, str]],
    members: dict[int, list[str]],
    projects: list[Application],
    allocated: dict[int, Decimal],
    paid: dict[int, Decimal],
    participants: dict[int, int],
    threshold: int,
) -> tuple[list[FigureRow], FigureRow]:
    figures = {key: FigureRow(key, label) for key, label in rows}
    people: dict[str, int] = dict.fromkeys(figures, 0)
    for application in projects:
        for key in members.get(application.pk, []):
            row = figures[key]
            row.projects += 1
            row.allocated += allocated.get(application.pk, ZERO)
            row.paid += paid.get(application.pk, ZERO)
            people[key] += participants.get(application.pk, 0)
    keys = [key for key, _label in rows]
    table = privacy.suppress(
        {(key, "participants"): count for key, count in people.items()},
        rows=keys,
        columns=["participants"],
        threshold=threshold,
    )
    for key in keys:
        figures[key].participants = table.cell(key, "participants")
    total = FigureRow(
        "total",
        _("Total"),
        projects=sum(f.projects for f in figures.values()),
        allocated=sum((f.allocated for f in figures.values()), ZERO),
        paid=sum((f.paid for f in figures.values()), ZERO),
        participants=table.column_total("participants") if keys else 0,
    )
    return [figures[key] for key in keys], total


def programme_figures(call: GrantCall, now: datetime | None = None) -> ProgrammeFigures:
    """Funded projects by objective and by borough: projects, amounts allocated and paid, and
    participants in their linked activities (small numbers hidden, with what would reveal them)."""
    projects = list(funded_of(call))
    ids = [a.pk for a in projects]
    allocated = dict(
        Award.objects.filter(application_id__in=ids)
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    paid = dict(
        Instalment.objects.filter(application_id__in=ids, paid_on__isnull=False)
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    participants = _participants_by_project(projects, now or timezone.now())
    threshold = threshold_of(call)
    objectives = [(str(o.pk), str(o)) for o in call.objectives.all()]
    by_objective_members = {a.pk: [str(o.pk) for o in a.objectives.all()] for a in projects}
    boroughs: dict[str, str] = {}
    by_borough_members: dict[int, list[str]] = {}
    for application in projects:
        mine = sorted(application.boroughs.all(), key=lambda b: b.name)
        for borough in mine:
            boroughs[str(borough.pk)] = borough.name
        by_borough_members[application.pk] = [str(b.pk) for b in mine] or [NO_BOROUGH]
    borough_rows = sorted(boroughs.items(), key=lambda item: item[1])
    if any(members == [NO_BOROUGH] for members in by_borough_members.values()):
        borough_rows.append((NO_BOROUGH, _("Whole city (no borough named)")))
    by_objective, objective_total = _table(
        objectives, by_objective_members, projects, allocated, paid, participants, threshold
    )
    by_borough, borough_total = _table(
        borough_rows, by_borough_members, projects, allocated, paid, participants, threshold
    )
    rows = by_objective + by_borough + [objective_total, borough_total]
    return ProgrammeFigures(
        by_objective=by_objective,
        by_borough=by_borough,
        objective_total=objective_total,
        borough_total=borough_total,
        projects=len(projects),
        allocated=sum(allocated.values(), ZERO),
        paid=sum(paid.values(), ZERO),
        threshold=threshold,
        hidden=any(row.participants is None for row in rows),
    )


def figures_lines(figures: ProgrammeFigures) -> list[list[Any]]:
    """The city view as lines of a CSV file (a hidden number is written "x")."""
    heading = [
        _("Projects"),
        _("Allocated ($)"),
        _("Paid ($)"),
        _("Participants in linked activities"),
    ]

    def line(row: FigureRow) -> list[Any]:
        shown = "x" if row.participants is None else row.participants
        return [row.label, row.projects, row.allocated, row.paid, shown]

    lines: list[list[Any]] = [[_("By objective"), *heading]]
    lines += [line(row) for row in figures.by_objective]
    lines.append(line(figures.objective_total))
    lines.append([])
    lines.append([_("By borough"), *heading])
    lines += [line(row) for row in figures.by_borough]
    lines.append(line(figures.borough_total))
    lines.append([])
    lines.append(
        [
            _(
                "x: fewer than %(threshold)d participants, or a number that would reveal one; a "
                "project with several objectives or boroughs counts in each."
            )
            % {"threshold": figures.threshold}
        ]
    )
    return lines
