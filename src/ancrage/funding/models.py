"""Funding programs and their eligibility rules, versioned by date.

A program belongs to its funder (a `network.Organization`: the MIFI, the City, Centraide…). Who
a program covers is written as data — a small JSON document of conditions (see `conditions.py`)
— in versions that follow each other in time, so an administrator changes the rules without
code and a service is always judged by the version in force on the day it was given.
"""

from datetime import date
from typing import ClassVar

from django.conf import settings
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("funding program")
        verbose_name_plural = _("funding programs")
        ordering = ["code"]

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
