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
