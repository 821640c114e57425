"""Calls for projects, from publication to allocation, and the projects they fund.

A funder (the City's "An Inclusive Montréal", a borough…) publishes a `GrantCall` with an envelope
per year, objectives, criteria with weights and eligibility. Organizations apply (`Application`:
logic model, budget per year and line, partners, co-applicants); reviewers without a conflict of
interest score each criterion; the committee runs the allocation (`AllocationRun`: the optimizer's
options, pins, exclusions and result) and decides (`Award`s per year). A funded application is a
project: progress reports, instalments, the activities it runs. States of applications are declared
in `workflow.py`.
"""

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.core.models import Borough
from ancrage.core.translated import pick
from ancrage.network.models import Organization

TEXT_MAX = 4000
MONEY = {"max_digits": 12, "decimal_places": 2}


class CallState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    PUBLISHED = "published", _("Open for applications")
    CLOSED = "closed", _("Closed: under review")
    DECIDED = "decided", _("Decided")


class GrantCall(models.Model):
    TENANT_OWNER: ClassVar[str] = "funder"

    funder = models.ForeignKey(
        Organization, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="grant_calls"
    )
    program = models.ForeignKey(
        "funding.FundingProgram",
        verbose_name=_("funding program"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    titles = models.JSONField(_("title"), default=dict)
    descriptions = models.JSONField(_("description"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=CallState.choices, default=CallState.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("deadline"))
    eligible_kinds = models.JSONField(
        _("kinds of organization eligible"),
        default=list,
        blank=True,
        help_text=_("Empty: every kind."),
    )
    eligible_boroughs = models.ManyToManyField(
        Borough,
        verbose_name=_("boroughs eligible"),
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole city."),
    )
    documents_required = models.JSONField(
        _("documents required"), default=list, blank=True, help_text=_("Texts per language.")
    )
    max_per_organization = models.DecimalField(
        _("most one organization may receive ($)"), null=True, blank=True, **MONEY
    )
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
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-opens_at", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.titles) or self.code


class CallYear(models.Model):
    """The envelope of one year of the call (a fiscal year, named by the year it starts)."""

    TENANT_OWNER: ClassVar[str] = "call__funder"

    call = models.ForeignKey(
        GrantCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    envelope = models.DecimalField(_("envelope ($)"), **MONEY)

    class Meta:
        verbose_name = _("year of a call")
        verbose_name_plural = _("years of a call")
        ordering = ["call", "year"]
        constraints = [
            models.UniqueConstraint(fields=["call", "year"], name="call_year_once"),
            models.CheckConstraint(condition=Q(envelope__gte=0), name="call_envelope_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.year}: {self.envelope}"


class CallObjective(models.Model):
    TENANT_OWNER: ClassVar[str] = "call__funder"

    call = models.ForeignKey(
        GrantCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="objectives"
    )
    code = models.SlugField(_("code"), max_length=60)
    names = models.JSONField(_("objective"), default=dict)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["call", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="call_objective_once"),
        ]

    def __str__(self) -> str:
        return pick(self.names) or self.code


class Criterion(models.Model):
    TENANT_OWNER: ClassVar[str] = "call__funder"

    call = models.ForeignKey(
        GrantCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.SlugField(_("code"), max_length=60)
    names = models.JSONField(_("criterion"), default=dict)
    descriptions = models.JSONField(_("what reviewers look for"), default=dict, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["call", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="call_criterion_once"),
        ]

    def __str__(self) -> str:
        return pick(self.names) or self.code


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FUNDED = "funded", _("Funded")
    DECLINED = "declined", _("Not funded")


class Application(models.Model):
    """An organization's project submitted to a call."""

    TENANT_OWNER: ClassVar[str] = "organization"

    call = models.ForeignKey(
        GrantCall, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="grant_applications",
    )
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=TEXT_MAX)
    objectives = models.ManyToManyField(
        CallObjective, verbose_name=_("objectives addressed"), blank=True, related_name="+"
    )
    target_groups = models.JSONField(
        _("target groups"), default=list, blank=True, help_text=_("Audience codes.")
    )
    boroughs = models.ManyToManyField(
        Borough, verbose_name=_("boroughs"), blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    minimum_viable = models.DecimalField(
        _("smallest amount that keeps the project viable (% of the request)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    requested = models.JSONField(
        _("amount requested per year"),
        default=dict,
        blank=True,
        help_text=_("Year → amount; the budget lines of each year add up to it."),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call", "-created_at"]

    def __str__(self) -> str:
        return self.title


class CoApplicant(models.Model):
    """Another organization carrying the project with the applicant; it confirms its part."""

    TENANT_OWNER: ClassVar[str] = "application__organization"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("organization",)

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="co_applicants",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-applicant")
        verbose_name_plural = _("co-applicants")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organization"], name="co_applicant_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.application_id}"


class ProjectPartner(models.Model):
    """A partner of the project (in Ancrage or not) and whether it agreed to take part."""

    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="partners",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role in the project"), max_length=300)
    agreed = models.BooleanField(_("agreed to take part"), default=False)

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")

    def __str__(self) -> str:
        return self.name or str(self.organization_id)


class LogicModelRow(models.Model):
    """One chain of the logic model: activity → output → outcome → indicator with its target."""

    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="logic_model",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    activity = models.CharField(_("activity"), max_length=500)
    output = models.CharField(_("output"), max_length=500)
    outcome = models.CharField(_("outcome"), max_length=500)
    indicator = models.CharField(_("indicator"), max_length=300)
    target = models.PositiveIntegerField(_("target"))

    class Meta:
        verbose_name = _("logic model row")
        verbose_name_plural = _("logic model")
        ordering = ["application", "position"]

    def __str__(self) -> str:
        return self.activity[:60]


class BudgetLine(models.Model):
    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="budget"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    label = models.CharField(_("line"), max_length=200)
    amount = models.DecimalField(_("amount ($)"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")
        ordering = ["application", "year", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.label}: {self.amount}"


class ApplicationDocument(models.Model):
    """A document the call requires, attached to an application (stored as bytes, as sent)."""

    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    # The position of the requirement in the call's `documents_required` (frozen once published).
    requirement = models.PositiveSmallIntegerField(_("document required"))
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("fingerprint"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "requirement"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"], name="application_document_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallAnnouncement(models.Model):
    """A call announced to one eligible organization (in-app and by e-mail): once per call."""

    TENANT_OWNER: ClassVar[str] = "call__funder"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("organization",)

    call = models.ForeignKey(
        GrantCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="announcements"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    recipients = models.PositiveSmallIntegerField(_("people written to"), default=0)
    sent_at = models.DateTimeField(_("announced"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement of a call")
        verbose_name_plural = _("announcements of calls")
        ordering = ["call", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["call", "organization"], name="call_announced_once"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.organization_id}"


class ReviewAssignment(models.Model):
    """A reviewer assigned to an application, with their declaration of interests."""

    TENANT_OWNER: ClassVar[str] = "application__call__funder"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_note = models.CharField(_("conflict of interest"), max_length=500, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.application_id}"


class Score(models.Model):
    TENANT_OWNER: ClassVar[str] = "assignment__application__call__funder"

    assignment = models.ForeignKey(
        ReviewAssignment, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.criterion_id}={self.score}"


class AllocationRun(models.Model):
    """One run of the optimizer for a call: its options, the committee's pins and exclusions,
    and what it recommended (or why no allocation fits)."""

    TENANT_OWNER: ClassVar[str] = "call__funder"

    call = models.ForeignKey(
        GrantCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="allocation_runs"
    )
    options = models.JSONField(_("options"), default=dict)
    pinned = models.JSONField(_("always funded"), default=list, blank=True)
    excluded = models.JSONField(_("never funded"), default=list, blank=True)
    feasible = models.BooleanField(_("an allocation exists"), default=True)
    explanation = models.TextField(_("explanation"), blank=True)
    result = models.JSONField(_("recommended amounts"), default=dict, blank=True)
    total_score = models.DecimalField(
        _("weighted score funded"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    is_decision = models.BooleanField(_("adopted by the committee"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.call_id} {self.created_at:%Y-%m-%d %H:%M}"


class Award(models.Model):
    """The amount decided for one application and one year."""

    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="awards"
    )
    run = models.ForeignKey(
        AllocationRun, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="awards"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount ($)"), **MONEY)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["application", "year"]
        constraints = [
            models.UniqueConstraint(fields=["application", "year"], name="award_once_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="award_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.year}: {self.amount}"


# --- Funded projects ------------------------------------------------------------------------


class ProgressReport(models.Model):
    """A progress report a funded project owes, with its indicators' values when submitted."""

    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="progress_reports",
    )
    due_on = models.DateField(_("due on"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    narrative = models.TextField(_("what happened"), max_length=TEXT_MAX, blank=True)
    indicator_values = models.JSONField(_("indicators"), default=dict, blank=True)
    last_reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["application", "due_on"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.due_on.isoformat()}"


class Instalment(models.Model):
    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application, verbose_name=_("project"), on_delete=models.CASCADE, related_name="instalments"
    )
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount ($)"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["application", "due_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.due_on.isoformat()}: {self.amount}"


class ProjectActivity(models.Model):
    """An activity (activities app) the funded project runs."""

    TENANT_OWNER: ClassVar[str] = "application__organization"

    application = models.ForeignKey(
        Application,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="project_activities",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("project activity")
        verbose_name_plural = _("project activities")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "activity"], name="project_activity_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} ↔ {self.activity_id}"
