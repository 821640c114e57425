"""Annual reports: the activity report for the general assembly and the plain-language report.

The figures are checked against a recount in plain SQL over the same tables; the data of a second
organization sits in the same years and must never be counted. Rows are written directly (these
tests count them; entry is tested in the clients and activities apps).
"""

import itertools
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from ancrage.activities.models import Attendance, Session
from ancrage.clients.models import (
    Client,
    NeedsAssessment,
    Referral,
    ServiceRecord,
    ServiceType,
)
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.directory.models import TaxonomyTerm
from ancrage.funding.models import Agreement, AgreementAmount, FundingProgram
from ancrage.reporting import annual
from ancrage.reporting.annual import CALENDAR, FISCAL, ReportPeriod
from tests import factories

pytestmark = pytest.mark.django_db

YEAR = ReportPeriod(CALENDAR, 2024)
_codes = itertools.count(1)


# --- Builders --------------------------------------------------------------------------------


def client_in(
    organization, *, gender="woman", status="permanent-resident", arrived=None, langs=("es",)
):
    client = Client.objects.create(
        organization=organization,
        code=f"AN{next(_codes):04d}",
        immigration_status=ImmigrationStatus.objects.get(code=status),
        age_band="25-34",
        gender=gender,
        borough=Borough.objects.get(code="lasalle"),
        arrived_quebec_on=arrived,
    )
    client.languages.set(Language.objects.filter(code__in=langs))
    return client


def serve(client, on, *, service="housing", minutes=60):
    return ServiceRecord.objects.create(
        client=client,
        service_type=ServiceType.objects.get(organization=None, code=service),
        served_on=on,
        minutes=minutes,
        eligibility={"status": "unfunded", "covered_by": []},
    )


def session_on(activity, on, *, total=0, women=0, newcomers=0, cancelled=False):
    start = timezone.make_aware(datetime.combine(on, time(18, 0)))
    session = factories.SessionFactory(
        activity=activity,
        starts_at=start,
        ends_at=start + (timezone.timedelta(hours=2)),
        status=Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED,
    )
    if total:
        Attendance.objects.create(
            session=session,
            newcomers=newcomers,
            immigrants=0,
            others=total - newcomers,
            women=women,
            total=total,
        )
    return session


def refer(client, to, on, state="sent"):
    referral = Referral.objects.create(
        client=client,
        from_organization=client.organization,
        to_organization=to,
        reason="Besoin d'un logement",
        basis="consent",
        state=state,
    )
    at = timezone.make_aware(datetime.combine(on, time(10, 0)))
    Referral.objects.filter(pk=referral.pk).update(sent_at=at)
    return referral


def assess(client, on, *needs):
    assessment = NeedsAssessment.objects.create(client=client, assessed_on=on)
    assessment.needs.set(
        TaxonomyTerm.objects.filter(taxonomy__name="ancrage-needs", code__in=needs)
    )


@pytest.fixture
def year_data(org_a, org_b):
    """Organization A's calendar 2024 (and 2023 for the comparison); B's rows in the same days."""
    # Twelve people served in 2024: 8 women, 4 men; 7 arrived in June 2023, 5 in 2015.
    people = [
        client_in(
            org_a,
            gender="woman" if i < 8 else "man",
            status="permanent-resident" if i < 7 else "refugee",
            arrived=date(2023, 6, 1) if i < 7 else date(2015, 1, 10),
            langs=("es", "fr") if i < 6 else ("ar",),
        )
        for i in range(12)
    ]
    for person in people:
        serve(person, date(2024, 2, 1), service="first-steps", minutes=60)
        serve(person, date(2024, 11, 30), service="first-steps", minutes=45)
    for person in people[:6]:
        serve(person, date(2024, 6, 15), service="housing", minutes=30)
    # Five of them had been served in 2023: returning.
    for person in people[:5]:
        serve(person, date(2023, 9, 1), service="housing", minutes=90)
    # Served only before and after the year: not counted in 2024.
    serve(client_in(org_a), date(2025, 1, 1))
    serve(client_in(org_a), date(2023, 12, 31))
    # B: many people in the same year, never in A's report.
    for _ in range(7):
        serve(client_in(org_b, gender="man"), date(2024, 5, 5))

    activity = factories.ActivityFactory(organization=org_a)
    for day in (date(2024, 3, 1), date(2024, 3, 8), date(2024, 3, 15)):
        session_on(activity, day, total=10, women=7, newcomers=6)
    session_on(activity, date(2024, 3, 22), total=9, cancelled=True)
    session_on(activity, date(2023, 3, 1), total=4)
    session_on(factories.ActivityFactory(organization=org_b), date(2024, 3, 1), total=50)

    for person in people[:6]:
        refer(person, org_b, date(2024, 4, 1), "sent")
    for person in people[6:11]:
        refer(person, org_b, date(2024, 4, 2), "completed")
    refer(people[0], org_b, date(2023, 4, 1), "sent")
    b_people = list(Client.objects.filter(organization=org_b)[:2])
    for person in b_people:
        refer(person, org_a, date(2024, 7, 7), "accepted")

    for person in people[:7]:
        assess(person, date(2024, 2, 1), "housing", "employment")
    for person in people[7:9]:
        assess(person, date(2024, 2, 1), "employment")
    assess(b_people[0], date(2024, 2, 1), "housing")

    funder = factories.OrganizationFactory(name="Bailleur F", kind=OrganizationKind.FUNDER)
    program = FundingProgram.objects.create(
        funder=funder, code="an-psm", names={"fr": "Mission", "en": "Mission"}, kind="mission"
    )
    for organization, amount in ((org_a, "36500.00"), (org_b, "99999.00")):
        agreement = Agreement.objects.create(
            organization=organization,
            program=program,
            starts_on=date(2024, 4, 1),
            ends_on=date(2025, 3, 31),
        )
        AgreementAmount.objects.create(
            agreement=agreement,
            period_start=date(2024, 4, 1),
            period_end=date(2025, 3, 31),
            amount=Decimal(amount),
        )
    return people


def report_for(user, organization, period=YEAR, threshold=5):
    return annual.annual_report(
        user=user, organization=organization, period=period, threshold=threshold
    )


# --- An independent recount ------------------------------------------------------------------


def sql(query, *params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def recount(organization, start, end):
    args = (organization.pk, start, end)
    people, services, minutes = sql(
        """SELECT COUNT(DISTINCT s.client_id), COUNT(*), SUM(s.minutes)
           FROM clients_servicerecord s JOIN clients_client c ON c.id = s.client_id
           WHERE c.organization_id = %s AND s.served_on BETWEEN %s AND %s""",
        *args,
    )[0]
    by_type = dict(
        sql(
            """SELECT t.code, COUNT(*)
               FROM clients_servicerecord s JOIN clients_client c ON c.id = s.client_id
               JOIN clients_servicetype t ON t.id = s.service_type_id
               WHERE c.organization_id = %s AND s.served_on BETWEEN %s AND %s
               GROUP BY t.code""",
            *args,
        )
    )
    returning = sql(
        """SELECT COUNT(DISTINCT s.client_id)
           FROM clients_servicerecord s JOIN clients_client c ON c.id = s.client_id
           WHERE c.organization_id = %s AND s.served_on BETWEEN %s AND %s
             AND EXISTS (SELECT 1 FROM clients_servicerecord p
                         WHERE p.client_id = s.client_id AND p.served_on < %s)""",
        *args,
        start,
    )[0][0]
    sessions = sql(
        """SELECT COUNT(*), COALESCE(SUM(a.total), 0) FROM activities_session s
           JOIN activities_activity act ON act.id = s.activity_id
           LEFT JOIN activities_attendance a ON a.session_id = s.id
           WHERE act.organization_id = %s AND s.status = 'scheduled'
             AND s.starts_at >= %s AND s.starts_at < %s""",
        organization.pk,
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end, time.max)),
    )[0]
    made = dict(
        sql(
            """SELECT state, COUNT(*) FROM clients_referral WHERE from_organization_id = %s
               AND sent_at >= %s AND sent_at <= %s GROUP BY state""",
            organization.pk,
            timezone.make_aware(datetime.combine(start, time.min)),
            timezone.make_aware(datetime.combine(end, time.max)),
        )
    )
    amounts = sql(
        """SELECT m.amount, m.period_start, m.period_end FROM funding_agreementamount m
           JOIN funding_agreement g ON g.id = m.agreement_id WHERE g.organization_id = %s""",
        organization.pk,
    )
    funding = Decimal(0)
    for amount, first, last in amounts:
        first, last = _day(first), _day(last)
        inside = (min(last, end) - max(first, start)).days + 1
        if inside > 0:
            funding += (Decimal(amount) * inside / ((last - first).days + 1)).quantize(
                Decimal("0.01")
            )
    return {
        "people": people,
        "returning": returning,
        "services": services,
        "hours": Decimal(minutes or 0) / 60,
        "by_type": by_type,
        "sessions": sessions[0],
        "participations": sessions[1],
        "made": made,
        "funding": funding,
    }


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_figures_equal_an_independent_recount(year_data, org_a, director_a):
    report = report_for(director_a, org_a)
    expected = recount(org_a, YEAR.start, YEAR.end)
    assert report.people_served == expected["people"] == 12
    assert report.people.count("returning") == expected["returning"] == 5
    assert report.new_people == expected["people"] - expected["returning"]
    assert report.services_total == expected["services"] == 30
    assert report.hours == expected["hours"].quantize(Decimal("0.1")) == Decimal("24.0")
    by_label = {row.label: row for row in report.services}
    with translation.override("fr-ca"):
        housing = ServiceType.objects.get(organization=None, code="housing").name
    assert by_label[housing].services == expected["by_type"]["housing"] == 6
    assert report.groups.sessions == expected["sessions"] == 3
    assert report.groups.participants == expected["participations"] == 30
    assert report.groups.totals["women"] == 21
    assert report.referrals_made.count("sent") == expected["made"]["sent"] == 6
    assert report.referrals_made.count("completed") == expected["made"]["completed"] == 5
    assert report.referrals_made.total == 11
    assert report.funding_total == expected["funding"] == Decimal("27500.00")
    assert [row.funder for row in report.funding] == ["Bailleur F"]
    # Profile: status 7 / 5, all 12 in one age band.
    profile = {item.key: item.table for item in report.profile}
    assert profile["status"].total == 12
    assert sorted(r.count for r in profile["status"].rows) == [5, 7]
    assert [r.count for r in profile["age"].rows] == [12]
    # Arrival on the day of the first service (1 February 2024): 7 less than 1 year, 5 over 5.
    assert profile["arrival"].count("0-1") == 7
    assert profile["arrival"].count("5+") == 5
    assert report.recent_arrivals_phrase() == "under_2"
    # Languages: 6 speak Spanish and French, 6 Arabic; no total (several languages each).
    assert sorted(r.count for r in profile["languages"].rows) == [6, 6, 6]
    assert not profile["languages"].has_total
    # Needs: housing for 7 people, employment for 9; B's assessment not counted.
    assert [r.count for r in report.needs.rows] == [9, 7]


def test_comparison_with_the_year_before(year_data, org_a, director_a):
    report = report_for(director_a, org_a)
    before = recount(org_a, date(2023, 1, 1), date(2023, 12, 31))
    people = report.change("people")
    assert (people.now, people.before) == (12, before["people"]) == (12, 6)
    assert people.direction == "up" and people.size == 6 and people.percent == 100
    with translation.override("en"):
        assert people.words == "People served: 12, up from 6 in 2023 (+100%)."
    sessions = report.change("sessions")
    assert (sessions.now, sessions.before) == (3, 1)
    # Participations in 2023: 4, hidden; the change cannot be told.
    participations = report.change("participations")
    assert participations.before is None and not participations.comparable


def test_small_numbers_are_hidden(year_data, org_a, director_a):
    report = report_for(director_a, org_a)
    gender = next(item.table for item in report.profile if item.key == "gender")
    # 4 men is below 5; the 8 women would give it away from the total: both hidden.
    assert gender.total == 12
    assert [row.count for row in gender.rows] == [None, None]
    # Two referrals received from B: hidden, total too.
    assert report.referrals_received.count("accepted") is None
    assert report.referrals_received.total is None
    # A lone figure below 5 is hidden; zero is shown.
    assert annual.lone(4, threshold=5) is None and annual.lone(0, threshold=5) == 0


def test_another_organization_is_never_counted(year_data, org_a, org_b):
    director_b = factories.member(org_b, Role.DIRECTOR)
    report = report_for(director_b, org_b)
    expected = recount(org_b, YEAR.start, YEAR.end)
    assert report.people_served == expected["people"] == 7
    assert report.groups.participants == 50
    assert report.referrals_received.total == 11
    assert report.funding_total == expected["funding"] == Decimal("75341.71")
    # A's director asking about B through the selector directly counts nothing of B.
    outsider = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    assert report_for(outsider, org_b).people_served == 0


def test_fiscal_year_runs_april_to_march(org_a, director_a):
    person = client_in(org_a)
    for day in (date(2024, 3, 31), date(2024, 4, 1), date(2025, 3, 31), date(2025, 4, 1)):
        serve(person, day)
    period = ReportPeriod(FISCAL, 2024)
    assert (period.start, period.end, period.label) == (
        date(2024, 4, 1),
        date(2025, 3, 31),
        "2024–2025",
    )
    # Threshold 1: every count shown (the boundaries are the point here).
    report = report_for(director_a, org_a, period, threshold=1)
    assert report.services_total == 2
    assert report.change("services").before == 1
    assert report_for(director_a, org_a, period).services_total is None  # 2 < 5


def test_arrival_bands():
    on = date(2024, 6, 1)
    assert annual.arrival_band(date(2023, 6, 2), on) == "0-1"
    assert annual.arrival_band(date(2023, 6, 1), on) == "1-2"
    assert annual.arrival_band(date(2022, 6, 1), on) == "2-5"
    assert annual.arrival_band(date(2019, 6, 1), on) == "2-5"  # five years to the day: newcomer
    assert annual.arrival_band(date(2019, 5, 31), on) == "5+"
    assert annual.arrival_band(None, on) == "unknown"
    assert annual.arrival_band(date(2025, 1, 1), on) == "unknown"


def test_survey_hook_says_nothing_today(org_a, director_a):
    assert (
        annual.what_people_said(user=director_a, organization=org_a, period=YEAR, threshold=5) == []
    )


# --- Pages ---------------------------------------------------------------------------------------


def annual_url(organization, **query):
    url = reverse("reporting:annual_report", args=[organization.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def plain_url(organization, **query):
    url = reverse("reporting:plain_report", args=[organization.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def in_english(client):
    client.cookies["ancrage_language"] = "en"
    return client


def test_annual_page_shows_the_figures_in_french(year_data, org_a, director_a, client_of):
    response = client_of(director_a).get(annual_url(org_a, basis="calendar", year=2024))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr-ca"' in page
    assert "Premières démarches d&#x27;installation" in page or "Premières démarches" in page
    assert "27\u00a0500,00\u00a0$" in page  # funding, written the Québec way
    assert "reporting/annual" in page and ".css" in page  # the print style sheet
    assert "<caption>" in page and 'scope="row"' in page
    assert "x<sup>" in page  # hidden cells with their footnote
    assert 'id="hidden-note"' in page


def test_annual_page_in_english_says_there_was_no_survey(year_data, org_a, director_a, client_of):
    page = in_english(client_of(director_a)).get(annual_url(org_a, basis="calendar", year=2024))
    text = page.content.decode()
    assert "No survey this year." in text
    assert "People served: 12, up from 6 in 2023" in text


@pytest.mark.parametrize("view", ["reporting:annual_report", "reporting:plain_report"])
def test_access(view, org_a, org_b, director_a, client_of, client):
    url = reverse(view, args=[org_a.pk])
    assert client_of(director_a).get(url).status_code == 200
    for role in (Role.DATA_STEWARD, Role.COORDINATOR, Role.LIAISON_OFFICER):
        assert client_of(factories.member(org_a, role)).get(url).status_code == 200
    # A member without VIEW_REPORTS: 403; another organization's director: 404.
    assert client_of(factories.member(org_a, Role.INTAKE_WORKER)).get(url).status_code == 403
    assert client_of(factories.member(org_b, Role.DIRECTOR)).get(url).status_code == 404
    # Forged ids: 404, never a 500.
    for forged in (999999999, 2**63 - 1):
        assert client_of(director_a).get(reverse(view, args=[forged])).status_code == 404
    assert client.get(url).status_code == 302  # to the sign-in page
    assert client_of(director_a).post(url).status_code == 405


@pytest.mark.parametrize(
    "query, message",
    [
        ({"year": "abc"}, "Saisissez un nombre entier."),
        ({"year": "2500"}, "Choose a year between"),
        ({"year": "1999"}, "Choose a year between"),
        ({"year": "99999999999999999999999"}, "Choose a year between"),
        ({"basis": "lunar", "year": "2024"}, "lunar"),
    ],
)
def test_bad_year_is_said_and_the_last_complete_year_shown(
    query, message, org_a, director_a, client_of
):
    for url in (annual_url(org_a, **query), plain_url(org_a, **query)):
        response = client_of(director_a).get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="form-errors"' in page
        default = annual.default_period(annual.FISCAL)
        if "Choose" in message:
            # Our own message is not in the catalogue yet: either language will do.
            assert message in page or "Choisissez une année" in page
        else:
            assert message in page
        assert default.label in page


def test_plain_page_in_french(year_data, org_a, director_a, client_of):
    response = client_of(director_a).get(
        plain_url(org_a, basis="calendar", year=2024, lang="fr-ca")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr-ca"' in page and response["Content-Language"] == "fr-ca"
    assert "Aller au contenu principal" in page  # the shell, in French
    assert 'class="plain-report" lang="fr-ca"' in page
    with translation.override("fr-ca"):
        sentence = translation.ngettext(
            "This year, %(counter)s person came to us for help.",
            "This year, %(counter)s people came to us for help.",
            12,
        ) % {"counter": 12}
    assert sentence in page
    if not sentence.startswith("This year"):  # once the lead has compiled the French
        assert "Cette année, 12 personnes" in page
    # Languages offered: French, English, and Spanish and Arabic (spoken by 6 people each).
    for name in ("Français", "English", "Español", "العربية"):
        assert name in page
    assert "简体中文</a>" not in page
    assert "No survey this year." in page or "Aucun sondage cette année." in page


def test_plain_page_in_another_language(year_data, org_a, director_a, client_of):
    response = client_of(director_a).get(plain_url(org_a, basis="calendar", year=2024, lang="ar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ar" dir="rtl"' in page and response["Content-Language"] == "ar"
    assert 'class="plain-report" lang="ar" dir="rtl"' in page
    # The numbers: 12 people, 30 services, 3 group activities, 30 participations, 11 referrals.
    for number in ("12", "30", "3", "11"):
        assert number in page
    assert '<span class="big-number">30</span>' in page
    assert '<span class="big-number">11</span>' in page
    # The staff tools stay in the staff language (French).
    assert 'class="staff-tools no-print" lang="fr-ca"' in page
    # The current language is marked; links to the others keep the year and the languages.
    assert 'hreflang="ar" aria-current="page"' in page
    assert "lang=es" in page and "year=2024" in page


def test_plain_page_hides_small_numbers_in_words(org_a, director_a, client_of):
    person = client_in(org_a)
    serve(person, date(2024, 5, 1))
    response = in_english(client_of(director_a)).get(
        plain_url(org_a, basis="calendar", year=2024, lang="en")
    )
    page = response.content.decode()
    assert "This year, fewer than 5 people came to us for help." in page
    assert "fewer than 5</span>" in page
    assert "We cannot compare the number of people with the year before" in page


def test_plain_page_unknown_language_falls_back(org_a, director_a, client_of):
    response = client_of(director_a).get(plain_url(org_a, lang="xx-unknown"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr-ca"' in page
    assert "Français" in page and 'class="form-errors"' in page


def test_plain_page_languages_chosen_by_staff(org_a, director_a, client_of):
    response = client_of(director_a).get(
        plain_url(org_a, languages="uk") + "&languages=bogus&languages=vi&lang=vi"
    )
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="vi"' in page
    assert "Українська</a>" in page and "Tiếng Việt</a>" in page and "English</a>" in page
    assert "Español</a>" not in page


def test_what_people_said_shows_the_years_public_actions(year_data, org_a, director_a, client_of):
    from ancrage.surveys.actions import action_create

    action_create(
        actor=director_a,
        organization=org_a,
        said={
            "fr": "Les cours du soir finissent trop tard.",
            "en": "Evening classes end too late.",
        },
        did={"fr": "Les cours finissent à 20 h.", "en": "Classes now end at 8 pm."},
        done_on=date(2024, 9, 1),
    )
    page = client_of(director_a).get(plain_url(org_a, basis="calendar", year=2024)).content
    text = page.decode()
    assert "Les cours du soir finissent trop tard." in text
    assert "Les cours finissent à 20 h." in text
    other_year = client_of(director_a).get(plain_url(org_a, basis="calendar", year=2023))
    assert "Les cours finissent à 20 h." not in other_year.content.decode()
