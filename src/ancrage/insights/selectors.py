"""Reads of the insights app: the review queue, an organization's suggestions, the items' public
information, duplicate clusters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ancrage.core import tenancy
from ancrage.core.translated import pick
from ancrage.network.models import Organization

from . import overlap
from .models import ItemKind, OverlapSuggestion, SuggestionState


def review_queue(user: Any, state: str | None = SuggestionState.NEW) -> QuerySet[OverlapSuggestion]:
    """The city's queue (REVIEW_OVERLAP holders): highest score first."""
    queryset = tenancy.scoped(OverlapSuggestion, user, tenancy.REVIEW_OVERLAP).select_related(
        "organization_a", "organization_b"
    )
    return queryset.filter(state=state) if state else queryset


def suggestions_about(user: Any, organization: Organization) -> QuerySet[OverlapSuggestion]:
    """Suggestions naming `organization`, as its own staff may see them (not the dismissed)."""
    return (
        tenancy.scoped(OverlapSuggestion, user, tenancy.VIEW)
        .filter(Q(organization_a=organization) | Q(organization_b=organization))
        .exclude(state=SuggestionState.DISMISSED)
        .select_related("organization_a", "organization_b")
    )


def suggestion_about(user: Any, organization: Organization, pk: int) -> OverlapSuggestion:
    """One suggestion about `organization`, or 404 (another organization's id looks missing)."""
    if not 0 < pk <= tenancy.BIGINT_MAX:
        raise Http404
    found = suggestions_about(user, organization).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_item(kind: str, item_id: str) -> dict[str, str]:
    """What the public may know of an item: its name, description and organization's name."""
    from ancrage.activities.models import Activity
    from ancrage.directory.models import Service
    from ancrage.grants.models import Application

    try:
        if kind == ItemKind.SERVICE:
            service = Service.objects.select_related("organization").get(pk=item_id)
            return {
                "name": service.name,
                "description": service.description,
                "organization": service.organization.name,
            }
        if kind == ItemKind.ACTIVITY:
            activity = Activity.objects.select_related("organization").get(pk=int(item_id))
            return {
                "name": pick(activity.title),
                "description": pick(activity.description) if activity.is_public else "",
                "organization": activity.organization.name,
            }
        application = Application.objects.select_related("organization").get(pk=int(item_id))
        return {
            "name": application.title,
            "description": "",
            "organization": application.organization.name,
        }
    except (Service.DoesNotExist, Activity.DoesNotExist, Application.DoesNotExist, ValueError):
        return {"name": "", "description": "", "organization": ""}


def with_items(suggestions: list[OverlapSuggestion]) -> list[OverlapSuggestion]:
    for suggestion in suggestions:
        suggestion.item_a = public_item(suggestion.kind_a, suggestion.id_a)
        suggestion.item_b = public_item(suggestion.kind_b, suggestion.id_b)
    return suggestions


def duplicate_clusters() -> list[list[tuple[str, str]]]:
    """Groups of items confirmed as duplicates of one another (connected components)."""
    rows = OverlapSuggestion.objects.filter(state=SuggestionState.DUPLICATE).values_list(
        "kind_a", "id_a", "kind_b", "id_b"
    )
    return overlap.clusters(((ka, ia), (kb, ib)) for ka, ia, kb, ib in rows)


def coverage(user: Any) -> dict[str, Any]:
    """The city's coverage gaps (REVIEW_OVERLAP holders only): cells, heat map, languages."""
    from . import coverage as gaps

    if not tenancy.has_capability(user, tenancy.REVIEW_OVERLAP):
        raise PermissionDenied
    cells = gaps.coverage_cells()
    boroughs = sorted({(c.borough, c.borough_name) for c in cells}, key=lambda b: b[1])
    needs = sorted({(c.need, c.need_name) for c in cells}, key=lambda n: n[1])
    by_key = {(c.borough, c.need): c for c in cells}
    heat = [
        {
            "name": name,
            "y": 30 + 22 * row,
            "ty": 45 + 22 * row,
            "cells": [
                {"x": 260 + 22 * col, "cell": by_key[(code, need)]}
                for col, (need, _n) in enumerate(needs)
            ],
        }
        for row, (code, name) in enumerate(boroughs)
    ]
    return {
        "cells": cells,
        "heat": heat,
        "needs": [{"x": 271 + 22 * col, "name": name} for col, (_c, name) in enumerate(needs)],
        "width": 280 + 22 * len(needs),
        "height": 40 + 22 * len(boroughs),
        "languages": gaps.language_gaps(),
    }
