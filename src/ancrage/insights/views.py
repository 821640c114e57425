"""Insights pages: the city's review queue of overlap suggestions, an organization's suggestions
about itself, coverage gaps, partnership suggestions. Thin views; writes in `services`."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ancrage.core import tenancy
from ancrage.network.models import Organization

from . import selectors, services
from .models import OverlapSuggestion, SuggestionState

PAGE_SIZE = 30


def _require_review(request: HttpRequest) -> None:
    if not tenancy.has_capability(request.user, tenancy.REVIEW_OVERLAP):
        raise PermissionDenied


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    _require_review(request)
    state = request.GET.get("state") or SuggestionState.NEW
    if state not in SuggestionState.values:
        state = SuggestionState.NEW
    page = Paginator(selectors.review_queue(request.user, state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.with_items(list(page))
    return render(
        request,
        "insights/queue.html",
        {"page": page, "state": state, "states": SuggestionState.choices},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_review(request)
    suggestion = tenancy.object_for(OverlapSuggestion, request.user, tenancy.REVIEW_OVERLAP, pk=pk)
    if request.method == "POST":
        try:
            suggestion = services.suggestion_decide(
                actor=request.user,
                suggestion=suggestion,
                state=request.POST.get("state", ""),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("insights:suggestion", pk=pk)
        messages.success(request, _("Decision recorded."))
        if suggestion.state == SuggestionState.COMPLEMENTARY:
            return redirect("insights:suggestion", pk=pk)
        return redirect("insights:queue")
    selectors.with_items([suggestion])
    return render(request, "insights/suggestion.html", {"suggestion": suggestion})


@login_required
def organization_suggestions(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = tenancy.object_for(Organization, request.user, tenancy.VIEW, pk=organization_pk)
    if request.method not in ("GET", "HEAD"):  # after the scope: a foreign id stays a 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    suggestions = selectors.with_items(
        list(selectors.suggestions_about(request.user, organization))
    )
    rows = [_as_seen_by(organization, s) for s in suggestions]
    return render(
        request,
        "insights/organization_suggestions.html",
        {"organization": organization, "rows": rows},
    )


@login_required
def organization_suggestion(request: HttpRequest, organization_pk: int, pk: int) -> HttpResponse:
    organization = tenancy.object_for(Organization, request.user, tenancy.VIEW, pk=organization_pk)
    suggestion = selectors.suggestion_about(request.user, organization, pk)
    if request.method not in ("GET", "HEAD"):  # after the scope: a foreign id stays a 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    selectors.with_items([suggestion])
    return render(
        request,
        "insights/organization_suggestion.html",
        {"organization": organization, "row": _as_seen_by(organization, suggestion)},
    )


def _as_seen_by(organization: Organization, suggestion: OverlapSuggestion) -> dict:
    """Ours and theirs: of the other organization, only its public information."""
    ours_is_a = suggestion.organization_a_id == organization.pk
    other = suggestion.organization_b if ours_is_a else suggestion.organization_a
    return {
        "suggestion": suggestion,
        "ours": suggestion.item_a if ours_is_a else suggestion.item_b,
        "theirs": suggestion.item_b if ours_is_a else suggestion.item_a,
        "other": {"name": other.name, "website": other.website, "borough": other.borough},
    }


@login_required
@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    _require_review(request)
    return render(request, "insights/coverage.html", selectors.coverage(request.user))


@login_required
@require_safe
def coverage_csv(request: HttpRequest) -> HttpResponse:
    from .coverage import csv_safe

    _require_review(request)
    data = selectors.coverage(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coverage.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Borough"),
            _("Need"),
            _("Newcomers"),
            _("Services"),
            _("Sessions per month"),
            _("Languages offered"),
            _("Supply per 1,000 newcomers"),
        ]
    )
    for cell in data["cells"]:
        writer.writerow(
            [
                csv_safe(cell.borough_name),
                csv_safe(cell.need_name),
                cell.newcomers,
                cell.services,
                cell.sessions_per_month,
                csv_safe(" ".join(sorted(cell.languages))),
                cell.supply_per_thousand,
            ]
        )
    return response


@login_required
def partners(request: HttpRequest, organization_pk: int) -> HttpResponse:
    from .partners import partner_suggestions

    organization = tenancy.object_for(Organization, request.user, tenancy.VIEW, pk=organization_pk)
    if request.method not in ("GET", "HEAD"):  # after the scope: a foreign id stays a 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(
        request,
        "insights/partners.html",
        {"organization": organization, "suggestions": partner_suggestions(organization)},
    )
