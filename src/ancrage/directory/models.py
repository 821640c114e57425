"""The public catalogue of services, shaped like Open Referral HSDS 3.0.

HSDS objects and where they live in Ancrage:
- organization → `network.Organization` (its `hsds_id` is the HSDS id);
- location → `network.Site` (its `hsds_id`; the borough is exported as the address `region`);
- program, service, service_at_location, schedule, contact, taxonomy, taxonomy_term → here.

Content fields (names, descriptions, eligibility, fees, application process) are JSON objects keyed by
language code — the one translated-text mechanism of `core.translated`. French and English are
required; any of `CONTENT_LANGUAGES` may be added.

What the public sees is the `Service` row itself. Staff edits are `ServiceRevision` snapshots that go
draft → (review) → published; publishing copies the snapshot onto the service. The revisions are
the history.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.core.models import Audience, ImmigrationStatus, Language
from ancrage.core.translated import pick
from ancrage.network.models import Organization, Site

# Languages a service's content may be written in: French and English required, then the ten
# most-read languages of Montréal's newcomers (the public pages' interface speaks them too).
REQUIRED_CONTENT_LANGUAGES = ("fr", "en")
CONTENT_LANGUAGES = (
    "fr",
    "en",
    "es",
    "ar",
    "zh-hans",
    "ht",
    "fa",
    "pt",
    "ru",
    "vi",
    "tl",
    "uk",
)

NEEDS_TAXONOMY_NAME = "ancrage-needs"


class Taxonomy(models.Model):
    """A vocabulary published with the data (HSDS taxonomy): Ancrage's needs, or an imported one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=500)
    uri = models.URLField(_("address"), blank=True)
    version = models.CharField(_("version"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A term of a taxonomy. The needs taxonomy's terms are what people come for."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(
        Taxonomy, verbose_name=_("taxonomy"), on_delete=models.PROTECT, related_name="terms"
    )
    code = models.SlugField(_("code"), max_length=60)
    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent term"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    term_uri = models.URLField(_("term address"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["taxonomy__name", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names) or self.code

    @property
    def description(self) -> str:
        return pick(self.descriptions)


class Program(models.Model):
    """A set of services an organization runs under one name (HSDS program)."""

    TENANT_OWNER: ClassVar[str] = "organization"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="programs",
    )
    names = models.JSONField(_("name"), default=dict)
    descriptions = models.JSONField(_("description"), default=dict, blank=True)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names)


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Temporarily inactive")
    DEFUNCT = "defunct", _("Discontinued")


class Service(models.Model):
    """A service an organization offers to people (HSDS service), as the public sees it."""

    TENANT_OWNER: ClassVar[str] = "organization"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="services",
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
    )
    names = models.JSONField(_("name"), default=dict)
    alternate_name = models.CharField(_("other name or code"), max_length=200, blank=True)
    descriptions = models.JSONField(_("description"), default=dict)
    eligibility_descriptions = models.JSONField(_("who it is for"), default=dict, blank=True)
    application_processes = models.JSONField(_("how to apply"), default=dict, blank=True)
    fees_descriptions = models.JSONField(_("fees"), default=dict, blank=True)
    url = models.URLField(_("web page"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    is_free = models.BooleanField(_("free of charge"), default=True)
    interpretation_services = models.CharField(
        _("interpretation"),
        max_length=300,
        blank=True,
        help_text=_("E.g. interpreters on request."),
    )
    # Structured eligibility, used by the search filters and by the eligibility helpers.
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True)
    immigration_statuses = models.ManyToManyField(
        ImmigrationStatus,
        verbose_name=_("immigration statuses accepted"),
        blank=True,
        help_text=_("Leave empty when the service is open whatever the status."),
    )
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    max_years_since_arrival = models.PositiveSmallIntegerField(
        _("at most this many years since arrival"), null=True, blank=True
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages the service is given in"), blank=True
    )
    needs = models.ManyToManyField(
        TaxonomyTerm, verbose_name=_("needs addressed"), blank=True, related_name="services"
    )
    funding_source = models.CharField(_("funded by"), max_length=300, blank=True)
    assured_date = models.DateField(_("last verified"), null=True, blank=True)
    assurer_email = models.EmailField(_("verified by"), blank=True)
    # A service is public once a revision of it has been published.
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_modified = models.DateTimeField(_("last modified"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["organization__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names)

    @property
    def description(self) -> str:
        return pick(self.descriptions)

    @property
    def eligibility_description(self) -> str:
        return pick(self.eligibility_descriptions)


class ServiceAtLocation(models.Model):
    """Where a service is given (HSDS service_at_location)."""

    TENANT_OWNER: ClassVar[str] = "service__organization"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="locations"
    )
    location = models.ForeignKey(
        Site, verbose_name=_("place"), on_delete=models.CASCADE, related_name="service_links"
    )
    descriptions = models.JSONField(_("notes for this place"), default=dict, blank=True)

    class Meta:
        verbose_name = _("service at a place")
        verbose_name_plural = _("services at places")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_at_location_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Schedule(models.Model):
    """When a service is open (HSDS schedule, iCalendar RRULE fields), for a service or one place."""

    TENANT_OWNER: ClassVar[str] = "service__organization"

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", _("Every week")
        MONTHLY = "MONTHLY", _("Every month")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    freq = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    # iCalendar day codes, comma separated: "MO,WE". For MONTHLY, may carry an ordinal: "2TU".
    byday = models.CharField(_("days"), max_length=40, blank=True)
    bymonthday = models.CharField(_("days of the month"), max_length=40, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    descriptions = models.JSONField(_("notes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["service", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(opens_at__lt=models.F("closes_at")),
                name="schedule_opens_before_closing",
            ),
            models.CheckConstraint(condition=Q(interval__gte=1), name="schedule_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.freq} {self.byday} {self.opens_at}-{self.closes_at}"


class Contact(models.Model):
    """A person or desk to reach about a service (HSDS contact)."""

    TENANT_OWNER: ClassVar[str] = "service__organization"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["service", "name"]

    def __str__(self) -> str:
        return self.name


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned with comments")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ServiceRevision(models.Model):
    """One edit of a service by its organization's staff: a full snapshot of the editable content.

    The state machine (who may move a revision where) is declared in `directory.workflow`.
    """

    TENANT_OWNER: ClassVar[str] = "service__organization"

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    state = models.CharField(
        _("state"), max_length=12, choices=RevisionState.choices, default=RevisionState.DRAFT
    )
    content = models.JSONField(_("content"), default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("revision of a service")
        verbose_name_plural = _("revisions of services")
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="service_revision_number"),
            # At most one edit under way per service: no two people overwrite each other.
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="service_one_open_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} #{self.number} ({self.get_state_display()})"


class ReviewRequirement(models.Model):
    """A city coordinator asked that an organization's service edits be reviewed before publication."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="directory_review",
    )
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("required by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    since = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("review requirement")
        verbose_name_plural = _("review requirements")

    def __str__(self) -> str:
        return str(self.organization)


class ServiceEmbedding(models.Model):
    """The sentence-encoder vector of a service's text in one language, for the public search.

    `text_hash` lets the index skip texts that did not change since the last build.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="embeddings")
    language = models.CharField(max_length=10)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()

    class Meta:
        verbose_name = _("search vector")
        verbose_name_plural = _("search vectors")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "language"], name="service_embedding_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}/{self.language}"
