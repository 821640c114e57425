"""The HSDS 3.0 tabular form (CSV datapackage) of the resources Ancrage reads and writes.

Field lists, types and keys are those of Open Referral's `datapackage.json` (HSDS 3.0, commit 279fd2e,
CC BY-SA 4.0 by the Open Referral project), reduced to what a datapackage descriptor needs. Column
order matters: exported CSV files follow it.
"""

from typing import NamedTuple


class Field(NamedTuple):
    name: str
    type: str = "string"
    format: str = ""
    required: bool = False


class Resource(NamedTuple):
    name: str
    path: str
    fields: tuple[Field, ...]
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, referenced resource)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


# HSDS version the files follow (datapackage `version`).
HSDS_VERSION = "3.0.0"

RESOURCES: dict[str, Resource] = {
    "organization": Resource(
        "organization",
        "organizations.csv",
        (
            Field("id", "string", "uuid", True),
            Field("name", "string", "", True),
            Field("alternate_name"),
            Field("description", "string", "", True),
            Field("email", "string", "email"),
            Field("website", "string", "uri"),
            Field("tax_status"),
            Field("tax_id"),
            Field("year_incorporated", "number"),
            Field("legal_status"),
            Field("logo"),
            Field("uri", "string", "uri"),
            Field("parent_organization_id", "string", "uuid"),
        ),
        (),
    ),
    "program": Resource(
        "program",
        "programs.csv",
        (
            Field("id", "string", "uuid", True),
            Field("organization_id", "string", "uuid", True),
            Field("name", "string", "", True),
            Field("alternate_name"),
            Field("description", "string", "", True),
        ),
        (("organization_id", "organization"),),
    ),
    "service": Resource(
        "service",
        "services.csv",
        (
            Field("id", "string", "uuid", True),
            Field("organization_id", "string", "uuid", True),
            Field("program_id", "string", "uuid"),
            Field("name", "string", "", True),
            Field("alternate_name"),
            Field("description"),
            Field("url", "string", "uri"),
            Field("email", "string", "email"),
            Field("status", "string", "", True),
            Field("interpretation_services"),
            Field("application_process"),
            Field("fees_description"),
            Field("wait_time"),
            Field("fees"),
            Field("accreditations"),
            Field("eligibility_description"),
            Field("minimum_age", "number"),
            Field("maximum_age", "number"),
            Field("assured_date", "date"),
            Field("assurer_email", "string", "email"),
            Field("licenses"),
            Field("alert"),
            Field("last_modified", "datetime"),
        ),
        (("organization_id", "organization"), ("program_id", "program")),
    ),
    "service_at_location": Resource(
        "service_at_location",
        "service_at_location.csv",
        (
            Field("id", "string", "uuid", True),
            Field("service_id", "string", "uuid", True),
            Field("location_id", "string", "uuid", True),
            Field("description"),
        ),
        (("service_id", "service"), ("location_id", "location")),
    ),
    "location": Resource(
        "location",
        "locations.csv",
        (
            Field("id", "string", "uuid", True),
            Field("location_type", "string", "", True),
            Field("url", "string", "uri"),
            Field("organization_id", "string", "uuid"),
            Field("name"),
            Field("alternate_name"),
            Field("description"),
            Field("transportation"),
            Field("latitude", "number"),
            Field("longitude", "number"),
            Field("external_identifier"),
            Field("external_identifier_type"),
        ),
        (("organization_id", "organization"),),
    ),
    "address": Resource(
        "address",
        "addresses.csv",
        (
            Field("id", "string", "uuid", True),
            Field("location_id", "string", "uuid"),
            Field("attention"),
            Field("address_1", "string", "", True),
            Field("address_2"),
            Field("city", "string", "", True),
            Field("region"),
            Field("state_province", "string", "", True),
            Field("postal_code", "string", "", True),
            Field("country", "string", "", True),
            Field("address_type", "string", "", True),
        ),
        (("location_id", "location"),),
    ),
    "phone": Resource(
        "phone",
        "phones.csv",
        (
            Field("id", "string", "uuid", True),
            Field("location_id", "string", "uuid"),
            Field("service_id", "string", "uuid"),
            Field("organization_id", "string", "uuid"),
            Field("contact_id", "string", "uuid"),
            Field("service_at_location_id", "string", "uuid"),
            Field("number", "string", "", True),
            Field("extension", "number"),
            Field("type"),
            Field("description"),
        ),
        (
            ("contact_id", "contact"),
            ("location_id", "location"),
            ("organization_id", "organization"),
            ("service_id", "service"),
            ("service_at_location_id", "service_at_location"),
        ),
    ),
    "accessibility": Resource(
        "accessibility",
        "accessibility.csv",
        (
            Field("id", "string", "uuid", True),
            Field("location_id", "string", "uuid"),
            Field("description"),
            Field("details"),
            Field("url", "string", "uri"),
        ),
        (("location_id", "location"),),
    ),
    "schedule": Resource(
        "schedule",
        "schedules.csv",
        (
            Field("id", "string", "uuid", True),
            Field("service_id", "string", "uuid"),
            Field("location_id", "string", "uuid"),
            Field("service_at_location_id", "string", "uuid"),
            Field("valid_from", "date"),
            Field("valid_to", "date"),
            Field("dtstart", "date"),
            Field("timezone", "number"),
            Field("until", "date"),
            Field("count", "number"),
            Field("wkst"),
            Field("freq"),
            Field("interval", "number"),
            Field("byday"),
            Field("byweekno"),
            Field("bymonthday"),
            Field("byyearday"),
            Field("description"),
            Field("opens_at", "time"),
            Field("closes_at", "time"),
            Field("schedule_link", "string", "uri"),
            Field("attending_type"),
            Field("notes"),
        ),
        (
            ("location_id", "location"),
            ("service_id", "service"),
            ("service_at_location_id", "service_at_location"),
        ),
    ),
    "contact": Resource(
        "contact",
        "contacts.csv",
        (
            Field("id", "string", "uuid", True),
            Field("organization_id", "string", "uuid"),
            Field("service_id", "string", "uuid"),
            Field("service_at_location_id", "string", "uuid"),
            Field("location_id", "string", "uuid"),
            Field("name"),
            Field("title"),
            Field("department"),
            Field("email", "string", "email"),
        ),
        (
            ("location_id", "location"),
            ("organization_id", "organization"),
            ("service_id", "service"),
            ("service_at_location_id", "service_at_location"),
        ),
    ),
    "language": Resource(
        "language",
        "languages.csv",
        (
            Field("id", "string", "uuid", True),
            Field("service_id", "string", "uuid"),
            Field("location_id", "string", "uuid"),
            Field("phone_id", "string", "uuid"),
            Field("name"),
            Field("code"),
            Field("note"),
        ),
        (("location_id", "location"), ("phone_id", "phone"), ("service_id", "service")),
    ),
    "funding": Resource(
        "funding",
        "funding.csv",
        (
            Field("id", "string", "uuid", True),
            Field("organization_id", "string", "uuid"),
            Field("service_id", "string", "uuid"),
            Field("source"),
        ),
        (("organization_id", "organization"), ("service_id", "service")),
    ),
    "cost_option": Resource(
        "cost_option",
        "cost_options.csv",
        (
            Field("id", "string", "uuid", True),
            Field("service_id", "string", "uuid", True),
            Field("valid_from", "date"),
            Field("valid_to", "date"),
            Field("option"),
            Field("currency"),
            Field("amount", "number"),
            Field("amount_description"),
        ),
        (("service_id", "service"),),
    ),
    "attribute": Resource(
        "attribute",
        "attributes.csv",
        (
            Field("id", "string", "uuid", True),
            Field("link_id", "string", "uuid", True),
            Field("taxonomy_term_id", "string", "uuid", True),
            Field("link_type"),
            Field("link_entity", "string", "", True),
            Field("value"),
        ),
        (("taxonomy_term_id", "taxonomy_term"),),
    ),
    "taxonomy": Resource(
        "taxonomy",
        "taxonomies.csv",
        (
            Field("id", "string", "uuid", True),
            Field("name", "string", "", True),
            Field("description", "string", "", True),
            Field("uri", "string", "uri"),
            Field("version"),
        ),
        (),
    ),
    "taxonomy_term": Resource(
        "taxonomy_term",
        "taxonomy_terms.csv",
        (
            Field("id", "string", "uuid", True),
            Field("code"),
            Field("name", "string", "", True),
            Field("description", "string", "", True),
            Field("parent_id", "string", "uuid"),
            Field("taxonomy"),
            Field("language"),
            Field("taxonomy_id", "string", "uuid"),
            Field("term_uri", "string", "uri"),
        ),
        (("taxonomy_id", "taxonomy"),),
    ),
}

# Ancrage's extension: every translation of the translated text fields, one row per language, so a
# round trip through the tabular form keeps all languages (the HSDS columns carry French).
TRANSLATIONS = Resource(
    "ancrage_translations",
    "translations.csv",
    (
        Field("resource", "string", "", True),
        Field("id", "string", "uuid", True),
        Field("field", "string", "", True),
        Field("language", "string", "", True),
        Field("text", "string", "", True),
    ),
)
