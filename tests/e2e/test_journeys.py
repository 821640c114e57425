"""Each role's main path, from signing in to done, in French, in a real Chromium (issue 10).

A screenshot is saved at each main step: test-artifacts/journeys/<role>/NN-step.png.

- newcomer on a phone: finds a service in the public directory in Arabic, sees the calendar,
  answers a satisfaction survey (the answering itself is `answer` of test_survey_journey.py);
- liaison officer, keyboard only: creates an activity, adds a session, records its attendance;
- intake worker, keyboard only: looks a person up, registers them, records a service, records
  their consent to a referral, and refers them to a partner;
- coordinator: the dashboard, then prepares the quarterly accountability report and submits it;
- funder advisor: the organizations followed, a report received, acknowledged;
- grant reviewer: the applications assigned, a score per criterion, the review submitted.
The whole life of an application (applicant, committee, allocation) is test_grant_journey.py;
the keyboard counts of the two fastest gestures are test_attendance.py and
test_client_service_entry.py.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ancrage.activities.models import Activity, Attendance
from ancrage.clients.models import Client, ConsentRecord, Purpose, Referral, ServiceRecord
from ancrage.core.choices import OrganizationKind, Role
from ancrage.funding.models import FollowedOrganization
from ancrage.reporting.models import AccountabilityReport, ReportState
from tests import factories
from tests.e2e.conftest import PHONE, REPO_ROOT, authenticator_code, french, on_second_step

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

JOURNEYS = REPO_ROOT / "test-artifacts" / "journeys"
DESKTOP = {"width": 1280, "height": 900}


class Journey:
    """One person's browser (a context of its own) and the screenshots of their steps."""

    def __init__(self, browser, live_server, role: str, viewport: dict = DESKTOP):
        self.live_server = live_server
        self.folder: Path = JOURNEYS / role
        shutil.rmtree(self.folder, ignore_errors=True)  # this run's steps only
        self.folder.mkdir(parents=True)
        self.context = browser.new_context(viewport=viewport, locale="fr-CA")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.steps = 0

    def step(self, name: str) -> None:
        self.steps += 1
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{name}.png"), full_page=True)

    def open(self, path: str) -> None:
        """Type an address (or open a bookmark): not a click."""
        response = self.page.goto(self.live_server.url + path)
        assert response is not None and response.ok, (path, response and response.status)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"JavaScript errors: {self.errors}"

    # --- the keyboard -------------------------------------------------------------------------

    def tab_to(self, selector: str, *, back: bool = False, limit: int = 80) -> None:
        """Press Tab (Shift+Tab with `back`) until the element has the focus, as a person moving
        through the page."""
        target = self.page.locator(selector).first
        expect(target).to_be_attached()
        for _ in range(limit):
            if target.evaluate("element => element === document.activeElement"):
                return
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"{selector} never got the focus after {limit} Tab presses")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def type_date(self, selector: str, day: date) -> None:
        """Type a date in a date field, segment by segment. The order of the segments is the
        browser's (month first in Chromium's default English, year first in French Canada…):
        each order is tried until the field holds the date."""
        field = self.page.locator(selector)
        for order in ("%m%d%Y", "%Y%m%d", "%d%m%Y"):
            self.tab_to(selector)
            self.page.keyboard.press("Shift+Tab")  # re-enter the field at its first segment
            self.page.keyboard.press("Tab")
            self.page.keyboard.type(day.strftime(order))
            if field.input_value() == day.isoformat():
                return
        raise AssertionError(f"{selector}: could not type {day}")

    def type_time(self, selector: str, hour: int, minute: int) -> None:
        """Type a time of the morning; "A" picks AM where the browser shows a 12-hour clock."""
        field = self.page.locator(selector)
        self.tab_to(selector)
        self.page.keyboard.type(f"{hour:02d}{minute:02d}A")
        assert field.input_value() == f"{hour:02d}:{minute:02d}", field.input_value()

    def enter(self) -> None:
        """Enter, and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def follow(self, selector: str) -> None:
        """Tab to a link or a button, then Enter."""
        self.tab_to(selector)
        self.enter()

    def sign_in(self, user) -> None:
        """The sign-in form with the keyboard only (the username field has the focus)."""
        self.open("/accounts/login/")
        expect(self.page.locator("#id_username")).to_be_focused()
        self.page.keyboard.type(user.username)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(factories.PASSWORD)
        self.enter()
        if on_second_step(self.page):
            # Staff who read identities: the app's code (the field has the focus), linking the
            # app the first time.
            expect(self.page.locator("#id_code")).to_be_focused()
            self.step("second-factor")
            self.page.keyboard.type(authenticator_code(self.page, user.username))
            self.enter()
        expect(self.page.locator("main h1")).to_contain_text(
            french("Hello, %(name)s").split("%")[0].strip()
        )

    def sees(self, text: str) -> None:
        """The page shows the French translation of a source string."""
        translated = french(text)
        assert translated != text or text.isupper(), f"no French for {text!r}"
        expect(self.page.locator("main")).to_contain_text(translated)


@pytest.fixture
def journey(browser, live_server, request):
    opened: list[Journey] = []

    def start(role: str, viewport: dict = DESKTOP) -> Journey:
        person = Journey(browser, live_server, role, viewport)
        opened.append(person)
        return person

    yield start
    for person in opened:
        person.context.close()


def local_day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


# ---------------------------------------------------------------------------------------------
# Liaison officer, keyboard only


def test_liaison_officer_creates_an_activity_and_records_its_attendance(journey, org_a):
    library = factories.SiteFactory(organization=org_a, name="Bibliothèque Saul-Bellow")
    officer = factories.member(org_a, Role.LIAISON_OFFICER, first_name="Nadia", last_name="Haddad")
    me = journey("liaison-officer")

    me.sign_in(officer)
    me.step("dashboard")
    me.follow("nav.main-nav a[href='/activities/manage/']")
    me.sees("Activities and attendance")
    me.step("activities")
    me.follow(f"main a[href$='/activities/manage/organizations/{org_a.pk}/new/']")
    me.step("new-activity")

    me.type_into("#id_title_fr", "Café-jasette du jeudi")
    me.type_into("#id_title_en", "Thursday Coffee and Chat")
    # A list opens on the first letters typed (ASCII: the type-ahead of a closed select).
    me.type_into("#id_activity_type", "Caf")
    expect(me.page.locator("#id_activity_type option:checked")).to_have_text("Café-emploi")
    me.type_into("#id_site", "Bibl")
    expect(me.page.locator("#id_site")).to_have_value(str(library.pk))
    me.step("activity-filled")
    me.tab_to("#id_title_en", back=True)
    me.enter()  # Enter in a text field sends the form
    activity = Activity.objects.get(organization=org_a)
    assert activity.title["fr"] == "Café-jasette du jeudi"
    me.sees("Activity created. Add its sessions.")
    me.step("activity-created")

    # A session held yesterday morning: the date and times typed as digits, field by field.
    yesterday = local_day(1)
    me.type_date("#id_day", yesterday)
    me.type_time("#id_start_time", 10, 0)
    me.type_time("#id_end_time", 11, 30)
    me.step("session-filled")
    me.enter()
    session = activity.sessions.get()
    assert timezone.localtime(session.starts_at).date() == yesterday
    me.step("session-added")

    me.follow(f"main a[href$='/activities/manage/sessions/{session.pk}/attendance/']")
    expect(me.page.locator("#id_newcomers")).to_be_focused()
    for value in ("9", "4", "2", "8"):  # newcomers, immigrants, others, women
        me.page.keyboard.type(value)
        me.page.keyboard.press("Tab")
    expect(me.page.locator("#live-total")).to_have_text("15")
    me.step("attendance-filled")
    me.enter()
    me.step("attendance-saved")
    attendance = Attendance.objects.get(session=session)
    assert (attendance.total, attendance.newcomers, attendance.women) == (15, 9, 8)
    assert attendance.recorded_by_id == officer.pk
    expect(me.page.locator(".messages")).to_contain_text("15")
    me.close()


# ---------------------------------------------------------------------------------------------
# Intake worker, keyboard only


def test_intake_worker_registers_serves_and_refers_a_person(journey, org_a):
    worker = factories.member(org_a, Role.INTAKE_WORKER, first_name="Inès", last_name="Roy")
    partner = factories.OrganizationFactory(name="Carrefour Jeunesse-Emploi de LaSalle")
    factories.PartnershipFactory(organization=org_a, partner=partner)
    me = journey("intake-worker")

    me.sign_in(worker)
    me.step("dashboard")
    me.follow("nav.main-nav a[href='/clients/']")
    expect(me.page.locator("#id_q")).to_be_focused()
    me.page.keyboard.type("Oyelaran")  # is the person known here already?
    me.enter()
    me.step("lookup")
    assert not Client.objects.exists()

    me.follow(f"main a[href$='/clients/organizations/{org_a.pk}/new/']")
    me.step("register")
    me.type_into("#id_given_names", "Zéphyrine")
    me.type_into("#id_family_names", "Oyelaran")
    me.step("register-filled")
    me.enter()
    client = Client.objects.get(organization=org_a)
    assert me.page.url.endswith(f"/clients/{client.pk}/")
    me.step("client-file")

    # The file opens with "Record a service" focused: Enter, a service type, Enter.
    expect(me.page.locator(f"a[href$='/clients/{client.pk}/services/new/']")).to_be_focused()
    me.enter()
    expect(me.page.locator("#id_service_type")).to_be_focused()
    me.page.keyboard.type("Médiation")
    me.step("service-filled")
    me.enter()
    record = ServiceRecord.objects.get(client=client)
    assert record.service_type.code == "intercultural-mediation" and record.worker == worker
    me.step("service-recorded")

    # The person agrees to be referred to the partner: their consent first.
    me.follow(f"main a[href$='/clients/{client.pk}/consents/']")
    me.step("consents")
    referral_label = french(Purpose.REFERRAL.label)
    me.type_into("#id_purpose", referral_label[:5])
    expect(me.page.locator("#id_purpose")).to_have_value(Purpose.REFERRAL)
    me.type_into("#id_counterpart", "Carrefour")
    expect(me.page.locator("#id_counterpart")).to_have_value(str(partner.pk))
    me.tab_to("#id_state_0")  # "Given", the first choice
    me.page.keyboard.press("Space")
    me.step("consent-filled")
    me.follow("main form button[type=submit]")
    consent = ConsentRecord.objects.get(client=client)
    assert (consent.purpose, consent.counterpart_id, consent.state) == (
        Purpose.REFERRAL,
        partner.pk,
        ConsentRecord.State.GIVEN,
    )
    me.step("consent-recorded")

    me.open(f"/clients/{client.pk}/")
    me.follow(f"main a[href$='/clients/{client.pk}/referrals/new/']")
    me.step("referral")
    me.type_into("#id_to_organization", "Carrefour")
    expect(me.page.locator("#id_to_organization")).to_have_value(str(partner.pk))
    me.type_into("#id_reason", "Recherche d'emploi : préparer son CV.")
    me.step("referral-filled")
    me.follow("main form button[type=submit]")
    referral = Referral.objects.get(client=client)
    assert referral.to_organization == partner and referral.from_organization == org_a
    expect(me.page.locator(".messages")).to_contain_text(
        french("Referral sent to %(name)s.") % {"name": partner.name}
    )
    me.step("referral-sent")
    me.close()


# ---------------------------------------------------------------------------------------------
# Coordinator, then the funder's advisor: one quarterly report, prepared, sent, acknowledged


def test_coordinator_submits_the_quarterly_report_and_the_advisor_acknowledges_it(journey, org_a):
    from tests.reporting.conftest import make_agreement, make_client, make_program, serve

    funder = factories.OrganizationFactory(
        name="Ministère de l'Immigration (e2e)", kind=OrganizationKind.FUNDER
    )
    program = make_program(funder, "pasi-e2e")
    agreement = make_agreement(org_a, program)  # 2025-2026, reported each quarter
    for day in range(1, 8):  # seven people served in the second quarter
        serve(make_client(org_a), date(2025, 8, day), program=program)
    coordinator = factories.member(org_a, Role.COORDINATOR, first_name="Lucie", last_name="Côté")
    advisor = factories.member(funder, Role.FUNDER_ADVISOR, first_name="Marc", last_name="Gagné")
    FollowedOrganization.objects.create(funder=funder, advisor=advisor, organization=org_a)

    me = journey("coordinator")
    me.sign_in(coordinator)
    me.step("dashboard")
    me.page.locator("nav.main-nav a[href='/reports/']").click()
    me.sees("Accountability reports")
    me.step("reports")
    second_quarter = me.page.locator(
        "form[action$='/reports/open/']:has(input[name=period][value='2025-07-01']) button"
    )
    with me.page.expect_navigation():
        second_quarter.click()
    report = AccountabilityReport.objects.get(agreement=agreement)
    assert report.state == ReportState.DRAFT and report.period_start == date(2025, 7, 1)
    me.sees("The report is open: check its figures, then submit it.")
    me.step("report-draft")
    with me.page.expect_navigation():
        me.page.locator("button[name=step][value=submit]").click()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    me.sees("Done: the report's state is recorded.")
    me.step("report-submitted")
    me.close()

    funder_side = journey("funder-advisor")
    funder_side.sign_in(advisor)
    funder_side.step("dashboard")
    funder_side.page.locator("nav.main-nav a[href='/funding/advisor/']").click()
    funder_side.sees("Organizations I follow")
    expect(funder_side.page.locator("main")).to_contain_text(org_a.name)
    funder_side.step("organizations-followed")
    funder_side.page.locator("main a.button[href='/reports/received/']").click()
    funder_side.sees("Reports received")
    funder_side.step("reports-received")
    with funder_side.page.expect_navigation():
        funder_side.page.locator(f"main a[href$='/reports/{report.pk}/']").click()
    funder_side.sees("Files sent")
    funder_side.step("report")
    with funder_side.page.expect_navigation():
        funder_side.page.locator("button[name=step][value=acknowledge]").click()
    report.refresh_from_db()
    assert report.state == ReportState.ACKNOWLEDGED
    expect(funder_side.page.locator("main h1 .badge")).to_have_text(
        french(ReportState.ACKNOWLEDGED.label)
    )
    funder_side.step("report-acknowledged")
    funder_side.close()


# ---------------------------------------------------------------------------------------------
# Grant reviewer (the committee's side and the allocation: test_grant_journey.py)


def test_grant_reviewer_scores_an_assigned_application(journey):
    from ancrage.grants import review
    from ancrage.grants.models import CallState
    from tests.grants.conftest import make_application, make_call

    funder = factories.OrganizationFactory(
        name="Service de la diversité sociale (e2e)", kind=OrganizationKind.CITY_SERVICE
    )
    manager = factories.member(funder, Role.COORDINATOR)
    reviewer = factories.member(
        funder, Role.GRANT_REVIEWER, first_name="Rachid", last_name="Évalue"
    )
    now = timezone.now()
    call = make_call(
        funder,
        code="montreal-inclusive-reviewer-e2e",
        state=CallState.CLOSED,
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=1),
    )
    application = make_application(
        call, factories.OrganizationFactory(name="Carrefour d'accueil de LaSalle (e2e)")
    )
    assignment = review.review_assign(actor=manager, application=application, reviewer=reviewer)

    me = journey("grant-reviewer")
    me.sign_in(reviewer)
    me.step("dashboard")
    me.page.locator("nav.main-nav a[href='/grants/reviews/']").click()
    me.sees("Applications to review")
    me.step("assigned")
    with me.page.expect_navigation():
        me.page.locator(f"main a[href$='/grants/reviews/{assignment.pk}/']").click()
    expect(me.page.locator("main h1")).to_contain_text(application.title)
    me.step("application")
    criteria = list(call.criteria.order_by("position"))
    for criterion, score in zip(criteria, (5, 4, 4, 3), strict=True):
        me.page.fill(f"#id_score_{criterion.pk}", str(score))
        me.page.fill(f"#id_comment_{criterion.pk}", "Appréciation argumentée du comité.")
    # 30 × 5/5 + 25 × 4/5 + 20 × 4/5 + 25 × 3/5 = 81, computed by the server as the scores change
    expect(me.page.locator("#review-total")).to_contain_text("81")
    me.step("scored")
    with me.page.expect_navigation():
        me.page.locator("button[name=action][value=complete]").click()
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert sorted(assignment.scores.values_list("score", flat=True)) == [3, 4, 4, 5]
    me.step("review-completed")
    me.close()


# ---------------------------------------------------------------------------------------------
# A newcomer on a phone, in Arabic


def test_newcomer_on_a_phone_finds_a_service_sees_the_calendar_and_answers_a_survey(
    journey, settings
):
    from tests.activities.test_calendar import make_activity, schedule
    from tests.e2e.test_directory import directory, switch_language
    from tests.e2e.test_survey_journey import ARABIC, answer, no_horizontal_scroll
    from tests.surveys.conftest import open_survey

    directory()  # housing services, one of them described in Arabic
    library = factories.OrganizationFactory(name="Bibliothèques de LaSalle", kind="library")
    coffee = make_activity(
        library, title_fr="Café-jasette à LaSalle", title_en="Coffee and Chat in LaSalle"
    )
    schedule(coffee, 2)
    survey = open_survey(library)
    services = list(
        survey.questionnaire.questions.get(name="service_used")
        .choices.order_by("position")
        .values_list("value", flat=True)
    )

    me = journey("newcomer", PHONE)
    me.open("/")
    expect(me.page.locator("html")).to_have_attribute("lang", re.compile("^fr"))
    me.step("welcome-fr")
    switch_language(me.page, "العربية")
    expect(me.page.locator("html")).to_have_attribute("dir", "rtl")
    me.step("welcome-ar")

    me.page.locator("nav.main-nav a[href='/services/']").click()
    me.page.wait_for_url("**/services/")
    me.page.fill("#id_q", "سكن")  # "housing"
    with me.page.expect_navigation():
        me.page.locator(".search-row button[type=submit]").click()
    me.step("search")
    with me.page.expect_navigation():
        me.page.locator("ol.results").get_by_role("link", name="المساعدة في البحث عن سكن").click()
    expect(me.page.locator("main h1")).to_have_text("المساعدة في البحث عن سكن")
    assert no_horizontal_scroll(me.page)
    me.step("service")

    me.page.locator("nav.main-nav a[href='/activities/']").click()
    me.page.wait_for_url("**/activities/")
    expect(me.page.locator("main .cards")).to_contain_text("Café-jasette à LaSalle")
    assert no_horizontal_scroll(me.page)
    me.step("calendar")

    answer(me.page, me.live_server, survey, "ar", ARABIC, services)  # the link of the poster
    expect(me.page.locator("html")).to_have_attribute("dir", "rtl")
    me.step("survey-thanks")
    assert survey.responses.get().language == "ar"
    me.close()
