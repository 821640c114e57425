"""Accessibility (issue 10): axe-core on every public page and every main staff page, in a real
Chromium, with no "serious" or "critical" violation.

The pages are read from the URL configuration, so a new page is checked as soon as it exists:
- public pages: every view marked `core.views.public_page`, plus the sign-in and password pages;
  `test_every_public_page_is_checked` fails until a new one is listed in `PUBLIC_PAGES`;
- staff pages with an id: every URL of the isolation matrix (tests/network/test_isolation_matrix.py),
  whose world of demo-like objects of organization B (a service, a client, an agreement and its
  report, surveys, a round table, calls for projects, an overlap suggestion) is reused here, each
  URL visited by the person the matrix says reaches it;
- staff pages without an id: every one, by the person who uses it (`STAFF_LISTS`);
  `test_every_staff_list_is_checked` fails until a new one is listed.
Files (PDF, CSV, XLSX, QR codes…) and POST-only URLs are not pages and are left out; so are the
pages the other browser tests already check with axe (`AUDITED_ELSEWHERE`) and edit forms that
repeat a creation form (`SAME_AS_CREATION`), to keep the run short.

Each test collects every violation of every page and fails once, listing them all. Each person has
one browser context for all their pages (one sign-in); axe-core runs in one tab while the next page
loads in another.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from ancrage.core.choices import OrganizationKind, Role
from tests import factories
from tests.e2e.conftest import axe_collect, axe_start, format_violations, sign_in
from tests.network import test_isolation_matrix as matrix

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

victim = matrix.victim  # the matrix's world, as a fixture of this module

# URL names that answer a file, not a page (axe has nothing to read there); a file missing here
# is noticed by the browser (a download) and skipped as well.
FILES = {
    "surveys:survey_qr",
    "surveys:xlsform_export",
    "surveys:results_export",
    "reporting:report_download",
    "grants:decision_letter",
    "grants:application_document",
    "clients:privacy_export_json",
    "clients:privacy_export_pdf",
    "clients:client_export",
    "activities:program_csv",
    "activities:program_xlsx",
    "activities:organization_feed",
    "activities:site_feed",
    "insights:coverage_csv",
}
# POST-only URLs answer a GET with 405: no page.
POST_ONLY = matrix.POST_ONLY | {
    "funding:amount_remove",
    "funding:target_remove",
    "funding:advisor_unfollow",
    "funding:advisor_follow",
    "surveys:question_move",
    "surveys:question_remove",
    "surveys:choice_move",
    "surveys:choice_remove",
    "surveys:action_delete",
    "surveys:table_member_remove",
    "reporting:report_open",
    "logout",
    "set_language",
}

# Public pages: url name -> kwargs built from the world (`w`: the victim and its objects).
PUBLIC_PAGES: dict[str, Callable] = {
    "home": lambda w: {},
    "login": lambda w: {},
    "password_reset": lambda w: {},
    "password_reset_done": lambda w: {},
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "not-a-token"},
    "password_reset_complete": lambda w: {},
    "activities:calendar": lambda w: {},
    "directory:search": lambda w: {},
    "directory:service": lambda w: {"pk": w.service_pk},
    "grants:public_calls": lambda w: {},
    "grants:public_call": lambda w: {"code": matrix._grants_of(w).open_call.code},
    "surveys:answer": lambda w: {"token": matrix._surveys_of(w).survey.token},
    "surveys:answer_questions": lambda w: {
        "token": matrix._surveys_of(w).survey.token,
        "language": "fr",
    },
    "surveys:answer_thanks": lambda w: {
        "token": matrix._surveys_of(w).survey.token,
        "language": "fr",
    },
    "surveys:kiosk": lambda w: {"token": matrix._surveys_of(w).survey.token},
    "surveys:kiosk_questions": lambda w: {
        "token": matrix._surveys_of(w).survey.token,
        "language": "fr",
    },
    "surveys:kiosk_thanks": lambda w: {
        "token": matrix._surveys_of(w).survey.token,
        "language": "fr",
    },
    "surveys:public_actions": lambda w: {"organization_pk": w.organization.pk},
    "surveys:tracker": lambda w: {"table_pk": matrix._table_of(w).table.pk},
}
# The kiosk (a tablet shared by the people of a waiting room) goes back to its first page by
# itself: after 15 minutes without an answer, and a few seconds after the thank-you page, so that
# the next person never finds someone else's answers. That timing is essential to a shared device
# (WCAG 2.2.1, "essential exception"); axe's meta-refresh rule is not applied to those two pages.
KIOSK_PAGES = {"surveys:kiosk_questions", "surveys:kiosk_thanks"}
KIOSK_EXCEPTION = ("meta-refresh",)
# Also read in Arabic and Persian (right to left): the pages a newcomer reads first.
RIGHT_TO_LEFT_PAGES = {
    "ar": ("home", "directory:search", "directory:service", "activities:calendar"),
    "fa": ("directory:service",),
}
RIGHT_TO_LEFT_SURVEY = "surveys:answer_questions"

# Staff pages without an id -> who uses them.
DIRECTOR, CITY, ADMIN, ADVISOR, TABLE, FUNDER, REVIEWER, CO_APPLICANT = (
    "director",
    "city",
    "city-administrator",
    "advisor",
    "table",
    "funder",
    "reviewer",
    "co-applicant",
)
STAFF_LISTS = {
    "password_change": DIRECTOR,
    "password_change_done": DIRECTOR,
    "network:organization_list": DIRECTOR,
    "network:organization_create": CITY,
    "activities:manage_list": DIRECTOR,
    "activities:program": DIRECTOR,
    "directory:manage_list": DIRECTOR,
    "directory:manage_review_queue": CITY,
    "clients:client_list": DIRECTOR,
    "clients:referral_list": DIRECTOR,
    "clients:group_sessions": DIRECTOR,
    "funding:program_list": ADMIN,
    "funding:program_create": ADMIN,
    "funding:rule_create": ADMIN,
    "funding:portfolio": DIRECTOR,
    "funding:advisor_home": ADVISOR,
    "reporting:report_list": DIRECTOR,
    "reporting:received": ADVISOR,
    "surveys:home": DIRECTOR,
    "surveys:table_list": TABLE,
    "surveys:recommendation_received": DIRECTOR,
    "grants:call_list": FUNDER,
    "grants:call_create": FUNDER,
    "grants:my_applications": DIRECTOR,
    "grants:my_projects": DIRECTOR,
    "grants:review_list": REVIEWER,
    "insights:queue": CITY,
    "insights:coverage": CITY,
}
# Staff pages with an id, grouped by who reaches them (the isolation matrix's groups).
# Edit forms drawn by the same template and form as the creation form checked above them (the
# same fields, filled in): left out to keep the run short.
SAME_AS_CREATION = {
    "network:site_edit",
    "network:partnership_edit",
    "activities:manage_activity_edit",
    "directory:manage_program_edit",
    "funding:agreement_edit",
    "surveys:question_edit",
    "surveys:choice_edit",
    "surveys:survey_edit",
    "surveys:table_meeting_edit",
    "surveys:recommendation_edit",
    "grants:call_edit",
}
# Pages already checked by axe in the other browser tests, with data of their own: not again here.
AUDITED_ELSEWHERE = {
    "home": "test_shell.py",
    "login": "test_shell.py",
    "network:organization_list": "test_shell.py",
    "network:organization_detail": "test_shell.py",
    "network:site_create": "test_shell.py",
    "activities:calendar": "test_calendar.py",
    "activities:manage_list": "test_attendance.py",
    "activities:manage_activity": "test_attendance.py",
    "activities:manage_activity_create": "test_attendance.py",
    "activities:manage_attendance": "test_attendance.py",
    "activities:manage_outreach_create": "test_attendance.py",
    "activities:program": "test_dashboard.py",
    "directory:search": "test_directory.py",
    "directory:service": "test_directory.py",
    "directory:manage_list": "test_directory_staff.py",
    "directory:manage_service_create": "test_directory_staff.py",
    "clients:service_create": "test_client_service_entry.py",
    "clients:referral_create": "test_client_service_entry.py",
    "clients:referral_list": "test_client_service_entry.py",
    "surveys:results": "test_survey_journey.py",
    "surveys:public_actions": "test_survey_journey.py",
    "grants:call_reviewers": "test_grant_journey.py",
    "grants:review_detail": "test_grant_journey.py",
    "grants:allocation_run": "test_grant_journey.py",
}
STAFF_OBJECTS = (
    (DIRECTOR, matrix.OBJECT_URLS),
    (CITY, matrix.COORDINATOR_URLS),
    (ADVISOR, matrix.ADVISOR_URLS),
    (TABLE, matrix.TABLE_URLS),
    (FUNDER, matrix.FUNDER_URLS),
    (REVIEWER, matrix.REVIEWER_URLS),
    (CO_APPLICANT, matrix.CO_APPLICANT_URLS),
)
# The library's ready questionnaires have ids of their own (not B's): reached by B's director.
LIBRARY = "surveys:library_questionnaire"
APPLY = "grants:application_create"


def _patterns(resolver=None, namespace=""):
    """(url name, view, takes parameters) of every named URL outside the admin and the API;
    URLs that end with a file extension (export.csv, qr.<format>…) are files, not pages."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", "hsds"):
                continue
            child = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, child)
        elif isinstance(entry, URLPattern) and entry.name:
            if re.search(r"\.(\w+|<[^>]+>)\Z", str(entry.pattern)):
                continue
            yield f"{namespace}{entry.name}", entry.callback, bool(entry.pattern.converters)


def _is_public(view) -> bool:
    while view is not None:
        if getattr(view, "ancrage_public", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


AUTH_PAGES = {name for name in PUBLIC_PAGES if "password_reset" in name or name == "login"} | {
    "second_factor"  # a session half signed in: tests/e2e/test_second_factor.py runs axe on it
}
NOT_PAGES = FILES | POST_ONLY | {"healthz"}


# These two read the URL configuration only: no browser, and no committed data to flush.
@pytest.mark.django_db
def test_every_public_page_is_checked():
    public = {name for name, view, _params in _patterns() if _is_public(view)}
    assert public - NOT_PAGES - set(PUBLIC_PAGES) == set()


@pytest.mark.django_db
def test_every_staff_list_is_checked():
    lists = {name for name, view, params in _patterns() if not params and not _is_public(view)}
    assert lists - NOT_PAGES - AUTH_PAGES - set(STAFF_LISTS) == set()


# ---------------------------------------------------------------------------------------------


DUPLICATE_IDS = """() => {
    const seen = new Set(), twice = new Set();
    for (const element of document.querySelectorAll('[id]:not(input[type=hidden])')) {
        if (seen.has(element.id)) twice.add(element.id);
        seen.add(element.id);
    }
    return [...twice];
}"""


class Audit:
    """Visits pages in one browser context and keeps every violation found.

    Pages are checked in a few tabs in turn: axe-core runs in one tab while the next page loads
    in another (the browser and the live server work at the same time).
    """

    TABS = 3

    def __init__(self, browser, live_server, screenshot):
        self.live_server = live_server
        self.screenshot = screenshot
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-CA")
        self.context.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.tabs = [self._tab() for _ in range(self.TABS)]
        self.pending: list[tuple[str, str] | None] = [None] * self.TABS
        self.turn = 0
        self.found: list[str] = []
        self.checked: list[str] = []

    def _tab(self):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    @property
    def page(self):
        return self.tabs[0]

    def sign_in(self, user) -> Audit:
        sign_in(self.page, self.live_server, user.username, factories.PASSWORD)
        return self

    def check(self, url: str, label: str, *, status: int = 200, skip: tuple = ()) -> None:
        """Load `url` in the next tab and start axe there (its answer is read later)."""
        index = self.turn
        self.turn = (self.turn + 1) % self.TABS
        self._collect(index)
        page = self.tabs[index]
        try:
            response = page.goto(self.live_server.url + url)
        except PlaywrightError as error:
            if "Download is starting" not in error.message:
                self.found.append(f"{label} ({url}): {error.message.splitlines()[0]}")
            return  # a file, not a page
        if response is None or response.status != status:
            got = response.status if response else None
            self.found.append(f"{label} ({url}): HTTP {got}, expected {status}")
            return
        self.checked.append(url)
        # axe-core no longer reports duplicate ids (WCAG 4.1.1 is obsolete), but a label or an
        # aria-describedby pointing at an id used twice names the wrong field (hidden inputs,
        # never labelled nor focused, are left out).
        duplicates = page.evaluate(DUPLICATE_IDS)
        if duplicates:
            self.found.append(f"{label} ({url}) duplicate ids: {duplicates}")
        axe_start(page)
        self.pending[index] = (url, label, skip)

    def _collect(self, index: int) -> None:
        if self.pending[index] is None:
            return
        url, label, skip = self.pending[index]
        self.pending[index] = None
        page = self.tabs[index]
        violations = [v for v in axe_collect(page) if v["id"] not in skip]
        if violations:
            self.screenshot(page, f"axe-{label}")
            self.found.append(format_violations(violations, where=f"{label} ({url}) "))

    def close(self) -> None:
        for index in range(self.TABS):
            self._collect(index)
        if self.errors:
            self.found.append(f"JavaScript errors: {self.errors}")
        self.context.close()


@pytest.fixture
def audits(browser, live_server, screenshot):
    opened: list[Audit] = []

    def open_audit() -> Audit:
        audit = Audit(browser, live_server, screenshot)
        opened.append(audit)
        return audit

    yield open_audit
    for audit in opened:
        audit.context.close()  # closing twice is harmless


def _report(audits_done: list[Audit]) -> str:
    return "\n".join(line for audit in audits_done for line in audit.found)


def test_public_pages_in_french_arabic_and_persian(audits, victim):
    urls = {name: reverse(name, kwargs=kwargs(victim)) for name, kwargs in PUBLIC_PAGES.items()}
    visitor = audits()
    for name, url in urls.items():
        if name not in AUDITED_ELSEWHERE:
            visitor.check(url, name, skip=KIOSK_EXCEPTION if name in KIOSK_PAGES else ())
    visitor.check(f"/services/{matrix.uuid.uuid4()}/", "404", status=404)
    visitor.close()

    done = [visitor]
    for language in ("ar", "fa"):
        reader = audits()
        done.append(reader)
        reader.page.goto(reader.live_server.url + "/")
        switch = reader.page.locator("form.language-switch")
        switch.locator("details.more-languages summary").click()
        with reader.page.expect_navigation():
            switch.locator(f"button[name=language][value={language}]").click()
        expect(reader.page.locator("html")).to_have_attribute("dir", "rtl")
        for name in RIGHT_TO_LEFT_PAGES[language]:
            reader.check(reverse(name, kwargs=PUBLIC_PAGES[name](victim)), f"{name} [{language}]")
        token = matrix._surveys_of(victim).survey.token
        reader.check(
            reverse(RIGHT_TO_LEFT_SURVEY, kwargs={"token": token, "language": language}),
            f"{RIGHT_TO_LEFT_SURVEY} [{language}]",
        )
        reader.close()

    print(f"\naxe-core: {sum(len(a.checked) for a in done)} public pages (incl. RTL)")
    assert not _report(done), "axe-core, public pages:\n" + _report(done)


def _people(victim) -> dict[str, object]:
    grants = matrix._grants_of(victim)
    city = factories.OrganizationFactory(
        name="Ville de Montréal", kind=OrganizationKind.CITY_SERVICE
    )
    return {
        DIRECTOR: factories.member(victim.organization, Role.DIRECTOR),
        CITY: factories.member(city, Role.COORDINATOR),
        ADMIN: factories.member(city, Role.ADMINISTRATOR),
        ADVISOR: victim.advisor,
        TABLE: matrix._table_of(victim).director,
        FUNDER: grants.manager,
        REVIEWER: grants.reviewer,
        CO_APPLICANT: grants.co_director,
    }


def test_staff_pages_of_every_app(audits, victim):
    from ancrage.surveys.models import Questionnaire

    matrix._overlap_of(victim)
    people = _people(victim)
    pages: dict[str, list[tuple[str, str]]] = {who: [] for who in people}
    for name, who in STAFF_LISTS.items():
        if name not in AUDITED_ELSEWHERE:
            pages[who].append((reverse(name), name))
    for who, urls in STAFF_OBJECTS:
        for name, kwargs in urls.items():
            if name not in NOT_PAGES | SAME_AS_CREATION | AUDITED_ELSEWHERE.keys():
                pages[who].append((reverse(name, kwargs=kwargs(victim)), name))
    library = Questionnaire.objects.filter(organization=None).first()
    pages[DIRECTOR].append((reverse(LIBRARY, args=[library.pk]), LIBRARY))
    open_call = matrix._grants_of(victim).open_call
    pages[DIRECTOR].append((reverse(APPLY, args=[open_call.pk]), APPLY))

    done = []
    for who, person in people.items():
        audit = audits().sign_in(person)
        for url, name in pages[who]:
            audit.check(url, f"{name} [{who}]")
        audit.close()
        done.append(audit)
    print(f"\naxe-core: {sum(len(a.checked) for a in done)} staff pages")
    assert not _report(done), "axe-core, staff pages:\n" + _report(done)
