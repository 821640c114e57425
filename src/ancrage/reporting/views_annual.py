"""Pages of the annual activity report and the plain-language report to members.

Both belong to one organization and need `reporting.view` in it (a forged or foreign id is a
404, a member without the capability gets a 403). The figures come from `reporting.annual`.
Bad input — a year that is not a number, out of range, an unknown language — is said in words
and the page falls back to the last complete year or to French, never an error page.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ancrage.core import tenancy
from ancrage.core.tenancy import object_for
from ancrage.network.models import Organization
from ancrage.reporting import annual


class PeriodForm(forms.Form):
    """Which year: parses only (the years offered are `annual.year_choices`)."""

    basis = forms.ChoiceField(
        label=gettext_lazy("Kind of year"), choices=annual.BASES, required=False
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        help_text=gettext_lazy("For a fiscal year, the year it starts in (April)."),
    )

    def __init__(self, *args: Any, today: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_basis(self) -> str:
        return self.cleaned_data.get("basis") or annual.FISCAL

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        basis = cleaned.get("basis") or annual.FISCAL
        year = cleaned.get("year")
        last = annual.latest_year(basis, self.today)
        if year is not None and not annual.FIRST_YEAR <= year <= last:
            self.add_error(
                "year",
                _("Choose a year between %(first)s and %(last)s.")
                % {"first": annual.FIRST_YEAR, "last": last},
            )
        return cleaned

    def period(self) -> annual.ReportPeriod:
        """The year asked for, or the last complete year when none (or a bad one) was given."""
        basis = annual.FISCAL
        if self.is_bound and self.is_valid():
            basis = self.cleaned_data["basis"]
            if self.cleaned_data.get("year") is not None:
                return annual.ReportPeriod(basis, self.cleaned_data["year"])
        elif self.is_bound and self.data.get("basis") in dict(annual.BASES):
            basis = self.data["basis"]
        return annual.default_period(basis, self.today)


def _period_form(request: HttpRequest) -> tuple[PeriodForm, annual.ReportPeriod]:
    bound = {key: request.GET[key] for key in ("basis", "year") if key in request.GET}
    form = PeriodForm(bound or None)
    period = form.period()
    if not form.is_bound:
        form = PeriodForm(initial={"basis": period.basis, "year": period.year})
    return form, period


def _organization(request: HttpRequest, organization_pk: int) -> Organization:
    return object_for(Organization, request.user, tenancy.VIEW_REPORTS, pk=organization_pk)


@login_required
def annual_report(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _organization(request, organization_pk)
    # Access first (404/403), then the method: a POST learns no more than a GET would.
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form, period = _period_form(request)
    report = annual.annual_report(user=request.user, organization=organization, period=period)
    plain_query = urlencode({"basis": period.basis, "year": period.year})
    return render(
        request,
        "reporting/annual/annual_report.html",
        {
            "organization": organization,
            "form": form,
            "period": period,
            "report": report,
            "in_progress": period.in_progress(),
            "plain_query": plain_query,
            "title": _("Annual activity report %(year)s") % {"year": period.label},
        },
    )


@login_required
def plain_report(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _organization(request, organization_pk)
    # Access first (404/403), then the method: a POST learns no more than a GET would.
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form, period = _period_form(request)
    staff_language = translation.get_language()
    names = annual.public_languages()
    notices = []
    if "languages" in request.GET:
        offered = annual.chosen_languages(request.GET.getlist("languages"))
    else:
        offered = annual.suggested_languages(
            user=request.user, organization=organization, period=period
        )
    language = request.GET.get("lang") or staff_language
    if language not in names:
        notices.append(
            _("The language asked for is not available: the report is shown in %(name)s.")
            % {"name": names[staff_language]}
        )
        language = staff_language
    if language not in offered:
        offered = annual.chosen_languages([*offered, language])
    base = {"basis": period.basis, "year": period.year}
    languages_query = [("languages", code) for code in offered]
    links = [
        {
            "code": code,
            "name": names[code],
            "query": urlencode([*base.items(), *languages_query, ("lang", code)]),
            "current": code == language,
        }
        for code in offered
    ]
    with translation.override(language):
        report = annual.annual_report(user=request.user, organization=organization, period=period)
        response = render(
            request,
            "reporting/annual/plain_report.html",
            {
                "organization": organization,
                "form": form,
                "period": period,
                "report": report,
                "in_progress": period.in_progress(),
                "report_language": language,
                "report_bidi": translation.get_language_info(language)["bidi"],
                "staff_language": staff_language,
                "language_links": links,
                "language_choices": [
                    {"code": code, "name": name, "chosen": code in offered}
                    for code, name in names.items()
                ],
                "always_offered": annual.ALWAYS_OFFERED,
                "notices": notices,
                "annual_query": urlencode(base),
            },
        )
    response["Content-Language"] = language
    return response


urlpatterns = [
    path(
        "organizations/<int:organization_pk>/annual/",
        annual_report,
        name="annual_report",
    ),
    path(
        "organizations/<int:organization_pk>/annual/plain/",
        plain_report,
        name="plain_report",
    ),
]
