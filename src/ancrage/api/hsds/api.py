"""The Open Referral HSDS 3.0 API (HSDA) under /hsds/: read-only, public, no sign-in.

Endpoints, parameters and the paginated `Page` shape follow the HSDA OpenAPI description. Text
fields are in the reader's language (`?lang=`, else the browser's Accept-Language among the content
languages, else French); `x-ancrage-translations` carries every language.

Bad parameters answer 400 with `{"detail": "…"}` naming the parameter; unknown ids answer 404.
"""

import datetime
import math
import uuid
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from ancrage.core.models import Language
from ancrage.core.translated import base_language
from ancrage.directory.models import CONTENT_LANGUAGES, Service, ServiceAtLocation, TaxonomyTerm
from ancrage.network.models import Organization

from . import selectors, serializers
from .vocabularies import derived_terms

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# `minimal=true` lists are meant to fit in one page.
MINIMAL_MAX_PER_PAGE = 1000
MAX_SEARCH_LENGTH = 200
DEFAULT_LANGUAGE = "fr"


class ReadableJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # noqa: RUF012


api = NinjaAPI(
    title="Ancrage — Open Referral HSDS 3.0",
    version="3.0",
    description=(
        "The public directory of services for newcomers in Montréal, as Human Services Data "
        "Specification 3.0 objects. Read-only; no sign-in."
    ),
    urls_namespace="hsds",
    docs_url=None,
    # The document is built by `ancrage.api.openapi` (HSDS schemas for the answers), see urls.py.
    openapi_url=None,
    renderer=ReadableJSON(),
)


class BadQuery(Exception):
    """A request the API refuses with a message for the person who wrote it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@api.exception_handler(BadQuery)
def _bad_query(request: HttpRequest, error: BadQuery) -> HttpResponse:
    return api.create_response(request, {"detail": error.message}, status=error.status)


@api.exception_handler(ValidationError)
def _invalid_parameters(request: HttpRequest, error: ValidationError) -> HttpResponse:
    messages = []
    for problem in error.errors:
        name = str(problem.get("loc", ["", "?"])[-1])
        kind = problem.get("type", "")
        if kind.startswith("int"):
            messages.append(_("%(name)s must be a whole number.") % {"name": name})
        elif kind.startswith("bool"):
            messages.append(_("%(name)s must be true or false.") % {"name": name})
        else:
            messages.append(_("%(name)s is not valid.") % {"name": name})
    return api.create_response(request, {"detail": " ".join(messages)}, status=400)


# --- Parameters ---------------------------------------------------------------------------------


# Descriptions for the generated OpenAPI document (read by developers, in English like HSDA's).
LANG = Field(
    None,
    description="Language of the text fields (fr, en, es, ar, zh-hans, ht, fa, pt, ru, vi, tl, uk"
    " or another code of Ancrage's list); default: Accept-Language, then French.",
)


class ListQuery(Schema):
    search: str | None = Field(
        None,
        description="Words to find, in any language, in names and descriptions "
        f"(at most {MAX_SEARCH_LENGTH} characters).",
    )
    page: int = Field(1, description="Page number, from 1.")
    per_page: int | None = Field(
        None, description=f"Items per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE})."
    )
    format: str | None = Field(None, description="Only json is offered.")
    lang: str | None = LANG


class ServiceQuery(ListQuery):
    taxonomy_term_id: str | None = Field(
        None, description="Services with this term (need, audience, status, eligibility)."
    )
    taxonomy_id: str | None = Field(None, description="Services with any term of this taxonomy.")
    organization_id: str | None = Field(None, description="Services of this organization.")
    modified_after: str | None = Field(
        None, description="Services modified at or after this ISO 8601 date and time."
    )
    minimal: bool = Field(
        False,
        description=f"Only id and last_modified, up to {MINIMAL_MAX_PER_PAGE} per page.",
    )
    full: bool = Field(False, description="Fully nested objects.")


class ServiceAtLocationQuery(ServiceQuery):
    postcode: str | None = Field(
        None, description="Places with this postal code, or its first three characters."
    )
    proximity: str | None = Field(None, description="Not offered: places have no coordinates.")


class OrganizationQuery(ListQuery):
    full: bool = Field(False, description="With places, programs and services.")
    full_service: bool = Field(False, description="With fully nested services.")


class TermQuery(ListQuery):
    taxonomy_id: str | None = Field(None, description="Terms of this taxonomy.")
    parent_id: str | None = Field(None, description="Terms under this term.")
    top_only: bool = Field(False, description="Only terms without a parent.")


class LanguageQuery(Schema):
    lang: str | None = LANG


class OrganizationDetailQuery(LanguageQuery):
    full_service: bool = Field(False, description="With fully nested services.")


def _text(name: str, value: str | None, limit: int = MAX_SEARCH_LENGTH) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise BadQuery(
            _("%(name)s: at most %(limit)d characters.") % {"name": name, "limit": limit}
        )
    if any(ord(char) < 32 for char in value):
        raise BadQuery(_("%(name)s: control characters are not allowed.") % {"name": name})
    return value


def _uuid(name: str, value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise BadQuery(
            _("%(name)s must be an id such as 3fa85f64-5717-4562-b3fc-2c963f66afa6.")
            % {"name": name}
        ) from None


def _datetime(name: str, value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    text = value.strip().replace(" ", "+")  # a "+" left unescaped in a URL arrives as a space
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time())
        if moment is None:
            raise ValueError(text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise BadQuery(
            _("%(name)s must be a date and time such as 2025-03-15T10:30:00Z.") % {"name": name}
        ) from None


def _known_language(code: str) -> bool:
    """A language the directory is written in, or another of Ancrage's list (some content is)."""
    return code in CONTENT_LANGUAGES or Language.objects.filter(code=code).exists()


def _language(request: HttpRequest, lang: str | None) -> str:
    """`?lang=`, else the first directory language of Accept-Language, else French."""
    if lang is not None:
        code = base_language(_text("lang", lang, 20))
        if not _known_language(code):
            raise BadQuery(
                _("lang: unknown language code; the directory is written in %(codes)s.")
                % {"codes": ", ".join(CONTENT_LANGUAGES)}
            )
        return code
    header = request.headers.get("Accept-Language", "")[:500]
    # The browser's list is matched against the directory's languages only: a reader who also
    # accepts English is better served in English than by a fallback to French.
    for code, _quality in parse_accept_lang_header(header):
        if base_language(code) in CONTENT_LANGUAGES:
            return base_language(code)
    return DEFAULT_LANGUAGE


def _format(value: str | None) -> None:
    if value and value.strip().lower() != "json":
        raise BadQuery(_("format: only json is offered."))


def _per_page(value: int | None, *, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise BadQuery(_("per_page must be between 1 and %(maximum)d.") % {"maximum": maximum})
    return value


def _page_number(value: int) -> int:
    if value < 1:
        raise BadQuery(_("page must be 1 or more."))
    return value


def _service_filters(query: ServiceQuery) -> selectors.ServiceFilters:
    return selectors.ServiceFilters(
        search=_text("search", query.search),
        taxonomy_term_id=_uuid("taxonomy_term_id", query.taxonomy_term_id),
        taxonomy_id=_uuid("taxonomy_id", query.taxonomy_id),
        organization_id=_uuid("organization_id", query.organization_id),
        modified_after=_datetime("modified_after", query.modified_after),
    )


class Pagination:
    """The HSDA `Page`: counts first, then the requested slice (no query past the last page)."""

    def __init__(self, query: ListQuery, *, default: int = DEFAULT_PER_PAGE, maximum: int = 0):
        _format(query.format)
        self.number = _page_number(query.page)
        self.size = _per_page(query.per_page, default=default, maximum=maximum or MAX_PER_PAGE)

    def slice(self, rows: Any, total: int) -> Sequence[Any]:
        start = (self.number - 1) * self.size
        if start >= total:
            return []
        return list(rows[start : start + self.size])

    def page(self, total: int, contents: list[dict[str, Any]]) -> dict[str, Any]:
        total_pages = math.ceil(total / self.size)
        return {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": self.number,
            "size": len(contents),
            "first_page": self.number == 1,
            "last_page": self.number >= total_pages,
            "empty": not contents,
            "contents": contents,
        }


def _answer(response: HttpResponse, lang: str) -> None:
    response["Content-Language"] = lang
    response["Vary"] = "Accept-Language"


def _not_found(message: str) -> BadQuery:
    return BadQuery(message, status=404)


# --- Endpoints ----------------------------------------------------------------------------------


@api.get("/", url_name="root", summary="About this API")
def root(request: HttpRequest) -> dict[str, Any]:
    return {
        "version": serializers.HSDS_VERSION,
        "openapi_url": request.build_absolute_uri(reverse("hsds:openapi-json")),
        "x-ancrage-languages": list(CONTENT_LANGUAGES),
    }


def _full_services(ids: list[Any]) -> dict[Any, Service]:
    services = selectors.with_service_details(Service.objects.filter(id__in=ids))
    return {service.id: service for service in services}


@api.get("/services", url_name="services", summary="Paginated list of services")
def services(
    request: HttpRequest, response: HttpResponse, query: Query[ServiceQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    if query.minimal:
        pagination = Pagination(query, default=MINIMAL_MAX_PER_PAGE, maximum=MINIMAL_MAX_PER_PAGE)
    else:
        pagination = Pagination(query)
    rows = selectors.services_matching(_service_filters(query))
    total = rows.count()
    if query.minimal:
        page = pagination.slice(rows.select_related(None).only("id", "last_modified"), total)
        contents = [serializers.minimal_service_dict(s) for s in page]
    else:
        if query.full:
            rows = selectors.with_service_details(rows)
        page = pagination.slice(rows, total)
        contents = [serializers.service_dict(s, lang, full=query.full) for s in page]
    _answer(response, lang)
    return pagination.page(total, contents)


@api.get("/services/{id}", url_name="service", summary="A fully nested service")
def service(
    request: HttpRequest, response: HttpResponse, id: str, query: Query[LanguageQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    found = _by_id(selectors.with_service_details(selectors.published_services()), id)
    if found is None:
        raise _not_found(_("No published service has this id."))
    _answer(response, lang)
    return serializers.service_dict(found, lang)


def _by_id(queryset: Any, raw_id: str, field: str = "id") -> Any:
    """The row whose UUID is `raw_id`, or None (a malformed id is simply not found)."""
    try:
        key = uuid.UUID(raw_id)
    except ValueError:
        return None
    return queryset.filter(**{field: key}).first()


def _nested_organization(
    organization: Organization,
    parts: selectors.OrganizationParts,
    lang: str,
    *,
    full_service: bool,
) -> dict[str, Any]:
    """An organization with its places, programs and services (fully nested or not)."""
    services = parts.services[organization.pk]
    return serializers.organization_dict(
        organization,
        lang,
        locations=parts.sites[organization.pk],
        programs=parts.programs[organization.pk],
        services=[
            serializers.service_dict(s, lang, full=full_service, with_organization=False)
            for s in services
        ],
    )


def _organization_parts(organizations, full_service: bool):
    services = None
    if full_service:
        services = selectors.with_service_details(selectors.published_services())
    return selectors.organization_parts(organizations, services=services)


@api.get("/organizations", url_name="organizations", summary="Paginated list of organizations")
def organizations(
    request: HttpRequest, response: HttpResponse, query: Query[OrganizationQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    pagination = Pagination(query)
    rows = selectors.directory_organizations(_text("search", query.search))
    total = rows.count()
    page = pagination.slice(rows, total)
    if query.full or query.full_service:
        parts = _organization_parts(page, query.full_service)
        contents = [
            _nested_organization(o, parts, lang, full_service=query.full_service) for o in page
        ]
    else:
        contents = [serializers.organization_dict(o, lang) for o in page]
    _answer(response, lang)
    return pagination.page(total, contents)


@api.get("/organizations/{id}", url_name="organization", summary="A fully nested organization")
def organization(
    request: HttpRequest, response: HttpResponse, id: str, query: Query[OrganizationDetailQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    found = _by_id(selectors.directory_organizations(), id, field="hsds_id")
    if found is None:
        raise _not_found(_("No organization of the directory has this id."))
    parts = _organization_parts([found], query.full_service)
    _answer(response, lang)
    return _nested_organization(found, parts, lang, full_service=query.full_service)


@api.get(
    "/service_at_locations",
    url_name="service_at_locations",
    summary="Paginated list of services at locations",
)
def service_at_locations(
    request: HttpRequest, response: HttpResponse, query: Query[ServiceAtLocationQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    pagination = Pagination(query)
    if query.proximity:
        raise BadQuery(_("proximity is not offered: places have no coordinates."))
    postcode = _text("postcode", query.postcode, 10).replace(" ", "").upper()
    if postcode and not (len(postcode) in (3, 6) and postcode.isalnum()):
        raise BadQuery(
            _("postcode must be a postal code such as H2X 1Y4, or its first three characters.")
        )
    rows = selectors.services_at_locations(_service_filters(query), postcode=postcode)
    total = rows.count()
    page = pagination.slice(rows, total)
    _answer(response, lang)
    return pagination.page(total, _links_dicts(page, lang, full=query.full))


def _links_dicts(links: Sequence[ServiceAtLocation], lang: str, *, full: bool) -> list[dict]:
    if not full:
        return [
            serializers.service_at_location_dict(link, lang, schedules=None, with_location=False)
            for link in links
        ]
    services = _full_services([link.service_id for link in links])
    return [
        serializers.service_at_location_dict(
            link,
            lang,
            schedules=services[link.service_id].schedules.all(),
            service=serializers.service_dict(services[link.service_id], lang),
        )
        for link in links
    ]


@api.get(
    "/service_at_locations/{id}",
    url_name="service_at_location",
    summary="A fully nested service at a location",
)
def service_at_location(
    request: HttpRequest, response: HttpResponse, id: str, query: Query[LanguageQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    links = ServiceAtLocation.objects.filter(service__is_published=True).select_related(
        "location__organization", "location__borough"
    )
    found = _by_id(links, id)
    if found is None:
        raise _not_found(_("No service at a location has this id."))
    _answer(response, lang)
    return _links_dicts([found], lang, full=True)[0]


@api.get("/taxonomies", url_name="taxonomies", summary="Paginated list of taxonomies")
def taxonomies(
    request: HttpRequest, response: HttpResponse, query: Query[ListQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    pagination = Pagination(query)
    rows = selectors.taxonomies(_text("search", query.search))
    page = pagination.slice(rows, len(rows))
    _answer(response, lang)
    return pagination.page(len(rows), [serializers.taxonomy_dict(t) for t in page])


@api.get("/taxonomies/{id}", url_name="taxonomy", summary="A taxonomy")
def taxonomy(
    request: HttpRequest, response: HttpResponse, id: str, query: Query[LanguageQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    found = next((t for t in selectors.taxonomies() if str(t.id) == id.strip().lower()), None)
    if found is None:
        raise _not_found(_("No taxonomy has this id."))
    _answer(response, lang)
    return serializers.taxonomy_dict(found)


@api.get("/taxonomy_terms", url_name="taxonomy_terms", summary="Paginated list of taxonomy terms")
def taxonomy_terms(
    request: HttpRequest, response: HttpResponse, query: Query[TermQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    pagination = Pagination(query)
    rows = selectors.taxonomy_terms(
        search=_text("search", query.search),
        taxonomy_id=_uuid("taxonomy_id", query.taxonomy_id),
        parent_id=_uuid("parent_id", query.parent_id),
        top_only=query.top_only,
    )
    page = pagination.slice(rows, len(rows))
    _answer(response, lang)
    return pagination.page(len(rows), [serializers.taxonomy_term_dict(t, lang) for t in page])


@api.get("/taxonomy_terms/{id}", url_name="taxonomy_term", summary="A taxonomy term")
def taxonomy_term(
    request: HttpRequest, response: HttpResponse, id: str, query: Query[LanguageQuery]
) -> dict[str, Any]:
    lang = _language(request, query.lang)
    wanted = id.strip().lower()
    found = next((t for t in derived_terms() if t.id == wanted), None)
    if found is None:
        found = _by_id(TaxonomyTerm.objects.select_related("taxonomy"), id)
    if found is None:
        raise _not_found(_("No taxonomy term has this id."))
    _answer(response, lang)
    return serializers.taxonomy_term_dict(found, lang)
