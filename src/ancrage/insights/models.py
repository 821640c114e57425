"""Overlap between services, activities and projects; coverage gaps; partnership suggestions.

An `OverlapSuggestion` names two items of different organizations by (kind, id): a directory
service (uuid), an activity or a funded grant project (integers) — one pair of fields per side
rather than three nullable foreign keys per side, so a pair of any two kinds is one row. The pair
is stored in a canonical order (the smaller key first), so it exists once.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.core.models import Borough
from ancrage.network.models import Organization


class ItemKind(models.TextChoices):
    SERVICE = "service", _("Service")
    ACTIVITY = "activity", _("Activity")
    PROJECT = "project", _("Funded project")


class SuggestionState(models.TextChoices):
    NEW = "new", _("To review")
    DUPLICATE = "duplicate", _("Duplicate")
    COMPLEMENTARY = "complementary", _("Complementary")
    DISMISSED = "dismissed", _("Dismissed")


class OverlapSuggestion(models.Model):
    """Two items of different organizations that seem to serve the same people at the same place."""

    TENANT_OWNER: ClassVar[str] = "organization_a"
    # The other side reads it too: each organization sees the suggestions about itself.
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("organization_b",)

    kind_a = models.CharField(_("kind of the first item"), max_length=10, choices=ItemKind.choices)
    id_a = models.CharField(_("first item"), max_length=40)
    organization_a = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    kind_b = models.CharField(_("kind of the second item"), max_length=10, choices=ItemKind.choices)
    id_b = models.CharField(_("second item"), max_length=40)
    organization_b = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other organization"),
    )
    score = models.FloatField(_("score"))
    evidence = models.JSONField(_("evidence"), default=dict)
    # Hash of both items' compared content: a decision holds until one of them changes.
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    state = models.CharField(
        _("state"), max_length=15, choices=SuggestionState.choices, default=SuggestionState.NEW
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("overlap suggestion")
        verbose_name_plural = _("overlap suggestions")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind_a", "id_a", "kind_b", "id_b"], name="overlap_pair_once"
            ),
            models.CheckConstraint(
                condition=~Q(organization_a=models.F("organization_b")),
                name="overlap_different_organizations",
            ),
        ]
        indexes = [
            models.Index(fields=["kind_a", "id_a"], name="overlap_item_a"),
            models.Index(fields=["kind_b", "id_b"], name="overlap_item_b"),
            models.Index(fields=["state", "-score"], name="overlap_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_a}:{self.id_a} ~ {self.kind_b}:{self.id_b} ({self.score:.2f})"


class CoverageDemand(models.Model):
    """How many newcomers live in a borough and which languages they speak (reference data).

    Edited by the city's coordinators (admin); the demo's values are synthetic.
    """

    borough = models.OneToOneField(
        Borough, verbose_name=_("borough"), on_delete=models.CASCADE, related_name="demand"
    )
    newcomer_population = models.PositiveIntegerField(_("newcomers (5 years or less)"))
    # {"fr": 0.45, "es": 0.12, …}: share of the borough's newcomers who speak each language.
    language_shares = models.JSONField(_("languages spoken (shares)"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("newcomer population of a borough")
        verbose_name_plural = _("newcomer populations of the boroughs")
        ordering = ["borough__sort_order"]

    def __str__(self) -> str:
        return f"{self.borough}: {self.newcomer_population}"
