"""Activities of Liaison Officers and organizations, their sessions, attendance and outreach."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.core.models import Audience, Borough, Language, ReferenceItem
from ancrage.core.translated import pick
from ancrage.network.models import Organization, PartnershipKind, Site


class ActivityType(ReferenceItem):
    """The program's catalogue: Job Café, Coffee and Chat, storytime… (editable in admin)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")


class Activity(models.Model):
    """Something an organization runs for people: once, or as a series of sessions."""

    TENANT_OWNER: ClassVar[str] = "organization"

    class Category(models.TextChoices):
        MIXED = "mixed", _("Mixed activity")
        SPECIALIZED = "specialized", _("Specialized activity")
        COACHING = "coaching", _("Coaching")
        MEDIATION = "mediation", _("Mediation")

    class VenueKind(models.TextChoices):
        LIBRARY = "library", _("Library")
        CLINIC = "clinic", _("Clinic")
        LAUNDROMAT = "laundromat", _("Laundromat")
        DAYCARE = "daycare", _("Daycare or early-childhood centre")
        SCHOOL = "school", _("School")
        PARK = "park", _("Park")
        YOUTH_CENTRE = "youth_centre", _("Youth centre")
        COMMUNITY_ORGANIZATION = "community_organization", _("Community organization")
        EVENT = "event", _("Borough or community event")
        OTHER = "other", _("Other place")

    class Format(models.TextChoices):
        DROP_IN = "drop_in", _("Drop-in, come and go")
        OPEN = "open", _("Fixed time, no registration")
        REGISTRATION = "registration", _("Registration required")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name=_("type of activity"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("Leave empty when the activity takes place outside the organization's sites."),
    )
    venue_kind = models.CharField(_("kind of place"), max_length=30, choices=VenueKind.choices)
    venue_name = models.CharField(_("place"), max_length=200, blank=True)
    venue_address = models.CharField(_("address of the place"), max_length=200, blank=True)
    borough = models.ForeignKey(
        Borough, verbose_name=_("borough"), on_delete=models.PROTECT, related_name="activities"
    )
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages"), blank=True)
    needs = models.ManyToManyField(
        "directory.TaxonomyTerm",
        verbose_name=_("needs addressed"),
        blank=True,
        related_name="activities",
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    interpreter_present = models.BooleanField(_("interpreter present"), default=False)
    community_leader_present = models.BooleanField(_("community leader present"), default=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities_in_charge",
    )
    is_public = models.BooleanField(_("shown in the public calendar"), default=True)
    program = models.ForeignKey(
        "funding.FundingProgram",
        verbose_name=_("charged to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The funding program whose agreement counts these sessions and participants."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.title)

    @property
    def is_outside(self) -> bool:
        """Held outside the library or the organization's own premises (the program's "out")."""
        return self.venue_kind not in {self.VenueKind.LIBRARY} and self.site_id is None


class ActivityPartner(models.Model):
    """A partner organization involved in an activity, and how."""

    TENANT_OWNER: ClassVar[str] = "activity__organization"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(
        Organization, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    kinds = models.JSONField(_("kinds of partnership"), default=list)

    class Meta:
        verbose_name = _("partner of an activity")
        verbose_name_plural = _("partners of activities")
        constraints = [
            models.UniqueConstraint(fields=["activity", "partner"], name="activity_partner_unique")
        ]

    def __str__(self) -> str:
        return f"{self.activity} ↔ {self.partner}"

    def kind_labels(self) -> list[str]:
        labels = dict(PartnershipKind.choices)
        return [str(labels[k]) for k in self.kinds if k in labels]


class Session(models.Model):
    """One occurrence of an activity. Recurring activities have one row per occurrence."""

    TENANT_OWNER: ClassVar[str] = "activity__organization"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The occurrence the recurrence rule produced; differs from starts_at when the session was moved.
    original_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["activity", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} — {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Recurrence(models.Model):
    """The rule a series of sessions was generated from (RFC 5545 RRULE), kept for the iCal feed."""

    TENANT_OWNER: ClassVar[str] = "activity__organization"

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="recurrence")
    rrule = models.CharField(_("recurrence rule"), max_length=500)
    first_start = models.DateTimeField(_("first session starts"))
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"))

    class Meta:
        verbose_name = _("recurrence")
        verbose_name_plural = _("recurrences")

    def __str__(self) -> str:
        return f"{self.activity}: {self.rrule}"


class Attendance(models.Model):
    """Head count of one session.

    Origin groups are disjoint and add up to the total (newcomers ≤ 5 years, immigrants > 5 years,
    others); the other counts describe the same people from another angle (a newcomer woman with
    her child counts in women and in children) and each is at most the total.
    """

    TENANT_OWNER: ClassVar[str] = "session__activity__organization"

    ORIGIN_FIELDS: ClassVar[tuple[str, ...]] = ("newcomers", "immigrants", "others")
    PROFILE_FIELDS: ClassVar[tuple[str, ...]] = (
        "women",
        "children",
        "families",
        "library_non_users",
    )

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="attendance")
    newcomers = models.PositiveIntegerField(_("newcomers (5 years or less)"), default=0)
    immigrants = models.PositiveIntegerField(_("immigrants (more than 5 years)"), default=0)
    others = models.PositiveIntegerField(_("other participants"), default=0)
    women = models.PositiveIntegerField(_("women"), default=0)
    children = models.PositiveIntegerField(_("children"), default=0)
    families = models.PositiveIntegerField(_("families"), default=0)
    library_non_users = models.PositiveIntegerField(_("library non-users"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    waiting_list = models.PositiveIntegerField(_("waiting list"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    total=models.F("newcomers") + models.F("immigrants") + models.F("others")
                ),
                name="attendance_total_is_sum_of_origins",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.total}"


class OutreachContact(models.Model):
    """People met off-site by a Liaison Officer, and how many came to the library later."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="outreach",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("met by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    met_on = models.DateField(_("date"))
    venue_kind = models.CharField(
        _("kind of place"), max_length=30, choices=Activity.VenueKind.choices
    )
    place = models.CharField(_("place"), max_length=200)
    borough = models.ForeignKey(
        Borough, verbose_name=_("borough"), on_delete=models.PROTECT, related_name="+"
    )
    people_met = models.PositiveIntegerField(_("people met"))
    came_to_library_later = models.PositiveIntegerField(_("came to the library later"), default=0)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("outreach contact")
        verbose_name_plural = _("outreach contacts")
        ordering = ["-met_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(came_to_library_later__lte=models.F("people_met")),
                name="outreach_later_at_most_met",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.met_on} {self.place}: {self.people_met}"
