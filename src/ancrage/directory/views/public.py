"""Public directory pages (no login): search at /services/ and one page per service.

Plain GET forms and links: the pages work without JavaScript, their addresses can be shared, and
they print. A filter that is not one of the choices offered answers 400 with the form's message.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from ancrage.core.views import public_page
from ancrage.directory import search

NO_SEARCH = search.Filters()


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@public_page
@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    index = search.current_index()
    form = search.SearchForm(request.GET or None, index=index)
    valid = not form.is_bound or form.is_valid()
    query = request.GET.get("q", "") if valid else ""
    per_page = search.page_number(request.GET.get("per_page"), search.PER_PAGE, search.PER_PAGE_MAX)
    page = None
    results = []
    if valid:
        page = search.search(
            query=query,
            filters=form.filters() if form.is_bound else NO_SEARCH,
            page=search.page_number(request.GET.get("page")),
            per_page=per_page,
            index=index,
        )
        results = search.result_views(page)
    return render(
        request,
        "directory/public/search.html",
        {
            "form": form,
            "valid": valid,
            "page": page,
            "results": results,
            "searched": bool(page and (not page.query.is_empty or page.filters.any)),
            "querystring": _querystring_without_page(request),
            "query_max": search.QUERY_MAX_CHARS,
            "today": timezone.localdate(),
        },
        status=200 if valid else 400,
    )


@public_page
@require_safe
def service_page(request: HttpRequest, pk) -> HttpResponse:
    service = search.public_service(pk)
    if service is None:
        raise Http404
    return render(
        request,
        "directory/public/service.html",
        {
            "service": service,
            "verified": search.verified_in_words(service.assured_date),
            "share_url": request.build_absolute_uri(request.path),
        },
    )


urlpatterns = [
    path("", search_page, name="search"),
    path("<uuid:pk>/", service_page, name="service"),
]
