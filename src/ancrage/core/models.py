from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ancrage.core.translated import base_language, pick


class User(AbstractUser):
    """A person who signs in: staff of an organization, a funder's advisor, a reviewer."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, default="fr-ca"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ReferenceItem(models.Model):
    """A row of an editable reference list; its name is stored in several languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    names = models.JSONField(
        _("names"), default=dict, help_text=_('Name per language, e.g. {"fr": "…", "en": "…"}.')
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names) or self.code


class Borough(ReferenceItem):
    """One of Montréal's 19 boroughs."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("borough")
        verbose_name_plural = _("boroughs")


class Language(ReferenceItem):
    """A language (ISO 639-1 code where one exists, else ISO 639-3)."""

    autonym = models.CharField(_("name in the language itself"), max_length=80, blank=True)
    is_rtl = models.BooleanField(_("written right to left"), default=False)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    @property
    def name(self) -> str:
        """In the reader's language when known, else as its speakers write it (العربية, Español):
        a reader of a public page in Arabic recognizes their own languages by sight."""
        return self.names.get(base_language(get_language())) or self.autonym or super().name


class ImmigrationStatus(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("immigration status")
        verbose_name_plural = _("immigration statuses")


class Audience(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class AuditEvent(models.Model):
    """Who did what to which record, when and why. Append-only.

    No foreign keys on purpose: an event outlives the user or record it names, and the database
    refuses UPDATE (and DELETE on PostgreSQL) on this table — see the migration's triggers.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("user"), max_length=150, blank=True)
    organization_id = models.BigIntegerField(
        _("organization id"), null=True, blank=True, db_index=True
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=80, blank=True)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}#{self.target_id}"


# --- Privacy duties (Québec's Law 25): retention, de-identification log, incidents, requests ----
# Here rather than in clients: they belong to the organization (its policy, its register), and the
# client they may name is kept as an id and code, not a foreign key, so core stays below clients.

DEFAULT_INACTIVE_YEARS = 7


class RetentionPolicy(models.Model):
    """How long an organization keeps the identity of a person it no longer serves."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.OneToOneField(
        "network.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    inactive_years = models.PositiveSmallIntegerField(
        _("years without activity before de-identification"), default=DEFAULT_INACTIVE_YEARS
    )
    updated_by = models.ForeignKey(
        "core.User",
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.inactive_years}"


class Deidentification(models.Model):
    """One client whose identity was erased (the vault emptied, the blind index deleted) while
    the pseudonymous profile stays for statistics. The mark that the retention job skips them."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        "network.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    client_id = models.BigIntegerField(_("client id"), unique=True)
    client_code = models.CharField(_("client code"), max_length=12)
    on = models.DateField(_("de-identified on"))
    last_activity_on = models.DateField(_("last activity"))
    inactive_years = models.PositiveSmallIntegerField(_("retention period (years)"))
    by = models.ForeignKey(
        "core.User",
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the scheduled job did it."),
    )
    at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("de-identification")
        verbose_name_plural = _("de-identifications")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.client_code} {self.on}"


class PrivacyIncident(models.Model):
    """The register of confidentiality incidents an organization must keep (Law 25, s. 3.8 of
    the Act respecting the protection of personal information in the private sector)."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        "network.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    discovered_on = models.DateField(_("discovered on"))
    occurred_on = models.DateField(_("occurred on"), null=True, blank=True)
    description = models.TextField(_("what happened"), max_length=5000)
    people_affected = models.PositiveIntegerField(_("people affected"))
    serious_injury_risk = models.BooleanField(_("risk of serious injury"))
    reported_on = models.DateField(
        _("reported to the Commission d'accès à l'information on"), null=True, blank=True
    )
    people_notified_on = models.DateField(_("people notified on"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        "core.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("privacy incident")
        verbose_name_plural = _("privacy incidents")
        ordering = ["-discovered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.discovered_on}"


class PrivacyRequest(models.Model):
    """A person's request about their information (access, rectification) and when it was met:
    the organization has 30 days to answer."""

    TENANT_OWNER: ClassVar[str] = "organization"

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (a copy of the information)")
        RECTIFICATION = "rectification", _("Rectification")

    organization = models.ForeignKey(
        "network.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    client_id = models.BigIntegerField(_("client id"), db_index=True)
    client_code = models.CharField(_("client code"), max_length=12)
    kind = models.CharField(_("request"), max_length=20, choices=Kind.choices)
    received_on = models.DateField(_("received on"))
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "core.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.client_code} {self.kind} {self.received_on}"
