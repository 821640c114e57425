"""`ancrage recommendations-remind`: a table's coordinators are e-mailed about recommendations
sent and left without an answer longer than their waiting time — once per period, in their
language, audited, whatever the number of runs."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.surveys.models import Recommendation
from tests import factories
from tests.surveys.test_roundtables import TODAY, days_ago, make_table, recommendation_in

pytestmark = pytest.mark.django_db


def run(today: date, *args: str) -> str:
    out = StringIO()
    call_command("recommendations-remind", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def table(db):
    return make_table("Table sectorielle (test)")


@pytest.fixture
def institution(db):
    return factories.OrganizationFactory(name="Ministère (test)", kind=OrganizationKind.FUNDER)


@pytest.fixture
def people(table, org_a):
    """Who is told: the table's coordinators, nobody else."""
    told = [
        factories.member(table, Role.COORDINATOR, email="coord1@table.example"),
        factories.member(table, Role.COORDINATOR, email="coord2@table.example"),
    ]
    factories.member(table, Role.DIRECTOR, email="dg@table.example")
    factories.member(table, Role.COMMUNITY_WORKER, email="agente@table.example")
    factories.member(org_a, Role.COORDINATOR, email="coord@a.example")
    gone = factories.member(table, Role.COORDINATOR, email="ancienne@table.example")
    gone.memberships.update(started_on=date(2019, 1, 1), ended_on=date(2020, 1, 1))
    return told


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_waiting_recommendations_are_reminded_once_per_period(table, institution, people):
    overdue = recommendation_in(table, institution, "sent", sent_on=days_ago(61), title="Trois ans")
    acknowledged = recommendation_in(
        table, institution, "acknowledged", sent_on=days_ago(200), title="Interprètes"
    )
    recommendation_in(table, institution, "sent", sent_on=days_ago(59), title="Récente")
    for state in ("drafted", "adopted", "accepted", "partly_accepted", "rejected", "no_answer"):
        recommendation_in(
            table, institution, state, sent_on=days_ago(300) if state != "drafted" else None
        )

    output = run(TODAY)
    assert "2 recommendation(s) reminded." in output
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert recipients() == ["coord1@table.example", "coord2@table.example"]
    assert "Trois ans" in message.body and "Interprètes" in message.body
    assert "Récente" not in message.body
    assert f"/surveys/recommendations/{overdue.pk}/" in message.body
    assert "61" in message.body  # days waiting
    for recommendation in (overdue, acknowledged):
        recommendation.refresh_from_db()
        assert recommendation.last_reminded_on == TODAY
    audits = AuditEvent.objects.filter(
        target_type="surveys.recommendation", reason__contains="reminder"
    )
    assert {a.target_id for a in audits} == {str(overdue.pk), str(acknowledged.pk)}
    assert {a.organization_id for a in audits} == {table.pk}

    # Idempotent: the same day, and the days after, nothing more until a period has passed.
    assert "0 recommendation(s) reminded." in run(TODAY)
    assert len(mail.outbox) == 1
    tomorrow = run(TODAY + timedelta(days=1))  # the recent one reaches its 60 days
    assert "Récente" in tomorrow and "1 recommendation(s) reminded." in tomorrow
    assert "0 recommendation(s) reminded." in run(TODAY + timedelta(days=59))
    assert len(mail.outbox) == 2
    again = run(TODAY + timedelta(days=60))
    assert "Trois ans" in again and "Interprètes" in again and "Récente" not in again
    assert len(mail.outbox) == 3


def test_an_answer_stops_the_reminders(table, institution, people):
    recommendation = recommendation_in(table, institution, "sent", sent_on=days_ago(70))
    Recommendation.objects.filter(pk=recommendation.pk).update(
        state="accepted", answered_on=days_ago(1), answer="Oui."
    )
    assert "0 recommendation(s) reminded." in run(TODAY)
    assert mail.outbox == []


def test_each_recommendation_waits_its_own_delay(table, institution, people):
    patient = recommendation_in(
        table, institution, "sent", sent_on=days_ago(61), remind_after_days=90, title="Patiente"
    )
    quick = recommendation_in(
        table, institution, "sent", sent_on=days_ago(8), remind_after_days=7, title="Pressée"
    )
    run(TODAY)
    patient.refresh_from_db()
    quick.refresh_from_db()
    assert patient.last_reminded_on is None and quick.last_reminded_on == TODAY


def test_each_coordinator_reads_it_in_their_language(table, institution, people):
    people[1].preferred_language = "en"
    people[1].save()
    recommendation_in(table, institution, "sent", sent_on=days_ago(61))
    run(TODAY)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert "sans réponse" in by_address["coord1@table.example"].subject.lower() or (
        "without an answer" in by_address["coord1@table.example"].subject
    )
    assert "without an answer" in by_address["coord2@table.example"].subject


def test_the_directors_are_told_when_the_table_has_no_coordinator(table, institution):
    factories.member(table, Role.DIRECTOR, email="dg@table.example")
    recommendation_in(table, institution, "sent", sent_on=days_ago(61))
    run(TODAY)
    assert recipients() == ["dg@table.example"]


def test_a_table_with_nobody_to_tell_waits(table, institution):
    recommendation = recommendation_in(table, institution, "sent", sent_on=days_ago(61))
    assert "0 recommendation(s) reminded." in run(TODAY)
    recommendation.refresh_from_db()
    assert recommendation.last_reminded_on is None
    factories.member(table, Role.COORDINATOR, email="arrivee@table.example")
    assert "1 recommendation(s) reminded." in run(TODAY + timedelta(days=1))


def test_each_table_hears_about_its_own(table, institution, people):
    other = make_table("Autre table")
    factories.member(other, Role.COORDINATOR, email="coord@autre.example")
    recommendation_in(table, institution, "sent", sent_on=days_ago(61), title="De la sectorielle")
    recommendation_in(other, institution, "sent", sent_on=days_ago(61), title="De l'autre")
    run(TODAY)
    bodies = {tuple(m.to): m.body for m in mail.outbox}
    assert "De l'autre" in bodies[("coord@autre.example",)]
    assert all("De l'autre" not in body for to, body in bodies.items() if "autre" not in to[0])


def test_dry_run_lists_and_sends_nothing(table, institution, people):
    recommendation = recommendation_in(
        table, institution, "sent", sent_on=days_ago(61), title="Trois ans"
    )
    output = run(TODAY, "--dry-run")
    assert "Trois ans" in output and "1 recommendation(s) waiting." in output
    assert mail.outbox == []
    recommendation.refresh_from_db()
    assert recommendation.last_reminded_on is None


def test_a_mail_failure_leaves_the_reminder_for_the_next_run(
    table, institution, people, settings, monkeypatch
):
    recommendation = recommendation_in(table, institution, "sent", sent_on=days_ago(61))

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("ancrage.core.mail.send_mail", broken)
    with pytest.raises(OSError):
        run(TODAY)
    recommendation.refresh_from_db()
    assert recommendation.last_reminded_on is None
    assert not AuditEvent.objects.filter(reason__contains="reminder").exists()


def test_a_bad_day_is_refused():
    with pytest.raises(CommandError):
        call_command("recommendations-remind", "--today", "2026-02-30")
