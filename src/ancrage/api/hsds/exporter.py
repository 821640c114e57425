"""Export of the public directory as HSDS 3.0: a JSON document or a tabular datapackage (CSV zip).

Both are built from the API's own objects (`serializers`), in French with every translation in the
`x-ancrage-translations` extension (a `translations.csv` table in the datapackage). Rows and lists
are sorted by id and the zip has fixed dates, so the same data always gives the same bytes.
"""

import io
import json
import zipfile
from typing import Any

from ancrage.core.audit import audit_record
from ancrage.directory.models import Service, TaxonomyTerm

from . import selectors, serializers, tabular
from .tabular_schema import HSDS_VERSION, RESOURCES, TRANSLATIONS
from .vocabularies import derived_terms

EXPORT_LANGUAGE = "fr"
FORMATS = ("json", "zip")
# Resources in the order a reader can load them (referenced rows first).
TABLE_ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "address",
    "accessibility",
    "program",
    "service",
    "service_at_location",
    "schedule",
    "contact",
    "phone",
    "language",
    "funding",
    "cost_option",
    "attribute",
)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def directory_document() -> dict[str, Any]:
    """The whole public directory as one JSON-ready document."""
    lang = EXPORT_LANGUAGE
    services = list(selectors.with_service_details(selectors.published_services()).order_by("id"))
    organizations = list(selectors.directory_organizations().order_by("hsds_id"))
    parts = selectors.organization_parts(organizations, services=Service.objects.none())
    terms = [*TaxonomyTerm.objects.select_related("taxonomy"), *derived_terms()]
    return {
        "hsds_version": HSDS_VERSION,
        "taxonomies": sorted(
            (serializers.taxonomy_dict(t) for t in selectors.taxonomies()), key=lambda t: t["id"]
        ),
        "taxonomy_terms": sorted(
            (serializers.taxonomy_term_dict(t, lang) for t in terms), key=lambda t: t["id"]
        ),
        "organizations": [
            serializers.organization_dict(
                o, lang, locations=parts.sites[o.pk], programs=parts.programs[o.pk]
            )
            for o in organizations
        ],
        "services": [serializers.service_dict(s, lang, with_organization=False) for s in services],
    }


def json_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def datapackage_descriptor(resources: list[str]) -> dict[str, Any]:
    """The datapackage.json of an export: HSDS resources, then Ancrage's translations table."""
    described = [RESOURCES[name] for name in resources] + [TRANSLATIONS]
    return {
        "name": "ancrage-directory",
        "title": "Ancrage — directory of services for newcomers in Montréal",
        "profile": "tabular-data-package",
        "version": HSDS_VERSION,
        "resources": [
            {
                "name": resource.name,
                "path": resource.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {
                            "name": f.name,
                            "type": f.type,
                            **({"format": f.format} if f.format else {}),
                            **({"constraints": {"required": True}} if f.required else {}),
                        }
                        for f in resource.fields
                    ],
                    "primaryKey": "id"
                    if resource is not TRANSLATIONS
                    else ["resource", "id", "field", "language"],
                    **(
                        {
                            "foreignKeys": [
                                {
                                    "fields": column,
                                    "reference": {"resource": target, "fields": "id"},
                                }
                                for column, target in resource.foreign_keys
                                if target in resources
                            ]
                        }
                        if resource.foreign_keys
                        else {}
                    ),
                },
            }
            for resource in described
        ],
    }


def zip_bytes(document: dict[str, Any]) -> bytes:
    """The datapackage: datapackage.json and one CSV file per resource, in a zip."""
    tables = tabular.flatten(document, file="export")
    files: list[tuple[str, bytes]] = [
        (
            "datapackage.json",
            json_bytes(datapackage_descriptor(list(TABLE_ORDER))),
        )
    ]
    for name in TABLE_ORDER:
        resource = RESOURCES[name]
        records = tabular.merged_records(tables.of(name))
        files.append((resource.path, tabular.csv_bytes(resource.columns, records)))
    translations = sorted(
        {tuple(row.values[c] for c in TRANSLATIONS.columns) for row in tables.of(TRANSLATIONS.name)}
    )
    files.append(
        (
            TRANSLATIONS.path,
            tabular.csv_bytes(
                TRANSLATIONS.columns,
                [dict(zip(TRANSLATIONS.columns, values, strict=True)) for values in translations],
            ),
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def hsds_export(*, format: str, actor: Any = None) -> bytes:
    """The directory in `format` ("json" or "zip"), recorded in the audit log."""
    if format not in FORMATS:
        raise ValueError(f"Unknown export format: {format!r}")
    document = directory_document()
    content = json_bytes(document) if format == "json" else zip_bytes(document)
    audit_record(
        actor=actor,
        action="export",
        details={
            "what": "hsds",
            "format": format,
            "organizations": len(document["organizations"]),
            "services": len(document["services"]),
        },
    )
    return content
