"""An intake worker records a service for a known client with the keyboard only, in a real
Chromium: from the lookup to the saved service in at most 5 interactions."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ancrage.clients.models import ServiceRecord
from ancrage.core.choices import OrganizationKind, Role
from tests import factories
from tests.clients.conftest import register
from tests.e2e.conftest import axe_check, sign_in
from tests.e2e.test_attendance import Keyboard
from tests.funding.conftest import make_program

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_INTERACTIONS = 5
PASI = [
    {"status_in": ["permanent-resident", "refugee"]},
    {"years_since_max": 5, "since": "arrived_quebec"},
    {"lives_in_quebec": True},
]


@pytest.fixture
def worker(org_a):
    return factories.member(org_a, Role.INTAKE_WORKER, first_name="Inès", last_name="Roy")


@pytest.fixture
def known_client(org_a, worker):
    """A permanent resident who arrived recently (covered by the PASI-like program)."""
    today = timezone.localdate()
    arrived = today.replace(year=today.year - 1, day=1)
    return register(
        org_a,
        worker,
        profile_values={
            "status_since": arrived,
            "arrived_canada_on": arrived,
            "arrived_quebec_on": arrived,
        },
    )


@pytest.fixture
def pasi(db):
    funder = factories.OrganizationFactory(name="MIFI (e2e)", kind=OrganizationKind.FUNDER)
    return make_program(funder, "pasi-e2e", (date(2020, 7, 1), PASI))


def test_a_service_for_a_known_client_in_at_most_5_keyboard_interactions(
    page, visit, live_server, screenshot, worker, known_client, pasi
):
    sign_in(page, live_server, worker.username, factories.PASSWORD)
    visit(page, "/clients/", "lookup")
    expect(page.locator("#id_q")).to_be_focused()

    keys = Keyboard(page)
    keys.type(known_client.code)
    with page.expect_navigation():
        keys.press("Enter")  # a code typed in full opens the file
    screenshot(page, "client-file")
    record_link = page.locator(f"a[href$='/clients/{known_client.pk}/services/new/']")
    expect(record_link).to_be_focused()
    with page.expect_navigation():
        keys.press("Enter")
    expect(page.locator("#id_service_type")).to_be_focused()
    # Prefilled: today, 60 minutes, the program that covers the person, with the explanation.
    expect(page.locator("#id_minutes")).to_have_value("60")
    expect(page.locator("#id_on")).to_have_value(timezone.localdate().isoformat())
    expect(page.locator("#id_program")).to_have_value(str(pasi.pk))
    expect(page.locator(".eligibility-list .eligible")).to_be_visible()
    keys.type("Médiation")  # the type-ahead of the select
    screenshot(page, "fast-entry-filled")
    with page.expect_navigation():
        keys.press("Enter")
    screenshot(page, "saved")

    assert keys.count <= MAX_INTERACTIONS, f"{keys.count} interactions"
    print(f"\nservice for a known client: {keys.count} interactions")
    record = ServiceRecord.objects.get()
    assert record.client == known_client and record.worker == worker
    assert record.service_type.code == "intercultural-mediation"
    assert (record.served_on, record.minutes, record.program) == (
        timezone.localdate(),
        60,
        pasi,
    )
    assert record.eligibility["status"] == "eligible"
    assert page.url.endswith(f"/clients/{known_client.pk}/")
    expect(page.locator("#services-title")).to_be_visible()
    assert not page.e2e_errors, f"JavaScript errors: {page.e2e_errors}"


def test_fast_entry_and_referral_pages_are_accessible(
    page, visit, live_server, worker, known_client, pasi
):
    sign_in(page, live_server, worker.username, factories.PASSWORD)
    visit(page, f"/clients/{known_client.pk}/services/new/", "fast-entry")
    axe_check(page)
    visit(page, f"/clients/{known_client.pk}/referrals/new/", "referral-form")
    axe_check(page)
    visit(page, "/clients/referrals/", "referral-list")
    axe_check(page)
