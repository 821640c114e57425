"""Accountability report pages: the organization's list and report, downloads, the advisor's
reports received; who sees what, and bad input answered with a clear error."""

from datetime import date

import pytest
from django.urls import reverse

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.reporting import services
from ancrage.reporting.models import AccountabilityReport, ReportEvent, ReportFile, ReportState
from tests import factories
from tests.reporting.conftest import Q1, Q2, make_agreement, make_client, report_in, serve

pytestmark = pytest.mark.django_db

COMMENT = "Merci d'expliquer l'écart avec la cible annuelle."


@pytest.fixture
def served(org_a, program):
    """Q2: 6 eligible people, 2 served without funding."""
    people = [make_client(org_a) for _ in range(8)]
    for client in people[:6]:
        serve(client, date(2025, 7, 10), program=program)
    for client in people[6:]:
        serve(client, date(2025, 8, 10), service="documents-permits")
    return people


@pytest.fixture
def english(client_of):
    def make(user):
        browser = client_of(user)
        browser.cookies["ancrage_language"] = "en"
        return browser

    return make


def _detail(report):
    return reverse("reporting:report_detail", args=[report.pk])


def _submitted(agreement, preparer):
    report = report_in(agreement, Q2)
    services.report_submit(actor=preparer, report=report, version=report.version)
    report.refresh_from_db()
    return report


# --- The organization's side ---------------------------------------------------------------------


def test_the_list_shows_each_period_and_opens_a_report(agreement, preparer, client_of, served):
    browser = client_of(preparer)
    page = browser.get(reverse("reporting:report_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "T2 2025-2026 (juillet à septembre 2025)" in text  # French first
    assert "<caption" in text and 'scope="col"' in text
    response = browser.post(
        reverse("reporting:report_open"), {"agreement": agreement.pk, "period": "2025-07-01"}
    )
    report = AccountabilityReport.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(report)
    assert (report.period_start, report.state) == (Q2[0], ReportState.DRAFT)


@pytest.mark.parametrize(
    "data",
    [
        {"period": "2025-08-01"},  # not the start of a period
        {"period": "2024-01-01"},  # before the agreement
        {"period": "1er juillet"},  # not a date
        {"agreement": "999999999999", "period": "2025-07-01"},  # forged
        {"agreement": "abc", "period": "2025-07-01"},
        {"agreement": str(2**70), "period": "2025-07-01"},
    ],
)
def test_opening_a_bad_period_is_a_clear_error(data, agreement, preparer, client_of):
    browser = client_of(preparer)
    response = browser.post(reverse("reporting:report_open"), {"agreement": agreement.pk, **data})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not AccountabilityReport.objects.exists()


def test_another_organizations_agreement_cannot_be_reported_on(
    agreement, client_of, org_b, program
):
    theirs = make_agreement(org_b, program)
    browser = client_of(factories.member(agreement.organization, Role.DIRECTOR))
    response = browser.post(
        reverse("reporting:report_open"), {"agreement": theirs.pk, "period": "2025-07-01"}
    )
    assert response.status_code == 400
    assert not AccountabilityReport.objects.exists()


def test_a_draft_shows_live_figures_with_x_for_hidden_counts(
    agreement, preparer, english, served, program
):
    report = report_in(agreement, Q2)
    page = english(preparer).get(_detail(report))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Draft: the figures below are computed now" in text
    assert "Eligible clients served" in text
    assert "Unfunded work" in text
    assert '<td class="num">x</td>' in text  # the 2 unfunded people: below 5
    assert '<td class="num">6</td>' in text  # the 6 eligible people
    assert "Submit to the funder" in text
    # Live: a new eligible person shows at once.
    serve(make_client(agreement.organization), date(2025, 7, 20), program=program)
    assert '<td class="num">7</td>' in english(preparer).get(_detail(report)).content.decode()


def test_submitting_from_the_page_freezes_and_offers_the_files(
    agreement, preparer, english, served, program
):
    report = report_in(agreement, Q2)
    browser = english(preparer)
    response = browser.post(_detail(report), {"step": "submit", "version": 1, "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    page = browser.get(_detail(report)).content.decode()
    assert "they no longer change" in page
    for file_format in ("pdf", "xlsx", "csv"):
        for language in ("fr-ca", "en"):
            assert (
                reverse("reporting:report_download", args=[report.pk, file_format, language])
                in page
            )
    # The page shows what was sent, not what the records say now.
    serve(make_client(agreement.organization), date(2025, 7, 20), program=program)
    assert '<td class="num">6</td>' in browser.get(_detail(report)).content.decode()
    # Submitting again (the same form, posted twice): a clear error, nothing changed.
    again = browser.post(_detail(report), {"step": "submit", "version": 1})
    assert again.status_code == 403  # no step left for the organization on a sent report
    assert AccountabilityReport.objects.get(pk=report.pk).version == 2


def test_downloads_serve_the_stored_bytes(agreement, preparer, client_of, served, advisor):
    report = _submitted(agreement, preparer)
    for user in (preparer, advisor):
        for stored in report.files.all():
            url = reverse(
                "reporting:report_download", args=[report.pk, stored.format, stored.language]
            )
            response = client_of(user).get(url)
            assert response.status_code == 200
            assert response.content == bytes(stored.content)
            assert "attachment;" in response["Content-Disposition"]
    pdf = client_of(preparer).get(
        reverse("reporting:report_download", args=[report.pk, "pdf", "fr-ca"])
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="export", target_id=str(report.pk)).count() == 13


@pytest.mark.parametrize(
    "file_format, language", [("docx", "fr-ca"), ("pdf", "de"), ("pdf", "fr"), ("PDF", "en")]
)
def test_an_unknown_format_or_language_is_not_found(
    file_format, language, agreement, preparer, client_of, served
):
    report = _submitted(agreement, preparer)
    url = reverse("reporting:report_download", args=[report.pk, file_format, language])
    assert client_of(preparer).get(url).status_code == 404


def test_a_draft_downloads_as_computed_now_and_nothing_is_stored(
    agreement, preparer, client_of, served
):
    report = report_in(agreement, Q2)
    url = reverse("reporting:report_download", args=[report.pk, "csv", "fr-ca"])
    response = client_of(preparer).get(url)
    assert response.status_code == 200
    assert "X-Content-SHA256" not in response
    assert agreement.organization.name in response.content.decode("utf-8-sig")
    assert not ReportFile.objects.filter(report=report).exists()
    assert AuditEvent.objects.filter(action="export", details__draft=True).count() == 1


def test_a_liaison_officer_reads_but_does_not_submit(agreement, client_of, served):
    report = report_in(agreement, Q2)
    liaison = factories.member(agreement.organization, Role.LIAISON_OFFICER)
    browser = client_of(liaison)
    page = browser.get(_detail(report))
    assert page.status_code == 200
    assert 'name="step"' not in page.content.decode()
    assert browser.post(_detail(report), {"step": "submit", "version": 1}).status_code == 403
    listing = browser.get(reverse("reporting:report_list")).content.decode()
    assert reverse("reporting:report_open") not in listing
    assert (
        browser.post(
            reverse("reporting:report_open"), {"agreement": agreement.pk, "period": "2025-04-01"}
        ).status_code
        == 403
    )
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert AccountabilityReport.objects.count() == 1


def test_members_who_do_not_read_reports_are_refused(agreement, client_of):
    report = report_in(agreement, Q2)
    worker = client_of(factories.member(agreement.organization, Role.INTAKE_WORKER))
    assert worker.get(reverse("reporting:report_list")).status_code == 403
    assert worker.get(_detail(report)).status_code == 403


def test_forged_or_foreign_ids_are_not_found(agreement, preparer, client_of, org_b, program):
    theirs = report_in(make_agreement(org_b, program), Q2, ReportState.SUBMITTED)
    browser = client_of(preparer)
    for pk in (theirs.pk, 987654321):
        assert browser.get(reverse("reporting:report_detail", args=[pk])).status_code == 404
        assert (
            browser.post(
                reverse("reporting:report_detail", args=[pk]), {"step": "submit", "version": 1}
            ).status_code
            == 404
        )
        url = reverse("reporting:report_download", args=[pk, "pdf", "fr-ca"])
        assert browser.get(url).status_code == 404
    huge = "/reports/99999999999999999999999/"
    assert browser.get(huge).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == ReportState.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(agreement, client):
    report = report_in(agreement, Q2)
    for url in (reverse("reporting:report_list"), _detail(report), reverse("reporting:received")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- The funder's side ---------------------------------------------------------------------------


def test_the_advisor_sees_reports_received_with_targets_and_trend(
    agreement, preparer, advisor, english, served, org_b, program
):
    sent = _submitted(agreement, preparer)
    b_agreement = make_agreement(org_b, program)
    draft = report_in(b_agreement, Q2)
    b_acknowledged = report_in(b_agreement, Q1, ReportState.ACKNOWLEDGED)
    page = english(advisor).get(reverse("reporting:received"))
    text = page.content.decode()
    assert page.status_code == 200
    assert _detail(sent) in text and _detail(draft) not in text
    assert "Eligible clients served — 6 / 20 (30 %)" in text
    assert "Q1 2025-2026 — 0" in text and "Q2 2025-2026 — 6" in text
    assert "followed" in text
    # Filters: by state, organization, program; a forged value is a clear error.
    browser = english(advisor)
    url = reverse("reporting:received")
    assert _detail(sent) not in browser.get(url, {"state": "acknowledged"}).content.decode()
    assert _detail(sent) in browser.get(url, {"state": "submitted"}).content.decode()
    of_b = browser.get(url, {"organization": org_b.pk}).content.decode()
    assert _detail(sent) not in of_b and _detail(b_acknowledged) in of_b
    assert _detail(sent) in browser.get(url, {"program": program.pk}).content.decode()
    assert _detail(sent) in browser.get(url, {"followed": "on"}).content.decode()
    for bad in ({"organization": "abc"}, {"program": str(2**70)}, {"state": "draft"}):
        response = browser.get(url, bad)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert browser.get(_detail(draft)).status_code == 404


def test_the_advisor_acknowledges_or_returns_with_a_comment(
    agreement, preparer, advisor, english, served
):
    report = _submitted(agreement, preparer)
    browser = english(advisor)
    page = browser.get(_detail(report)).content.decode()
    assert "Acknowledge receipt" in page and "Return with comments" in page
    assert "Submit to the funder" not in page
    # Without a comment, a return is refused next to the field.
    refused = browser.post(_detail(report), {"step": "return", "version": 2, "comment": ""})
    assert refused.status_code == 400
    assert "a comment is required to return a report" in refused.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    done = browser.post(_detail(report), {"step": "return", "version": 2, "comment": COMMENT})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    # The organization sees the comment in the history and may submit again.
    page = english(preparer).get(_detail(report)).content.decode()
    assert "Merci d&#x27;expliquer" in page and "Submit to the funder" in page


def test_a_huge_comment_is_refused_and_a_script_is_shown_as_text(
    agreement, preparer, advisor, english, served
):
    report = _submitted(agreement, preparer)
    browser = english(advisor)
    huge = browser.post(_detail(report), {"step": "return", "version": 2, "comment": "é" * 10_000})
    assert huge.status_code == 400
    assert "at most 4000 characters" in huge.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.version == 2
    assert not ReportEvent.objects.filter(action="return").exists()

    script = "<script>alert('x')</script> Où sont les cibles ?"
    browser.post(_detail(report), {"step": "return", "version": 2, "comment": script})
    for user in (advisor, preparer):
        page = english(user).get(_detail(report)).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_stale_page_cannot_answer(agreement, preparer, advisor, english, served):
    report = _submitted(agreement, preparer)
    colleague = factories.member(agreement.program.funder, Role.FUNDER_ADVISOR)
    english(advisor).post(_detail(report), {"step": "acknowledge", "version": 2})
    late = english(colleague).post(
        _detail(report), {"step": "return", "version": 2, "comment": COMMENT}
    )
    assert late.status_code == 403  # nothing left to answer on an acknowledged report
    report.refresh_from_db()
    assert report.state == ReportState.ACKNOWLEDGED


def test_a_forged_version_is_a_clear_error(agreement, preparer, advisor, english, served):
    report = _submitted(agreement, preparer)
    browser = english(advisor)
    for version in ("7", "-1", "abc", str(2**70)):
        response = browser.post(_detail(report), {"step": "acknowledge", "version": version})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_an_advisor_of_another_funder_sees_nothing(
    agreement, preparer, client_of, served, other_funder
):
    report = _submitted(agreement, preparer)
    stranger = client_of(factories.member(other_funder, Role.FUNDER_ADVISOR))
    listing = stranger.get(reverse("reporting:received"))
    assert listing.status_code == 200
    assert _detail(report) not in listing.content.decode()
    assert agreement.organization.name not in listing.content.decode()
    assert stranger.get(_detail(report)).status_code == 404
    assert stranger.post(_detail(report), {"step": "acknowledge", "version": 2}).status_code == 404
    url = reverse("reporting:report_download", args=[report.pk, "pdf", "fr-ca"])
    assert stranger.get(url).status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_received_page_is_for_advisors(agreement, preparer, client_of):
    assert client_of(preparer).get(reverse("reporting:received")).status_code == 403


def test_an_advisor_visiting_the_list_goes_to_reports_received(advisor, client_of):
    response = client_of(advisor).get(reverse("reporting:report_list"))
    assert response.status_code == 302 and response["Location"] == reverse("reporting:received")


def test_the_organization_sees_no_report_of_a_period_it_did_not_open(
    agreement, preparer, client_of
):
    page = client_of(preparer).get(reverse("reporting:report_list")).content.decode()
    assert page.count('name="period"') == 4  # the four quarters, none opened yet
    report_in(agreement, Q1, ReportState.ACKNOWLEDGED)
    page = client_of(preparer).get(reverse("reporting:report_list")).content.decode()
    assert page.count('name="period"') == 3


def test_the_list_leads_to_the_annual_reports_of_ones_own_organization(
    agreement, preparer, org_b, client_of
):
    page = client_of(preparer).get(reverse("reporting:report_list")).content.decode()
    assert reverse("reporting:annual_report", args=[agreement.organization_id]) in page
    assert reverse("reporting:plain_report", args=[agreement.organization_id]) in page
    assert reverse("reporting:annual_report", args=[org_b.pk]) not in page
