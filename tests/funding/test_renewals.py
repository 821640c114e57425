"""`ancrage funding-renewals`: the directors and coordinators are e-mailed 180, 90 and 30 days
before an agreement's renewal date — once per step, in their language, recorded and audited,
whatever the number of runs."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.funding import services
from ancrage.funding.models import RenewalAlert
from tests import factories
from tests.funding.conftest import make_program
from tests.funding.test_agreements import agreement_of

pytestmark = pytest.mark.django_db

RENEWAL = date(2027, 3, 31)


def run(today: date, *args: str) -> str:
    out = StringIO()
    call_command("funding-renewals", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def days_before(days: int) -> date:
    return RENEWAL - timedelta(days=days)


@pytest.fixture
def program(funder):
    return make_program(funder, "pasi-r")


@pytest.fixture
def agreement(org_a, program):
    return agreement_of(org_a, program, date(2024, 4, 1), RENEWAL, reference="EMIM-AL-04")


@pytest.fixture
def people(org_a, org_b):
    """Who is told: the directors and coordinators of A, nobody else."""
    told = [
        factories.member(org_a, Role.DIRECTOR, email="dg@a.example", username="dg@a.example"),
        factories.member(
            org_a, Role.COORDINATOR, email="coord@a.example", username="coord@a.example"
        ),
    ]
    factories.member(org_a, Role.INTAKE_WORKER, email="accueil@a.example")
    factories.member(org_b, Role.DIRECTOR, email="dg@b.example")
    gone = factories.member(org_a, Role.DIRECTOR, email="ancien@a.example")
    gone.memberships.update(ended_on=date(2020, 1, 1), started_on=date(2019, 1, 1))
    return told


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_step_is_sent_once(agreement, people):
    assert "0 renewal alert(s) sent" in run(days_before(181))
    assert mail.outbox == []

    output = run(days_before(180))
    assert "1 renewal alert(s) sent" in output and "pasi-r" in output
    assert recipients() == ["coord@a.example", "dg@a.example"]
    message = mail.outbox[0]
    assert "180" in message.subject
    assert "2027-03-31" in message.body and "EMIM-AL-04" in message.body
    assert reverse("funding:agreement_detail", args=[agreement.pk]) in message.body

    for day in (days_before(180), days_before(150), days_before(91)):
        run(day)  # again the same day, or later within the same step: nothing new
    assert len(mail.outbox) == 1

    run(days_before(90))
    run(days_before(89))
    run(days_before(30))
    run(days_before(0))
    run(RENEWAL + timedelta(days=1))  # passed: nothing
    assert [a.days_before for a in RenewalAlert.objects.order_by("sent_at", "pk")] == [180, 90, 30]
    assert len(mail.outbox) == 3
    alert = RenewalAlert.objects.get(days_before=30)
    assert sorted(alert.recipients) == ["coord@a.example", "dg@a.example"]
    events = AuditEvent.objects.filter(target_type="funding.renewalalert")
    assert events.count() == 3 and all(
        e.organization_id == agreement.organization_id for e in events
    )


def test_a_missed_step_is_caught_up_with_one_alert_only(agreement, people):
    """Entered 20 days before its renewal (or the job stopped for months): one alert, the 30-day
    one — not three — and the earlier steps are never sent afterwards."""
    run(days_before(20))
    assert len(mail.outbox) == 1 and "20" in mail.outbox[0].subject
    assert list(RenewalAlert.objects.values_list("days_before", flat=True)) == [30]
    run(days_before(10))
    assert len(mail.outbox) == 1


def test_a_later_renewal_date_starts_the_alerts_again(agreement, people):
    run(days_before(90))
    assert RenewalAlert.objects.count() == 1
    services.agreement_update(
        actor=people[0],
        agreement=agreement,
        version=1,
        ends_on=date(2027, 9, 30),
        renewal_on=date(2027, 6, 30),
    )
    run(date(2027, 6, 30) - timedelta(days=90))
    assert RenewalAlert.objects.count() == 2
    assert RenewalAlert.objects.filter(renewal_date=date(2027, 6, 30), days_before=90).exists()


def test_each_person_reads_it_in_their_language(agreement, people):
    people[1].preferred_language = "en"
    people[1].save()
    run(days_before(30))
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"dg@a.example", "coord@a.example"}
    assert "Agreement renewal in 30 days" in by_address["coord@a.example"].subject


def test_nobody_to_tell_waits_for_someone(agreement, org_a):
    run(days_before(90))
    assert mail.outbox == [] and not RenewalAlert.objects.exists()
    factories.member(org_a, Role.DIRECTOR, email="nouvelle@a.example")
    run(days_before(85))
    assert recipients() == ["nouvelle@a.example"]
    assert list(RenewalAlert.objects.values_list("days_before", flat=True)) == [90]


def test_dry_run_lists_and_sends_nothing(agreement, people):
    output = run(days_before(30), "--dry-run")
    assert "pasi-r" in output and "1 renewal alert(s) due" in output
    assert mail.outbox == [] and not RenewalAlert.objects.exists()


def test_a_malformed_day_is_refused():
    with pytest.raises(CommandError):
        call_command("funding-renewals", "--today", "31/03/2027", stdout=StringIO())


def test_the_agreement_page_lists_the_alerts_sent(agreement, people, client_of):
    run(days_before(180))
    page = client_of(people[0]).get(reverse("funding:agreement_detail", args=[agreement.pk]))
    assert "2027-03-31" in page.content.decode()
    assert list(page.context["alerts"]) == list(RenewalAlert.objects.all())


def test_the_step_reached(db):
    assert [services.renewal_step(d) for d in (-1, 0, 30, 31, 90, 91, 180, 181)] == [
        None,
        30,
        30,
        90,
        90,
        180,
        180,
        None,
    ]
