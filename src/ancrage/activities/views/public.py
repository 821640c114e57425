"""Public pages, no sign-in: the calendar of public activities and its iCalendar feeds."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from ancrage.activities import calendar
from ancrage.activities.models import Session
from ancrage.core.views import public_page

ICAL_CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_MAX_AGE = 15 * 60


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@public_page
@require_safe
def calendar_page(request: HttpRequest) -> HttpResponse:
    form = calendar.CalendarFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.cleaned_data if form.is_bound and valid else {}
    date_from, date_to = calendar.period(filters)
    if valid:
        sessions = calendar.calendar_sessions(
            date_from=date_from,
            date_to=date_to,
            **{
                key: filters.get(key)
                for key in (
                    "borough",
                    "language",
                    "audience",
                    "activity_type",
                    "organization",
                    "site",
                )
            },
        )
    else:
        sessions = Session.objects.none()
    page = Paginator(sessions, calendar.PAGE_SIZE).get_page(request.GET.get("page"))
    organization, site = filters.get("organization"), filters.get("site")
    feeds = []
    if organization is not None:
        feeds.append(
            (
                organization.name,
                reverse(
                    "activities:organization_feed", kwargs={"organization_pk": organization.pk}
                ),
            )
        )
    if site is not None:
        feeds.append((site.name, reverse("activities:site_feed", kwargs={"site_pk": site.pk})))
    return render(
        request,
        "activities/public/calendar.html",
        {
            "form": form,
            "valid": valid,
            "page": page,
            "days": calendar.group_by_day(calendar.entries_for(list(page.object_list))),
            "date_from": date_from,
            "date_to": date_to,
            "feeds": feeds,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "querystring": _querystring_without_page(request),
        },
    )


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICAL_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


@public_page
@require_safe
def organization_feed(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = calendar.public_organization(organization_pk)
    if organization is None:
        raise Http404
    language = calendar.feed_language(request.GET.get("lang"))
    return _ics(
        calendar.organization_calendar(organization, language),
        f"organization-{organization.pk}.ics",
    )


@public_page
@require_safe
def site_feed(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = calendar.public_site(site_pk)
    if site is None:
        raise Http404
    language = calendar.feed_language(request.GET.get("lang"))
    return _ics(calendar.site_calendar(site, language), f"site-{site.pk}.ics")


urlpatterns = [
    path("", calendar_page, name="calendar"),
    path(
        "organizations/<int:organization_pk>/calendar.ics",
        organization_feed,
        name="organization_feed",
    ),
    path("sites/<int:site_pk>/calendar.ics", site_feed, name="site_feed"),
]
