import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.core.choices import CITY_FAMILY, INSTITUTIONAL, OrganizationKind, Role
from ancrage.core.models import Borough


class Organization(models.Model):
    """A library network, community organization, city service, funder, institution or table."""

    TENANT_OWNER: ClassVar[str] = ""

    # The id other systems know it by (HSDS organization id); stable across exports and imports.
    hsds_id = models.UUIDField(_("directory id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    borough = models.ForeignKey(
        Borough,
        verbose_name=_("head office borough"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for organizations based outside Montréal."),
    )
    boroughs_served = models.ManyToManyField(
        Borough, verbose_name=_("boroughs served"), blank=True, related_name="organizations_serving"
    )
    mission = models.TextField(_("mission"), max_length=4000, blank=True)
    is_autonomous_community_action = models.BooleanField(
        _("recognized as autonomous community action"), default=False
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("general email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic demo data"), default=False, help_text=_("Invented for the demonstration.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "borough", name="organization_unique_name_per_borough"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place where an organization works: a library branch or another point of service."""

    TENANT_OWNER: ClassVar[str] = "organization"

    class Kind(models.TextChoices):
        LIBRARY_BRANCH = "library_branch", _("Library branch")
        HEAD_OFFICE = "head_office", _("Head office")
        POINT_OF_SERVICE = "point_of_service", _("Point of service")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="sites"
    )
    # The id other systems know it by (HSDS location id).
    hsds_id = models.UUIDField(_("directory id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=30, choices=Kind.choices, default=Kind.POINT_OF_SERVICE
    )
    borough = models.ForeignKey(
        Borough, verbose_name=_("borough"), on_delete=models.PROTECT, related_name="sites"
    )
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    accessibility = models.CharField(
        _("accessibility"),
        max_length=500,
        blank=True,
        help_text=_("Step-free entrance, elevator, etc."),
    )
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "organization", name="site_unique_name_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None) -> "MembershipQuerySet":
        day = on or timezone.localdate()
        return self.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day
        ).filter(user__is_active=True)


class Membership(models.Model):
    """A person's role in an organization. One person may hold several roles or organizations."""

    TENANT_OWNER: ClassVar[str] = "organization"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    sites = models.ManyToManyField(
        Site,
        verbose_name=_("assigned sites"),
        blank=True,
        related_name="memberships",
        help_text=_("For a liaison officer: the libraries they serve."),
    )
    started_on = models.DateField(_("since"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_role_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organization})"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.started_on <= today and (self.ended_on is None or self.ended_on >= today)


class PartnershipKind(models.TextChoices):
    REFERENCE = "reference", _("Reference")
    RECRUITING = "recruiting", _("Help with recruiting and soliciting")
    CONSULTATION = "consultation", _("Consultation")
    TRAINING = "training", _("Training")
    INFORMATION = "information", _("Information distribution")
    ACTIVITIES = "activities", _("Co-organized activities")
    SUPPORT = "support", _("Support for organizing and taking part")


class Partnership(models.Model):
    """A working relationship recorded by one organization with another.

    Internal/external and institutional/community are read off the two organizations' kinds,
    as the Liaison program defines them, so they cannot drift from the organizations themselves.
    """

    TENANT_OWNER: ClassVar[str] = "organization"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("partner",)

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    partner = models.ForeignKey(
        Organization,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="partnerships_as_partner",
    )
    kinds = models.JSONField(_("kinds of partnership"), default=list)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partner"], name="partnership_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(organization=models.F("partner")), name="partnership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ↔ {self.partner}"

    @property
    def is_internal(self) -> bool:
        return self.organization.kind in CITY_FAMILY and self.partner.kind in CITY_FAMILY

    @property
    def scope_label(self) -> str:
        return str(_("Internal") if self.is_internal else _("External"))

    @property
    def sector_label(self) -> str:
        if self.is_internal:
            return ""
        return str(_("Institutional") if self.partner.kind in INSTITUTIONAL else _("Community"))

    def kind_labels(self) -> list[str]:
        labels = dict(PartnershipKind.choices)
        return [str(labels[k]) for k in self.kinds if k in labels]
