"""The Liaison program dashboard and its CSV and XLSX exports (same filters, same numbers)."""

import csv
import io
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ancrage.activities import selectors
from ancrage.activities.models import Activity, ActivityType
from ancrage.core import tenancy
from ancrage.core.forms import IdChoiceField
from ancrage.core.models import Borough
from ancrage.network.models import Organization

MAX_PERIOD_DAYS = 10 * 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class ProgramFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    borough = IdChoiceField(
        label=gettext_lazy("Borough"),
        required=False,
        queryset=Borough.objects.none(),
        empty_label=gettext_lazy("All boroughs"),
    )
    organization = IdChoiceField(
        label=gettext_lazy("Organization"),
        required=False,
        queryset=Organization.objects.none(),
        empty_label=gettext_lazy("All organizations"),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    setting = forms.ChoiceField(label=gettext_lazy("Setting"), required=False)
    activity_type = IdChoiceField(
        label=gettext_lazy("Type of activity"),
        required=False,
        queryset=ActivityType.objects.none(),
        empty_label=gettext_lazy("All types"),
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.fields["borough"].queryset = Borough.objects.filter(is_active=True)
        self.fields["organization"].queryset = selectors.visible_organizations(user=user)
        self.fields["category"].choices = [
            ("", _("All categories")),
            *Activity.Category.choices,
        ]
        self.fields["setting"].choices = [("", _("In and out")), *selectors.SETTINGS]
        self.fields["activity_type"].queryset = ActivityType.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Choose a date between 2000 and 2100."))
                return data
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period must come after its start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("Choose a period of ten years at most."))
        return data

    def filters(self) -> selectors.ProgramFilters:
        data = self.cleaned_data
        return selectors.ProgramFilters(
            start=data["start"],
            end=data["end"],
            borough=data.get("borough"),
            organization=data.get("organization"),
            category=data.get("category") or "",
            setting=data.get("setting") or "",
            activity_type=data.get("activity_type"),
        )


def _form(request: HttpRequest) -> ProgramFilterForm:
    if not tenancy.has_capability(request.user, tenancy.VIEW_PROGRAM):
        raise PermissionDenied
    data = request.GET.copy()
    start, end = selectors.default_period()
    if not data.get("start") and not data.get("end"):
        data["start"], data["end"] = start.isoformat(), end.isoformat()
    return ProgramFilterForm(data, user=request.user)


def counts_note() -> str:
    return _(
        "Attendances add up the head counts of the sessions held: a person who came to ten "
        "sessions counts ten times. They are not a number of distinct people."
    )


def _period(filters: selectors.ProgramFilters) -> str:
    return _("%(start)s to %(end)s") % {
        "start": date_format(filters.start, "DATE_FORMAT"),
        "end": date_format(filters.end, "DATE_FORMAT"),
    }


@login_required
def program(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(
            request, "activities/dashboard/program.html", {"form": form, "report": None}, status=400
        )
    report = selectors.program_report(user=request.user, filters=form.filters())
    query = request.GET.urlencode()
    return render(
        request,
        "activities/dashboard/program.html",
        {
            "form": form,
            "report": report,
            "period": _period(report.filters),
            "previous_period": _period(report.previous_filters),
            "counts_note": counts_note(),
            "network_wide": tenancy.grant_for(request.user, tenancy.VIEW_PROGRAM).everywhere,
            "query": query,
            "change_label": _("Change (%)"),
        },
    )


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _table_rows(report: selectors.ProgramReport) -> list[list[Any]]:
    """The summary lines of both exports: what is counted, the period, then each figure."""
    rows: list[list[Any]] = [
        [_("Liaison program dashboard")],
        [counts_note()],
        [_("Period"), _period(report.filters)],
        [_("Previous period"), _period(report.previous_filters)],
        [],
        [_("Figure"), _("This period"), _("Previous period"), _("Difference"), _("Change (%)")],
    ]
    for item in report.comparisons:
        rows.append(
            [
                item.label,
                item.current,
                item.previous,
                item.difference,
                "" if item.percent is None else item.percent,
            ]
        )
    return rows


def _filename(request: HttpRequest, report: selectors.ProgramReport, extension: str) -> str:
    return f"program-{report.filters.start:%Y%m%d}-{report.filters.end:%Y%m%d}.{extension}"


def _invalid(form: ProgramFilterForm) -> HttpResponse:
    messages = [
        f"{form.fields[name].label if name in form.fields else ''}: {error}"
        for name, errors in form.errors.items()
        for error in errors
    ]
    return HttpResponse(
        "\n".join([_("The filters are not valid."), *messages]) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@login_required
def program_csv(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _invalid(form)
    report = selectors.program_report(user=request.user, filters=form.filters())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _table_rows(report):
        writer.writerow([_safe(v) for v in row])
    for breakdown in report.breakdowns:
        writer.writerow([])
        writer.writerow([breakdown.title])
        writer.writerow([breakdown.heading, *breakdown.columns])
        for label, values in breakdown.rows:
            writer.writerow([_safe(label), *values])
    # A byte-order mark so that spreadsheet programs read the accents right.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, report, "csv")}"'
    return response


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:28].strip() or "Sheet"
    name, number = clean, 2
    while name.lower() in used:
        name = f"{clean[:25]} {number}"
        number += 1
    used.add(name.lower())
    return name


@login_required
def program_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    form = _form(request)
    if not form.is_valid():
        return _invalid(form)
    report = selectors.program_report(user=request.user, filters=form.filters())
    workbook = Workbook()
    used: set[str] = set()
    summary = workbook.active
    summary.title = _sheet_title(_("Summary"), used)
    for row in _table_rows(report):
        summary.append([_safe(v) for v in row])
    summary["A1"].font = Font(bold=True)
    for breakdown in report.breakdowns:
        sheet = workbook.create_sheet(_sheet_title(breakdown.title, used))
        sheet.append([breakdown.title])
        sheet.append([counts_note()])
        sheet.append([breakdown.heading, *breakdown.columns])
        for label, values in breakdown.rows:
            sheet.append([_safe(label), *values])
        sheet["A1"].font = Font(bold=True)
        sheet.column_dimensions["A"].width = 45
    summary.column_dimensions["A"].width = 45
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, report, "xlsx")}"'
    return response


urlpatterns = [
    path("program/", program, name="program"),
    path("program/export.csv", program_csv, name="program_csv"),
    path("program/export.xlsx", program_xlsx, name="program_xlsx"),
]
