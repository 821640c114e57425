"""Funded projects: the schedule (set up, changed, bad input refused), progress reports (on time,
late, twice), instalments (paid vs remaining), reminders once per step, the project's activities
(only the organization's own), and the city's figures (suppressed small counts, CSV escaped)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from ancrage.activities.models import Attendance
from ancrage.core.choices import Role
from ancrage.grants import projects
from ancrage.grants.models import (
    Instalment,
    ProgressReport,
    ProjectActivity,
)
from tests import factories
from tests.grants.conftest import fund, make_application
from tests.grants.review_helpers import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English (French is the default language)."""
    with translation.override("en"):
        yield


def open_instalments(project):
    return list(project.instalments.order_by("due_on").values_list("due_on", "amount", "paid_on"))


def snapshot(project):
    return (
        open_instalments(project),
        list(project.progress_reports.order_by("due_on").values_list("due_on", "submitted_at")),
    )


# --- The schedule --------------------------------------------------------------------------


def test_setting_up_proposes_reports_every_six_months_and_instalments_adding_up(
    scheduled, call_manager
):
    period = projects.period_of(scheduled)
    assert period == projects.Period(date(2025, 4, 1), date(2027, 3, 31))
    reports = list(scheduled.progress_reports.values_list("due_on", flat=True))
    # Three interim reports a month after each half-year, and the final report after the end.
    assert reports == [date(2025, 10, 30), date(2026, 4, 30), date(2026, 10, 30), date(2027, 5, 30)]
    instalments = list(scheduled.instalments.all())
    assert sum(i.amount for i in instalments) == Decimal("120000.00")
    assert len(instalments) == 5  # signature, three interim reports, holdback on the final
    assert instalments[-1].amount == Decimal("12000.00")
    assert all(period.holds(i.due_on) for i in instalments)
    with pytest.raises(ValidationError) as error:
        projects.project_setup(actor=call_manager, application=scheduled)
    assert "already has its schedule" in messages_of(error)[0]


def test_amounts_that_do_not_divide_evenly_still_add_up_to_the_cent(
    closed_call, applicant_org, call_manager
):
    odd = fund(
        make_application(closed_call, applicant_org, title="Impair"),
        {2025: Decimal("33333.33")},
    )
    projects.project_setup(actor=call_manager, application=odd)
    assert sum(odd.instalments.values_list("amount", flat=True)) == Decimal("33333.33")


def test_only_a_funded_project_is_set_up_and_only_by_the_funders_call_managers(
    closed_call, applicant_org, call_manager, applicant, reviewer
):
    submitted = make_application(closed_call, applicant_org)
    with pytest.raises(ValidationError):
        projects.project_setup(actor=call_manager, application=submitted)
    funded = fund(make_application(closed_call, applicant_org, title="Autre"))
    for someone in (applicant, reviewer):
        with pytest.raises(PermissionDenied):
            projects.project_setup(actor=someone, application=funded)
    assert not funded.instalments.exists()


def test_the_funder_changes_the_schedule(scheduled, call_manager):
    projects.schedule_save(
        actor=call_manager,
        application=scheduled,
        reports=[date(2026, 3, 31), date(2027, 6, 1)],
        instalments=[
            {"due_on": date(2025, 5, 1), "amount": "100000", "condition": "Signature"},
            {"due_on": date(2027, 6, 1), "amount": "20000.00", "condition": "Rapport final"},
        ],
    )
    assert list(scheduled.progress_reports.values_list("due_on", flat=True)) == [
        date(2026, 3, 31),
        date(2027, 6, 1),
    ]
    assert open_instalments(scheduled) == [
        (date(2025, 5, 1), Decimal("100000.00"), None),
        (date(2027, 6, 1), Decimal("20000.00"), None),
    ]


@pytest.mark.parametrize(
    ("reports", "instalments", "message"),
    [
        (
            [date(2026, 3, 31)],
            [{"due_on": date(2025, 5, 1), "amount": "100000"}],
            "the difference is 20 000.00 $",
        ),
        (
            [date(2026, 3, 31)],
            [
                {"due_on": date(2025, 5, 1), "amount": "130000"},
                {"due_on": date(2025, 6, 1), "amount": "-10000"},
            ],
            "above zero",
        ),
        (
            [date(2026, 3, 31)],
            [{"due_on": date(2024, 12, 1), "amount": "120000"}],
            "outside the project's years",
        ),
        (
            [date(2030, 1, 1)],
            [{"due_on": date(2025, 5, 1), "amount": "120000"}],
            "outside the project's years",
        ),
        ([], [{"due_on": date(2025, 5, 1), "amount": "120000"}], "at least a final report"),
        (
            [date(2026, 3, 31)],
            [{"due_on": date(2025, 5, 1), "amount": "abc"}],
            "enter an amount",
        ),
    ],
)
def test_a_bad_schedule_is_refused_with_a_clear_message_and_changes_nothing(
    scheduled, call_manager, reports, instalments, message
):
    before = snapshot(scheduled)
    with pytest.raises(ValidationError) as error:
        projects.schedule_save(
            actor=call_manager, application=scheduled, reports=reports, instalments=instalments
        )
    assert any(message in text for text in messages_of(error)), messages_of(error)
    assert snapshot(scheduled) == before


def test_paid_instalments_and_submitted_reports_are_kept_and_counted(
    scheduled, call_manager, applicant
):
    first = scheduled.instalments.order_by("due_on").first()
    projects.instalment_pay(
        actor=call_manager, instalment=first, paid_on=date(2025, 4, 15), today=date(2025, 4, 15)
    )
    report = scheduled.progress_reports.order_by("due_on").first()
    projects.report_submit(
        actor=applicant,
        report=report,
        narrative="Ateliers lancés.",
        indicator_values={str(scheduled.logic_model.get().pk): 12},
    )
    rest = Decimal("120000.00") - first.amount
    projects.schedule_save(
        actor=call_manager,
        application=scheduled,
        reports=[date(2027, 5, 1)],
        instalments=[{"due_on": date(2027, 5, 1), "amount": str(rest)}],
    )
    assert scheduled.instalments.count() == 2
    assert scheduled.instalments.filter(paid_on=date(2025, 4, 15)).exists()
    assert scheduled.progress_reports.count() == 2
    assert scheduled.progress_reports.filter(pk=report.pk, submitted_at__isnull=False).exists()
    # The paid amount counts: asking for the whole allocation again is refused.
    with pytest.raises(ValidationError) as error:
        projects.schedule_save(
            actor=call_manager,
            application=scheduled,
            reports=[date(2027, 5, 1)],
            instalments=[{"due_on": date(2027, 5, 1), "amount": "120000"}],
        )
    assert "already paid" in messages_of(error)[0]


# --- Progress reports ----------------------------------------------------------------------


def _indicators(project, value):
    return {str(row.pk): value for row in project.logic_model.all()}


def test_a_report_on_time_shows_progress_against_the_target(scheduled, applicant):
    report = scheduled.progress_reports.order_by("due_on").first()
    projects.report_submit(
        actor=applicant,
        report=report,
        narrative="Quinze ateliers, trente participantes.",
        indicator_values=_indicators(scheduled, "30"),
        now=timezone.make_aware(timezone.datetime(2025, 10, 1, 10)),
    )
    report.refresh_from_db()
    assert not projects.is_late(report)
    [progress] = projects.progress_of(report, scheduled.logic_model.all())
    assert (progress.value, progress.row.target, progress.percent) == (30, 60, 50)


def test_a_late_report_is_flagged_and_cannot_be_submitted_twice(scheduled, applicant):
    report = scheduled.progress_reports.order_by("due_on").first()
    late = timezone.make_aware(timezone.datetime(2025, 11, 15, 10))
    assert projects.is_late(report, today=late.date())
    projects.report_submit(
        actor=applicant,
        report=report,
        narrative="En retard.",
        indicator_values=_indicators(scheduled, 5),
        now=late,
    )
    report.refresh_from_db()
    assert projects.is_late(report)
    with pytest.raises(ValidationError) as error:
        projects.report_submit(
            actor=applicant,
            report=report,
            narrative="Encore.",
            indicator_values=_indicators(scheduled, 50),
        )
    assert "cannot be submitted twice" in messages_of(error)[0]
    report.refresh_from_db()
    assert report.narrative == "En retard." and list(report.indicator_values.values()) == [5]


@pytest.mark.parametrize(
    ("narrative", "value", "message"),
    [
        ("", 5, "Tell what happened"),
        ("Bien.", "", "give its value"),
        ("Bien.", "-3", "whole number"),
        ("Bien.", "2.5", "whole number"),
    ],
)
def test_a_report_without_its_narrative_or_a_value_is_refused(
    scheduled, applicant, narrative, value, message
):
    report = scheduled.progress_reports.order_by("due_on").first()
    with pytest.raises(ValidationError) as error:
        projects.report_submit(
            actor=applicant,
            report=report,
            narrative=narrative,
            indicator_values=_indicators(scheduled, value),
        )
    assert any(message in text for text in messages_of(error))
    report.refresh_from_db()
    assert report.submitted_at is None


def test_only_the_organizations_applicants_submit(scheduled, applicant_org, call_manager):
    report = scheduled.progress_reports.first()
    for someone in (call_manager, factories.member(applicant_org, Role.INTAKE_WORKER)):
        with pytest.raises(PermissionDenied):
            projects.report_submit(
                actor=someone,
                report=report,
                narrative="x",
                indicator_values=_indicators(scheduled, 1),
            )


# --- Instalments ---------------------------------------------------------------------------


def test_paid_and_remaining(scheduled, call_manager):
    first, second = scheduled.instalments.order_by("due_on")[:2]
    projects.instalment_pay(
        actor=call_manager, instalment=first, paid_on=date(2025, 4, 2), today=date(2025, 4, 2)
    )
    money = projects.money_of(scheduled)
    assert (money.allocated, money.paid, money.remaining) == (
        Decimal("120000.00"),
        first.amount,
        Decimal("120000.00") - first.amount,
    )
    with pytest.raises(ValidationError) as error:
        projects.instalment_pay(actor=call_manager, instalment=first, paid_on=date(2025, 4, 3))
    assert "already paid" in messages_of(error)[0]
    with pytest.raises(ValidationError) as error:
        projects.instalment_pay(
            actor=call_manager,
            instalment=second,
            paid_on=date(2025, 4, 3),
            today=date(2025, 4, 2),
        )
    assert "not in advance" in messages_of(error)[0]
    assert projects.money_of(scheduled).paid == first.amount
    [line] = projects.project_lines([scheduled], today=date(2025, 4, 2))
    assert line.money.remaining == Decimal("120000.00") - first.amount


# --- Reminders -----------------------------------------------------------------------------


@pytest.fixture
def due_report(project, applicant_org, applicant):
    """One report due on 2025-10-30; the director and a coordinator are told, not the others."""
    factories.member(applicant_org, Role.COORDINATOR, email="coordination@example.org")
    factories.member(applicant_org, Role.INTAKE_WORKER, email="accueil@example.org")
    return ProgressReport.objects.create(application=project, due_on=date(2025, 10, 30))


def _remind(day):
    mail.outbox.clear()
    return projects.reports_remind(today=day)


def test_reminders_30_7_and_0_days_before_and_once_overdue(due_report, applicant):
    due = due_report.due_on
    steps = []
    for day in (
        due - timedelta(days=40),
        due - timedelta(days=30),
        due - timedelta(days=29),
        due - timedelta(days=7),
        due - timedelta(days=3),
        due,
        due,
        due + timedelta(days=1),
        due + timedelta(days=20),
    ):
        sent = _remind(day)
        steps.append([step for _report, step, _n in sent])
        if sent:
            recipients = sorted(address for m in mail.outbox for address in m.to)
            assert recipients == sorted([applicant.email, "coordination@example.org"])
    assert steps == [[], [30], [], [7], [], [0], [], [projects.OVERDUE], []]


def test_a_late_set_up_gets_one_reminder_not_every_earlier_step(due_report):
    assert [s for _r, s, _n in _remind(due_report.due_on - timedelta(days=5))] == [7]
    assert _remind(due_report.due_on - timedelta(days=4)) == []


def test_a_submitted_report_gets_no_reminder(due_report, applicant):
    projects.report_submit(
        actor=applicant,
        report=due_report,
        narrative="Fait.",
        indicator_values=_indicators(due_report.application, 3),
    )
    assert _remind(due_report.due_on) == [] and mail.outbox == []


def test_the_command_sends_and_lists(due_report, capsys):
    day = (due_report.due_on - timedelta(days=7)).isoformat()
    call_command("grants-progress-remind", "--dry-run", "--today", day)
    assert "1 progress report reminder(s) due." in capsys.readouterr().out
    assert mail.outbox == []
    call_command("grants-progress-remind", "--today", day)
    out = capsys.readouterr().out
    assert "7d" in out and "1 progress report reminder(s) sent." in out
    assert len(mail.outbox) >= 1
    assert "2025-10-30" in mail.outbox[0].body
    call_command("grants-progress-remind", "--today", day)
    assert "0 progress report reminder(s) sent." in capsys.readouterr().out


# --- Activities ----------------------------------------------------------------------------


def _attended(activity, *counts):
    for count in counts:
        session = factories.SessionFactory(activity=activity)
        Attendance.objects.create(session=session, newcomers=count, total=count)


def test_the_organization_links_its_own_activities_only(
    project, applicant_org, other_applicant_org, applicant
):
    own = factories.ActivityFactory(organization=applicant_org)
    theirs = factories.ActivityFactory(organization=other_applicant_org)
    _attended(own, 6, 7)
    link = projects.activity_link(actor=applicant, application=project, activity=own)
    for activity in (theirs, own, theirs.pk):
        with pytest.raises(ValidationError):
            projects.activity_link(actor=applicant, application=project, activity=activity)
    assert list(ProjectActivity.objects.values_list("activity_id", flat=True)) == [own.pk]
    lines, total = projects.activity_lines(project, suppressed=False)
    assert [(line.sessions, line.participants) for line in lines] == [(2, 13)] and total == 13
    projects.activity_unlink(actor=applicant, link=link)
    assert not ProjectActivity.objects.exists()


def test_the_funder_sees_small_attendance_hidden(project, applicant_org, applicant):
    big = factories.ActivityFactory(organization=applicant_org)
    small = factories.ActivityFactory(organization=applicant_org)
    _attended(big, 20)
    _attended(small, 2)
    for activity in (big, small):
        projects.activity_link(actor=applicant, application=project, activity=activity)
    lines, total = projects.activity_lines(project, suppressed=True)
    shown = {line.link.activity_id: line.participants for line in lines}
    assert shown[small.pk] is None
    # The total would reveal the small one from the big one: one of them is hidden too.
    assert shown[big.pk] is None or total is None
    assert "2" not in {str(v) for v in shown.values()}


# --- The city's view -----------------------------------------------------------------------


def test_programme_figures_by_objective_and_borough(
    closed_call, applicant_org, other_applicant_org, call_manager, applicant
):
    objectives = list(closed_call.objectives.order_by("position"))
    first = fund(
        make_application(closed_call, applicant_org, objectives=objectives[:2], title="Un")
    )
    second = fund(
        make_application(
            closed_call,
            other_applicant_org,
            objectives=objectives[1:2],
            boroughs=("anjou",),
            title="Deux",
        ),
        {2025: Decimal("10000.00")},
    )
    make_application(closed_call, applicant_org, title="Pas financé")  # submitted only
    projects.project_setup(actor=call_manager, application=first)
    paid = first.instalments.order_by("due_on").first()
    projects.instalment_pay(
        actor=call_manager, instalment=paid, paid_on=date(2025, 4, 2), today=date(2025, 4, 2)
    )
    activity = factories.ActivityFactory(organization=applicant_org)
    _attended(activity, 30, 12)
    projects.activity_link(actor=applicant, application=first, activity=activity)
    few = factories.ActivityFactory(organization=other_applicant_org)
    _attended(few, 3)
    projects.activity_link(
        actor=factories.member(other_applicant_org, Role.DIRECTOR), application=second, activity=few
    )

    figures = projects.programme_figures(closed_call)
    assert figures.projects == 2
    assert figures.allocated == Decimal("130000.00") and figures.paid == paid.amount
    by_objective = {row.key: row for row in figures.by_objective}
    one, two = str(objectives[0].pk), str(objectives[1].pk)
    assert (by_objective[one].projects, by_objective[one].allocated) == (1, Decimal("120000"))
    assert (by_objective[two].projects, by_objective[two].allocated) == (2, Decimal("130000"))
    assert by_objective[one].participants == 42
    assert by_objective[two].participants == 45  # 42 + 3: above the threshold
    assert by_objective[str(objectives[2].pk)].projects == 0
    by_borough = {row.label: row for row in figures.by_borough}
    assert by_borough["Anjou"].projects == 1
    assert by_borough["Anjou"].participants is None  # 3 participants: hidden
    assert by_borough["LaSalle"].participants is None  # would reveal Anjou through the total
    assert figures.borough_total.participants == 45 or figures.borough_total.participants is None
    assert figures.hidden


def test_the_csv_escapes_formulas(closed_call, applicant_org):
    objective = closed_call.objectives.order_by("position").first()
    objective.names = {"fr": '=HYPERLINK("http://x")', "en": '=HYPERLINK("http://x")'}
    objective.save()
    fund(make_application(closed_call, applicant_org, objectives=[objective]))
    from ancrage.surveys.exports import to_csv

    content = to_csv(projects.figures_lines(projects.programme_figures(closed_call))).decode()
    assert "'=HYPERLINK" in content
    assert "\n=HYPERLINK" not in content and ",=HYPERLINK" not in content


def test_instalment_positive_constraint_is_not_reached_by_the_services(scheduled, call_manager):
    """Zero is refused by the service with a message, before the database would."""
    with pytest.raises(ValidationError):
        projects.schedule_save(
            actor=call_manager,
            application=scheduled,
            reports=[date(2027, 5, 1)],
            instalments=[
                {"due_on": date(2025, 5, 1), "amount": "120000"},
                {"due_on": date(2025, 6, 1), "amount": "0"},
            ],
        )
    assert Instalment.objects.filter(application=scheduled).count() == 5
