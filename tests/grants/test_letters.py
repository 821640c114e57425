"""Decision letters as PDF, in French and English: what they say (text read back with pypdf), who
may download them, the same bytes for the same decision."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ancrage.core.choices import Role
from ancrage.grants import decisions, letters
from ancrage.grants.models import CallState
from tests import factories
from tests.grants.conftest import make_application, make_call
from tests.grants.review_helpers import completed_review

pytestmark = pytest.mark.django_db

YEAR = (("Projet", Decimal("60000.00")),)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def decided(funder_org, call_manager):
    """A decided call: Alpha funded in full, Bravo in part (50 %), Charlie declined."""
    now = timezone.now()
    call = make_call(
        funder_org,
        code="montreal-inclusive",
        state=CallState.CLOSED,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        envelopes={2025: Decimal("90000.00"), 2026: Decimal("90000.00")},
    )
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    apps = {}
    for name, score, minimum in (
        ("Alpha", 5, None),
        ("Bravo", 4, Decimal("50")),
        ("Charlie", 1, Decimal("90")),
    ):
        apps[name] = make_application(
            call,
            factories.OrganizationFactory(name=f"Organisme {name}"),
            title=f"Projet {name}",
            budget={2025: YEAR, 2026: YEAR},
            minimum_viable=minimum,
        )
        completed_review(apps[name], reviewer, [score] * 4)
    run = decisions.allocation_run(actor=call_manager, call=call, partial=True, floor_percent="10")
    decisions.run_adopt(actor=call_manager, run=run)
    for application in apps.values():
        application.refresh_from_db()
    return apps


def test_a_funded_project_is_told_its_amounts_in_french_and_english(decided):
    alpha = decided["Alpha"]
    french = text_of(letters.letter_pdf(alpha, language="fr-ca"))
    english = text_of(letters.letter_pdf(alpha, language="en"))
    for text in (french, english):
        assert "Organisme Alpha" in text and "Projet Alpha" in text
        assert "Service de la diversité (test)" in text
        assert "montreal-inclusive-" in text  # the reference
    assert "120,000.00" in english and "$60,000.00" in english and "2025" in english
    assert "has decided to fund your project" in english
    assert "120 000,00 $" in french.replace("\u00a0", " ")


def test_a_project_funded_in_part_is_told_the_share(decided):
    text = text_of(letters.letter_pdf(decided["Bravo"], language="en"))
    assert "$60,000.00" in text  # 2 × 30,000 $
    assert "This is 50 % of the amount you requested ($120,000.00)" in text


def test_a_declined_project_is_told_so_with_its_score(decided):
    text = text_of(letters.letter_pdf(decided["Charlie"], language="en"))
    assert "could not fund your project" in text
    assert "The average score your project received is 20.0 out of 100." in text
    assert "Amounts granted per year" not in text


def test_the_same_decision_gives_the_same_bytes(decided):
    first = letters.letter_pdf(decided["Alpha"], language="en")
    assert letters.letter_pdf(decided["Alpha"], language="en") == first
    decided["Alpha"].save()  # a later change to the project does not redate its letter
    assert letters.letter_pdf(decided["Alpha"], language="en") == first
    assert letters.filename(decided["Alpha"], "fr-ca").startswith(
        "lettre-decision-montreal-inclusive-"
    )
    assert letters.filename(decided["Alpha"], "en").endswith("-en.pdf")


def test_no_letter_before_the_decision_nor_in_another_language(call, submitted_application):
    with pytest.raises(letters.NotDecided):
        letters.letter_pdf(submitted_application, language="en")
    with pytest.raises(ValueError):
        letters.letter_html(submitted_application, language="de")


def test_names_are_text_never_markup(decided):
    alpha = decided["Alpha"]
    alpha.title = "<b>Projet</b> & <script>alert(1)</script>"
    alpha.save(update_fields=["title"])
    html = letters.letter_html(alpha, language="en")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_funder_and_the_applicant_download_the_letter(client_of, decided, call_manager):
    alpha = decided["Alpha"]
    url = reverse("grants:decision_letter", args=[alpha.pk, "fr-ca"])
    response = client_of(call_manager).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="lettre-decision-')
    director = factories.member(alpha.organization, Role.DIRECTOR)
    assert client_of(director).get(url).status_code == 200
    # Another applicant, an intake worker of the applicant, a forged id, a bad language: 404.
    other = factories.member(decided["Bravo"].organization, Role.DIRECTOR)
    intake = factories.member(alpha.organization, Role.INTAKE_WORKER)
    assert client_of(other).get(url).status_code == 404
    assert client_of(intake).get(url).status_code == 404
    assert (
        client_of(call_manager)
        .get(reverse("grants:decision_letter", args=[2**63, "en"]))
        .status_code
        == 404
    )
    assert (
        client_of(call_manager)
        .get(reverse("grants:decision_letter", args=[alpha.pk, "de"]))
        .status_code
        == 404
    )
    assert client_of(call_manager).post(url).status_code == 405


def test_a_letter_of_an_undecided_application_is_a_404(
    client_of, call_manager, call, submitted_application
):
    url = reverse("grants:decision_letter", args=[submitted_application.pk, "en"])
    assert client_of(call_manager).get(url).status_code == 404
