"""Round tables' services and selectors: members, meetings and minutes, recommendations drafted
and edited, what each reader sees, and the demo tables.

The builders and fixtures at the top are shared by the other round-table test modules."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.surveys import recommendations as workflow
from ancrage.surveys import roundtables
from ancrage.surveys.models import (
    Meeting,
    Recommendation,
    RecommendationEvent,
    RecommendationState,
    TableMember,
    TableRole,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 15)
# Dates of a recommendation that went through every step, in days before TODAY.
ADOPTED, SENT, ANSWERED = 120, 100, 10


def make_table(name: str = "Table de quartier de LaSalle") -> object:
    return factories.OrganizationFactory(name=name, kind=OrganizationKind.ROUND_TABLE)


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def recommendation_in(table, institution, state: str = "drafted", **fields) -> Recommendation:
    """A recommendation already in `state`, with the dates its steps would have recorded."""
    values = {
        "table": table,
        "addressed_to": institution,
        "title": "Indexer le financement à la mission",
        "text": "Que le Ministère indexe le financement à la mission au coût de la vie.",
        "state": state,
        "remind_after_days": 60,
    }
    if state != "drafted":
        values["adopted_on"] = days_ago(ADOPTED)
    if state not in ("drafted", "adopted"):
        values["sent_on"] = days_ago(SENT)
    if state in ("accepted", "partly_accepted", "rejected"):
        values["answered_on"] = days_ago(ANSWERED)
        values["answer"] = "Le Ministère indexera le programme de 3 %."
    values.update(fields)
    return Recommendation.objects.create(**values)


@pytest.fixture
def table(db):
    return make_table()


@pytest.fixture
def institution(db):
    return factories.OrganizationFactory(
        name="Ministère de l'Immigration (test)", kind=OrganizationKind.FUNDER, acronym="MIFI"
    )


@pytest.fixture
def coordinator(table):
    return factories.member(table, Role.COORDINATOR)


@pytest.fixture
def speaker(institution):
    """Someone who speaks for the institution (its director)."""
    return factories.member(institution, Role.DIRECTOR)


# --- Members -------------------------------------------------------------------------------------


def test_a_coordinator_seats_organizations_once(table, coordinator, org_a):
    seat = roundtables.table_member_add(
        actor=coordinator,
        table=table,
        member=org_a,
        role=TableRole.CHAIR,
        joined_on=date(2020, 9, 1),
        today=TODAY,
    )
    assert (seat.member, seat.role, seat.joined_on) == (org_a, "chair", date(2020, 9, 1))
    with pytest.raises(ValidationError) as twice:
        roundtables.table_member_add(actor=coordinator, table=table, member=org_a, today=TODAY)
    assert "member" in twice.value.message_dict
    assert TableMember.objects.count() == 1
    audit = AuditEvent.objects.get(target_type="surveys.tablemember")
    assert audit.organization_id == table.pk and audit.actor_id == coordinator.pk


def test_a_table_is_not_its_own_member(table, coordinator):
    with pytest.raises(ValidationError) as refused:
        roundtables.table_member_add(actor=coordinator, table=table, member=table, today=TODAY)
    assert "own member" in str(refused.value) or "propre membre" in str(refused.value)
    assert not TableMember.objects.exists()


def test_another_table_may_sit_at_a_table(table, coordinator):
    coalition = make_table("Table de concertation (coalition)")
    roundtables.table_member_add(actor=coordinator, table=table, member=coalition, today=TODAY)
    assert TableMember.objects.filter(table=table, member=coalition).exists()


@pytest.mark.parametrize(
    "role", [Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.DATA_STEWARD, Role.LIAISON_OFFICER]
)
def test_only_those_who_run_the_table_manage_members(table, org_a, role):
    with pytest.raises(PermissionDenied):
        roundtables.table_member_add(
            actor=factories.member(table, role), table=table, member=org_a, today=TODAY
        )
    assert not TableMember.objects.exists()


def test_a_director_of_another_kind_of_organization_runs_no_table(org_a, org_b):
    """RUN_ROUND_TABLE is held by every director; the services act on round tables only."""
    director = factories.member(org_a, Role.DIRECTOR)
    with pytest.raises(ValidationError):
        roundtables.table_member_add(actor=director, table=org_a, member=org_b, today=TODAY)
    assert not TableMember.objects.exists()


@pytest.mark.parametrize(
    ("joined", "left", "field"),
    [
        (date(2500, 1, 1), None, "joined_on"),
        (date(1, 1, 1), None, "joined_on"),
        (date(2020, 1, 1), date(2019, 1, 1), "left_on"),
        (date(2020, 1, 1), TODAY + timedelta(days=1), "left_on"),
    ],
)
def test_member_dates_are_checked(table, coordinator, org_a, joined, left, field):
    seat = roundtables.table_member_add(actor=coordinator, table=table, member=org_a, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        roundtables.table_member_update(
            actor=coordinator,
            seat=seat,
            role=TableRole.MEMBER,
            joined_on=joined,
            left_on=left,
            today=TODAY,
        )
    assert field in refused.value.message_dict
    seat.refresh_from_db()
    assert (seat.joined_on, seat.left_on) == (None, None)


def test_an_organization_that_leaves_keeps_its_history(table, coordinator, org_a, org_b):
    stays = roundtables.table_member_add(actor=coordinator, table=table, member=org_a, today=TODAY)
    leaves = roundtables.table_member_add(
        actor=coordinator, table=table, member=org_b, joined_on=date(2018, 1, 1), today=TODAY
    )
    roundtables.table_member_update(
        actor=coordinator,
        seat=leaves,
        role=TableRole.MEMBER,
        joined_on=date(2018, 1, 1),
        left_on=date(2025, 6, 30),
        today=TODAY,
    )
    members = roundtables.members_of(table, today=TODAY)
    assert members.current == [stays] and members.former == [leaves]
    assert members.count == 1


def test_chairs_and_secretariat_are_listed_first(table, coordinator):
    seats = {}
    for name, role in [
        ("Aaa membre", TableRole.MEMBER),
        ("Bbb observateur", TableRole.OBSERVER),
        ("Zzz coprésidence", TableRole.CHAIR),
        ("Yyy secrétariat", TableRole.SECRETARIAT),
    ]:
        organization = factories.OrganizationFactory(name=name)
        seats[role] = roundtables.table_member_add(
            actor=coordinator, table=table, member=organization, role=role, today=TODAY
        )
    order = [seat.role for seat in roundtables.members_of(table, today=TODAY).current]
    assert order == ["chair", "secretariat", "member", "observer"]


def test_removing_a_seat_is_audited(table, coordinator, org_a):
    seat = roundtables.table_member_add(actor=coordinator, table=table, member=org_a, today=TODAY)
    roundtables.table_member_remove(actor=coordinator, seat=seat)
    assert not TableMember.objects.exists()
    assert AuditEvent.objects.filter(target_type="surveys.tablemember", action="delete").exists()


def test_member_choices_leave_out_the_table_and_its_members(table, coordinator, org_a, org_b):
    roundtables.table_member_add(actor=coordinator, table=table, member=org_a, today=TODAY)
    choices = set(roundtables.member_choices(table))
    assert org_b in choices and org_a not in choices and table not in choices


# --- Meetings ------------------------------------------------------------------------------------


def test_a_meeting_keeps_its_minutes_as_typed(table, coordinator):
    minutes = "Présences : 12.\n\n<script>alert(1)</script>\nDécision : relancer le Ministère."
    meeting = roundtables.meeting_record(
        actor=coordinator,
        table=table,
        held_on=days_ago(3),
        title="  Assemblée   générale  ",
        place="Centre communautaire",
        minutes=minutes,
        today=TODAY,
    )
    assert meeting.title == "Assemblée générale"
    assert meeting.minutes == minutes.strip()  # escaped when shown, never altered
    assert AuditEvent.objects.filter(target_type="surveys.meeting", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": date(2500, 1, 1)}, "held_on"),
        ({"held_on": date(1, 1, 1)}, "held_on"),
        ({"held_on": None}, "held_on"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"minutes": "é" * 25_001}, "minutes"),  # 50,002 bytes
        ({"minutes": "a\x00b"}, "minutes"),
        ({"place": "p" * 201}, "place"),
    ],
)
def test_bad_meetings_are_refused(table, coordinator, changes, field):
    values = {"held_on": days_ago(1), "title": "Rencontre", "minutes": "Notes."} | changes
    with pytest.raises(ValidationError) as refused:
        roundtables.meeting_record(actor=coordinator, table=table, today=TODAY, **values)
    assert field in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_minutes_of_fifty_kilobytes_are_accepted(table, coordinator):
    meeting = roundtables.meeting_record(
        actor=coordinator,
        table=table,
        held_on=days_ago(1),
        title="Rencontre",
        minutes="a" * 50_000,
        today=TODAY,
    )
    assert len(meeting.minutes) == 50_000


def test_a_meeting_may_be_planned_within_a_year(table, coordinator):
    meeting = roundtables.meeting_record(
        actor=coordinator, table=table, held_on=TODAY + timedelta(days=60), title="AGA", today=TODAY
    )
    assert meeting.held_on == TODAY + timedelta(days=60)


def test_a_meeting_is_corrected_and_audited(table, coordinator):
    meeting = roundtables.meeting_record(
        actor=coordinator, table=table, held_on=days_ago(1), title="Rencontre", today=TODAY
    )
    roundtables.meeting_update(
        actor=coordinator,
        meeting=meeting,
        held_on=days_ago(1),
        title="Rencontre",
        minutes="Décisions prises.",
        minutes_public=True,
        today=TODAY,
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Décisions prises." and meeting.minutes_public
    audit = AuditEvent.objects.get(target_type="surveys.meeting", action="change")
    assert set(audit.details["fields"]) == {"minutes", "minutes_public"}


# --- Drafting and editing recommendations --------------------------------------------------------


def test_a_recommendation_is_drafted_to_an_institution(table, coordinator, institution):
    meeting = roundtables.meeting_record(
        actor=coordinator, table=table, held_on=days_ago(2), title="AGA", today=TODAY
    )
    recommendation = roundtables.recommendation_draft(
        actor=coordinator,
        table=table,
        title="Alléger la reddition de comptes",
        text="Que le Ministère accepte des rapports agrégés.",
        addressed_to=institution,
        meeting=meeting,
        remind_after_days=45,
    )
    assert recommendation.state == "drafted" and recommendation.version == 1
    assert recommendation.meeting == meeting and recommendation.remind_after_days == 45
    event = RecommendationEvent.objects.get()
    assert (event.action, event.to_state, event.actor) == ("draft", "drafted", coordinator)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 301}, "title"),
        ({"text": ""}, "text"),
        ({"text": "t" * 4001}, "text"),
        ({"addressed_to": None}, "addressed_to"),
        ({"remind_after_days": 0}, "remind_after_days"),
        ({"remind_after_days": 366}, "remind_after_days"),
        ({"remind_after_days": -5}, "remind_after_days"),
    ],
)
def test_bad_recommendations_are_refused(table, coordinator, institution, changes, field):
    values = {
        "title": "Titre",
        "text": "Texte de la recommandation.",
        "addressed_to": institution,
    } | changes
    with pytest.raises(ValidationError) as refused:
        roundtables.recommendation_draft(actor=coordinator, table=table, **values)
    assert field in refused.value.message_dict
    assert not Recommendation.objects.exists()


def test_a_recommendation_to_the_table_itself_is_refused(table, coordinator):
    with pytest.raises(ValidationError) as refused:
        roundtables.recommendation_draft(
            actor=coordinator, table=table, title="T", text="Texte.", addressed_to=table
        )
    assert "addressed_to" in refused.value.message_dict
    assert not Recommendation.objects.exists()


def test_another_tables_meeting_is_refused(table, coordinator, institution):
    other = make_table("Autre table")
    foreign = Meeting.objects.create(table=other, held_on=days_ago(5), title="Leur rencontre")
    with pytest.raises(ValidationError) as refused:
        roundtables.recommendation_draft(
            actor=coordinator,
            table=table,
            title="T",
            text="Texte.",
            addressed_to=institution,
            meeting=foreign,
        )
    assert "meeting" in refused.value.message_dict
    assert not Recommendation.objects.exists()


def test_the_institution_does_not_draft_for_the_table(table, institution, speaker):
    with pytest.raises(PermissionDenied):
        roundtables.recommendation_draft(
            actor=speaker, table=table, title="T", text="Texte.", addressed_to=institution
        )


def edit(actor, recommendation, version=None, **changes):
    values = {
        "title": recommendation.title,
        "text": recommendation.text,
        "addressed_to": recommendation.addressed_to,
        "meeting": recommendation.meeting,
        "remind_after_days": recommendation.remind_after_days,
        "is_public": recommendation.is_public,
    } | changes
    return roundtables.recommendation_update(
        actor=actor,
        recommendation=recommendation,
        version=recommendation.version if version is None else version,
        **values,
    )


def test_a_draft_is_edited_with_its_version(table, coordinator, institution):
    recommendation = recommendation_in(table, institution)
    edit(coordinator, recommendation, title="Nouveau titre")
    assert recommendation.title == "Nouveau titre" and recommendation.version == 2
    with pytest.raises(ValidationError) as stale:
        edit(coordinator, recommendation, version=1, title="Écrasé")
    assert stale.value.code == "stale"
    recommendation.refresh_from_db()
    assert recommendation.title == "Nouveau titre"


def test_once_adopted_the_text_stays_but_the_reminder_and_flag_may_change(
    table, coordinator, institution
):
    recommendation = recommendation_in(table, institution, "sent")
    with pytest.raises(ValidationError) as frozen:
        edit(coordinator, recommendation, text="Un autre texte.")
    assert "text" in frozen.value.message_dict
    edit(coordinator, recommendation, remind_after_days=30, is_public=False)
    recommendation.refresh_from_db()
    assert (recommendation.remind_after_days, recommendation.is_public) == (30, False)
    assert recommendation.text.startswith("Que le Ministère")


# --- What each reader sees -----------------------------------------------------------------------


@pytest.fixture
def one_of_each(table, institution):
    return {state: recommendation_in(table, institution, state) for state in RecommendationState}


def _states(grouped):
    return {state for state, _label, _lines in grouped}


def test_the_tables_people_see_every_state(table, one_of_each):
    worker = factories.member(table, Role.COMMUNITY_WORKER)
    grouped = roundtables.recommendations_of(worker, table, today=TODAY)
    assert [state for state, _l, _x in grouped] == list(RecommendationState.values)


def test_the_city_reads_the_table_but_not_its_drafts(table, one_of_each):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    coordinator = factories.member(city, Role.COORDINATOR)
    grouped = roundtables.recommendations_of(coordinator, table, today=TODAY)
    assert _states(grouped) == workflow.INSTITUTION_STATES


def test_the_institution_receives_what_was_sent_only(table, institution, speaker, one_of_each):
    grouped = roundtables.received_by(speaker, today=TODAY)
    assert _states(grouped) == workflow.INSTITUTION_STATES
    for state in workflow.INTERNAL_STATES:
        with pytest.raises(Exception) as hidden:
            roundtables.recommendation_for(speaker, one_of_each[state].pk)
        assert hidden.typename == "Http404"
    assert roundtables.recommendation_for(speaker, one_of_each["sent"].pk)


def test_a_member_organization_sees_its_seat_not_the_recommendations(
    table, coordinator, org_a, one_of_each
):
    roundtables.table_member_add(actor=coordinator, table=table, member=org_a, today=TODAY)
    staff = factories.member(org_a, Role.DIRECTOR)
    assert [seat.table for seat in roundtables.seats_of(staff)] == [table]
    assert list(roundtables.tables_for(staff)) == []
    assert roundtables.received_by(staff, today=TODAY) == []


def test_the_public_sees_public_recommendations_once_sent(table, institution, one_of_each):
    recommendation_in(table, institution, "accepted", is_public=False, title="Confidentielle")
    grouped = roundtables.public_recommendations(table, today=TODAY)
    assert _states(grouped) == workflow.PUBLIC_STATES
    titles = [line.recommendation.title for _s, _l, lines in grouped for line in lines]
    assert "Confidentielle" not in titles and len(titles) == len(workflow.PUBLIC_STATES)


def test_days_waiting(table, institution):
    sent = recommendation_in(table, institution, "sent")
    answered = recommendation_in(table, institution, "accepted")
    draft = recommendation_in(table, institution, "drafted")
    assert workflow.days_waiting(sent, TODAY) == SENT
    assert workflow.days_waiting(answered, TODAY) == SENT - ANSWERED
    assert workflow.days_waiting(draft, TODAY) is None
    lines = {
        line.recommendation.pk: line
        for _s, _l, lines in roundtables.recommendations_of(
            factories.member(table, Role.DIRECTOR), table, today=TODAY
        )
        for line in lines
    }
    assert lines[sent.pk].overdue and not lines[answered.pk].overdue


def test_minutes_are_internal_unless_public(table, coordinator):
    internal = Meeting.objects.create(table=table, held_on=days_ago(1), title="C", minutes="x")
    public = Meeting.objects.create(
        table=table, held_on=days_ago(1), title="A", minutes="y", minutes_public=True
    )
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    outsider = factories.member(city, Role.COORDINATOR)
    assert roundtables.minutes_visible(coordinator, internal)
    assert not roundtables.minutes_visible(outsider, internal)
    assert roundtables.minutes_visible(outsider, public)
    assert list(roundtables.public_meetings(table)) == [public]


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_tables_are_built_once(db):
    from ancrage.surveys.demo_roundtables import RECOMMENDATIONS, SECTOR_TABLE, seed_round_tables

    first = seed_round_tables(today=TODAY)
    assert first["tables"] == 2 and first["recommendations"] == len(RECOMMENDATIONS) == 15
    sector = Recommendation.objects.filter(table__name=SECTOR_TABLE[0]).first().table
    members = roundtables.members_of(sector, today=TODAY)
    assert 150 <= members.count <= 165 and len(members.former) == 3
    assert {m.member.is_synthetic for m in members.current} == {True}
    assert set(Recommendation.objects.values_list("state", flat=True)) == set(
        RecommendationState.values
    )
    assert {r.addressed_to.acronym for r in Recommendation.objects.all()} >= {"MIFI", "BINAM"}
    assert Meeting.objects.filter(table=sector).exclude(minutes="").count() == 6
    # Someone can sign in and run each table.
    for table_row in {r.table for r in Recommendation.objects.all()}:
        assert roundtables.reminder_recipients(table_row.pk)
    before = (
        TableMember.objects.count(),
        Meeting.objects.count(),
        Recommendation.objects.count(),
        RecommendationEvent.objects.count(),
    )
    again = seed_round_tables(today=TODAY)
    assert again["members"] == again["meetings"] == again["recommendations"] == 0
    assert (
        TableMember.objects.count(),
        Meeting.objects.count(),
        Recommendation.objects.count(),
        RecommendationEvent.objects.count(),
    ) == before


def test_the_demo_reset_clears_what_protects_organizations(db):
    from ancrage.network.models import Organization
    from ancrage.surveys.demo_roundtables import reset_round_tables, seed_round_tables

    seed_round_tables(today=TODAY)
    reset_round_tables()
    Organization.objects.all().delete()
    assert not Recommendation.objects.exists() and not TableMember.objects.exists()
