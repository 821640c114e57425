"""The applicant's pages: the application in steps, budget totals computed by the server, partners
and co-applicants, documents, submission; and the isolation of another organization's
application."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.grants.models import Application, CoApplicant
from tests import factories
from tests.grants.conftest import make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client_of, applicant):
    client = client_of(applicant)
    client.cookies["ancrage_language"] = "en"
    return client


def text(response):
    return response.content.decode()


def test_an_application_goes_from_draft_to_submitted_through_the_pages(
    browser, call, applicant_org
):
    page = text(browser.get(reverse("grants:my_applications")))
    assert "Calls for projects open to your organization" in page
    assert "An Inclusive Montréal (test)" in page
    create = reverse("grants:application_create", args=[call.pk])
    objective = call.objectives.first()
    response = browser.post(
        create,
        {
            "organization": applicant_org.pk,
            "title": "Jardins partagés",
            "summary": "Des jardins où familles immigrantes et voisins cultivent ensemble.",
            "objectives": [objective.pk],
            "target_groups": ["families"],
            "boroughs": [factories.borough("lasalle").pk],
        },
    )
    application = Application.objects.get(title="Jardins partagés")
    assert response.status_code == 302
    assert response["Location"] == reverse("grants:application_budget", args=[application.pk])

    budget = reverse("grants:application_budget", args=[application.pk])
    posted = {
        "version": 1,
        "rows": 3,
        "requested_2025": "30 000",
        "year_1": 2025,
        "label_1": "Animation",
        "amount_1": "20 000",
        "year_2": 2025,
        "label_2": "Semences et outils",
        "amount_2": "9 999,99",
    }
    # Totals computed by the server, nothing saved.
    response = browser.post(budget, {**posted, "action": "totals"})
    content = text(response)
    assert "No: difference -0.01 $" in content
    assert not application.budget.exists()
    posted["amount_2"] = "10 000"
    response = browser.post(budget, {**posted, "action": "totals"})
    assert "Yes" in text(response)
    assert browser.post(budget, posted).status_code == 302
    assert application.budget.count() == 2

    logic = reverse("grants:application_logic_model", args=[application.pk])
    response = browser.post(
        logic,
        {
            "version": 2,
            "rows": 3,
            "activity_1": "Jardinage collectif",
            "output_1": "3 jardins",
            "outcome_1": "Des liens entre voisins",
            "indicator_1": "Familles participantes",
            "target_1": 45,
        },
    )
    assert response.status_code == 302
    detail = reverse("grants:application_detail", args=[application.pk])
    page = text(browser.get(detail))
    assert "Everything the call asks for is there." in page
    assert "What already exists close to this project" in page
    response = browser.post(
        reverse("grants:application_submit", args=[application.pk]), {"version": 3}, follow=True
    )
    assert "Application submitted." in text(response)
    application.refresh_from_db()
    assert application.state == "submitted"
    # Submitted: the steps are read-only.
    response = browser.get(budget)
    assert response.status_code == 302


def test_a_submission_that_is_not_ready_says_why_and_changes_nothing(browser, call, applicant_org):
    application = make_application(call, applicant_org, state="draft", logic_model=False)
    response = browser.post(
        reverse("grants:application_submit", args=[application.pk]), {"version": 1}, follow=True
    )
    assert "Fill in the logic model" in text(response)
    application.refresh_from_db()
    assert application.state == "draft"


def test_a_submission_after_the_deadline_is_refused(browser, funder_org, applicant_org):
    call = make_call(funder_org, closes_at=timezone.now() + timedelta(days=1))
    application = make_application(call, applicant_org, state="draft")
    call.closes_at = timezone.now() - timedelta(seconds=1)
    call.save()
    response = browser.post(
        reverse("grants:application_submit", args=[application.pk]), {"version": 1}, follow=True
    )
    assert "The deadline has passed" in text(response)
    application.refresh_from_db()
    assert application.state == "draft"


def test_bad_budget_input_is_shown_next_to_the_field(browser, draft_application):
    budget = reverse("grants:application_budget", args=[draft_application.pk])
    lines_before = list(draft_application.budget.values_list("label", "amount"))
    for amount, message in (
        ("-5", "cannot be negative"),
        ("12.345", "2 decimals"),
        ("abc", "Enter an amount"),
    ):
        response = browser.post(
            budget,
            {
                "version": 1,
                "rows": 1,
                "requested_2025": "5",
                "year_1": 2025,
                "label_1": "X",
                "amount_1": amount,
            },
        )
        assert response.status_code == 200
        assert message in text(response)
    assert list(draft_application.budget.values_list("label", "amount")) == lines_before


def test_a_stale_form_is_refused(browser, draft_application):
    url = reverse("grants:application_edit", args=[draft_application.pk])
    values = {"title": "A", "summary": "B", "target_groups": ["women"]}
    assert browser.post(url, {**values, "version": 1}).status_code == 302
    response = browser.post(url, {**values, "title": "Perdu", "version": 1})
    assert "changed since you opened it" in text(response)
    draft_application.refresh_from_db()
    assert draft_application.title == "A"


@pytest.mark.parametrize(
    "title, message",
    [("T" * 10_000, "at most 200 characters"), ("<script>alert(1)</script>", "HTML tags")],
)
def test_huge_or_scripted_titles_are_refused(browser, draft_application, title, message):
    url = reverse("grants:application_edit", args=[draft_application.pk])
    response = browser.post(url, {"title": title, "summary": "B", "version": 1})
    assert response.status_code == 200
    assert message in text(response)
    draft_application.refresh_from_db()
    assert draft_application.version == 1


def test_another_organizations_application_is_404(client_of, draft_application, other_applicant):
    browser = client_of(other_applicant)
    pk = draft_application.pk
    for name in (
        "grants:application_detail",
        "grants:application_edit",
        "grants:application_budget",
        "grants:application_logic_model",
        "grants:application_partners",
        "grants:application_documents",
    ):
        url = reverse(name, args=[pk])
        assert browser.get(url).status_code == 404, name
        assert browser.post(url, {"version": 1, "title": "Volé"}).status_code == 404, name
    for name in (
        "grants:application_submit",
        "grants:application_withdraw",
        "grants:co_applicant_add",
    ):
        assert browser.post(reverse(name, args=[pk]), {"version": 1}).status_code == 404, name
    draft_application.refresh_from_db()
    assert draft_application.state == "draft" and draft_application.version == 1
    for forged in ("0", "99999999", str(2**63)):
        assert browser.get(f"/grants/applications/{forged}/").status_code == 404


def test_a_member_without_the_capability_is_refused(client_of, draft_application, applicant_org):
    worker = factories.member(applicant_org, Role.INTAKE_WORKER)
    url = reverse("grants:application_detail", args=[draft_application.pk])
    assert client_of(worker).get(url).status_code == 403
    assert client_of(worker).get(reverse("grants:my_applications")).status_code == 403


def test_an_ineligible_organization_is_told_why(client_of, funder_org):
    call = make_call(funder_org, eligible_boroughs=["montreal-nord"])
    organization = factories.OrganizationFactory(name="Loin d'ici")
    director = factories.member(organization, Role.DIRECTOR)
    browser = client_of(director)
    browser.cookies["ancrage_language"] = "en"
    page = text(browser.get(reverse("grants:application_create", args=[call.pk])))
    assert "None of your organizations may apply to this call." in page
    response = browser.post(
        reverse("grants:application_create", args=[call.pk]),
        {"organization": organization.pk, "title": "X", "summary": "Y"},
    )
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_co_applicant_confirms_from_its_own_page(
    browser, client_of, draft_application, other_applicant_org, other_applicant
):
    response = browser.post(
        reverse("grants:co_applicant_add", args=[draft_application.pk]),
        {"organization": other_applicant_org.pk, "version": 1},
        follow=True,
    )
    assert "named co-applicant" in text(response)
    row = CoApplicant.objects.get()
    # The applicant may not confirm for the other organization: not its page.
    assert browser.post(reverse("grants:co_applicant_confirm", args=[row.pk])).status_code == 404
    # Nor a third organization.
    third = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    assert (
        client_of(third).post(reverse("grants:co_applicant_confirm", args=[row.pk])).status_code
        == 404
    )
    row.refresh_from_db()
    assert row.confirmed_at is None
    partner = client_of(other_applicant)
    partner.cookies["ancrage_language"] = "en"
    page = text(partner.get(reverse("grants:my_applications")))
    assert "waiting for your confirmation" in page
    assert partner.get(reverse("grants:co_application", args=[row.pk])).status_code == 200
    partner.post(reverse("grants:co_applicant_confirm", args=[row.pk]))
    row.refresh_from_db()
    assert row.confirmed_at is not None
    # The co-applicant reads, never edits.
    assert (
        partner.get(reverse("grants:application_budget", args=[draft_application.pk])).status_code
        == 404
    )


def test_documents_are_attached_and_downloaded_as_sent(
    browser, funder_org, applicant_org, client_of, call_manager
):
    call = make_call(
        funder_org, documents_required=[{"fr": "Lettres d'appui", "en": "Letters of support"}]
    )
    application = make_application(call, applicant_org, state="draft")
    url = reverse("grants:application_documents", args=[application.pk])
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    response = browser.post(url, {"version": 1, "requirement": 0, "file": bad})
    assert "Send a PDF" in text(response)
    pdf = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 appui", content_type="application/pdf")
    assert browser.post(url, {"version": 1, "requirement": 0, "file": pdf}).status_code == 302
    document = application.documents.get()
    download = browser.get(
        reverse("grants:application_document", args=[application.pk, document.pk])
    )
    assert download.content == b"%PDF-1.4 appui"
    assert "attachment" in download["Content-Disposition"]
    # The funder reads it once the application is sent, not before.
    funder = client_of(call_manager)
    doc_url = reverse("grants:application_document", args=[application.pk, document.pk])
    assert funder.get(doc_url).status_code == 404
    browser.post(reverse("grants:application_submit", args=[application.pk]), {"version": 2})
    application.refresh_from_db()
    assert application.state == "submitted"
    assert funder.get(doc_url).content == b"%PDF-1.4 appui"


def test_withdrawing(browser, submitted_application):
    response = browser.post(
        reverse("grants:application_withdraw", args=[submitted_application.pk]),
        {"version": submitted_application.version},
        follow=True,
    )
    assert "Application withdrawn." in text(response)
    submitted_application.refresh_from_db()
    assert submitted_application.state == "withdrawn"


def test_more_budget_lines_keep_what_was_typed(browser, draft_application):
    url = reverse("grants:application_budget", args=[draft_application.pk])
    response = browser.post(url, {"version": 1, "rows": 6, "action": "more", "label_1": "Gardé"})
    content = text(response)
    assert 'value="Gardé"' in content and 'name="label_11"' in content
    assert draft_application.budget.count() == 6
