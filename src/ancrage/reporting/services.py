"""Writes of accountability reports: open a draft, submit (freeze), acknowledge, return.

Every step goes through `workflow` (who may take it from which state), checks the version the
person saw (a second submit, or an answer to a report that changed meanwhile, is refused and
changes nothing), is recorded as a `ReportEvent` and in the audit log. Submitting freezes the
figures with how they were computed and the suppression log, and stores the exported files as
bytes: what the funder downloads later is what was sent, whatever is edited afterwards.
"""

import hashlib
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

import ancrage
from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.funding.models import Agreement
from ancrage.reporting import exports, selectors, workflow
from ancrage.reporting.models import (
    AccountabilityReport,
    ReportEvent,
    ReportFile,
    ReportFormat,
    ReportState,
)

COMMENT_MAX = 4000
FILE_LANGUAGES = ("fr-ca", "en")
FILE_FORMATS = tuple(ReportFormat.values)
OPEN = "open"


def _check_comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {
                "comment": _("This text is too long (%(limit)d characters at most).")
                % {"limit": COMMENT_MAX}
            }
        )
    if "\x00" in comment:
        raise ValidationError({"comment": _("This text contains a character that is not allowed.")})
    if required and not comment:
        raise ValidationError(
            {"comment": _("Say what must be corrected: a comment is required to return a report.")}
        )
    return comment


def _event(
    report: AccountabilityReport, *, action: str, source: str, actor: Any, comment: str = ""
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        action=action,
        from_state=source,
        to_state=report.state,
        actor=actor,
        comment=comment,
    )


# --- Opening a draft -----------------------------------------------------------------------------


@transaction.atomic
def report_draft_open(
    *, actor: Any, agreement: Agreement, period_start: date, today: date | None = None
) -> AccountabilityReport:
    """Open the report of one of the agreement's periods (one report per agreement and period)."""
    if not tenancy.has_capability(actor, tenancy.PREPARE_REPORTS, agreement.organization_id):
        raise PermissionDenied
    today = today or timezone.localdate()
    period = selectors.period_of(agreement, period_start) if period_start else None
    if period is None:
        raise ValidationError(
            {"period": _("This period is not one of the agreement's reporting periods.")},
            code="not_a_period",
        )
    if period.start > today:
        raise ValidationError(
            {"period": _("This period has not begun: its report cannot be opened yet.")},
            code="future",
        )
    exists = _("A report for this period already exists.")
    if AccountabilityReport.objects.filter(
        agreement=agreement, period_start=period.start, period_end=period.end
    ).exists():
        raise ValidationError({"period": exists}, code="exists")
    try:
        with transaction.atomic():
            report = AccountabilityReport.objects.create(
                agreement=agreement, period_start=period.start, period_end=period.end
            )
    except IntegrityError as error:  # opened at the same moment by someone else
        raise ValidationError({"period": exists}, code="exists") from error
    _event(report, action=OPEN, source=ReportState.DRAFT, actor=actor)
    audit_record(
        actor=actor,
        action="create",
        target=report,
        organization_id=agreement.organization_id,
        details={"period": [period.start.isoformat(), period.end.isoformat()]},
    )
    return report


# --- Steps ---------------------------------------------------------------------------------------


def _checked_step(
    *, actor: Any, current: AccountabilityReport, name: str
) -> tuple[workflow.Step, str]:
    actors = workflow.actors_for(actor, current)
    if not actors:
        raise PermissionDenied
    found = workflow.step_for(name, current.state, actors)
    if found is None:
        label = next(
            (s.label for s in workflow.STEPS if s.name == name and s.actors & actors), None
        )
        if label is None:
            raise PermissionDenied
        raise ValidationError(
            _("This report is %(state)s: “%(step)s” is not possible.")
            % {"state": current.get_state_display().lower(), "step": label},
            code="wrong_state",
        )
    side = next(side for side in workflow.ACTORS if side in found.actors & actors)
    return found, side


def _check_version(current: AccountabilityReport, version: int | None) -> None:
    if version is None or version != current.version:
        raise ValidationError(
            _(
                "This report changed since you opened it (someone else acted on it). "
                "Reload the page and check it before trying again."
            ),
            code="stale",
        )


def _render_files(figures: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    return [
        (file_format, language, exports.render(figures, format=file_format, language=language))
        for file_format in FILE_FORMATS
        for language in FILE_LANGUAGES
    ]


def _freeze(current: AccountabilityReport, *, actor: Any, now: datetime) -> dict[str, str]:
    figures = selectors.report_figures(
        current.agreement, current.period_start, current.period_end, now=now
    )
    files = _render_files(figures)
    threshold = figures["threshold"]
    current.figures = figures
    current.parameters = {
        "threshold": threshold,
        "computed_at": figures["computed_at"],
        "rule": selectors.counting_rule(threshold),
        "software_version": ancrage.__version__,
        "schema": figures["schema"],
    }
    current.suppression_log = figures["suppression"]["log"]
    current.submitted_at = now
    current.submitted_by = actor
    # A report sent again after a return replaces the files of the version sent back.
    current.files.all().delete()
    digests = {}
    for file_format, language, content in files:
        digest = hashlib.sha256(content).hexdigest()
        ReportFile.objects.create(
            report=current, format=file_format, language=language, content=content, sha256=digest
        )
        digests[f"{file_format}.{language}"] = digest
    return digests


def _take(
    *,
    actor: Any,
    report: AccountabilityReport,
    name: str,
    version: int | None,
    comment: str,
    now: datetime | None = None,
) -> AccountabilityReport:
    with transaction.atomic():
        current = (
            AccountabilityReport.objects.select_for_update()
            .select_related("agreement__program", "agreement__organization")
            .get(pk=report.pk)
        )
        step, side = _checked_step(actor=actor, current=current, name=name)
        _check_version(current, version)
        comment = _check_comment(comment, required=step.comment_required)
        source = current.state
        details: dict[str, Any] = {"step": name, "from": source, "to": step.target}
        if step.freezes:
            details["files"] = _freeze(current, actor=actor, now=now or timezone.now())
        current.state = step.target
        current.version += 1
        current.save()
        _event(current, action=name, source=source, actor=actor, comment=comment)
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=workflow.side_organization(current, side),
            details=details | {"version": current.version},
        )
    report.refresh_from_db()
    return report


def report_submit(
    *,
    actor: Any,
    report: AccountabilityReport,
    version: int | None,
    comment: str = "",
    now: datetime | None = None,
) -> AccountabilityReport:
    """Freeze the report and send it to the funder (again, after a return)."""
    return _take(
        actor=actor, report=report, name="submit", version=version, comment=comment, now=now
    )


def report_acknowledge(
    *, actor: Any, report: AccountabilityReport, version: int | None, comment: str = ""
) -> AccountabilityReport:
    """The funder's advisor acknowledges receipt: the report is final."""
    return _take(actor=actor, report=report, name="acknowledge", version=version, comment=comment)


def report_return(
    *, actor: Any, report: AccountabilityReport, version: int | None, comment: str
) -> AccountabilityReport:
    """The funder's advisor sends the report back with what must be corrected."""
    return _take(actor=actor, report=report, name="return", version=version, comment=comment)


def report_step(
    *, actor: Any, report: AccountabilityReport, step: str, version: int | None, comment: str = ""
) -> AccountabilityReport:
    """Take the named step (for the report page's buttons)."""
    if step not in workflow.STEP_NAMES:
        raise ValidationError(_("Unknown step."), code="unknown_step")
    return _take(actor=actor, report=report, name=step, version=version, comment=comment)


# --- Downloads -------------------------------------------------------------------------------------


def report_draft_file(
    *,
    actor: Any,
    report: AccountabilityReport,
    file_format: str,
    language: str,
    request: HttpRequest | None = None,
) -> tuple[dict[str, Any], bytes]:
    """A draft's file computed now, for the organization to check before submitting (never
    stored: only what is submitted is kept). Audited like a download."""
    if report.state != ReportState.DRAFT:
        raise ValidationError(_("Only a draft is computed again; this report was submitted."))
    if not tenancy.has_capability(actor, tenancy.VIEW_REPORTS, report.agreement.organization_id):
        raise PermissionDenied
    figures = selectors.report_figures(report.agreement, report.period_start, report.period_end)
    content = exports.render(figures, format=file_format, language=language)
    audit_record(
        actor=actor,
        action="export",
        target=report,
        organization_id=report.agreement.organization_id,
        details={"format": file_format, "language": language, "draft": True},
        request=request,
    )
    return figures, content


def report_file_read(
    *,
    actor: Any,
    report: AccountabilityReport,
    file_format: str,
    language: str,
    request: HttpRequest | None = None,
) -> ReportFile | None:
    """The stored file of a submitted report (the bytes sent), audited; None if there is none."""
    found = ReportFile.objects.filter(report=report, format=file_format, language=language).first()
    if found is not None:
        audit_record(
            actor=actor,
            action="export",
            target=report,
            organization_id=report.agreement.organization_id,
            details={"format": file_format, "language": language, "sha256": found.sha256},
            request=request,
        )
    return found
