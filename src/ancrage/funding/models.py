"""Funding programs and their eligibility rules, versioned by date.

A program belongs to its funder (a `network.Organization`: the MIFI, the City, Centraide…). Who
a program covers is written as data — a small JSON document of conditions (see `conditions.py`)
— in versions that follow each other in time, so an administrator changes the rules without
code and a service is always judged by the version in force on the day it was given.
"""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.core.translated import pick
from ancrage.network.models import Organization


class FundingKind(models.TextChoices):
    SERVICE_AGREEMENT = "service_agreement", _("Service agreement (per eligible client)")
    MISSION = "mission", _("Mission funding")
    PROJECT = "project", _("Project funding")


class FundingProgram(models.Model):
    """A funder's program, e.g. the MIFI's PASI Stream 1 or the City's Liaison Officers program."""

    TENANT_OWNER: ClassVar[str] = "funder"

    funder = models.ForeignKey(
        Organization,
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="funding_programs",
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short stable identifier, e.g. pasi-stream-1."),
    )
    names = models.JSONField(_("names"), default=dict, help_text=_("Name per language."))
    description = models.JSONField(
        _("description"), default=dict, blank=True, help_text=_("Description per language.")
    )
    kind = models.CharField(
        _("kind of funding"),
        max_length=30,
        choices=FundingKind.choices,
        default=FundingKind.SERVICE_AGREEMENT,
    )
    is_active = models.BooleanField(_("active"), default=True)
    small_cell_threshold = models.PositiveSmallIntegerField(
        _("smallest count shown"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Counts below this number are hidden in every report sent to the funder."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("funding program")
        verbose_name_plural = _("funding programs")
        ordering = ["code"]
        constraints = [
            # Zero would publish every count: suppression needs a threshold of at least 1.
            models.CheckConstraint(
                condition=Q(small_cell_threshold__gte=1), name="program_threshold_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names) or self.code

    @property
    def description_text(self) -> str:
        return pick(self.description)


class EligibilityRule(models.Model):
    """One version of a program's eligibility rule, in force from `valid_from` to `valid_to`.

    Both ends are inclusive; `valid_to` empty means "until further notice". Versions of one
    program never overlap (checked by `services.rule_version_create`, which also closes the
    open version the day before a new one starts).
    """

    TENANT_OWNER: ClassVar[str] = "program__funder"

    program = models.ForeignKey(
        FundingProgram,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="rules",
    )
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    conditions = models.JSONField(_("conditions"), default=dict)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility rule version")
        verbose_name_plural = _("eligibility rule versions")
        ordering = ["program", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "valid_from"], name="eligibility_rule_one_start_per_day"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="eligibility_rule_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} {self.period}"

    @property
    def period(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.valid_from.isoformat()} → {end}"

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# --- Agreements: what a funder pays an organization for, and the targets it sets --------------


class ReportingCadence(models.TextChoices):
    QUARTERLY = "quarterly", _("Every quarter")
    ANNUAL = "annual", _("Every year")


class Agreement(models.Model):
    """A funding agreement between a program's funder and one organization, for a period.

    Agreements of one organization under one program never overlap (checked by
    `services.agreement_create`/`agreement_update`). The service records charged to the program
    within the period, and the sessions of the activities charged to it, are what its reports
    count.
    """

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    program = models.ForeignKey(
        FundingProgram,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("The funder's file number.")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    cadence = models.CharField(
        _("reporting"),
        max_length=20,
        choices=ReportingCadence.choices,
        default=ReportingCadence.QUARTERLY,
    )
    renewal_on = models.DateField(
        _("renewal decision by"),
        null=True,
        blank=True,
        help_text=_("Empty: the end of the agreement."),
    )
    recurring = models.BooleanField(
        _("recurring"), default=False, help_text=_("Renewed year after year when it ends.")
    )
    restrictions = models.TextField(_("restrictions"), max_length=4000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("funding agreement")
        verbose_name_plural = _("funding agreements")
        ordering = ["organization", "-starts_on", "program"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["program", "ends_on"], name="agreement_program_end")]

    def __str__(self) -> str:
        return f"{self.program} — {self.organization} ({self.period})"

    @property
    def period(self) -> str:
        return f"{self.starts_on.isoformat()} → {self.ends_on.isoformat()}"

    @property
    def renewal_date(self) -> date:
        return self.renewal_on or self.ends_on


class AgreementAmount(models.Model):
    """What the agreement pays for one of its years (a fiscal year, or any stretch inside it)."""

    TENANT_OWNER: ClassVar[str] = "agreement__organization"

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="amounts"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    amount = models.DecimalField(_("amount ($)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("agreement amount")
        verbose_name_plural = _("agreement amounts")
        ordering = ["agreement", "period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="agreement_amount_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start.isoformat()} → {self.period_end.isoformat()}: {self.amount}"


class TargetMetric(models.TextChoices):
    ELIGIBLE_CLIENTS = "eligible_clients", _("Eligible clients served")
    SERVICES = "services", _("Services given")
    SESSIONS = "sessions", _("Group sessions held")
    PARTICIPANTS = "participants", _("Participants in group sessions")


class AgreementTarget(models.Model):
    """A number the organization commits to reach within a period of the agreement (a quarter
    or a year), e.g. 120 eligible clients served in 2026-27."""

    TENANT_OWNER: ClassVar[str] = "agreement__organization"

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(_("measure"), max_length=30, choices=TargetMetric.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    value = models.PositiveIntegerField(_("target"))

    class Meta:
        verbose_name = _("agreement target")
        verbose_name_plural = _("agreement targets")
        ordering = ["agreement", "period_start", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "metric", "period_start", "period_end"],
                name="agreement_target_once",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="agreement_target_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.period_start.isoformat()}: {self.value}"


class RenewalAlert(models.Model):
    """An alert sent before an agreement's renewal date (180, 90 and 30 days): sent once."""

    TENANT_OWNER: ClassVar[str] = "agreement__organization"

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="alerts"
    )
    days_before = models.PositiveSmallIntegerField(_("days before"))
    renewal_date = models.DateField(_("renewal date"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        verbose_name = _("renewal alert")
        verbose_name_plural = _("renewal alerts")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "days_before", "renewal_date"], name="renewal_alert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.days_before}"


# --- The funder's advisor: organizations followed, visits -----------------------------------


class FollowedOrganization(models.Model):
    """An organization a funder's partnership advisor follows: they see its submitted reports."""

    TENANT_OWNER: ClassVar[str] = "funder"

    funder = models.ForeignKey(
        Organization, verbose_name=_("funder"), on_delete=models.CASCADE, related_name="+"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("advisor"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization followed"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organization followed")
        verbose_name_plural = _("organizations followed")
        constraints = [
            models.UniqueConstraint(
                fields=["funder", "advisor", "organization"], name="followed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisor_id} → {self.organization_id}"


class AdvisorVisit(models.Model):
    """A visit (or a call) of a funder's advisor to an organization: what is still open."""

    TENANT_OWNER: ClassVar[str] = "funder"

    funder = models.ForeignKey(
        Organization, verbose_name=_("funder"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("advisor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    visited_on = models.DateField(_("date"))
    open_questions = models.TextField(_("open questions"), max_length=4000, blank=True)
    follow_ups = models.TextField(_("follow-ups"), max_length=4000, blank=True)
    follow_up_by = models.DateField(_("follow up by"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("advisor visit")
        verbose_name_plural = _("advisor visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.visited_on.isoformat()}"
