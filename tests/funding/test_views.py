"""The funding pages: read the rules and try them on a person (every member), add programs and
rule versions (administrators, for the programs they manage) — bad input is a form error."""

from datetime import date

import pytest
from django.urls import reverse

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.funding.models import EligibilityRule, FundingProgram
from tests import factories
from tests.funding.conftest import make_program

pytestmark = pytest.mark.django_db

LIST = reverse("funding:program_list")
NEW_RULE = reverse("funding:rule_create")
NEW_PROGRAM = reverse("funding:program_create")


@pytest.fixture
def intake(org_a):
    return factories.member(org_a, Role.INTAKE_WORKER)


def _state():
    return (
        list(EligibilityRule.objects.order_by("pk").values_list("pk", "valid_to")),
        FundingProgram.objects.count(),
        AuditEvent.objects.count(),
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (LIST, NEW_RULE, NEW_PROGRAM):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_someone_without_membership_is_refused(client_of):
    client = client_of(factories.UserFactory())
    for url in (LIST, NEW_RULE, NEW_PROGRAM):
        assert client.get(url).status_code == 403


def test_every_member_reads_the_rules_in_plain_words(programs, intake, client_of):
    response = client_of(intake).get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Program pasi-1" in page or "Programme pasi-1" in page
    assert "2024-07-01 → …" in page and "2020-07-01 → 2024-06-30" in page
    assert "2024-07-01" in page
    assert NEW_RULE not in page  # an intake worker does not change rules
    assert reverse("funding:program_list") in page  # the navigation shows the entry


def test_trying_a_person_shows_each_programs_verdict_and_saves_nothing(programs, intake, client_of):
    before = _state()
    response = client_of(intake).get(
        LIST,
        {
            "on": "2025-06-01",
            "status": "asylum-seeker",
            "arrived_quebec": "2024-02-01",
            "arrived_canada": "2024-02-01",
            "birth_date": "1990-01-01",
            "residence": "montreal",
            "borough": "montreal-nord",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    # The page speaks French by default.
    assert "un statut que ce programme ne couvre pas" in page
    assert "réside dans l&#x27;arrondissement Montréal-Nord" in page
    assert _state() == before


@pytest.mark.parametrize(
    ("query", "field_words"),
    [
        ({"on": "2025-06-01", "arrived_quebec": "2025-07-01"}, "after the service date"),
        (
            {"on": "2025-06-01", "birth_date": "2000-01-01", "arrived_quebec": "1999-01-01"},
            "before the date of birth",
        ),
        ({"on": "pas-une-date"}, "Enter a valid date"),
        ({"on": "2025-06-01", "status": "<script>alert(1)</script>"}, "Select a valid choice"),
        ({"on": "2025-06-01", "borough": "laval"}, "Select a valid choice"),
        ({"on": "2025-06-01", "residence": "outside", "borough": "lasalle"}, "does not live"),
        ({"on": "99999-01-01"}, "Enter a valid date"),
        ({"on": "9999-12-31", "arrived_quebec": "2020-01-01"}, "The service date must fall"),
        ({"on": "2025-06-01", "birth_date": "x" * 10_000}, "Enter a valid date"),
    ],
)
def test_bad_input_when_trying_a_person_is_a_form_error(
    programs, intake, client_of, settings, query, field_words
):
    settings.LANGUAGE_CODE = "en"
    client = client_of(intake)
    client.cookies["ancrage_language"] = "en"
    response = client.get(LIST, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert field_words in page
    assert "<script>alert(1)</script>" not in page
    assert "Eligibility on" not in page


def test_platform_administrator_adds_a_version_and_the_previous_one_closes(
    programs, platform_admin, client_of
):
    pasi = programs["pasi"]
    client = client_of(platform_admin)
    form = client.get(NEW_RULE, {"program": pasi.pk}).content.decode()
    # The form starts from the latest version: its statuses are already checked.
    assert 'value="temporary-worker" id="id_statuses_3" checked' in form
    assert 'value="student" id="id_statuses_4">' in form
    assert 'name="years_max" value="5"' in form
    response = client.post(
        NEW_RULE,
        {
            "program": pasi.pk,
            "valid_from": "2026-01-01",
            "statuses": ["permanent-resident", "refugee", "temporary-worker", "student"],
            "years_max": "5",
            "years_since": "arrived_quebec",
            "lives_in_quebec": "on",
            "note": "Étudiants ajoutés.",
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST
    newest = pasi.rules.order_by("-valid_from").first()
    assert newest.valid_from == date(2026, 1, 1) and newest.valid_to is None
    assert newest.conditions == {
        "all": [
            {"status_in": ["permanent-resident", "refugee", "temporary-worker", "student"]},
            {"years_since_max": 5, "since": "arrived_quebec"},
            {"lives_in_quebec": True},
        ]
    }
    assert pasi.rules.get(valid_from=date(2024, 7, 1)).valid_to == date(2025, 12, 31)
    assert newest.created_by == platform_admin


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"valid_from": "2024-07-01"}, "overlaps the version in force"),
        ({"valid_from": "2026-01-01", "valid_to": "2025-01-01"}, "end date comes before"),
        ({"valid_from": "2026-01-01", "age_min": "40", "age_max": "20"}, "nobody could be"),
        ({"valid_from": "2026-01-01", "statuses": ["martian"]}, "Select a valid choice"),
        ({"valid_from": "2026-01-01", "years_max": "500"}, "less than or equal to 50"),
        ({"valid_from": "2026-01-01", "program": "999999999"}, "Select a valid choice"),
        ({"valid_from": "2026-01-01", "program": str(2**63 + 5)}, "Select a valid choice"),
        ({"valid_from": "2026-01-01", "program": "1; DROP TABLE"}, "Select a valid choice"),
        ({"valid_from": "2026-01-01", "note": "x" * 10_000}, "at most 500 characters"),
        ({"valid_from": "pas une date"}, "Enter a valid date"),
    ],
)
def test_bad_rule_input_is_shown_next_to_the_field_and_changes_nothing(
    programs, platform_admin, client_of, settings, data, words
):
    settings.LANGUAGE_CODE = "en"
    client = client_of(platform_admin)
    client.cookies["ancrage_language"] = "en"
    before = _state()
    response = client.post(
        NEW_RULE, {"program": programs["pasi"].pk, "years_since": "arrived_quebec", **data}
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert _state() == before


def test_a_funders_administrator_manages_only_its_own_programs(programs, funder, city, client_of):
    # `funder` is a ministry (not a city service): its administrator is no platform administrator.
    ministry_admin = factories.member(funder, Role.ADMINISTRATOR)
    client = client_of(ministry_admin)
    page = client.get(NEW_RULE).content.decode()
    assert "Program pasi-1" in page or "Programme pasi-1" in page
    assert "Programme liaison" not in page and "Program liaison" not in page
    before = _state()
    response = client.post(
        NEW_RULE,
        {
            "program": programs["liaison"].pk,
            "valid_from": "2026-01-01",
            "years_since": "arrived_quebec",
        },
    )
    assert response.status_code == 200 and _state() == before


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.INTAKE_WORKER, Role.FUNDER_ADVISOR])
def test_other_roles_cannot_change_rules(programs, funder, client_of, role):
    client = client_of(factories.member(funder, role))
    before = _state()
    assert client.get(NEW_RULE).status_code == 403
    assert client.post(NEW_RULE, {"program": programs["pasi"].pk}).status_code == 403
    assert client.post(NEW_PROGRAM, {"code": "x"}).status_code == 403
    assert _state() == before


def test_an_organizations_administrator_cannot_reach_another_funders_program(
    programs, org_a, client_of
):
    client = client_of(factories.member(org_a, Role.ADMINISTRATOR))
    before = _state()
    response = client.post(
        NEW_RULE,
        {
            "program": programs["pasi"].pk,
            "valid_from": "2026-01-01",
            "years_since": "arrived_quebec",
        },
    )
    assert response.status_code == 200 and _state() == before
    # A forged ?program= is simply not preselected.
    assert client.get(NEW_RULE, {"program": programs["pasi"].pk}).status_code == 200
    assert client.get(NEW_RULE, {"program": "99999999999999999999999"}).status_code == 200


def test_platform_administrator_creates_a_program(platform_admin, funder, client_of):
    client = client_of(platform_admin)
    response = client.post(
        NEW_PROGRAM,
        {
            "funder": funder.pk,
            "code": "pmd",
            "name_fr": "Programme Mobilisation-Diversité",
            "name_en": "Mobilization-Diversity Program",
            "kind": "project",
            "is_active": "on",
        },
    )
    program = FundingProgram.objects.get(code="pmd")
    assert response.status_code == 302
    assert response["Location"] == f"{NEW_RULE}?program={program.pk}"
    assert program.funder == funder and program.kind == "project"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"code": "Mauvais code!"}, "lowercase letters"),
        ({"name_en": ""}, "in French and in English"),
        ({"funder": "999999999"}, "Select a valid choice"),
        ({"kind": "loan"}, "Select a valid choice"),
    ],
)
def test_bad_program_input_is_a_form_error(
    platform_admin, funder, client_of, settings, data, words
):
    settings.LANGUAGE_CODE = "en"
    client = client_of(platform_admin)
    client.cookies["ancrage_language"] = "en"
    before = _state()
    response = client.post(
        NEW_PROGRAM,
        {
            "funder": funder.pk,
            "code": "pmd",
            "name_fr": "PMD",
            "name_en": "PMD",
            "kind": "project",
            **data,
        },
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert _state() == before


def test_city_coordinators_read_but_do_not_change(programs, client_of):
    city_service = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    coordinator = factories.member(city_service, Role.COORDINATOR)
    client = client_of(coordinator)
    assert client.get(LIST).status_code == 200
    assert client.get(NEW_RULE).status_code == 403


def test_a_new_program_without_rule_is_listed_as_covering_nobody(
    funder, platform_admin, client_of, settings
):
    settings.LANGUAGE_CODE = "en"
    make_program(funder, "empty")
    client = client_of(platform_admin)
    client.cookies["ancrage_language"] = "en"
    assert "No rule yet: this program covers nobody." in client.get(LIST).content.decode()
