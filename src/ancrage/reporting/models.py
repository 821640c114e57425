"""Accountability reports sent to funders: computed from service records and attendance, frozen
when submitted.

A draft is computed afresh each time it is shown. Submitting freezes it: the figures, the
parameters they were computed with and the suppression log are stored, and so are the exported
files, byte for byte, so what the funder downloads a year later is what was sent, whatever was
edited since. The states and who may move a report between them are declared in `workflow.py`.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.funding.models import Agreement


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RETURNED = "returned", _("Returned with comments")


class AccountabilityReport(models.Model):
    """One report of an agreement for one period (a quarter, or a year for annual reporting)."""

    TENANT_OWNER: ClassVar[str] = "agreement__organization"

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="reports"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    # Frozen at submission (empty while a draft): what was sent, how it was computed.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    suppression_log = models.JSONField(_("suppression log"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic locking, as for clients: a second submit or answer is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("accountability report")
        verbose_name_plural = _("accountability reports")
        ordering = ["-period_start", "agreement"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period_start", "period_end"], name="report_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.period_start.isoformat()}"


class ReportEvent(models.Model):
    """One step of a report's life: who took it, when, with what comment."""

    TENANT_OWNER: ClassVar[str] = "report__agreement__organization"

    report = models.ForeignKey(
        AccountabilityReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=20, choices=ReportState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ReportState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state} → {self.to_state}"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ReportFile(models.Model):
    """An exported file of a submitted report, stored as sent: downloads serve these bytes."""

    TENANT_OWNER: ClassVar[str] = "report__agreement__organization"

    report = models.ForeignKey(
        AccountabilityReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=10)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "format", "language"], name="report_file_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}.{self.format} ({self.language})"
