"""Service records: eligibility snapshot on the service date, unfunded services, group entry,
needs assessments, the fast-entry page and bad input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from ancrage.clients import records
from ancrage.clients.models import NeedsAssessment, ServiceRecord, ServiceType
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import ImmigrationStatus
from ancrage.directory.needs import needs_terms
from tests import factories
from tests.clients.conftest import register
from tests.funding.conftest import make_program

pytestmark = pytest.mark.django_db

SERVED = date(2024, 9, 2)
PASI = [
    {"status_in": ["permanent-resident", "refugee"]},
    {"years_since_max": 5, "since": "arrived_quebec"},
    {"lives_in_quebec": True},
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pasi(db):
    funder = factories.OrganizationFactory(name="MIFI (test)", kind=OrganizationKind.FUNDER)
    return make_program(funder, "pasi-test", (date(2020, 7, 1), PASI))


@pytest.fixture
def own_program(db):
    """A program that covers nobody in these tests (children only)."""
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    return make_program(city, "kids", (date(2015, 1, 1), [{"age_max": 5}]))


@pytest.fixture
def asylum_seeker(org_a, intake_a):
    return register(
        org_a,
        intake_a,
        profile_values={"immigration_status": ImmigrationStatus.objects.get(code="asylum-seeker")},
        given_names="Amina",
        family_names="Diallo",
        born_on=date(1991, 2, 3),
        uci_number="",
        health_insurance_number="",
        other_file_number="",
    )


def housing():
    return ServiceType.objects.get(organization=None, code="housing")


def test_the_department_service_offer_is_there_for_every_organization(org_a, org_b):
    own = ServiceType.objects.create(organization=org_a, code="tax-clinic", names={"en": "Tax"})
    for_a = set(records.service_types_for(org_a.pk).values_list("code", flat=True))
    for_b = set(records.service_types_for(org_b.pk).values_list("code", flat=True))
    assert {"housing", "french-courses", "intercultural-mediation"} <= for_b
    assert len(for_b) == 10 and for_a == for_b | {own.code}


def test_a_service_charged_to_a_covering_program_keeps_the_verdict_of_the_day(
    person, intake_a, pasi
):
    record = records.service_record(
        actor=intake_a, client=person, service_type=housing(), on=SERVED, minutes=45, program=pasi
    )
    snap = record.eligibility
    assert snap["status"] == "eligible" and snap["evaluated_on"] == "2024-09-02"
    assert snap["rule_version"] == pasi.rules.get().pk
    assert snap["summary"].startswith("Eligible") and snap["reasons"]
    assert snap["covered_by"] == ["pasi-test"]
    assert (record.worker, record.minutes, record.program) == (intake_a, 45, pasi)


def test_a_program_that_does_not_cover_the_person_is_refused_with_the_reason(
    asylum_seeker, intake_a, pasi
):
    with pytest.raises(ValidationError) as refused:
        records.service_record(
            actor=intake_a,
            client=asylum_seeker,
            service_type=housing(),
            on=SERVED,
            minutes=60,
            program=pasi,
        )
    message = " ".join(refused.value.message_dict["program"])
    assert "does not cover" in message and "Not eligible" in message and "unfunded" in message
    assert not ServiceRecord.objects.exists()


def test_ineligible_people_are_still_served_unfunded(asylum_seeker, intake_a, pasi):
    record = records.service_record(
        actor=intake_a, client=asylum_seeker, service_type=housing(), on=SERVED, minutes=60
    )
    assert record.program is None
    assert record.eligibility["status"] == "unfunded" and record.eligibility["covered_by"] == []


def test_the_snapshot_does_not_change_when_the_rules_change(person, intake_a, pasi):
    record = records.service_record(
        actor=intake_a, client=person, service_type=housing(), on=SERVED, minutes=60, program=pasi
    )
    before = dict(record.eligibility)
    pasi.rules.update(conditions={"all": [{"status_in": ["citizen"]}]})
    record.refresh_from_db()
    assert record.eligibility == before


def test_without_identity_access_the_age_band_stands_for_the_date_of_birth(
    person, org_a, own_program
):
    coordinator = factories.member(org_a, Role.COORDINATOR)  # clients.change, no vault
    found = records.eligibility_on(actor=coordinator, client=person, on=SERVED)
    kids = found.for_program(own_program)
    assert kids.status == "not_eligible"  # 35-44 is never 5 or younger


@pytest.mark.parametrize(
    "change, field",
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 10_000}, "minutes"),
        ({"on": date.today() + timedelta(days=2)}, "on"),
        ({"on": date(1999, 1, 1)}, "on"),
        ({"note": "x" * 1_000_000}, "note"),
        ({"note": "nul\x00"}, "note"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(person, intake_a, change, field):
    arguments = {"service_type": housing(), "on": SERVED, "minutes": 60, **change}
    with pytest.raises(ValidationError) as refused:
        records.service_record(actor=intake_a, client=person, **arguments)
    assert field in refused.value.message_dict
    assert not ServiceRecord.objects.exists()


def test_another_organizations_service_type_or_session_is_refused(person, intake_a, org_b):
    theirs = ServiceType.objects.create(organization=org_b, code="theirs", names={"en": "B"})
    session = factories.SessionFactory(activity=factories.ActivityFactory(organization=org_b))
    with pytest.raises(ValidationError) as refused:
        records.service_record(
            actor=intake_a,
            client=person,
            service_type=theirs,
            on=SERVED,
            minutes=60,
            session=session,
        )
    assert {"service_type", "session"} <= set(refused.value.message_dict)


def test_a_data_steward_records_nothing(person, org_a):
    steward = factories.member(org_a, Role.DATA_STEWARD)
    with pytest.raises(PermissionDenied):
        records.service_record(
            actor=steward, client=person, service_type=housing(), on=SERVED, minutes=60
        )


def test_group_entry_records_one_service_per_participant_with_their_own_funding(
    person, asylum_seeker, intake_a, org_a, pasi
):
    session = factories.SessionFactory(
        activity=factories.ActivityFactory(organization=org_a),
        starts_at=timezone.make_aware(timezone.datetime(2024, 9, 2, 10)),
        ends_at=timezone.make_aware(timezone.datetime(2024, 9, 2, 12)),
    )
    saved = records.service_record_group(
        actor=intake_a,
        session=session,
        clients=[person, asylum_seeker, person],
        service_type=housing(),
        minutes=120,
    )
    assert len(saved) == 2
    by_client = {r.client_id: r for r in ServiceRecord.objects.all()}
    assert by_client[person.pk].program == pasi
    assert by_client[asylum_seeker.pk].program is None
    assert {r.session_id for r in by_client.values()} == {session.pk}
    assert {r.served_on for r in by_client.values()} == {SERVED}


def test_group_entry_is_all_or_nothing(person, intake_a, org_a, org_b):
    stranger = register(org_b)
    session = factories.SessionFactory(activity=factories.ActivityFactory(organization=org_a))
    with pytest.raises(ValidationError):
        records.service_record_group(
            actor=intake_a,
            session=session,
            clients=[person, stranger],
            service_type=housing(),
            minutes=60,
        )
    assert not ServiceRecord.objects.exists()


def test_needs_assessment_uses_the_directory_needs(person, intake_a):
    terms = list(needs_terms()[:2])
    assessment = records.needs_assess(
        actor=intake_a, client=person, on=SERVED, needs=terms, note="Cherche un logement."
    )
    assert set(assessment.needs.all()) == set(terms)
    with pytest.raises(ValidationError):
        records.needs_assess(actor=intake_a, client=person, on=SERVED, needs=[])
    assert NeedsAssessment.objects.count() == 1


# --- Pages ---------------------------------------------------------------------------------------


def test_fast_entry_page_prefills_today_60_minutes_and_the_covering_program(
    person, intake_a, client_of, pasi
):
    browser = client_of(intake_a)
    url = reverse("clients:service_create", args=[person.pk])
    page = browser.get(url).content.decode()
    assert "autofocus" in page and 'value="60"' in page
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
    response = browser.post(
        url,
        {
            "service_type": housing().pk,
            "on": SERVED.isoformat(),
            "minutes": "30",
            "program": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.minutes == 30 and record.eligibility["status"] == "unfunded"
    detail = browser.get(reverse("clients:client_detail", args=[person.pk])).content.decode()
    assert "Non financé" in detail  # the page speaks French by default


@pytest.mark.parametrize(
    "bad",
    [
        {"note": "x" * 1_000_000},
        {"service_type": "999999999999999999999"},
        {"program": "-1"},
        {"minutes": "abc"},
        {"on": "2024-02-30"},
    ],
)
def test_fast_entry_bad_input_is_a_form_error_and_saves_nothing(person, intake_a, client_of, bad):
    data = {"service_type": housing().pk, "on": "2024-09-02", "minutes": "60", **bad}
    response = client_of(intake_a).post(reverse("clients:service_create", args=[person.pk]), data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_a_forged_client_of_another_organization_is_404(intake_a, org_b, client_of):
    theirs = register(org_b)
    response = client_of(intake_a).post(
        reverse("clients:service_create", args=[theirs.pk]),
        {"service_type": housing().pk, "on": "2024-09-02", "minutes": "60"},
    )
    assert response.status_code == 404
    assert not ServiceRecord.objects.exists()


def test_group_page_with_ticked_and_typed_participants(person, intake_a, org_a, client_of):
    other = register(
        org_a,
        intake_a,
        given_names="Kofi",
        family_names="Mensah",
        born_on=None,
        uci_number="",
        health_insurance_number="",
        other_file_number="",
    )
    session = factories.SessionFactory(
        activity=factories.ActivityFactory(organization=org_a),
        starts_at=timezone.now() - timedelta(days=1, hours=2),
        ends_at=timezone.now() - timedelta(days=1),
    )
    browser = client_of(intake_a)
    url = reverse("clients:group_services", args=[session.pk])
    assert url in browser.get(reverse("clients:group_sessions")).content.decode()
    assert browser.get(url).status_code == 200
    response = browser.post(
        url,
        {
            "service_type": housing().pk,
            "minutes": "90",
            "codes": f"{person.code}, {other.code.lower()}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(ServiceRecord.objects.values_list("client_id", flat=True)) == {person.pk, other.pk}
    again = browser.post(url, {"service_type": housing().pk, "minutes": "90", "codes": "ZZZZZZ"})
    assert again.status_code == 200 and "ZZZZZZ" in again.content.decode()
    assert ServiceRecord.objects.count() == 2


def test_group_page_of_another_organizations_session_is_404(intake_a, org_b, client_of):
    session = factories.SessionFactory(activity=factories.ActivityFactory(organization=org_b))
    browser = client_of(intake_a)
    url = reverse("clients:group_services", args=[session.pk])
    assert browser.get(url).status_code == 404
    assert browser.post(url, {"service_type": housing().pk, "minutes": "60"}).status_code == 404
