"""HSDS export and import: round trips, idempotence, every kind of bad row, the commands."""

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ancrage.api.hsds.exporter import hsds_export
from ancrage.api.hsds.importer import hsds_import
from ancrage.core.models import AuditEvent
from ancrage.directory.models import Program, Service, ServiceRevision
from ancrage.network.models import Organization, Site

from .hsds_validation import assert_valid

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "hsds" / "examples"


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _empty_the_directory() -> None:
    """What a new installation holds: reference lists and the needs taxonomy, nothing else."""
    Organization.objects.all().delete()
    assert not Service.objects.exists() and not Site.objects.exists()


def _snapshot() -> tuple:
    return (
        sorted(Organization.objects.values_list("hsds_id", "name", "mission", "updated_at")),
        sorted(Site.objects.values_list("hsds_id", "name", "street_address", "borough_id")),
        sorted(Program.objects.values_list("id", "names")),
        sorted(
            (str(s.id), json.dumps(s.names), s.last_modified, s.is_published)
            for s in Service.objects.all()
        ),
        ServiceRevision.objects.count(),
    )


# --- Round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["zip", "json"])
def test_export_import_export_gives_the_same_bytes(rich_directory, tmp_path, format):
    first = hsds_export(format=format)
    path = _write(tmp_path, f"directory.{format}", first)
    _empty_the_directory()

    report = hsds_import(path=path)

    assert report.ok, report.problems
    assert report.created == {"organizations": 2, "places": 3, "programs": 1, "services": 2}
    assert hsds_export(format=format) == first
    # Imported content is published with its history.
    service = Service.objects.get(id=rich_directory["full"].id)
    revision = service.revisions.get()
    assert revision.state == "published" and "directory." in revision.comment
    assert service.names["ar"] == "المساعدة في السكن"
    assert service.max_years_since_arrival == 5
    assert sorted(a.code for a in service.audiences.all()) == ["families", "newcomers"]
    assert Organization.objects.get(name="Centre d'accueil Ĉ").kind == "community_organization"


def test_the_two_formats_carry_the_same_data(rich_directory, tmp_path):
    from_zip = _write(tmp_path, "d.zip", hsds_export(format="zip"))
    json_export = hsds_export(format="json")
    _empty_the_directory()
    assert hsds_import(path=from_zip).ok
    assert hsds_export(format="json") == json_export


def test_importing_the_same_file_twice_changes_nothing_the_second_time(rich_directory, tmp_path):
    path = _write(tmp_path, "d.zip", hsds_export(format="zip"))
    _empty_the_directory()
    assert hsds_import(path=path).ok
    before = _snapshot()

    again = hsds_import(path=path)

    assert again.ok
    assert not again.created and not again.changed
    assert again.unchanged == {"organizations": 2, "places": 3, "programs": 1, "services": 2}
    assert _snapshot() == before


def test_importing_its_own_export_changes_nothing(rich_directory, tmp_path):
    path = _write(tmp_path, "d.json", hsds_export(format="json"))
    before = _snapshot()
    report = hsds_import(path=path)
    assert report.ok and not report.created and not report.changed
    assert _snapshot() == before


def test_an_edited_file_updates_the_service_through_a_published_revision(rich_directory, tmp_path):
    document = json.loads(hsds_export(format="json"))
    full_id = str(rich_directory["full"].id)
    [entry] = [s for s in document["services"] if s["id"] == full_id]
    entry["x-ancrage-translations"]["name"]["fr"] = "Aide au logement (nouveau nom)"
    entry["status"] = "active"
    entry["contacts"] = entry["contacts"][:1]
    path = _write(tmp_path, "edited.json", json.dumps(document).encode())

    report = hsds_import(path=path)

    assert report.ok, report.problems
    assert report.changed == {"services": 1}
    service = Service.objects.get(id=full_id)
    assert service.names["fr"] == "Aide au logement (nouveau nom)"
    assert service.status == "active"
    assert service.contacts.count() == 1
    latest = service.revisions.order_by("-number").first()
    assert latest.state == "published" and latest.comment.endswith("(HSDS)")
    assert AuditEvent.objects.filter(target_type="directory.service", target_id=full_id).exists()


def test_a_dry_run_reports_and_changes_nothing(rich_directory, tmp_path):
    path = _write(tmp_path, "d.zip", hsds_export(format="zip"))
    _empty_the_directory()
    report = hsds_import(path=path, dry_run=True)
    assert report.ok and report.created["services"] == 2
    assert not Organization.objects.exists() and not Service.objects.exists()


def test_export_and_import_are_audited(rich_directory, tmp_path):
    path = _write(tmp_path, "d.zip", hsds_export(format="zip"))
    export = AuditEvent.objects.get(action="export")
    assert export.details["services"] == 2 and export.details["format"] == "zip"
    _empty_the_directory()
    hsds_import(path=path)
    summary = AuditEvent.objects.filter(details__what="hsds-import").get()
    assert summary.action == "create" and summary.details["created"]["services"] == 2


# --- The exported files follow HSDS -------------------------------------------------------------


def test_the_json_export_validates_against_the_official_schemas(rich_directory, hsds_schemas):
    document = json.loads(hsds_export(format="json"))
    assert len(document["services"]) == 2  # the unpublished one is not exported
    for service in document["services"]:
        assert_valid(service, hsds_schemas["service"])
    for organization in document["organizations"]:
        assert_valid(organization, hsds_schemas["organization"])
    for term in document["taxonomy_terms"]:
        assert_valid(term, hsds_schemas["core"]["taxonomy_term.json"], hsds_schemas["registry"])


def _typed(value: str, field: dict):
    kind = field.get("type")
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def test_the_tabular_export_validates_against_the_official_tabular_schema(
    rich_directory, hsds_schemas
):
    archive = zipfile.ZipFile(io.BytesIO(hsds_export(format="zip")))
    package = json.loads(archive.read("datapackage.json"))
    tabular = hsds_schemas["tabular"]
    data = {}
    for resource in package["resources"]:
        assert resource["path"] in archive.namelist()
        rows = list(csv.DictReader(io.StringIO(archive.read(resource["path"]).decode("utf-8"))))
        assert rows, resource["name"]
        assert list(rows[0]) == [f["name"] for f in resource["schema"]["fields"]]
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows) or (
            resource["name"] == "ancrage_translations"
        )
        if resource["name"] in tabular["properties"]:
            fields = {f["name"]: f for f in resource["schema"]["fields"]}
            data[resource["name"]] = [
                {
                    k: _typed(v, fields[k])
                    for k, v in row.items()
                    if v != "" or fields[k].get("constraints", {}).get("required")
                }
                for row in rows
            ]
    assert "ancrage_translations" in {r["name"] for r in package["resources"]}
    assert_valid(data, tabular)


def test_every_language_is_in_the_translations_table(rich_directory):
    archive = zipfile.ZipFile(io.BytesIO(hsds_export(format="zip")))
    rows = list(csv.DictReader(io.StringIO(archive.read("translations.csv").decode())))
    names = {
        r["language"]: r["text"]
        for r in rows
        if r["id"] == str(rich_directory["full"].id) and r["field"] == "name"
    }
    assert names == {"fr": "Aide au logement", "en": "Housing help", "ar": "المساعدة في السكن"}


# --- Bad input: every bad row reported, nothing changed -----------------------------------------


def _rewrite(source: bytes, edits: dict) -> bytes:
    """A copy of an exported zip where `edits[path](rows)` rewrites a CSV (list of dicts with
    the header in `rows[0].keys()`), or `edits[path]` is the new bytes."""
    original = zipfile.ZipFile(io.BytesIO(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in original.namelist():
            content = original.read(name)
            edit = edits.get(name)
            if isinstance(edit, bytes):
                content = edit
            elif edit is not None:
                reader = csv.DictReader(io.StringIO(content.decode("utf-8"), newline=""))
                header = list(reader.fieldnames)
                rows = edit(list(reader))
                out = io.StringIO()
                writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
                writer.writeheader()
                writer.writerows(rows)
                content = out.getvalue().encode("utf-8")
            archive.writestr(name, content)
    return buffer.getvalue()


def _row_line(source: bytes, path: str, predicate) -> str:
    """The line number (1 = header) of the first row of an exported CSV matching `predicate`."""
    text = zipfile.ZipFile(io.BytesIO(source)).read(path).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    for row in reader:
        if predicate(row):
            return str(start)
        start = reader.line_num + 1
    raise AssertionError(f"no such row in {path}")


def _problems(report) -> set[tuple[str, str, str]]:
    return {(p.file, p.line, p.field) for p in report.problems}


def test_every_bad_row_is_reported_and_nothing_changes(rich_directory, tmp_path):
    source = hsds_export(format="zip")
    full, plain = str(rich_directory["full"].id), str(rich_directory["plain"].id)
    org = str(rich_directory["org"].hsds_id)
    lasalle = str(Site.objects.get(name="Bureau LaSalle").hsds_id)
    villeray = str(Site.objects.get(name="Bureau Villeray").hsds_id)
    monthly = str(rich_directory["full"].schedules.get(byday="2TU").id)
    contact = str(rich_directory["full"].contacts.get(name="Accueil").id)

    def services(rows):
        for row in rows:
            if row["id"] == plain:
                row["name"] = ""
                row["minimum_age"] = "-3"
            if row["id"] == full:
                row["organization_id"] = str(uuid.UUID(int=7))
                row["description"] = "x" * 10_000_001
        return rows

    def organizations(rows):
        for row in rows:
            if row["id"] == org:
                row["name"] = "Nom qui ne doit pas être enregistré"
        return rows

    def addresses(rows):
        for row in rows:
            if row["location_id"] == lasalle:
                row["region"] = "Laval"
        return rows

    def schedules(rows):
        for row in rows:
            if row["id"] == monthly:
                row["opens_at"] = "25:99"
                row["freq"] = "YEARLY"
        return rows

    def contacts(rows):
        for row in rows:
            if row["id"] == contact:
                row["email"] = "pas une adresse"
        return rows

    def languages(rows):
        rows[0]["code"] = "tlh"
        return rows

    def translations(rows):
        kept = [r for r in rows if not (r["id"] == plain and r["field"] == "name")]
        kept[0]["language"] = "klingon"
        return kept

    def locations(rows):
        for row in rows:
            if row["id"] == villeray:
                row["id"] = "not-a-uuid-at-all"
        return rows

    bad = _rewrite(
        source,
        {
            "services.csv": services,
            "organizations.csv": organizations,
            "addresses.csv": addresses,
            "schedules.csv": schedules,
            "contacts.csv": contacts,
            "languages.csv": languages,
            "translations.csv": translations,
            "locations.csv": locations,
        },
    )
    path = _write(tmp_path, "bad.zip", bad)
    before = _snapshot()

    report = hsds_import(path=path)

    assert not report.ok
    assert _snapshot() == before
    line = lambda file, predicate: _row_line(bad, file, predicate)  # noqa: E731
    expected = {
        ("services.csv", line("services.csv", lambda r: r["id"] == plain), "name"),
        ("services.csv", line("services.csv", lambda r: r["id"] == plain), "minimum_age"),
        ("services.csv", line("services.csv", lambda r: r["id"] == full), "organization_id"),
        ("services.csv", line("services.csv", lambda r: r["id"] == full), "description"),
        ("addresses.csv", line("addresses.csv", lambda r: r["location_id"] == lasalle), "region"),
        ("schedules.csv", line("schedules.csv", lambda r: r["id"] == monthly), "opens_at"),
        ("schedules.csv", line("schedules.csv", lambda r: r["id"] == monthly), "freq"),
        ("contacts.csv", line("contacts.csv", lambda r: r["id"] == contact), "email"),
        ("languages.csv", "2", "code"),
        ("translations.csv", "2", "language"),
        ("locations.csv", line("locations.csv", lambda r: r["name"] == "Bureau Villeray"), "id"),
        (
            "addresses.csv",
            line("addresses.csv", lambda r: r["location_id"] == villeray),
            "location_id",
        ),
    }
    assert expected <= _problems(report), "\n".join(map(str, report.problems))
    for problem in report.problems:
        assert problem.reason and str(problem).startswith(problem.file)


@pytest.mark.parametrize(
    ("edits", "file", "line", "field"),
    [
        (
            {"services.csv": lambda rows: [{**rows[0], "id": "123-not-a-uuid"}, *rows[1:]]},
            "services.csv",
            "2",
            "id",
        ),
        (
            {"addresses.csv": lambda rows: [{**rows[0], "region": "Atlantis"}, *rows[1:]]},
            "addresses.csv",
            "2",
            "region",
        ),
        (
            {"schedules.csv": lambda rows: [{**rows[0], "closes_at": "5 pm"}, *rows[1:]]},
            "schedules.csv",
            "2",
            "closes_at",
        ),
        (
            {
                "schedules.csv": lambda rows: [
                    {**rows[0], "opens_at": "18:00", "closes_at": "09:00"},
                    *rows[1:],
                ]
            },
            "schedules.csv",
            "2",
            "closes_at",
        ),
        (
            {"programs.csv": lambda rows: [{**rows[0], "organization_id": str(uuid.uuid4())}]},
            "programs.csv",
            "2",
            "organization_id",
        ),
        (
            {
                "service_at_location.csv": lambda rows: [
                    {**rows[0], "location_id": str(uuid.uuid4())},
                    *rows[1:],
                ]
            },
            "service_at_location.csv",
            "2",
            "location_id",
        ),
        (
            {"translations.csv": lambda rows: [{**rows[0], "text": "y" * 20_000}, *rows[1:]]},
            "translations.csv",
            "2",
            "text",
        ),
        (
            {"cost_options.csv": lambda rows: [{**rows[0], "amount": "free"}, *rows[1:]]},
            "cost_options.csv",
            "2",
            "amount",
        ),
        (
            {"attributes.csv": lambda rows: [{**rows[0], "link_id": str(uuid.uuid4())}, *rows[1:]]},
            "attributes.csv",
            "2",
            "link_id",
        ),
        (
            {"services.csv": b"id,nmae,status\r\n" + str(uuid.uuid4()).encode() + b",X,active\r\n"},
            "services.csv",
            "1",
            "nmae",
        ),
        (
            {"services.csv": b"name,status\r\nX,active\r\n"},
            "services.csv",
            "1",
            "id",
        ),
        (
            {"contacts.csv": b"id,name\r\n" + str(uuid.uuid4()).encode() + b",A,extra\r\n"},
            "contacts.csv",
            "2",
            "",
        ),
        ({"phones.csv": b"\xff\xfe\x00b\x00a\x00d"}, "phones.csv", "", ""),
        ({"datapackage.json": b"{not json"}, "datapackage.json", "", ""),
    ],
)
def test_each_kind_of_bad_row_is_named_and_nothing_changes(
    rich_directory, tmp_path, edits, file, line, field
):
    path = _write(tmp_path, "bad.zip", _rewrite(hsds_export(format="zip"), edits))
    before = _snapshot()
    report = hsds_import(path=path)
    assert not report.ok
    assert (file, line, field) in _problems(report), "\n".join(map(str, report.problems))
    assert _snapshot() == before


def test_the_same_service_at_two_places_of_one_row_is_refused(rich_directory, tmp_path):
    def duplicate(rows):
        return [*rows, {**rows[0], "id": str(uuid.uuid4())}]

    path = _write(
        tmp_path,
        "bad.zip",
        _rewrite(hsds_export(format="zip"), {"service_at_location.csv": duplicate}),
    )
    report = hsds_import(path=path)
    assert {p.field for p in report.problems} >= {"location_id"}


def test_ids_of_other_organizations_records_are_refused(rich_directory, tmp_path):
    """A file cannot move another organization's service, place or hours to its own."""
    document = json.loads(hsds_export(format="json"))
    other = next(o for o in document["organizations"] if o["name"] == "Maison des familles")
    full = next(s for s in document["services"] if s["id"] == str(rich_directory["full"].id))
    full["organization_id"] = other["id"]
    path = _write(tmp_path, "hijack.json", json.dumps(document).encode())
    before = _snapshot()
    report = hsds_import(path=path)
    assert ("hijack.json", f"services[{document['services'].index(full)}]", "organization_id") in (
        _problems(report)
    )
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("not-a-zip.zip", b"PK but not really a zip", ""),
        ("empty.json", b"", "1"),
        ("broken.json", b'{"services": [\n{"id": }', "2"),
        ("number.json", b"42", ""),
        ("latin1.json", '{"services": [{"name": "é"}]}'.encode("latin-1"), ""),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(db, tmp_path, name, content, line):
    report = hsds_import(path=_write(tmp_path, name, content))
    [problem] = report.problems
    assert (problem.file, problem.line) == (name, line)
    assert problem.reason
    assert not Organization.objects.exists()


def test_bad_values_in_json_are_named_by_their_path(rich_directory, tmp_path):
    document = json.loads(hsds_export(format="json"))
    ids = [s["id"] for s in document["services"]]
    full = ids.index(str(rich_directory["full"].id))
    plain = ids.index(str(rich_directory["plain"].id))
    document["services"][full]["status"] = "open"
    document["services"][full]["schedules"][0]["byday"] = "MONDAY"
    document["services"][plain]["maximum_age"] = "old"
    document["organizations"][0]["website"] = "javascript:alert(1)"
    path = _write(tmp_path, "bad.json", json.dumps(document).encode())
    before = _snapshot()
    problems = _problems(hsds_import(path=path))
    assert {
        ("bad.json", f"services[{full}]", "status"),
        ("bad.json", f"services[{full}].schedules[0]", "byday"),
        ("bad.json", f"services[{plain}]", "maximum_age"),
        ("bad.json", "organizations[0]", "website"),
    } <= problems
    assert _snapshot() == before


# --- From another system ------------------------------------------------------------------------


def test_the_official_example_is_refused_for_its_address_outside_montreal(db, tmp_path):
    example = json.loads((EXAMPLES / "service_full.json").read_text())
    path = _write(tmp_path, "example.json", json.dumps({"services": [example]}).encode())
    report = hsds_import(path=path)
    fields = {p.field for p in report.problems}
    assert "region" in fields
    assert not Organization.objects.exists()


def test_data_from_another_system_is_imported_and_what_is_not_kept_is_listed(db, tmp_path):
    example = json.loads((EXAMPLES / "service_full.json").read_text())
    for address in example["service_at_locations"][0]["location"]["addresses"]:
        address.update(region="Verdun", postal_code="H4G 1A1", city="Montreal")
    example["organization"]["locations"] = []
    path = _write(tmp_path, "other.json", json.dumps([example]).encode())

    report = hsds_import(path=path, language="en")

    assert report.ok, report.problems
    service = Service.objects.get(id=example["id"])
    assert service.is_published and service.names == {"en": "Community Counselling"}
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert [lang.code for lang in service.languages.all()] == ["ur"]
    assert service.locations.get().location.borough.code == "verdun"
    assert not service.is_free
    not_kept = "\n".join(report.not_kept)
    assert "service.alert" in not_kept and "service_areas" in not_kept
    assert "attribute" in not_kept
    # Imported once more: nothing changes.
    again = hsds_import(path=path, language="en")
    assert again.ok and not again.created and not again.changed


# --- The commands -------------------------------------------------------------------------------


def test_the_commands_export_and_import(rich_directory, tmp_path):
    path = tmp_path / "directory.zip"
    out = io.StringIO()
    call_command("hsds-export", "--format", "zip", "--output", str(path), stdout=out)
    assert path.stat().st_size > 0 and "directory.zip" in out.getvalue()
    _empty_the_directory()

    out = io.StringIO()
    call_command("hsds-import", str(path), "--dry-run", stdout=out)
    assert not Service.objects.exists()
    call_command("hsds-import", str(path), stdout=out)
    assert Service.objects.filter(is_published=True).count() == 2
    assert "2" in out.getvalue()


def test_the_import_command_lists_every_problem_and_fails(rich_directory, tmp_path):
    bad = _rewrite(
        hsds_export(format="zip"),
        {"addresses.csv": lambda rows: [{**row, "region": "Nowhere"} for row in rows]},
    )
    path = _write(tmp_path, "bad.zip", bad)
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("hsds-import", str(path), stderr=err)
    assert "3" in str(failure.value)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith("addresses.csv:") and "region" in line for line in lines)
