"""Ancrage records → HSDS 3.0 objects: the one mapping, used by the API and by the export.

- organization = `network.Organization` (HSDS id `hsds_id`, description = mission);
- location = `network.Site` (HSDS id `hsds_id`; one physical address in Montréal, whose `region`
  is the borough);
- service, program, service_at_location, schedule, contact, taxonomy, taxonomy_term = `directory`;
- phones, funding, cost options, addresses, accessibility, languages and attributes are derived from
  fields, with deterministic ids (`vocabularies.derived_id`).

Text fields carry one language (`lang`, French first through `pick`); the extension property
`x-ancrage-translations` carries every language of each translated field, so nothing is lost in a
round trip. Empty optional strings are left out (HSDS formats such as `email` refuse "").

Inputs are expected prefetched (see `selectors`): these functions never query the database.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from ancrage.core.models import Language
from ancrage.core.translated import pick
from ancrage.directory.models import (
    Contact,
    Program,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from ancrage.network.models import Organization, Site

from .vocabularies import (
    AUDIENCES,
    ELIGIBILITY,
    ELIGIBILITY_TERMS,
    IMMIGRATION_STATUSES,
    YEARS_SINCE_ARRIVAL,
    DerivedTaxonomy,
    DerivedTerm,
    derived_id,
)

TRANSLATIONS_KEY = "x-ancrage-translations"
HSDS_VERSION = "3.0"

# How the fields Ancrage keeps for Montréal read as an HSDS address.
CITY = "Montréal"
STATE_PROVINCE = "QC"
COUNTRY = "CA"
CURRENCY = "CAD"
FREE = {"fr": "Gratuit", "en": "Free"}
FEES = {"fr": "Frais", "en": "Fees"}

# HSDS text field → the Ancrage field holding it in every language, per resource.
TRANSLATED_FIELDS: dict[str, dict[str, str]] = {
    "service": {
        "name": "names",
        "description": "descriptions",
        "application_process": "application_processes",
        "fees_description": "fees_descriptions",
        "eligibility_description": "eligibility_descriptions",
    },
    "program": {"name": "names", "description": "descriptions"},
    "service_at_location": {"description": "descriptions"},
    "schedule": {"description": "descriptions"},
    "taxonomy_term": {"name": "names", "description": "descriptions"},
}


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional field, leaving it out when it has no value."""
    if value is not None and value != "":
        target[key] = value


def timestamp(value: datetime.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as HSDS asks for `last_modified`."""
    utc = value.astimezone(datetime.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(value: datetime.time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value else None


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _texts(resource: str, source: Any, lang: str, target: dict[str, Any], required=()) -> None:
    """Fill the translated fields of `target` in `lang`, and keep every language aside."""
    translations = target.setdefault(TRANSLATIONS_KEY, {})
    for field, attribute in TRANSLATED_FIELDS[resource].items():
        texts: Mapping[str, str] = getattr(source, attribute) or {}
        text = pick(texts, lang)
        if field in required:
            target[field] = text
        else:
            _put(target, field, text)
        kept = {code: value for code, value in sorted(texts.items()) if value}
        if kept:
            translations[field] = kept


def _with_translations_last(target: dict[str, Any]) -> dict[str, Any]:
    translations = target.pop(TRANSLATIONS_KEY, None)
    if translations:
        target[TRANSLATIONS_KEY] = translations
    return target


def _phone(parent_key: str, parent_id: Any, number: str) -> list[dict[str, Any]]:
    if not number:
        return []
    return [{"id": derived_id(parent_id, "phone"), parent_key: str(parent_id), "number": number}]


# --- Taxonomies ---------------------------------------------------------------------------------


def taxonomy_dict(taxonomy: Taxonomy | DerivedTaxonomy) -> dict[str, Any]:
    result = {"id": str(taxonomy.id), "name": taxonomy.name, "description": taxonomy.description}
    if isinstance(taxonomy, Taxonomy):
        _put(result, "uri", taxonomy.uri)
        _put(result, "version", taxonomy.version)
    return result


def taxonomy_term_dict(term: TaxonomyTerm | DerivedTerm, lang: str) -> dict[str, Any]:
    """A term; a `TaxonomyTerm` must come with its taxonomy (select_related)."""
    result: dict[str, Any] = {"id": str(term.id), "code": term.code}
    _texts("taxonomy_term", term, lang, result, required=("name", "description"))
    result["name"] = result["name"] or term.code
    if isinstance(term, TaxonomyTerm):
        _put(result, "parent_id", str(term.parent_id) if term.parent_id else None)
        result["taxonomy"] = term.taxonomy.name
        result["taxonomy_id"] = str(term.taxonomy_id)
        _put(result, "term_uri", term.term_uri)
    else:
        result["taxonomy"] = term.taxonomy.name
        result["taxonomy_id"] = term.taxonomy.id
    return _with_translations_last(result)


# What each taxonomy's terms say about a service (HSDS attribute `link_type`).
LINK_TYPES = {
    AUDIENCES.name: "audience",
    IMMIGRATION_STATUSES.name: "eligibility",
    ELIGIBILITY.name: "eligibility",
}


def _attribute(
    service: Service, term: TaxonomyTerm | DerivedTerm, lang: str, value: str = ""
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": derived_id(service.id, f"attribute:{term.id}"),
        "link_id": str(service.id),
        "link_type": LINK_TYPES.get(term.taxonomy.name, "need"),
        "link_entity": "service",
        "taxonomy_term_id": str(term.id),
    }
    _put(result, "value", value)
    result["taxonomy_term"] = taxonomy_term_dict(term, lang)
    return result


def _reference_term(taxonomy: DerivedTaxonomy, item: Any) -> DerivedTerm:
    return DerivedTerm(taxonomy, item.code, dict(item.names), {}, item.sort_order)


def service_attributes(service: Service, lang: str) -> list[dict[str, Any]]:
    """Needs, audiences, accepted statuses and years since arrival, as HSDS attributes."""
    attributes = [_attribute(service, term, lang) for term in service.needs.all()]
    attributes += [
        _attribute(service, _reference_term(AUDIENCES, a), lang) for a in service.audiences.all()
    ]
    attributes += [
        _attribute(service, _reference_term(IMMIGRATION_STATUSES, s), lang)
        for s in service.immigration_statuses.all()
    ]
    if service.max_years_since_arrival is not None:
        texts = ELIGIBILITY_TERMS[YEARS_SINCE_ARRIVAL]
        term = DerivedTerm(
            ELIGIBILITY, YEARS_SINCE_ARRIVAL, texts["names"], texts["descriptions"], 0
        )
        attributes.append(_attribute(service, term, lang, str(service.max_years_since_arrival)))
    return sorted(attributes, key=lambda a: a["id"])


# --- Places -------------------------------------------------------------------------------------


def location_dict(site: Site, lang: str) -> dict[str, Any]:
    """A site as an HSDS location (needs `organization` and `borough` selected)."""
    result: dict[str, Any] = {
        "id": str(site.hsds_id),
        "location_type": "physical",
        "organization_id": str(site.organization.hsds_id),
        "name": site.name,
        "addresses": [
            {
                "id": derived_id(site.hsds_id, "address"),
                "location_id": str(site.hsds_id),
                "address_1": site.street_address,
                "city": CITY,
                "region": pick(site.borough.names, lang) or site.borough.code,
                "state_province": STATE_PROVINCE,
                "postal_code": site.postal_code,
                "country": COUNTRY,
                "address_type": "physical",
            }
        ],
        "phones": _phone("location_id", site.hsds_id, site.phone),
        "accessibility": [],
    }
    if site.accessibility:
        result["accessibility"] = [
            {
                "id": derived_id(site.hsds_id, "accessibility"),
                "location_id": str(site.hsds_id),
                "description": site.accessibility,
            }
        ]
    return result


def _schedule_dict(schedule: Schedule, lang: str, location_ids: Mapping[Any, str]) -> dict:
    result: dict[str, Any] = {"id": str(schedule.id), "service_id": str(schedule.service_id)}
    if schedule.service_at_location_id:
        result["service_at_location_id"] = str(schedule.service_at_location_id)
        _put(result, "location_id", location_ids.get(schedule.service_at_location_id))
    _put(result, "valid_from", _date(schedule.valid_from))
    _put(result, "valid_to", _date(schedule.valid_to))
    result["freq"] = schedule.freq
    result["interval"] = schedule.interval
    _put(result, "byday", schedule.byday)
    _put(result, "bymonthday", schedule.bymonthday)
    _texts("schedule", schedule, lang, result)
    _put(result, "opens_at", _time(schedule.opens_at))
    _put(result, "closes_at", _time(schedule.closes_at))
    return _with_translations_last(result)


def _links(service: Service) -> list[ServiceAtLocation]:
    return sorted(service.locations.all(), key=lambda link: (link.location.name, str(link.id)))


def service_at_location_dict(
    link: ServiceAtLocation,
    lang: str,
    *,
    schedules: Iterable[Schedule] | None = (),
    with_location: bool = True,
    service: dict[str, Any] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": str(link.id),
        "service_id": str(link.service_id),
        "location_id": str(link.location.hsds_id),
    }
    _texts("service_at_location", link, lang, result)
    location_ids = {link.id: str(link.location.hsds_id)}
    if schedules is not None:  # None: one-to-one fields only (list endpoints)
        result["schedules"] = [
            _schedule_dict(s, lang, location_ids)
            for s in sorted(schedules, key=lambda s: str(s.id))
            if s.service_at_location_id == link.id
        ]
    if with_location:
        result["location"] = location_dict(link.location, lang)
    if service is not None:
        result["service"] = service
    return _with_translations_last(result)


# --- Organizations and programs -----------------------------------------------------------------


def program_dict(program: Program, organization: Organization, lang: str) -> dict[str, Any]:
    result: dict[str, Any] = {"id": str(program.id), "organization_id": str(organization.hsds_id)}
    _texts("program", program, lang, result, required=("name", "description"))
    _put(result, "alternate_name", program.alternate_name)
    # Field order as in HSDS: name, alternate_name, description.
    ordered = {
        key: result[key]
        for key in ("id", "organization_id", "name", "alternate_name", "description")
        if key in result
    }
    if TRANSLATIONS_KEY in result:
        ordered[TRANSLATIONS_KEY] = result[TRANSLATIONS_KEY]
    return ordered


def organization_dict(
    organization: Organization,
    lang: str,
    *,
    locations: Iterable[Site] | None = None,
    programs: Iterable[Program] | None = None,
    services: Iterable[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An organization; nested lists only when given (the list endpoint shows one-to-one fields)."""
    result: dict[str, Any] = {"id": str(organization.hsds_id), "name": organization.name}
    _put(result, "alternate_name", organization.acronym)
    result["description"] = organization.mission
    _put(result, "email", organization.email)
    _put(result, "website", organization.website)
    result["phones"] = _phone("organization_id", organization.hsds_id, organization.phone)
    if locations is not None:
        result["locations"] = [
            location_dict(site, lang) for site in sorted(locations, key=lambda s: str(s.hsds_id))
        ]
    if programs is not None:
        result["programs"] = [
            program_dict(program, organization, lang)
            for program in sorted(programs, key=lambda p: str(p.id))
        ]
    if services is not None:
        result["services"] = sorted(services, key=lambda s: s["id"])
    return result


# --- Services -----------------------------------------------------------------------------------


def _language_dict(service: Service, language: Language, lang: str) -> dict[str, Any]:
    return {
        "id": derived_id(service.id, f"language:{language.code}"),
        "service_id": str(service.id),
        "name": pick(language.names, lang) or language.code,
        "code": language.code,
    }


def _contact_dict(contact: Contact) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": str(contact.id),
        "service_id": str(contact.service_id),
        "name": contact.name,
    }
    _put(result, "title", contact.title)
    _put(result, "email", contact.email)
    result["phones"] = _phone("contact_id", contact.id, contact.phone)
    return result


def _cost_options(service: Service, lang: str) -> list[dict[str, Any]]:
    option: dict[str, Any] = {
        "id": derived_id(service.id, "cost_option"),
        "service_id": str(service.id),
        "option": pick(FREE if service.is_free else FEES, lang),
        "currency": CURRENCY,
    }
    if service.is_free:
        option["amount"] = 0
    return [option]


def service_dict(
    service: Service, lang: str, *, full: bool = True, with_organization: bool = True
) -> dict[str, Any]:
    """A published service. `full`: with every related object, as `/services/{id}` answers."""
    result: dict[str, Any] = {
        "id": str(service.id),
        "organization_id": str(service.organization.hsds_id),
    }
    _put(result, "program_id", str(service.program_id) if service.program_id else None)
    _texts(
        "service",
        service,
        lang,
        result,
        required=("name",),
    )
    _put(result, "alternate_name", service.alternate_name)
    _put(result, "url", service.url)
    _put(result, "email", service.email)
    result["status"] = service.status
    _put(result, "interpretation_services", service.interpretation_services)
    _put(result, "minimum_age", service.minimum_age)
    _put(result, "maximum_age", service.maximum_age)
    _put(result, "assured_date", _date(service.assured_date))
    _put(result, "assurer_email", service.assurer_email)
    result["last_modified"] = timestamp(service.last_modified)
    result = _hsds_order(result)
    if full:
        links = _links(service)
        schedules = list(service.schedules.all())
        location_ids = {link.id: str(link.location.hsds_id) for link in links}
        result["phones"] = _phone("service_id", service.id, service.phone)
        result["schedules"] = [
            _schedule_dict(s, lang, location_ids)
            for s in sorted(schedules, key=lambda s: str(s.id))
        ]
        result["service_at_locations"] = [
            service_at_location_dict(link, lang, schedules=schedules) for link in links
        ]
        result["languages"] = [
            _language_dict(service, language, lang)
            for language in sorted(service.languages.all(), key=lambda x: x.code)
        ]
        if with_organization:
            result["organization"] = organization_dict(service.organization, lang)
        result["funding"] = []
        if service.funding_source:
            result["funding"] = [
                {
                    "id": derived_id(service.id, "funding"),
                    "service_id": str(service.id),
                    "source": service.funding_source,
                }
            ]
        result["cost_options"] = _cost_options(service, lang)
        if service.program is not None:
            result["program"] = program_dict(service.program, service.organization, lang)
        result["contacts"] = [
            _contact_dict(c) for c in sorted(service.contacts.all(), key=lambda c: str(c.id))
        ]
        result["attributes"] = service_attributes(service, lang)
    return _with_translations_last(result)


SERVICE_ORDER = (
    "id",
    "organization_id",
    "program_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "last_modified",
)


def _hsds_order(result: dict[str, Any]) -> dict[str, Any]:
    ordered = {key: result[key] for key in SERVICE_ORDER if key in result}
    if TRANSLATIONS_KEY in result:
        ordered[TRANSLATIONS_KEY] = result[TRANSLATIONS_KEY]
    return ordered


def minimal_service_dict(service: Service) -> dict[str, Any]:
    """`minimal=true`: what a consumer needs to know which services changed."""
    return {"id": str(service.id), "last_modified": timestamp(service.last_modified)}
