"""Reads behind the HSDS API and the export: what the public directory holds, with its filters.

Only published services are public, and an organization or a place is public only through one of
them. Every function returns rows with what the serializers need already fetched (a fixed number of
queries whatever the number of services).
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper

from ancrage.directory.models import (
    CONTENT_LANGUAGES,
    Program,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from ancrage.network.models import Organization, Site

from .vocabularies import (
    AUDIENCES,
    DERIVED_TAXONOMIES,
    ELIGIBILITY,
    IMMIGRATION_STATUSES,
    DerivedTaxonomy,
    DerivedTerm,
    derived_terms,
)

MAX_SEARCH_WORDS = 10


@dataclass(frozen=True)
class ServiceFilters:
    """The HSDS query parameters that select services (already parsed and checked)."""

    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime.datetime | None = None


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(is_published=True)


def with_service_details(services: QuerySet[Service]) -> QuerySet[Service]:
    """Everything `serializers.service_dict(full=True)` reads, in a fixed number of queries."""
    return services.select_related("organization", "program").prefetch_related(
        "audiences",
        "immigration_statuses",
        "languages",
        Prefetch("needs", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
        Prefetch(
            "locations",
            queryset=ServiceAtLocation.objects.select_related(
                "location__organization", "location__borough"
            ),
        ),
        "schedules",
        "contacts",
    )


def _words(search: str) -> list[str]:
    return search.split()[:MAX_SEARCH_WORDS]


def _text_matches(word: str, *json_fields: str, plain: Iterable[str] = ()) -> Q:
    """`word` in any language of the JSON text fields, or in the plain fields (case-insensitive)."""
    condition = Q()
    for field in json_fields:
        for code in CONTENT_LANGUAGES:
            condition |= Q(**{f"{field}__{code}__icontains": word})
    for field in plain:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


def _through_has(relation, service_ids_of, **conditions) -> Q:
    """Services with at least one row of an M2M table matching `conditions` (no duplicates)."""
    through = relation.through.objects.filter(**conditions)
    return Q(id__in=through.values(service_ids_of))


def services_matching(filters: ServiceFilters) -> QuerySet[Service]:
    """Published services that match every filter, ordered by organization then id."""
    services = published_services().select_related("organization")
    for word in _words(filters.search):
        services = services.filter(
            _text_matches(
                word, "names", "descriptions", plain=("alternate_name", "organization__name")
            )
        )
    if filters.organization_id is not None:
        services = services.filter(organization__hsds_id=filters.organization_id)
    if filters.modified_after is not None:
        services = services.filter(last_modified__gte=filters.modified_after)
    if filters.taxonomy_term_id is not None:
        services = services.filter(_has_term(str(filters.taxonomy_term_id)))
    if filters.taxonomy_id is not None:
        services = services.filter(_has_taxonomy(str(filters.taxonomy_id)))
    return services.order_by("organization__name", "id")


def _derived_term(term_id: str) -> DerivedTerm | None:
    return next((t for t in derived_terms() if t.id == term_id), None)


def _has_term(term_id: str) -> Q:
    term = _derived_term(term_id)
    if term is None:
        return _through_has(Service.needs, "service_id", taxonomyterm_id=term_id)
    if term.taxonomy is AUDIENCES:
        return _through_has(Service.audiences, "service_id", audience__code=term.code)
    if term.taxonomy is IMMIGRATION_STATUSES:
        return _through_has(
            Service.immigration_statuses, "service_id", immigrationstatus__code=term.code
        )
    return Q(max_years_since_arrival__isnull=False)


def _has_taxonomy(taxonomy_id: str) -> Q:
    if taxonomy_id == AUDIENCES.id:
        return _through_has(Service.audiences, "service_id")
    if taxonomy_id == IMMIGRATION_STATUSES.id:
        return _through_has(Service.immigration_statuses, "service_id")
    if taxonomy_id == ELIGIBILITY.id:
        return Q(max_years_since_arrival__isnull=False)
    return _through_has(Service.needs, "service_id", taxonomyterm__taxonomy_id=taxonomy_id)


# --- Organizations ------------------------------------------------------------------------------


def directory_organizations(search: str = "") -> QuerySet[Organization]:
    """Organizations with at least one published service: the directory's organizations."""
    organizations = Organization.objects.filter(
        Exists(published_services().filter(organization=OuterRef("pk")))
    )
    for word in _words(search):
        organizations = organizations.filter(
            Q(name__icontains=word) | Q(acronym__icontains=word) | Q(mission__icontains=word)
        )
    return organizations.order_by("name", "id")


def public_sites() -> QuerySet[Site]:
    """Places where a published service is given (other addresses stay private)."""
    return (
        Site.objects.filter(
            Exists(
                ServiceAtLocation.objects.filter(
                    location=OuterRef("pk"), service__is_published=True
                )
            )
        )
        .select_related("organization", "borough")
        .order_by("hsds_id")
    )


def public_programs() -> QuerySet[Program]:
    return Program.objects.filter(
        Exists(published_services().filter(program=OuterRef("pk")))
    ).order_by("id")


@dataclass
class OrganizationParts:
    sites: dict[int, list[Site]]
    programs: dict[int, list[Program]]
    services: dict[int, list[Service]]


def organization_parts(
    organizations: list[Organization], *, services: QuerySet[Service] | None = None
) -> OrganizationParts:
    """The public places, programs and services of these organizations (three queries)."""
    ids = [o.pk for o in organizations]
    parts = OrganizationParts(defaultdict(list), defaultdict(list), defaultdict(list))
    for site in public_sites().filter(organization_id__in=ids):
        parts.sites[site.organization_id].append(site)
    for program in public_programs().filter(organization_id__in=ids):
        parts.programs[program.organization_id].append(program)
    services = services if services is not None else published_services()
    for service in services.filter(organization_id__in=ids).select_related("organization"):
        parts.services[service.organization_id].append(service)
    return parts


# --- Services at locations ----------------------------------------------------------------------


def services_at_locations(
    filters: ServiceFilters, *, postcode: str = ""
) -> QuerySet[ServiceAtLocation]:
    links = ServiceAtLocation.objects.filter(
        service__in=services_matching(filters).values("id")
    ).select_related("location__organization", "location__borough", "service")
    if postcode:
        compact = Replace(Upper("location__postal_code"), Value(" "), Value(""))
        links = links.annotate(compact_postcode=compact).filter(
            compact_postcode__startswith=postcode
        )
    return links.order_by("location__name", "id")


# --- Taxonomies ---------------------------------------------------------------------------------


def taxonomies(search: str = "") -> list[Taxonomy | DerivedTaxonomy]:
    """The database's taxonomies and the derived ones, by name (a handful of rows)."""
    rows: list[Taxonomy | DerivedTaxonomy] = [*Taxonomy.objects.all(), *DERIVED_TAXONOMIES]
    for word in _words(search):
        needle = word.casefold()
        rows = [t for t in rows if needle in f"{t.name} {t.description}".casefold()]
    return sorted(rows, key=lambda t: t.name)


def taxonomy_terms(
    *,
    search: str = "",
    taxonomy_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    top_only: bool = False,
) -> list[TaxonomyTerm | DerivedTerm]:
    """Terms of every taxonomy, by taxonomy then order (vocabularies are small: kept in memory)."""
    terms: list[TaxonomyTerm | DerivedTerm] = list(TaxonomyTerm.objects.select_related("taxonomy"))
    terms += derived_terms()
    if taxonomy_id is not None:
        terms = [t for t in terms if str(_taxonomy_of(t).id) == str(taxonomy_id)]
    if parent_id is not None:
        terms = [t for t in terms if str(getattr(t, "parent_id", None)) == str(parent_id)]
    if top_only:
        terms = [t for t in terms if getattr(t, "parent_id", None) is None]
    for word in _words(search):
        needle = word.casefold()
        terms = [
            t
            for t in terms
            if needle in " ".join([t.code, *t.names.values(), *t.descriptions.values()]).casefold()
        ]
    return sorted(terms, key=lambda t: (_taxonomy_of(t).name, t.sort_order, t.code))


def _taxonomy_of(term: TaxonomyTerm | DerivedTerm) -> Taxonomy | DerivedTaxonomy:
    return term.taxonomy
