"""Import of HSDS 3.0 data from another system (or from an Ancrage export): zip datapackage or JSON.

Everything is read and checked before anything is written; one bad row and nothing changes, and the
report names every bad row (file, line or JSON path, field, reason). Records are matched by id, so
importing the same file twice changes nothing the second time. Writes go through the apps' own
services: `network.services` for organizations and places, `directory.services.
service_publish_content` for a service's content (which keeps its history), all in one transaction.

What HSDS has and Ancrage does not keep (service areas, required documents, a place's own hours…) is
listed in the report as not kept; it does not stop the import.
"""

import datetime
import json
import re
import unicodedata
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ancrage.core.audit import audit_record
from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Borough, Language
from ancrage.directory.content import service_content
from ancrage.directory.models import (
    CONTENT_LANGUAGES,
    NEEDS_TAXONOMY_NAME,
    Contact,
    Program,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from ancrage.directory.services import service_publish_content
from ancrage.network import services as network
from ancrage.network.models import Organization, Site

from . import tabular
from .serializers import TRANSLATED_FIELDS
from .tabular_schema import RESOURCES, TRANSLATIONS
from .vocabularies import AUDIENCES, ELIGIBILITY, IMMIGRATION_STATUSES, derived_term_index

MAX_INPUT_BYTES = 100 * 1024 * 1024
MAX_TEXT = 10_000  # one translated text (a description in one language)
MAX_AGE = 130
MAX_YEARS = 100
DAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
STATUSES = {
    "active": ServiceStatus.ACTIVE,
    "inactive": ServiceStatus.INACTIVE,
    "temporarily closed": ServiceStatus.INACTIVE,
    "defunct": ServiceStatus.DEFUNCT,
}
# A phone belongs to its most precise parent.
PHONE_PARENTS = (
    "contact_id",
    "service_at_location_id",
    "location_id",
    "service_id",
    "organization_id",
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class NotKept:
    """What the input holds and Ancrage does not keep, counted by kind (one line per kind)."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[str, str], list] = {}

    def note(self, file: str, what: str, where: str = "") -> None:
        entry = self.kinds.setdefault((file, what), [0, where])
        entry[0] += 1

    def add(self, row: tabular.Row, what: str) -> None:
        self.note(row.file, what, row.line)

    def lines(self) -> list[str]:
        return [
            _("%(file)s: %(what)s (%(count)d, first at %(where)s)")
            % {"file": file, "what": what, "count": count, "where": where}
            if where
            else _("%(file)s: %(what)s") % {"file": file, "what": what}
            for (file, what), (count, where) in sorted(self.kinds.items())
        ]


# Columns the import reads, by resource; others are noted as not kept when they hold a value.
KEPT_COLUMNS: dict[str, set[str]] = {
    "organization": {"id", "name", "alternate_name", "description", "email", "website"},
    "program": {"id", "organization_id", "name", "alternate_name", "description"},
    "service": {
        "id",
        "organization_id",
        "program_id",
        *TRANSLATED_FIELDS["service"],
        "alternate_name",
        "url",
        "email",
        "status",
        "interpretation_services",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "assurer_email",
        "last_modified",
    },
    "service_at_location": {"id", "service_id", "location_id", "description"},
    "location": {"id", "location_type", "organization_id", "name"},
    "address": {
        "id",
        "location_id",
        "address_1",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    },
    "phone": {"id", *PHONE_PARENTS, "number"},
    "accessibility": {"id", "location_id", "description"},
    "schedule": {
        "id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "description",
        "opens_at",
        "closes_at",
    },
    "contact": {
        "id",
        "organization_id",
        "service_id",
        "service_at_location_id",
        "location_id",
        "name",
        "title",
        "email",
    },
    "language": {"id", "service_id", "location_id", "phone_id", "name", "code"},
    "funding": {"id", "organization_id", "service_id", "source"},
    "cost_option": {"id", "service_id", "option", "currency", "amount"},
    "attribute": {"id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"},
}


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Reading ------------------------------------------------------------------------------------


def read_source(path: Path) -> tabular.Tables:
    """The rows of a zip datapackage or a JSON document, with the problems met reading them."""
    tables = tabular.Tables()
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        tables.problems.append(
            (name, "", "", _("cannot read the file (%(error)s)") % {"error": error.strerror})
        )
        return tables
    if size > MAX_INPUT_BYTES:
        tables.problems.append(
            (
                name,
                "",
                "",
                _("the file is larger than %(mb)d MB") % {"mb": MAX_INPUT_BYTES // 2**20},
            )
        )
        return tables
    if zipfile.is_zipfile(path):
        _read_zip(path, tables)
    elif path.suffix.lower() == ".zip":
        tables.problems.append((name, "", "", _("not a zip archive")))
    else:
        _read_json(path, tables)
    return tables


def _read_json(path: Path, tables: tabular.Tables) -> None:
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        tables.problems.append((path.name, "", "", _("not UTF-8 text")))
        return
    except json.JSONDecodeError as error:
        tables.problems.append(
            (
                path.name,
                str(error.lineno),
                "",
                _("neither a zip datapackage nor a JSON document (%(error)s)")
                % {"error": error.msg},
            )
        )
        return
    if not isinstance(document, dict | list):
        tables.problems.append(
            (path.name, "", "", _("the JSON document must be an object or a list"))
        )
        return
    tabular.flatten(document, file=path.name, tables=tables)


def _read_zip(path: Path, tables: tabular.Tables) -> None:
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        tables.problems.append((name, "", "", _("not a zip archive")))
        return
    with archive:
        members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        if sum(info.file_size for info in members.values()) > MAX_INPUT_BYTES:
            tables.problems.append(
                (
                    name,
                    "",
                    "",
                    _("the archive holds more than %(mb)d MB") % {"mb": MAX_INPUT_BYTES // 2**20},
                )
            )
            return
        paths = _resource_paths(archive, members, tables)
        if paths is None:
            return
        used = set()
        for resource, member in paths.items():
            if member not in members:
                tables.problems.append(
                    (name, "", member, _("named in datapackage.json but not in the archive"))
                )
                continue
            used.add(member)
            text = _member_text(archive, members[member], tables)
            if text is None:
                continue
            columns = (
                TRANSLATIONS.columns
                if resource == TRANSLATIONS.name
                else RESOURCES[resource].columns
            )
            tabular.read_csv(text, resource=resource, columns=columns, file=member, tables=tables)
        for member in sorted(set(members) - used):
            if PurePosixPath(member).name != "datapackage.json":
                tables.ignored.append((member, _("file not read"), ""))


def _resource_paths(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], tables: tabular.Tables
) -> dict[str, str] | None:
    """resource name → member path, from datapackage.json when there is one."""
    descriptors = sorted(
        (m for m in members if PurePosixPath(m).name == "datapackage.json"), key=len
    )
    known = {**{r.name: r.path for r in RESOURCES.values()}, TRANSLATIONS.name: TRANSLATIONS.path}
    if not descriptors:
        folder = _folder_of(members, known.values())
        return {
            resource: f"{folder}{path}"
            for resource, path in known.items()
            if f"{folder}{path}" in members
        }
    descriptor = descriptors[0]
    folder = descriptor[: -len("datapackage.json")]
    text = _member_text(archive, members[descriptor], tables)
    if text is None:
        return None
    try:
        package = json.loads(text)
        resources = package["resources"]
        paths = {}
        for resource in resources:
            if resource.get("name") in known:
                if not isinstance(resource.get("path"), str):
                    raise TypeError
                paths[resource["name"]] = f"{folder}{resource['path']}"
    except (ValueError, KeyError, TypeError, AttributeError):
        tables.problems.append((descriptor, "", "", _("not a valid datapackage descriptor")))
        return None
    return paths


def _folder_of(members: Iterable[str], paths: Iterable[str]) -> str:
    wanted = set(paths)
    for member in sorted(members, key=len):
        pure = PurePosixPath(member)
        if pure.name in wanted:
            return "" if str(pure.parent) == "." else f"{pure.parent}/"
    return ""


def _member_text(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, tables: tabular.Tables
) -> str | None:
    try:
        with archive.open(info) as member:
            content = member.read(MAX_INPUT_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        tables.problems.append((info.filename, "", "", _("cannot be read from the archive")))
        return None
    if len(content) > MAX_INPUT_BYTES:
        tables.problems.append((info.filename, "", "", _("the file is too large")))
        return None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        tables.problems.append((info.filename, "", "", _("not UTF-8 text")))
        return None


# --- Checking -----------------------------------------------------------------------------------


class Checker:
    """Reads typed values out of rows, noting a problem for every value that cannot be used."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._email = EmailValidator()
        self._url = URLValidator()

    def add(self, row: tabular.Row, column: str, reason: str) -> None:
        self.problems.append(Problem(row.file, row.line, column, reason))

    def text(
        self,
        row: tabular.Row,
        column: str,
        *,
        max_length: int,
        required: bool = False,
        name: bool = False,
        strip: bool = True,
    ) -> str:
        """`name`: spaces collapsed as the network services do; `strip=False`: long texts kept
        exactly as written (a round trip must not change them)."""
        value = row.values.get(column, "")
        if name:
            value = " ".join(value.split())
        elif strip:
            value = value.strip()
        if required and not value.strip():
            self.add(row, column, _("missing"))
        elif len(value) > max_length:
            self.add(row, column, _("too long: at most %(max)d characters") % {"max": max_length})
            return ""
        return value

    def ref(self, row, column: str, *, required: bool = False) -> str | None:
        value = row.values.get(column, "").strip()
        if not value:
            if required:
                self.add(row, column, _("missing"))
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            self.add(row, column, _("not a valid id (UUID)"))
            return None

    def whole(self, row, column: str, *, minimum: int, maximum: int) -> int | None:
        value = row.values.get(column, "").strip()
        if not value:
            return None
        try:
            number = float(value)
            if not number.is_integer():
                raise ValueError
            number = int(number)
        except (ValueError, OverflowError):
            self.add(row, column, _("must be a whole number"))
            return None
        if not minimum <= number <= maximum:
            self.add(
                row,
                column,
                _("must be between %(min)d and %(max)d") % {"min": minimum, "max": maximum},
            )
            return None
        return number

    def number(self, row, column: str) -> float | None:
        value = row.values.get(column, "").strip()
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            self.add(row, column, _("must be a number"))
            return None

    def date(self, row, column: str) -> str | None:
        value = row.values.get(column, "").strip()
        if not value:
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            self.add(row, column, _("must be a date such as 2025-03-15"))
            return None
        return day.isoformat()

    def time(self, row, column: str) -> str | None:
        value = row.values.get(column, "").strip()
        if not value:
            return None
        match = TIME.match(value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
            self.add(row, column, _("must be a time such as 09:30"))
            return None
        if int(match[3] or 0):
            self.add(row, column, _("opening hours are kept to the minute"))
            return None
        return f"{int(match[1]):02d}:{match[2]}"

    def moment(self, row, column: str) -> datetime.datetime | None:
        value = row.values.get(column, "").strip()
        if not value:
            return None
        try:
            moment = parse_datetime(value)
            if moment is not None and timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            self.add(row, column, _("must be a date and time such as 2025-03-15T10:30:00Z"))
        return moment

    def email(self, row, column: str) -> str:
        value = self.text(row, column, max_length=254)
        if value:
            try:
                self._email(value)
            except ValidationError:
                self.add(row, column, _("not a valid email address"))
                return ""
        return value

    def url(self, row, column: str) -> str:
        value = self.text(row, column, max_length=200)
        if value:
            try:
                self._url(value)
            except ValidationError:
                self.add(row, column, _("not a valid web address"))
                return ""
        return value


@dataclass
class Source:
    """The input's records by resource and id, and their translations."""

    records: dict[str, dict[str, tabular.Row]]
    translations: dict[tuple[str, str, str], dict[str, str]]
    # resource → parent column → parent id → rows
    children: dict[str, dict[str, dict[str, list[tabular.Row]]]]

    def of(self, resource: str) -> dict[str, tabular.Row]:
        return self.records.get(resource, {})

    def under(self, resource: str, column: str, parent_id: str) -> list[tabular.Row]:
        return self.children.get(resource, {}).get(column, {}).get(parent_id, [])


def _index(tables: tabular.Tables, check: Checker) -> Source:
    records: dict[str, dict[str, tabular.Row]] = {}
    for resource, rows in tables.rows.items():
        if resource == TRANSLATIONS.name:
            continue
        by_id = records.setdefault(resource, {})
        for row in rows:
            key = check.ref(row, "id", required=True)
            if key is None:
                continue
            row.values["id"] = key
            first = by_id.get(key)
            if first is None:
                by_id[key] = row
                continue
            for column, value in row.values.items():
                before = first.values.get(column, "")
                if value and before and value != before:
                    check.add(
                        row,
                        column,
                        _("the same id is given with another value at %(where)s")
                        % {"where": f"{first.file}:{first.line}"},
                    )
                elif value and not before:
                    first.values[column] = value
    children: dict[str, dict[str, dict[str, list[tabular.Row]]]] = {}
    for resource, by_id in records.items():
        columns = [
            f.name for f in RESOURCES[resource].fields if f.format == "uuid" and f.name != "id"
        ]
        for row in sorted(by_id.values(), key=lambda r: r.id):
            for column in columns:
                parent = row.values.get(column, "").strip()
                if parent:
                    try:
                        parent = str(uuid.UUID(parent))
                    except ValueError:
                        check.add(row, column, _("not a valid id (UUID)"))
                        continue
                    row.values[column] = parent
                    children.setdefault(resource, {}).setdefault(column, {}).setdefault(
                        parent, []
                    ).append(row)
    return Source(records, _translations(tables, records, check), children)


def _translations(tables, records, check: Checker) -> dict[tuple[str, str, str], dict[str, str]]:
    """(resource, id, field) → {language: text}. Texts may be in any language of Ancrage's list
    (content is mostly in `CONTENT_LANGUAGES`, but some is written in other languages)."""
    languages = {code.lower() for code in Language.objects.values_list("code", flat=True)}
    result: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in tables.of(TRANSLATIONS.name):
        resource = row.values.get("resource", "").strip()
        column = row.values.get("field", "").strip()
        language = row.values.get("language", "").strip().lower()
        text = row.values.get("text", "")
        record_id = check.ref(row, "id", required=True)
        if resource not in TRANSLATED_FIELDS:
            check.add(row, "resource", _("no translated texts for this resource"))
            continue
        if column not in TRANSLATED_FIELDS[resource]:
            check.add(
                row, "field", _("not a translated field of %(resource)s") % {"resource": resource}
            )
            continue
        if language not in languages:
            check.add(
                row,
                "language",
                _("unknown language code; Ancrage's content languages are %(codes)s")
                % {"codes": ", ".join(CONTENT_LANGUAGES)},
            )
            continue
        if len(text) > MAX_TEXT:
            check.add(row, "text", _("too long: at most %(max)d characters") % {"max": MAX_TEXT})
            continue
        if record_id is None:
            continue
        if record_id not in records.get(resource, {}):
            check.add(
                row, "id", _("no %(resource)s with this id in the file") % {"resource": resource}
            )
            continue
        texts = result.setdefault((resource, record_id, column), {})
        if texts.get(language, text) != text:
            check.add(row, "text", _("another text is given for the same language"))
        if text.strip():
            texts[language] = text
    return result


def _normal(text: str) -> str:
    """Borough names compared without case, accents or the kind of dash."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-‐‑‒–—'’]+", "-", text).strip("-")


# --- Plans: what the import would write ---------------------------------------------------------


@dataclass
class OrganizationPlan:
    hsds_id: str
    data: dict[str, Any]
    existing: Organization | None


@dataclass
class SitePlan:
    hsds_id: str
    organization_id: str
    data: dict[str, Any]
    existing: Site | None


@dataclass
class ProgramPlan:
    id: str
    organization_id: str
    data: dict[str, Any]
    existing: Program | None


@dataclass
class ServicePlan:
    id: str
    organization_id: str
    content: dict[str, Any]
    extra: dict[str, Any]
    existing: Service | None


@dataclass
class Plan:
    organizations: list[OrganizationPlan] = field(default_factory=list)
    sites: list[SitePlan] = field(default_factory=list)
    programs: list[ProgramPlan] = field(default_factory=list)
    services: list[ServicePlan] = field(default_factory=list)


class Planner:
    """Checks every record against the file and the database, and plans the writes."""

    def __init__(self, source: Source, check: Checker, language: str, not_kept: "NotKept"):
        self.source = source
        self.check = check
        self.language = language
        self.not_kept = not_kept
        self.plan = Plan()
        self.in_database: dict[str, bool] = {}
        self.organizations = {
            str(o.hsds_id): o
            for o in Organization.objects.filter(hsds_id__in=list(source.of("organization")))
        }
        site_ids = set(source.of("location")) | {
            row.values.get("location_id", "") for row in source.of("service_at_location").values()
        }
        self.sites = {
            str(s.hsds_id): s
            for s in Site.objects.filter(hsds_id__in=_uuids(site_ids)).select_related(
                "organization", "borough"
            )
        }
        self.boroughs = {}
        for borough in Borough.objects.all():
            for name in [borough.code, *borough.names.values()]:
                self.boroughs[_normal(name)] = borough
        self.languages = {
            code.lower(): code for code in Language.objects.values_list("code", flat=True)
        }
        self.needs = {
            str(term_id): code
            for term_id, code in TaxonomyTerm.objects.filter(
                taxonomy__name=NEEDS_TAXONOMY_NAME
            ).values_list("id", "code")
        }
        self.derived = derived_term_index()
        # Phones assigned to their most precise parent: (column, parent id) → rows
        self.phones: dict[tuple[str, str], list[tabular.Row]] = defaultdict(list)
        for row in source.of("phone").values():
            parent = next((c for c in PHONE_PARENTS if row.values.get(c)), None)
            if parent is None:
                self.check.add(
                    row,
                    "id",
                    _("a phone must belong to an organization, place, service or contact"),
                )
                continue
            self.phones[(parent, row.values[parent])].append(row)

    # Helpers

    def _translated(
        self, resource: str, row: tabular.Row, column: str, *, required=False
    ) -> dict[str, str]:
        """The texts of a translated field: the translations table's, else the column's text
        (in the import's language). The column is checked either way: it is part of the input."""
        plain = row.values.get(column, "")
        if len(plain) > MAX_TEXT:
            self.check.add(
                row, column, _("too long: at most %(max)d characters") % {"max": MAX_TEXT}
            )
            return {}
        texts = self.source.translations.get((resource, row.id, column))
        if texts is None:
            texts = {self.language: plain.strip()} if plain.strip() else {}
        if required and not texts:
            self.check.add(row, column, _("missing"))
        return dict(sorted(texts.items()))

    def _phone(self, column: str, parent_id: str) -> str:
        rows = sorted(self.phones.get((column, parent_id), []), key=lambda r: r.id)
        if not rows:
            return ""
        if len(rows) > 1:
            self.not_kept.add(rows[1], _("phone numbers after the first of a record"))
        return self.check.text(rows[0], "number", max_length=30, required=True)

    def _organization_known(self, row: tabular.Row, column: str) -> str | None:
        org_id = self.check.ref(row, column, required=True)
        if org_id is None or org_id in self.source.of("organization"):
            return org_id
        if org_id not in self.in_database:
            self.in_database[org_id] = Organization.objects.filter(hsds_id=org_id).exists()
        if not self.in_database[org_id]:
            self.check.add(
                row, column, _("no organization with this id, in the file or in Ancrage")
            )
            return None
        return org_id

    # Records

    def organizations_(self) -> None:
        names: dict[str, tabular.Row] = {}
        for org_id, row in sorted(self.source.of("organization").items()):
            data = {
                "name": self.check.text(row, "name", max_length=200, required=True, name=True),
                "acronym": self.check.text(row, "alternate_name", max_length=30),
                "mission": self.check.text(row, "description", max_length=4000, strip=False),
                "email": self.check.email(row, "email"),
                "website": self.check.url(row, "website"),
                "phone": self._phone("organization_id", org_id),
            }
            existing = self.organizations.get(org_id)
            borough = existing.borough if existing else None
            clash = Organization.objects.filter(name__iexact=data["name"], borough=borough)
            if existing:
                clash = clash.exclude(pk=existing.pk)
            key = f"{data['name'].casefold()}|{borough.pk if borough else ''}"
            if data["name"] and (clash.exists() or key in names):
                self.check.add(row, "name", _("another organization already has this name"))
            names[key] = row
            self.plan.organizations.append(OrganizationPlan(org_id, data, existing))

    def locations_(self) -> None:
        names: dict[tuple[str, str], tabular.Row] = {}
        for site_id, row in sorted(self.source.of("location").items()):
            if not row.values.get("organization_id"):
                row.values["organization_id"] = self._organization_of_place(site_id)
            org_id = self._organization_known(row, "organization_id")
            kind = row.values.get("location_type", "").strip() or "physical"
            if kind != "physical":
                self.check.add(
                    row,
                    "location_type",
                    _("only physical places (with an address) can be imported"),
                )
            existing = self.sites.get(site_id)
            if existing and org_id and str(existing.organization.hsds_id) != org_id:
                self.check.add(
                    row,
                    "organization_id",
                    _("this place belongs to another organization in Ancrage"),
                )
            name = self.check.text(row, "name", max_length=200, required=True, name=True)
            if org_id and name:
                key = (org_id, name.casefold())
                others = Site.objects.filter(
                    organization__hsds_id=org_id, name__iexact=name
                ).exclude(hsds_id=site_id)
                if key in names or others.exists():
                    self.check.add(
                        row, "name", _("the organization already has a place with this name")
                    )
                names[key] = row
            data = {"name": name, **self._address(row, site_id)}
            data["phone"] = self._phone("location_id", site_id)
            accessibility = [
                r.values.get("description", "").strip()
                for r in sorted(
                    self.source.under("accessibility", "location_id", site_id), key=lambda r: r.id
                )
            ]
            data["accessibility"] = "; ".join(a for a in accessibility if a)
            if len(data["accessibility"]) > 500:
                self.check.add(
                    row, "accessibility", _("too long: at most %(max)d characters") % {"max": 500}
                )
            self.plan.sites.append(SitePlan(site_id, org_id or "", data, existing))

    def _organization_of_place(self, site_id: str) -> str:
        """A place nested in a service at a location often does not name its organization:
        it is the organization of the services given there, when they all have the same one."""
        services = self.source.of("service")
        owners = {
            services[link.values["service_id"]].values.get("organization_id", "")
            for link in self.source.under("service_at_location", "location_id", site_id)
            if link.values.get("service_id") in services
        }
        return owners.pop() if len(owners) == 1 else ""

    def _address(self, row, site_id: str) -> dict[str, Any]:
        addresses = sorted(self.source.under("address", "location_id", site_id), key=lambda r: r.id)
        if not addresses:
            self.check.add(
                row, "addresses", _("missing: a place needs a street address and a borough")
            )
            return {}
        physical = [
            a for a in addresses if a.values.get("address_type", "physical") in ("physical", "")
        ]
        address = (physical or addresses)[0]
        if len(addresses) > 1:
            self.not_kept.add(addresses[1], _("addresses after the first of a place"))
        region = address.values.get("region", "").strip()
        borough = self.boroughs.get(_normal(region)) if region else None
        if borough is None:
            self.check.add(
                address,
                "region",
                _("unknown borough of Montréal")
                if region
                else _("missing: the borough of Montréal"),
            )
        return {
            "street_address": self.check.text(address, "address_1", max_length=200, required=True),
            "postal_code": self.check.text(address, "postal_code", max_length=7).upper(),
            "borough": borough,
        }

    def programs_(self) -> None:
        existing = {
            str(p.id): p
            for p in Program.objects.filter(id__in=list(self.source.of("program"))).select_related(
                "organization"
            )
        }
        for program_id, row in sorted(self.source.of("program").items()):
            org_id = self._organization_known(row, "organization_id")
            program = existing.get(program_id)
            if program and org_id and str(program.organization.hsds_id) != org_id:
                self.check.add(
                    row,
                    "organization_id",
                    _("this program belongs to another organization in Ancrage"),
                )
            data = {
                "names": self._translated("program", row, "name", required=True),
                "descriptions": self._translated("program", row, "description"),
                "alternate_name": self.check.text(row, "alternate_name", max_length=200),
            }
            self.plan.programs.append(ProgramPlan(program_id, org_id or "", data, program))

    def services_(self) -> None:
        rows = self.source.of("service")
        self.existing_services = {
            str(s.id): s
            for s in Service.objects.filter(id__in=list(rows)).select_related("organization")
        }
        self.owners = {
            kind: dict(
                model.objects.filter(id__in=_uuids(self.source.of(resource))).values_list(
                    "id", "service_id"
                )
            )
            for kind, model, resource in (
                ("service_at_location", ServiceAtLocation, "service_at_location"),
                ("schedule", Schedule, "schedule"),
                ("contact", Contact, "contact"),
            )
        }
        self.links_in_db = defaultdict(dict)
        for link_id, service_id, site_id in ServiceAtLocation.objects.filter(
            service_id__in=_uuids(rows)
        ).values_list("id", "service_id", "location__hsds_id"):
            self.links_in_db[str(service_id)][str(site_id)] = str(link_id)
        programs = {p.id: p for p in self.plan.programs}
        db_programs = dict(
            Program.objects.filter(
                id__in=_uuids({r.values.get("program_id", "") for r in rows.values()})
            ).values_list("id", "organization__hsds_id")
        )
        for service_id, row in sorted(rows.items()):
            org_id = self._organization_known(row, "organization_id")
            existing = self.existing_services.get(service_id)
            if existing and org_id and str(existing.organization.hsds_id) != org_id:
                self.check.add(
                    row,
                    "organization_id",
                    _("this service belongs to another organization in Ancrage"),
                )
            program_id = self.check.ref(row, "program_id")
            if program_id:
                owner = programs[program_id].organization_id if program_id in programs else None
                if owner is None and uuid.UUID(program_id) in db_programs:
                    owner = str(db_programs[uuid.UUID(program_id)])
                if owner is None:
                    self.check.add(
                        row, "program_id", _("no program with this id, in the file or in Ancrage")
                    )
                elif org_id and owner != org_id:
                    self.check.add(
                        row, "program_id", _("this program belongs to another organization")
                    )
            self.plan.services.append(self._service(row, service_id, org_id or "", program_id))

    def _service(self, row, service_id: str, org_id: str, program_id: str | None) -> ServicePlan:
        check = self.check
        status = row.values.get("status", "").strip().lower()
        if status not in STATUSES:
            check.add(
                row, "status", _("must be one of %(values)s") % {"values": ", ".join(STATUSES)}
            )
        minimum = check.whole(row, "minimum_age", minimum=0, maximum=MAX_AGE)
        maximum = check.whole(row, "maximum_age", minimum=0, maximum=MAX_AGE)
        if minimum is not None and maximum is not None and minimum > maximum:
            check.add(row, "maximum_age", _("must not be below the minimum age"))
        translated = {
            attribute: self._translated("service", row, column, required=column == "name")
            for column, attribute in TRANSLATED_FIELDS["service"].items()
        }
        content: dict[str, Any] = {
            **translated,
            "alternate_name": check.text(row, "alternate_name", max_length=200),
            "url": check.url(row, "url"),
            "email": check.email(row, "email"),
            "phone": self._phone("service_id", service_id),
            "status": STATUSES.get(status, ServiceStatus.ACTIVE).value,
            "is_free": self._is_free(service_id, translated["fees_descriptions"]),
            "interpretation_services": check.text(row, "interpretation_services", max_length=300),
            "minimum_age": minimum,
            "maximum_age": maximum,
            "max_years_since_arrival": None,
            "funding_source": self._funding(row, service_id),
            "program": program_id,
            "audiences": [],
            "immigration_statuses": [],
            "languages": self._languages(service_id),
            "needs": [],
        }
        self._attributes(service_id, content)
        links = self._links(service_id)
        content["locations"] = [item for item, _row in links.values()]
        content["schedules"] = self._schedules(service_id, links)
        content["contacts"] = self._contacts(service_id, links)
        extra = {
            "assured_date": check.date(row, "assured_date"),
            "assurer_email": check.email(row, "assurer_email"),
            "last_modified": check.moment(row, "last_modified"),
        }
        return ServicePlan(
            service_id, org_id, content, extra, self.existing_services.get(service_id)
        )

    def _is_free(self, service_id: str, fees: dict[str, str]) -> bool:
        options = self.source.under("cost_option", "service_id", service_id)
        if not options:
            return not fees
        amounts = [self.check.number(option, "amount") for option in options]
        return all(amount == 0 for amount in amounts)

    def _funding(self, row, service_id: str) -> str:
        sources = [
            r.values.get("source", "").strip()
            for r in sorted(
                self.source.under("funding", "service_id", service_id), key=lambda r: r.id
            )
        ]
        text = "; ".join(s for s in sources if s)
        if len(text) > 300:
            self.check.add(row, "funding", _("too long: at most %(max)d characters") % {"max": 300})
            return ""
        return text

    def _languages(self, service_id: str) -> list[str]:
        codes = set()
        for row in self.source.under("language", "service_id", service_id):
            raw = row.values.get("code", "").strip().lower()
            code = self.languages.get(raw)
            if code is None:
                self.check.add(row, "code", _("unknown language code") if raw else _("missing"))
            else:
                codes.add(code)
        return sorted(codes)

    def _attributes(self, service_id: str, content: dict[str, Any]) -> None:
        for row in self.source.under("attribute", "link_id", service_id):
            entity = row.values.get("link_entity", "").strip() or "service"
            if entity != "service":
                continue
            term_id = self.check.ref(row, "taxonomy_term_id", required=True)
            if term_id is None:
                continue
            if term_id in self.needs:
                content["needs"].append(self.needs[term_id])
                continue
            term = self.derived.get(term_id)
            if term is None:
                self.not_kept.add(row, _("attributes whose term is not in Ancrage's taxonomies"))
            elif term.taxonomy is AUDIENCES:
                content["audiences"].append(term.code)
            elif term.taxonomy is IMMIGRATION_STATUSES:
                content["immigration_statuses"].append(term.code)
            elif term.taxonomy is ELIGIBILITY:
                years = self.check.whole(row, "value", minimum=0, maximum=MAX_YEARS)
                if years is None and not row.values.get("value", "").strip():
                    self.check.add(row, "value", _("missing: the number of years"))
                content["max_years_since_arrival"] = years
        for key in ("needs", "audiences", "immigration_statuses"):
            content[key] = sorted(set(content[key]))

    def _links(self, service_id: str) -> dict[str, tuple[dict[str, Any], tabular.Row]]:
        """This service's places: link id → (content item, row)."""
        links: dict[str, tuple[dict[str, Any], tabular.Row]] = {}
        seen_sites: set[str] = set()
        for row in sorted(
            self.source.under("service_at_location", "service_id", service_id), key=lambda r: r.id
        ):
            site_id = self.check.ref(row, "location_id", required=True)
            if site_id is None:
                continue
            if site_id not in self.source.of("location") and site_id not in self.sites:
                self.check.add(
                    row, "location_id", _("no place with this id, in the file or in Ancrage")
                )
                continue
            if site_id in seen_sites:
                self.check.add(row, "location_id", _("the service is linked to this place twice"))
                continue
            seen_sites.add(site_id)
            self._owned(row, "service_at_location", service_id)
            in_db = self.links_in_db.get(service_id, {}).get(site_id)
            if in_db and in_db != row.id:
                self.check.add(
                    row,
                    "id",
                    _("Ancrage already links this service to this place under id %(id)s")
                    % {"id": in_db},
                )
            descriptions = self._translated("service_at_location", row, "description")
            links[row.id] = ({"id": row.id, "site": site_id, "descriptions": descriptions}, row)
        return links

    def _owned(self, row, kind: str, service_id: str) -> None:
        owner = self.owners[kind].get(uuid.UUID(row.id))
        if owner is not None and str(owner) != service_id:
            self.check.add(row, "id", _("this id belongs to another service in Ancrage"))

    def _rows_of_service(self, resource: str, service_id: str, links) -> list[tabular.Row]:
        rows = {r.id: r for r in self.source.under(resource, "service_id", service_id)}
        for link_id in links:
            rows.update(
                {r.id: r for r in self.source.under(resource, "service_at_location_id", link_id)}
            )
        return [rows[key] for key in sorted(rows)]

    def _schedules(self, service_id: str, links) -> list[dict[str, Any]]:
        check = self.check
        items = []
        sites = {item["site"]: link_id for link_id, (item, _row) in links.items()}
        for row in self._rows_of_service("schedule", service_id, links):
            link_id = row.values.get("service_at_location_id", "")
            site_id = row.values.get("location_id", "")
            if link_id and link_id not in links:
                check.add(
                    row, "service_at_location_id", _("not a place of this service in the file")
                )
                continue
            if not link_id and site_id:
                if site_id not in sites:
                    check.add(row, "location_id", _("not a place of this service in the file"))
                    continue
                link_id = sites[site_id]
            self._owned(row, "schedule", service_id)
            freq = row.values.get("freq", "").strip().upper()
            if freq not in Schedule.Frequency.values:
                check.add(row, "freq", _("must be WEEKLY or MONTHLY"))
            byday = row.values.get("byday", "").strip().upper().replace(" ", "")
            if byday and (len(byday) > 40 or not all(DAY.match(d) for d in byday.split(","))):
                check.add(row, "byday", _("must list days such as MO,WE or 2TU"))
            bymonthday = row.values.get("bymonthday", "").strip().replace(" ", "")
            if bymonthday and (
                len(bymonthday) > 40
                or not all(
                    re.fullmatch(r"-?\d{1,2}", d) and 1 <= abs(int(d)) <= 31
                    for d in bymonthday.split(",")
                )
            ):
                check.add(row, "bymonthday", _("must list days of the month such as 1,15"))
            opens, closes = check.time(row, "opens_at"), check.time(row, "closes_at")
            if opens and closes and opens >= closes:
                check.add(row, "closes_at", _("must be after the opening time"))
            valid_from, valid_to = check.date(row, "valid_from"), check.date(row, "valid_to")
            if valid_from and valid_to and valid_from > valid_to:
                check.add(row, "valid_to", _("must not be before valid_from"))
            items.append(
                {
                    "id": row.id,
                    "freq": freq,
                    "interval": check.whole(row, "interval", minimum=1, maximum=1000) or 1,
                    "byday": byday,
                    "bymonthday": bymonthday,
                    "descriptions": self._translated("schedule", row, "description"),
                    "opens_at": opens,
                    "closes_at": closes,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "site": links[link_id][0]["site"] if link_id else None,
                }
            )
        return items

    def _contacts(self, service_id: str, links) -> list[dict[str, Any]]:
        items = []
        for row in self._rows_of_service("contact", service_id, links):
            link_id = row.values.get("service_at_location_id", "")
            if link_id and link_id not in links:
                self.check.add(
                    row, "service_at_location_id", _("not a place of this service in the file")
                )
                continue
            self._owned(row, "contact", service_id)
            items.append(
                {
                    "id": row.id,
                    "name": self.check.text(row, "name", max_length=120, required=True, name=True),
                    "title": self.check.text(row, "title", max_length=120),
                    "email": self.check.email(row, "email"),
                    "phone": self._phone("contact_id", row.id),
                }
            )
        return items

    def leftovers_(self) -> None:
        """Rows that name a service not in the file (refused: a service is imported whole), and
        rows of things Ancrage does not keep (noted)."""
        services = self.source.of("service")
        for resource in (
            "service_at_location",
            "schedule",
            "contact",
            "language",
            "funding",
            "cost_option",
        ):
            for row in self.source.of(resource).values():
                service_id = row.values.get("service_id", "")
                if service_id and service_id not in services:
                    self.check.add(row, "service_id", _("no service with this id in the file"))
                elif not service_id and not (
                    resource in ("schedule", "contact") and row.values.get("service_at_location_id")
                ):
                    self.not_kept.add(row, self._outside_services(resource))
        for row in self.source.of("attribute").values():
            entity = row.values.get("link_entity", "").strip() or "service"
            if entity != "service":
                self.not_kept.add(row, self._outside_services("attribute"))
            elif row.values.get("link_id") not in services:
                self.check.add(row, "link_id", _("no service with this id in the file"))
        places = self.source.of("location")
        for resource in ("address", "accessibility"):
            for row in self.source.of(resource).values():
                if row.values.get("location_id", "") not in places:
                    self.check.add(row, "location_id", _("no place with this id in the file"))
        parents = {
            "contact_id": "contact",
            "service_at_location_id": "service_at_location",
            "location_id": "location",
            "service_id": "service",
            "organization_id": "organization",
        }
        for (column, parent), rows in self.phones.items():
            for row in rows:
                if parent not in self.source.of(parents[column]):
                    self.check.add(row, column, _("not in the file"))
                elif column == "service_at_location_id":
                    self.not_kept.add(row, self._outside_services("phone"))
        for resource, rows in self.source.records.items():
            kept = KEPT_COLUMNS.get(resource)
            if kept is None:
                if rows and resource not in ("taxonomy", "taxonomy_term"):
                    self.not_kept.add(next(iter(rows.values())), resource)
                continue
            for row in rows.values():
                for column, value in row.values.items():
                    if value.strip() and column not in kept:
                        self.not_kept.add(row, f"{resource}.{column}")

    @staticmethod
    def _outside_services(resource: str) -> str:
        return _("%(resource)s of an organization or a place rather than of a service") % {
            "resource": resource
        }


def _reading_order(problem: Problem) -> tuple:
    """By file, then line (or JSON path) in the order a person reads them: 2 before 10."""
    parts = re.split(r"(\d+)", problem.line)
    return (problem.file, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return result


# --- Writing ------------------------------------------------------------------------------------


CONTENT_TEXTS = (
    "names",
    "descriptions",
    "eligibility_descriptions",
    "application_processes",
    "fees_descriptions",
)


def _texts_only(texts: dict[str, str] | None) -> dict[str, str]:
    return {code: text for code, text in (texts or {}).items() if text}


def _canonical(content: dict[str, Any]) -> dict[str, Any]:
    """Content compared regardless of list order and of empty translations."""
    result = dict(content)
    for key in CONTENT_TEXTS:
        result[key] = _texts_only(content.get(key))
    for key in ("locations", "schedules", "contacts"):
        items = [dict(item) for item in content.get(key, [])]
        for item in items:
            item["id"] = str(item["id"])
            if "descriptions" in item:
                item["descriptions"] = _texts_only(item["descriptions"])
        result[key] = sorted(items, key=lambda item: item["id"])
    return result


def _write(plan: Plan, report: ImportReport, actor: Any, comment: str) -> None:
    organizations: dict[str, Organization] = {}
    for item in plan.organizations:
        if item.existing is None:
            organizations[item.hsds_id] = network.organization_create(
                actor=actor,
                kind=OrganizationKind.COMMUNITY_ORGANIZATION,
                hsds_id=item.hsds_id,
                **item.data,
            )
            report.created["organizations"] += 1
            continue
        changes = {k: v for k, v in item.data.items() if getattr(item.existing, k) != v}
        if changes:
            network.organization_update(actor=actor, organization=item.existing, **changes)
            report.changed["organizations"] += 1
        else:
            report.unchanged["organizations"] += 1
        organizations[item.hsds_id] = item.existing

    def organization(hsds_id: str) -> Organization:
        if hsds_id not in organizations:
            organizations[hsds_id] = Organization.objects.get(hsds_id=hsds_id)
        return organizations[hsds_id]

    for item in plan.sites:
        if item.existing is None:
            network.site_create(
                actor=actor,
                organization=organization(item.organization_id),
                hsds_id=item.hsds_id,
                kind=Site.Kind.POINT_OF_SERVICE,
                **item.data,
            )
            report.created["places"] += 1
            continue
        changes = {k: v for k, v in item.data.items() if getattr(item.existing, k) != v}
        if changes:
            network.site_update(actor=actor, site=item.existing, **changes)
            report.changed["places"] += 1
        else:
            report.unchanged["places"] += 1

    for item in plan.programs:
        owner = organization(item.organization_id)
        program = item.existing
        if program is None:
            program = Program.objects.create(id=item.id, organization=owner, **item.data)
            action = "create"
            report.created["programs"] += 1
        elif any(getattr(program, k) != v for k, v in item.data.items()):
            for key, value in item.data.items():
                setattr(program, key, value)
            program.save()
            action = "change"
            report.changed["programs"] += 1
        else:
            report.unchanged["programs"] += 1
            continue
        audit_record(
            actor=actor,
            action=action,
            target=program,
            organization_id=owner.pk,
            details={"source": comment},
        )

    for item in plan.services:
        service = item.existing
        if service is None:
            service = Service.objects.create(
                id=item.id, organization=organization(item.organization_id)
            )
        same = (
            item.existing is not None
            and service.is_published
            and _canonical(service_content(service)) == _canonical(item.content)
        )
        if not same:
            service_publish_content(
                service=service, content=item.content, actor=actor, comment=comment
            )
        # Verification and modification dates are not content: set as the source gives them.
        updates = {
            key: item.extra[key] or _empty(key)
            for key in ("assured_date", "assurer_email")
            if _as_text(getattr(service, key)) != (item.extra[key] or _empty(key))
        }
        if not same and item.extra["last_modified"]:
            updates["last_modified"] = item.extra["last_modified"]
        if updates:
            Service.objects.filter(pk=service.pk).update(**updates)
        if item.existing is None:
            report.created["services"] += 1
        elif not same or updates:
            report.changed["services"] += 1
        else:
            report.unchanged["services"] += 1


def _as_text(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _empty(key: str) -> Any:
    return None if key in ("assured_date", "last_modified") else ""


# --- The import ---------------------------------------------------------------------------------


def hsds_import(
    *, path: Path, dry_run: bool = False, language: str = "fr", actor: Any = None
) -> ImportReport:
    """Check and import an HSDS file; on any problem nothing is written (see the report)."""
    report = ImportReport(source=path.name, dry_run=dry_run)
    tables = read_source(path)
    report.problems += [Problem(*problem) for problem in tables.problems]
    not_kept = NotKept()
    for file, what, where in tables.ignored:
        not_kept.note(file, what, where)
    if report.problems:
        report.not_kept = not_kept.lines()
        return report
    check = Checker()
    source = _index(tables, check)
    planner = Planner(source, check, language, not_kept)
    planner.organizations_()
    planner.locations_()
    planner.programs_()
    planner.services_()
    planner.leftovers_()
    report.not_kept = not_kept.lines()
    report.problems += sorted(check.problems, key=_reading_order)
    if report.problems:
        return report
    comment = _("Imported from %(file)s (HSDS)") % {"file": path.name}
    try:
        with transaction.atomic():
            _write(planner.plan, report, actor, comment)
            audit_record(
                actor=actor,
                action="create" if sum(report.created.values()) else "change",
                details={
                    "what": "hsds-import",
                    "file": path.name,
                    "dry_run": dry_run,
                    "created": dict(report.created),
                    "changed": dict(report.changed),
                },
            )
            if dry_run:
                transaction.set_rollback(True)
    except (ValidationError, DatabaseError) as error:
        report.problems.append(
            Problem(
                path.name, "", "", _("the database refused the data (%(error)s)") % {"error": error}
            )
        )
        report.created.clear()
        report.changed.clear()
        report.unchanged.clear()
    return report
