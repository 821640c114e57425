"""Writes of accountability reports: opening a draft, submitting (the frozen snapshot and its
files), answering, and every bad input refused with nothing changed."""

import hashlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import ancrage
from ancrage.clients.models import ServiceRecord
from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.reporting import exports, selectors, services
from ancrage.reporting.models import AccountabilityReport, ReportEvent, ReportFile, ReportState
from tests import factories
from tests.reporting.conftest import Q1, Q2, TODAY, make_client, report_in, serve

pytestmark = pytest.mark.django_db

SENT_AT = datetime(2025, 10, 6, 14, 3, tzinfo=ZoneInfo("America/Toronto"))


@pytest.fixture
def served(org_a, program):
    """Q2 activity: 7 eligible people (one twice), 2 unfunded."""
    people = [make_client(org_a) for _ in range(9)]
    for client in people[:7]:
        serve(client, date(2025, 7, 10), program=program)
    serve(people[0], date(2025, 8, 1), program=program, service="french-courses")
    for client in people[7:]:
        serve(client, date(2025, 9, 1))
    return people


def _open(agreement, actor, period=Q2):
    return services.report_draft_open(
        actor=actor, agreement=agreement, period_start=period[0], today=TODAY
    )


def _snapshot(report):
    report = AccountabilityReport.objects.get(pk=report.pk)
    files = {
        (f.format, f.language): (bytes(f.content), f.sha256)
        for f in ReportFile.objects.filter(report=report)
    }
    return (
        report.state,
        report.version,
        report.figures,
        report.parameters,
        report.suppression_log,
        report.submitted_at,
        files,
        ReportEvent.objects.filter(report=report).count(),
    )


# --- Opening a draft -------------------------------------------------------------------------------


def test_a_draft_opens_for_a_period_of_the_agreement(agreement, preparer):
    report = _open(agreement, preparer)
    assert (report.period_start, report.period_end, report.state) == (*Q2, ReportState.DRAFT)
    assert report.events.get().action == "open"
    assert AuditEvent.objects.filter(action="create", target_id=str(report.pk)).exists()


@pytest.mark.parametrize(
    "start",
    [
        date(2025, 5, 1),  # inside the agreement, not the start of one of its periods
        date(2025, 1, 1),  # before the agreement
        date(2026, 4, 1),  # after it
    ],
)
def test_a_period_outside_the_agreement_is_refused(start, agreement, preparer):
    with pytest.raises(ValidationError) as refused:
        services.report_draft_open(
            actor=preparer, agreement=agreement, period_start=start, today=TODAY
        )
    assert "period" in refused.value.message_dict
    assert not AccountabilityReport.objects.exists()


def test_a_period_not_begun_cannot_be_reported(agreement, preparer):
    with pytest.raises(ValidationError) as refused:
        services.report_draft_open(
            actor=preparer, agreement=agreement, period_start=Q2[0], today=date(2025, 6, 30)
        )
    assert "period" in refused.value.message_dict
    assert not AccountabilityReport.objects.exists()


def test_one_report_per_agreement_and_period(agreement, preparer):
    _open(agreement, preparer)
    with pytest.raises(ValidationError) as refused:
        _open(agreement, preparer)
    assert "period" in refused.value.message_dict
    assert AccountabilityReport.objects.count() == 1


@pytest.mark.parametrize("role", [Role.LIAISON_OFFICER, Role.INTAKE_WORKER, Role.ADMINISTRATOR])
def test_only_those_who_prepare_reports_open_one(role, agreement):
    with pytest.raises(PermissionDenied):
        _open(agreement, factories.member(agreement.organization, role))
    assert not AccountabilityReport.objects.exists()


def test_another_organization_cannot_open_a_report(agreement, org_b, advisor):
    for actor in (factories.member(org_b, Role.DIRECTOR), advisor):
        with pytest.raises(PermissionDenied):
            _open(agreement, actor)
    assert not AccountabilityReport.objects.exists()


# --- Submitting ------------------------------------------------------------------------------------


def test_submitting_freezes_the_figures_the_parameters_and_the_files(agreement, preparer, served):
    report = _open(agreement, preparer)
    expected = selectors.report_figures(agreement, *Q2, now=SENT_AT)
    services.report_submit(
        actor=preparer, report=report, version=report.version, comment="Voici.", now=SENT_AT
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == preparer and report.submitted_at == SENT_AT
    assert report.figures == expected
    assert report.parameters["threshold"] == 5
    assert report.parameters["computed_at"] == "2025-10-06T14:03:00-04:00"
    assert report.parameters["software_version"] == ancrage.__version__
    assert set(report.parameters["rule"]) == {"fr", "en"}
    assert "5" in report.parameters["rule"]["fr"]
    assert report.suppression_log == expected["suppression"]["log"]
    headline = {entry["metric"]: entry["period"] for entry in report.figures["headline"]}
    assert headline["eligible_clients"] == 7 and headline["services"] == 8
    files = {(f.format, f.language): f for f in report.files.all()}
    assert set(files) == {(f, lang) for f in ("pdf", "xlsx", "csv") for lang in ("fr-ca", "en")}
    for (file_format, language), stored in files.items():
        content = bytes(stored.content)
        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert content == exports.render(expected, format=file_format, language=language)
    assert bytes(files[("pdf", "fr-ca")].content).startswith(b"%PDF")
    assert bytes(files[("xlsx", "en")].content).startswith(b"PK")
    event = report.events.get(action="submit")
    assert (event.from_state, event.to_state, event.comment) == ("draft", "submitted", "Voici.")
    audit = AuditEvent.objects.get(action="change", target_id=str(report.pk))
    assert audit.details["files"]["pdf.fr-ca"] == files[("pdf", "fr-ca")].sha256


def test_a_submitted_report_is_the_same_byte_for_byte_a_year_later_after_edits(
    agreement, preparer, served, program, org_a
):
    report = _open(agreement, preparer)
    services.report_submit(actor=preparer, report=report, version=report.version, now=SENT_AT)
    sent = {
        (f.format, f.language): services.report_file_read(
            actor=preparer, report=report, file_format=f.format, language=f.language
        ).content
        for f in report.files.all()
    }
    frozen = AccountabilityReport.objects.get(pk=report.pk).figures

    # The records change: services added, one moved to another period, one deleted, a person
    # re-profiled, the funder's threshold lowered.
    for client in [make_client(org_a) for _ in range(6)]:
        serve(client, date(2025, 8, 20), program=program)
    ServiceRecord.objects.filter(client=served[1]).update(served_on=date(2025, 5, 5))
    ServiceRecord.objects.filter(client=served[2]).delete()
    served[3].age_band = "65+"
    served[3].save()
    program.small_cell_threshold = 2
    program.save()
    agreement.refresh_from_db()
    live = selectors.report_figures(agreement, *Q2)
    assert live["headline"] != frozen["headline"]  # the edits do change a fresh count

    auditor = factories.member(agreement.organization, Role.DIRECTOR)
    for (file_format, language), content in sent.items():
        again = services.report_file_read(
            actor=auditor, report=report, file_format=file_format, language=language
        )
        assert bytes(again.content) == bytes(content)
        assert again.sha256 == hashlib.sha256(bytes(content)).hexdigest()
    assert AccountabilityReport.objects.get(pk=report.pk).figures == frozen
    assert AuditEvent.objects.filter(action="export", target_id=str(report.pk)).count() == 12


def test_submitting_twice_is_refused_and_changes_nothing(agreement, preparer, served):
    report = _open(agreement, preparer)
    seen = report.version
    services.report_submit(actor=preparer, report=report, version=seen, now=SENT_AT)
    before = _snapshot(report)
    other = factories.member(agreement.organization, Role.DIRECTOR)
    for version in (seen, seen + 1):  # the page seen before, or reloaded after
        with pytest.raises(ValidationError) as refused:
            services.report_submit(actor=other, report=report, version=version)
        assert refused.value.code in {"wrong_state", "stale"}
    assert _snapshot(report) == before


def test_an_answer_to_a_report_that_changed_meanwhile_is_refused(
    agreement, preparer, advisor, served
):
    report = _open(agreement, preparer)
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=preparer, report=report, version=report.version + 5)
    assert refused.value.code == "stale"
    services.report_submit(actor=preparer, report=report, version=1, now=SENT_AT)
    report.refresh_from_db()
    services.report_acknowledge(actor=advisor, report=report, version=report.version)
    before = _snapshot(report)
    # A second advisor answers from the page they loaded before the first answer.
    colleague = factories.member(agreement.program.funder, Role.FUNDER_ADVISOR)
    with pytest.raises(ValidationError):
        services.report_return(actor=colleague, report=report, version=2, comment=COMMENT)
    assert _snapshot(report) == before


COMMENT = "Les chiffres du trimestre ne correspondent pas à nos visites."


@pytest.mark.parametrize(
    "comment, field_error",
    [
        ("", "comment"),
        ("   ", "comment"),
        ("x" * 10_000, "comment"),  # 10 kB
        ("Avec un\x00caractère nul", "comment"),
    ],
)
def test_a_return_needs_a_reasonable_comment(
    comment, field_error, agreement, preparer, advisor, served
):
    report = _open(agreement, preparer)
    services.report_submit(actor=preparer, report=report, version=1, now=SENT_AT)
    report.refresh_from_db()
    before = _snapshot(report)
    with pytest.raises(ValidationError) as refused:
        services.report_return(actor=advisor, report=report, version=2, comment=comment)
    assert field_error in refused.value.message_dict
    assert _snapshot(report) == before


def test_a_returned_report_is_frozen_again_when_resubmitted(
    agreement, preparer, advisor, served, org_a, program
):
    report = _open(agreement, preparer)
    services.report_submit(actor=preparer, report=report, version=1, now=SENT_AT)
    report.refresh_from_db()
    first = bytes(report.files.get(format="csv", language="fr-ca").content)
    services.report_return(actor=advisor, report=report, version=2, comment=COMMENT)
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    # The organization corrects its records, then submits again.
    for client in [make_client(org_a) for _ in range(5)]:
        serve(client, date(2025, 9, 2), program=program)
    later = datetime(2025, 10, 20, 9, 0, tzinfo=ZoneInfo("America/Toronto"))
    services.report_submit(actor=preparer, report=report, version=3, now=later)
    report.refresh_from_db()
    assert (report.state, report.version) == (ReportState.SUBMITTED, 4)
    headline = {entry["metric"]: entry["period"] for entry in report.figures["headline"]}
    assert headline["eligible_clients"] == 12
    assert report.files.count() == 6
    assert bytes(report.files.get(format="csv", language="fr-ca").content) != first
    assert [e.action for e in report.events.order_by("pk")] == [
        "open",
        "submit",
        "return",
        "submit",
    ]
    services.report_acknowledge(actor=advisor, report=report, version=4)
    report.refresh_from_db()
    assert report.state == ReportState.ACKNOWLEDGED


def test_a_comment_is_kept_as_text(agreement, preparer, advisor, served):
    report = _open(agreement, preparer)
    services.report_submit(actor=preparer, report=report, version=1, now=SENT_AT)
    script = "<script>alert('x')</script> Les cibles ?"
    services.report_return(actor=advisor, report=report, version=2, comment=script)
    assert report.events.get(action="return").comment == script


def test_no_file_is_served_for_a_draft(agreement, preparer):
    report = report_in(agreement, Q1)
    assert (
        services.report_file_read(actor=preparer, report=report, file_format="pdf", language="en")
        is None
    )
    assert not AuditEvent.objects.filter(action="export").exists()
