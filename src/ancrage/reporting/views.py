"""Pages of accountability reports: the organization's reports by period, a report (live figures
while a draft, frozen once sent), its stored files, and the funder's advisor's reports received.

Thin views: what a person may see comes from `selectors` (which go through `core.tenancy`: a
forged or foreign id is a 404), every step from `services`.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ancrage.core import tenancy
from ancrage.core.choices import OrganizationKind
from ancrage.network.models import Organization
from ancrage.reporting import exports, selectors, services, workflow
from ancrage.reporting.forms import ReceivedFilterForm, ReportOpenForm, ReportStepForm
from ancrage.reporting.models import AccountabilityReport, ReportFormat, ReportState

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}
LANGUAGE_NAMES = {"fr-ca": "Français", "en": "English"}
RECEIVED_SHOWN = 200


def _reader_language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "fr"


def _text(pair: Any, language: str) -> str:
    if isinstance(pair, dict):
        return pair.get(language) or pair.get("fr") or pair.get("en") or ""
    return str(pair or "")


def _display(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures in the reader's language, shaped for the template (hidden = None → "x")."""
    language = _reader_language()
    tables = []
    for table in figures.get("tables", []):
        has_totals = table.get("total") is not None or any(
            value is not None for value in table.get("row_totals") or []
        )
        tables.append(
            {
                "key": table["key"],
                "title": _text(table["title"], language),
                "note": _text(table.get("note"), language) if table.get("note") else "",
                "columns": [_text(c["label"], language) for c in table["columns"]],
                "rows": [
                    {"label": _text(row["label"], language), "cells": cells}
                    for row, cells in zip(table["rows"], table["cells"], strict=True)
                ],
                "column_totals": table.get("column_totals") or [],
                "total": table.get("total"),
                "has_totals": has_totals and table["key"] != "language",
            }
        )
    return {
        "period": _text(figures["period"]["label"], language),
        "computed_at": figures.get("computed_at", ""),
        "threshold": figures.get("threshold"),
        "headline": [
            {**entry, "label": _text(entry["label"], language)}
            for entry in figures.get("headline", [])
        ],
        "targets": [
            {**entry, "label": _text(entry["label"], language)}
            for entry in figures.get("targets", [])
        ],
        "trend": [
            {**entry, "label": _text(entry["period"]["label"], language)}
            for entry in figures.get("trend", [])
        ],
        "profile": [t for t in tables if t["key"] != "unfunded"],
        "unfunded": next((t for t in tables if t["key"] == "unfunded"), None),
        "hidden_cells": figures.get("suppression", {}).get("hidden_cells", 0),
    }


# --- The organization's side ---------------------------------------------------------------------


def _report_list_page(
    request: HttpRequest, open_form: ReportOpenForm | None = None
) -> HttpResponse:
    language = _reader_language()
    overview = [
        {
            "agreement": item.agreement,
            "lines": [
                {
                    "label": _text(line.period.label, language),
                    "start": line.period.start.isoformat(),
                    "report": line.report,
                    "can_open": line.can_open,
                }
                for line in item.lines
            ],
        }
        for item in selectors.report_overview(request.user)
    ]
    return render(
        request,
        "reporting/report_list.html",
        {
            "overview": overview,
            "open_form": open_form,
            "advises": tenancy.has_capability(request.user, tenancy.ADVISE),
            # Where the annual reports of the user's organizations are.
            "organizations": tenancy.scoped(Organization, request.user, tenancy.VIEW_REPORTS)
            .filter(kind__in=SERVING_KINDS)
            .order_by("name"),
        },
        status=400 if open_form is not None and open_form.errors else 200,
    )


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The organization's agreements, each period begun and its report's state."""
    if not tenancy.has_capability(request.user, tenancy.VIEW_REPORTS):
        if tenancy.has_capability(request.user, tenancy.ADVISE):
            return redirect("reporting:received")
        raise PermissionDenied
    return _report_list_page(request)


@login_required
@require_POST
def report_open(request: HttpRequest) -> HttpResponse:
    """Open the report of a period (from the list's buttons)."""
    if not tenancy.has_capability(request.user, tenancy.PREPARE_REPORTS):
        raise PermissionDenied
    agreements = tenancy.scoped(
        selectors.agreements_for(request.user), request.user, tenancy.PREPARE_REPORTS
    )
    form = ReportOpenForm(request.POST, agreements=agreements)
    if form.is_valid():
        try:
            report = services.report_draft_open(
                actor=request.user,
                agreement=form.cleaned_data["agreement"],
                period_start=form.cleaned_data["period"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The report is open: check its figures, then submit it."))
            return redirect("reporting:report_detail", pk=report.pk)
    return _report_list_page(request, form)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report: live figures while it may still be submitted, what was sent once it was."""
    report, side = selectors.report_for(request.user, pk)
    steps = workflow.allowed_steps(report.state, workflow.actors_for(request.user, report))
    form = ReportStepForm(request.POST or None, steps=steps, initial={"version": report.version})
    if request.method == "POST":
        if not steps:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_step(
                    actor=request.user,
                    report=report,
                    step=form.cleaned_data["step"],
                    version=form.cleaned_data["version"],
                    comment=form.cleaned_data.get("comment") or "",
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Done: the report's state is recorded."))
                return redirect("reporting:report_detail", pk=report.pk)
    live = side == selectors.ORGANIZATION_SIDE and report.state in workflow.LIVE_STATES
    figures = (
        selectors.report_figures(report.agreement, report.period_start, report.period_end)
        if live
        else report.figures
    )
    files = list(report.files.defer("content").order_by("format", "language"))
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "side": side,
            "live": live,
            "figures": _display(figures) if figures else None,
            "events": report.events.select_related("actor"),
            "files": [
                {"file": f, "language_name": LANGUAGE_NAMES.get(f.language, f.language)}
                for f in files
            ],
            "steps": steps,
            "form": form,
            "parameters": report.parameters,
            "rule": _text(report.parameters.get("rule"), _reader_language())
            if report.parameters
            else "",
        },
        status=400 if form.errors else 200,
    )


# Organizations that serve people (a funder or a round table has no annual report of services).
SERVING_KINDS = tuple(
    kind
    for kind in OrganizationKind.values
    if kind not in (OrganizationKind.FUNDER, OrganizationKind.ROUND_TABLE)
)


@login_required
def report_download(request: HttpRequest, pk: int, format: str, language: str) -> HttpResponse:  # noqa: A002
    """A stored file of a submitted report: the bytes that were sent, never recomputed. A draft's
    file is computed now, for the organization only (a preview before submitting)."""
    report, side = selectors.report_for(request.user, pk)
    if request.method not in ("GET", "HEAD"):  # after the access check: a foreign id is a 404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if format not in ReportFormat.values or language not in services.FILE_LANGUAGES:
        raise Http404
    if report.state == ReportState.DRAFT:
        if side != selectors.ORGANIZATION_SIDE:
            raise Http404
        figures, content = services.report_draft_file(
            actor=request.user,
            report=report,
            file_format=format,
            language=language,
            request=request,
        )
        digest = ""
    else:
        stored = services.report_file_read(
            actor=request.user,
            report=report,
            file_format=format,
            language=language,
            request=request,
        )
        if stored is None:
            raise Http404
        figures, content, digest = report.figures, bytes(stored.content), stored.sha256
    response = HttpResponse(content, content_type=CONTENT_TYPES[format])
    name = exports.filename(figures, format, language)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Language"] = language
    if digest:
        response["X-Content-SHA256"] = digest
    return response


# --- The funder's side ---------------------------------------------------------------------------


def _received_line(report: AccountabilityReport, language: str) -> dict[str, Any]:
    figures = report.figures or {}
    return {
        "report": report,
        "period": _text(figures.get("period", {}).get("label"), language)
        or f"{report.period_start:%Y-%m-%d} – {report.period_end:%Y-%m-%d}",
        "targets": [
            {**target, "label": _text(target["label"], language)}
            for target in figures.get("targets", [])
        ],
        "trend": [
            {
                "label": _text(entry["period"]["label"], language).split(" (")[0],
                "eligible_clients": entry.get("eligible_clients"),
            }
            for entry in figures.get("trend", [])
        ],
    }


@login_required
@require_GET
def received(request: HttpRequest) -> HttpResponse:
    """The reports sent to the advisor's funder: organizations followed first."""
    if not tenancy.has_capability(request.user, tenancy.ADVISE):
        raise PermissionDenied
    organizations, programs = selectors.received_choices(request.user)
    form = ReceivedFilterForm(request.GET or None, organizations=organizations, programs=programs)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "organization_id": form.cleaned_data.get("organization"),
            "program_id": form.cleaned_data.get("program"),
            "state": form.cleaned_data.get("state") or None,
            "followed_only": form.cleaned_data.get("followed") or False,
        }
    reports = selectors.reports_received(request.user, **filters)[:RECEIVED_SHOWN]
    language = _reader_language()
    return render(
        request,
        "reporting/received.html",
        {
            "form": form,
            "lines": [_received_line(report, language) for report in reports],
            "shown": RECEIVED_SHOWN,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("", report_list, name="report_list"),
    path("open/", report_open, name="report_open"),
    path("received/", received, name="received"),
    path("<int:pk>/", report_detail, name="report_detail"),
    path(
        "<int:pk>/download/<str:format>/<str:language>/",
        report_download,
        name="report_download",
    ),
]
