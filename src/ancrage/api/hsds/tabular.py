"""HSDS objects as tables: nested JSON ⇄ one list of rows per resource ⇄ CSV files.

The export writes the API's nested objects through `flatten` into the datapackage's CSV files; the
import reads either form into the same `Row`s, so both formats are checked by the same code. Each row
remembers where it came from (file and line, or the path inside a JSON document) for the report.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .serializers import TRANSLATIONS_KEY
from .tabular_schema import RESOURCES
from .tabular_schema import TRANSLATIONS as TRANSLATIONS_RESOURCE

# Nested arrays and objects of each HSDS resource: key → (resource, how it links).
#   ("child", fk): each item is a row of `resource` whose `fk` is the parent's id;
#   ("parent", fk): the object is a row of `resource` whose id is the parent's `fk`;
#   ("attribute", ""): attributes, linked by link_id / link_entity.
NESTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "organization": {
        "phones": ("phone", "child", "organization_id"),
        "locations": ("location", "child", "organization_id"),
        "programs": ("program", "child", "organization_id"),
        "services": ("service", "child", "organization_id"),
        "contacts": ("contact", "child", "organization_id"),
        "funding": ("funding", "child", "organization_id"),
        "attributes": ("attribute", "attribute", ""),
    },
    "service": {
        "phones": ("phone", "child", "service_id"),
        "schedules": ("schedule", "child", "service_id"),
        "service_at_locations": ("service_at_location", "child", "service_id"),
        "languages": ("language", "child", "service_id"),
        "funding": ("funding", "child", "service_id"),
        "cost_options": ("cost_option", "child", "service_id"),
        "contacts": ("contact", "child", "service_id"),
        "attributes": ("attribute", "attribute", ""),
        "organization": ("organization", "parent", "organization_id"),
        "program": ("program", "parent", "program_id"),
    },
    "service_at_location": {
        "schedules": ("schedule", "child", "service_at_location_id"),
        "contacts": ("contact", "child", "service_at_location_id"),
        "phones": ("phone", "child", "service_at_location_id"),
        "attributes": ("attribute", "attribute", ""),
        "location": ("location", "parent", "location_id"),
        "service": ("service", "parent", "service_id"),
    },
    "location": {
        "addresses": ("address", "child", "location_id"),
        "phones": ("phone", "child", "location_id"),
        "accessibility": ("accessibility", "child", "location_id"),
        "languages": ("language", "child", "location_id"),
        "contacts": ("contact", "child", "location_id"),
        "schedules": ("schedule", "child", "location_id"),
        "attributes": ("attribute", "attribute", ""),
    },
    "contact": {"phones": ("phone", "child", "contact_id")},
    "phone": {"languages": ("language", "child", "phone_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "parent", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "parent", "taxonomy_id")},
    "program": {"attributes": ("attribute", "attribute", "")},
}

# Top-level keys of an exported JSON document.
DOCUMENT_KEYS = {
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "organizations": "organization",
    "locations": "location",
    "programs": "program",
    "services": "service",
    "service_at_locations": "service_at_location",
}

TRANSLATION_RESOURCE = TRANSLATIONS_RESOURCE.name


@dataclass
class Row:
    """One record of one resource, as strings, with where it was read."""

    resource: str
    values: dict[str, str]
    file: str
    line: str

    @property
    def id(self) -> str:
        return self.values.get("id", "")


@dataclass
class Tables:
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # (file, line, field, reason) found while reading
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)
    # What was in the input but is not read: (file, what, where)
    ignored: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.setdefault(row.resource, []).append(row)

    def of(self, resource: str) -> list[Row]:
        return self.rows.get(resource, [])


def _scalar(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for arrays and objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


# --- Nested → rows ------------------------------------------------------------------------------


def flatten(
    document: Mapping[str, Any] | list, *, file: str, tables: Tables | None = None
) -> Tables:
    """Rows of every object of an exported JSON document (or of a list of services)."""
    tables = tables or Tables()
    if isinstance(document, list):
        document = {"services": document}
    for key, items in document.items():
        resource = DOCUMENT_KEYS.get(key)
        if resource is None:
            if key not in ("hsds_version", "x-ancrage-export"):
                tables.ignored.append((file, key, ""))
            continue
        if not isinstance(items, list):
            tables.problems.append((file, key, key, _("must be a list of objects")))
            continue
        for index, item in enumerate(items):
            _flatten_object(item, resource, f"{key}[{index}]", {}, file, tables)
    return tables


def _flatten_object(
    item: Any, resource: str, path: str, links: dict[str, str], file: str, tables: Tables
) -> str:
    if not isinstance(item, dict):
        tables.problems.append((file, path, resource, _("must be an object")))
        return ""
    columns = set(RESOURCES[resource].columns)
    values: dict[str, str] = {}
    nested = NESTED.get(resource, {})
    for key, value in item.items():
        if key in columns:
            text = _scalar(value)
            if text is None:
                tables.problems.append((file, path, key, _("must be a single value")))
            else:
                values[key] = text
        elif key == TRANSLATIONS_KEY:
            _flatten_translations(value, resource, item.get("id"), path, file, tables)
        elif key not in nested and isinstance(value, list | dict) and value:
            tables.ignored.append((file, f"{resource}.{key}", path))
    for column, parent_id in links.items():
        if not values.get(column):
            values[column] = parent_id
    own_id = values.get("id", "")
    for key, (child, how, column) in nested.items():
        value = item.get(key)
        if value in (None, [], {}):
            continue
        if how == "parent":
            linked = _flatten_object(value, child, f"{path}.{key}", {}, file, tables)
            if linked and not values.get(column):
                values[column] = linked
            continue
        if not isinstance(value, list):
            tables.problems.append((file, f"{path}.{key}", key, _("must be a list of objects")))
            continue
        child_links = (
            {column: own_id} if how == "child" else {"link_id": own_id, "link_entity": resource}
        )
        # Hours and contacts of a service at a location also belong to its service.
        if resource == "service_at_location" and child in ("schedule", "contact"):
            child_links["service_id"] = values.get("service_id", "")
        for index, child_item in enumerate(value):
            _flatten_object(child_item, child, f"{path}.{key}[{index}]", child_links, file, tables)
    tables.add(Row(resource, values, file, path))
    return own_id


def _flatten_translations(
    value: Any, resource: str, record_id: Any, path: str, file: str, tables: Tables
) -> None:
    where = f"{path}.{TRANSLATIONS_KEY}"
    if not isinstance(value, dict):
        tables.problems.append((file, where, TRANSLATIONS_KEY, _("must be an object")))
        return
    for field_name, texts in value.items():
        if not isinstance(texts, dict):
            tables.problems.append((file, where, field_name, _("must map language codes to texts")))
            continue
        for language, text in texts.items():
            cell = _scalar(text)
            if cell is None:
                tables.problems.append(
                    (file, where, field_name, _("must map language codes to texts"))
                )
                continue
            tables.add(
                Row(
                    TRANSLATION_RESOURCE,
                    {
                        "resource": resource,
                        "id": _scalar(record_id) or "",
                        "field": field_name,
                        "language": language,
                        "text": cell,
                    },
                    file,
                    where,
                )
            )


# --- Rows → CSV ---------------------------------------------------------------------------------


def csv_bytes(columns: list[str], records: Iterable[Mapping[str, str]]) -> bytes:
    """A CSV file (UTF-8, RFC 4180 line ends) with a header and the records in the given order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([record.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")


def merged_records(rows: Iterable[Row]) -> list[dict[str, str]]:
    """One record per id (the same object may be nested in several places), sorted by id."""
    records: dict[str, dict[str, str]] = {}
    for row in rows:
        record = records.setdefault(row.id, {})
        for key, value in row.values.items():
            if value != "":
                record.setdefault(key, value)
    return [records[key] for key in sorted(records)]


# --- CSV → rows ---------------------------------------------------------------------------------


def read_csv(text: str, *, resource: str, columns: list[str], file: str, tables: Tables) -> None:
    """Rows of one CSV file; header problems and ragged lines go to `tables.problems`."""
    # A cell may be as long as the file: the importer then reports it as too long, by field,
    # instead of the csv module stopping the whole file at its default limit (128 kB).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        tables.problems.append((file, "1", "", _("the file is empty: a header line is needed")))
        return
    except csv.Error as error:
        tables.problems.append(
            (file, "1", "", _("not a readable CSV file (%(error)s)") % {"error": error})
        )
        return
    header = [name.strip() for name in header]
    known = set(columns)
    bad_header = False
    for name in header:
        if name not in known:
            tables.problems.append((file, "1", name, _("unknown column for this file")))
            bad_header = True
    for name in {n for n in header if header.count(n) > 1}:
        tables.problems.append((file, "1", name, _("column appears more than once")))
        bad_header = True
    if "id" not in header:
        tables.problems.append((file, "1", "id", _("missing column")))
        bad_header = True
    if bad_header:
        return
    for line, cells in _lines(reader, file, tables):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            tables.problems.append(
                (
                    file,
                    str(line),
                    "",
                    _("%(cells)d values where the header has %(columns)d columns")
                    % {"cells": len(cells), "columns": len(header)},
                )
            )
            continue
        tables.add(Row(resource, dict(zip(header, cells, strict=True)), file, str(line)))


def _lines(reader, file: str, tables: Tables) -> Iterator[tuple[int, list[str]]]:
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            tables.problems.append(
                (file, str(start), "", _("not readable as CSV (%(error)s)") % {"error": error})
            )
            return
        yield start, cells
        start = reader.line_num + 1
