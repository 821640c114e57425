"""The organization's own service types: added, renamed, taken out of use and back by its director
or a coordinator on one page; shown at entry after the department's offer, never to another
organization; bad names refused with nothing changed; a used type never deleted."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ancrage.clients import records
from ancrage.clients.models import ServiceRecord, ServiceType
from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from tests import factories
from tests.clients.conftest import register

pytestmark = pytest.mark.django_db

SERVED = date(2024, 9, 2)


def page(organization):
    return reverse("clients:service_types", args=[organization.pk])


def entry(client):
    return reverse("clients:service_create", args=[client.pk])


@pytest.fixture
def browse(client_of):
    """A signed-in test browser reading the staff pages in English."""

    def make(user):
        browser = client_of(user)
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return browser

    return make


@pytest.fixture
def coordinator_a(org_a):
    return factories.member(org_a, Role.COORDINATOR)


def add(browser, organization, fr, en):
    return browser.post(page(organization), {"action": "add", "add-name_fr": fr, "add-name_en": en})


def own(organization, director, fr="Clinique d'impôts", en="Tax clinic"):
    return records.service_type_add(
        actor=director, organization=organization, names={"fr": fr, "en": en}
    )


def snapshot():
    return list(ServiceType.objects.order_by("pk").values_list("pk", "code", "names", "is_active"))


# --- Through the page ---------------------------------------------------------------------------


def test_a_director_adds_a_type_that_appears_at_entry_after_the_department_offer(
    director_a, org_a, org_b, person, client_of
):
    response = add(client_of(director_a), org_a, "  Atelier   CV ", "Résumé workshop")
    assert response.status_code == 302
    added = ServiceType.objects.get(organization=org_a)
    assert added.names == {"fr": "Atelier CV", "en": "Résumé workshop"}  # trimmed
    assert added.code == "atelier-cv" and added.is_active
    assert AuditEvent.objects.filter(
        action="create", target_type="clients.servicetype", target_id=str(added.pk)
    ).exists()

    form = client_of(director_a).get(entry(person)).content.decode()  # French by default
    assert "Atelier CV" in form
    assert form.index("Médiation interculturelle") < form.index("Atelier CV")
    codes = list(records.service_types_for(org_a.pk).values_list("code", flat=True))
    assert codes[-1] == "atelier-cv" and len(codes) == 11

    theirs = register(org_b)
    other = client_of(factories.member(org_b, Role.INTAKE_WORKER)).get(entry(theirs))
    assert other.status_code == 200 and "Atelier CV" not in other.content.decode()
    assert "atelier-cv" not in records.service_types_for(org_b.pk).values_list("code", flat=True)


def test_the_page_lists_the_offer_and_the_own_types_with_their_services_recorded(
    coordinator_a, intake_a, org_a, person, browse
):
    tax = own(org_a, coordinator_a)
    for _ in range(3):
        records.service_record(
            actor=intake_a, client=person, service_type=tax, on=SERVED, minutes=30
        )
    html = browse(coordinator_a).get(page(org_a)).content.decode()
    assert "<caption>" in html and 'scope="row"' in html and 'scope="col"' in html
    assert '<label for="id_add-name_fr">' in html and '<label for="id_add-name_en">' in html
    assert "Intercultural mediation" in html and "Tax clinic" in html
    row = html[html.index("Clinique d&#x27;impôts") :]
    assert "<td>3</td>" in row[: row.index("</tr>")]
    assert "Delete (never used)" not in html  # used: only out of use


def test_rename_keeps_the_code_and_the_records_show_the_new_name(
    director_a, intake_a, org_a, person, browse
):
    tax = own(org_a, director_a)
    records.service_record(actor=intake_a, client=person, service_type=tax, on=SERVED, minutes=30)
    browser = browse(director_a)
    form = browser.get(page(org_a), {"rename": tax.pk}).content.decode()
    assert "Rename “Tax clinic”" in form and 'value="Tax clinic"' in form
    response = browser.post(
        page(org_a),
        {
            "action": "rename",
            "service_type": tax.pk,
            "rename-name_fr": "Clinique d'impôts bénévole",
            "rename-name_en": "Volunteer tax clinic",
        },
    )
    assert response.status_code == 302
    tax.refresh_from_db()
    assert tax.names == {"fr": "Clinique d'impôts bénévole", "en": "Volunteer tax clinic"}
    assert tax.code == "clinique-dimpots"
    detail = browser.get(reverse("clients:client_detail", args=[person.pk])).content.decode()
    assert "Volunteer tax clinic" in detail
    assert AuditEvent.objects.filter(action="change", target_id=str(tax.pk)).exists()


def test_out_of_use_leaves_entry_but_old_records_keep_it_and_it_comes_back(
    director_a, intake_a, org_a, person, browse
):
    tax = own(org_a, director_a)
    records.service_record(actor=intake_a, client=person, service_type=tax, on=SERVED, minutes=30)
    browser = browse(director_a)
    response = browser.post(page(org_a), {"action": "out_of_use", "service_type": tax.pk})
    assert response.status_code == 302
    tax.refresh_from_db()
    assert not tax.is_active
    assert "Out of use" in browser.get(page(org_a)).content.decode()

    worker = browse(intake_a)
    assert "Tax clinic" not in worker.get(entry(person)).content.decode()
    refused = worker.post(
        entry(person),
        {"service_type": tax.pk, "on": SERVED.isoformat(), "minutes": "30", "program": ""},
    )
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert ServiceRecord.objects.count() == 1
    detail = worker.get(reverse("clients:client_detail", args=[person.pk])).content.decode()
    assert "Tax clinic" in detail  # the past record keeps its type

    assert (
        browser.post(page(org_a), {"action": "in_use", "service_type": tax.pk}).status_code == 302
    )
    assert "Tax clinic" in worker.get(entry(person)).content.decode()


def test_a_used_type_is_never_deleted_an_unused_one_is(director_a, intake_a, org_a, person, browse):
    used = own(org_a, director_a)
    mistake = own(org_a, director_a, "Erreur de saisie", "Typo")
    records.service_record(actor=intake_a, client=person, service_type=used, on=SERVED, minutes=30)
    browser = browse(director_a)
    response = browser.post(page(org_a), {"action": "remove", "service_type": used.pk}, follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert ServiceType.objects.filter(pk=used.pk).exists()
    with pytest.raises(ValidationError):
        records.service_type_remove(actor=director_a, service_type=used)
    assert ServiceRecord.objects.get().service_type_id == used.pk

    assert (
        browser.post(page(org_a), {"action": "remove", "service_type": mistake.pk}).status_code
        == 302
    )
    assert not ServiceType.objects.filter(pk=mistake.pk).exists()


def test_the_link_to_the_page_is_shown_only_to_those_who_manage(
    director_a, intake_a, person, client_of
):
    url = page(person.organization)
    assert url in client_of(director_a).get(entry(person)).content.decode()
    assert url not in client_of(intake_a).get(entry(person)).content.decode()


# --- Who ----------------------------------------------------------------------------------------


def test_an_intake_worker_reads_the_page_but_every_change_is_403(
    director_a, intake_a, org_a, browse
):
    tax = own(org_a, director_a)
    browser = browse(intake_a)
    html = browser.get(page(org_a)).content.decode()
    assert "Tax clinic" in html and "Add a service type" not in html and "Rename" not in html
    before = snapshot()
    for data in (
        {"action": "add", "add-name_fr": "Piraté", "add-name_en": "Hacked"},
        {"action": "rename", "service_type": tax.pk, "rename-name_fr": "X", "rename-name_en": "Y"},
        {"action": "out_of_use", "service_type": tax.pk},
        {"action": "remove", "service_type": tax.pk},
    ):
        assert browser.post(page(org_a), data).status_code == 403
    assert browser.get(page(org_a), {"rename": tax.pk}).status_code == 200  # no form shown
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        records.service_type_add(actor=intake_a, organization=org_a, names={"fr": "A", "en": "B"})
    with pytest.raises(PermissionDenied):
        records.service_type_set_in_use(actor=intake_a, service_type=tax, in_use=False)


def test_the_department_offer_cannot_be_changed_by_an_organization(director_a, org_a, browse):
    housing = ServiceType.objects.get(organization=None, code="housing")
    before = snapshot()
    for call in (
        lambda: records.service_type_set_in_use(
            actor=director_a, service_type=housing, in_use=False
        ),
        lambda: records.service_type_rename(
            actor=director_a, service_type=housing, names={"fr": "Toit", "en": "Roof"}
        ),
        lambda: records.service_type_remove(actor=director_a, service_type=housing),
    ):
        with pytest.raises(PermissionDenied):
            call()
    browser = browse(director_a)
    for action in ("out_of_use", "remove", "rename"):
        data = {
            "action": action,
            "service_type": housing.pk,
            "rename-name_fr": "T",
            "rename-name_en": "R",
        }
        assert browser.post(page(org_a), data).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("forged", ["other", "999999999", "99999999999999999999999", "abc", ""])
@pytest.mark.parametrize("action", ["rename", "out_of_use", "in_use", "remove"])
def test_a_forged_or_foreign_type_id_is_404_and_changes_nothing(
    director_a, org_b, browse, forged, action
):
    theirs = own(org_b, factories.member(org_b, Role.DIRECTOR), "Secret de B", "B's secret")
    value = theirs.pk if forged == "other" else forged
    browser = browse(director_a)
    before = snapshot()
    data = {"action": action, "service_type": value, "rename-name_fr": "X", "rename-name_en": "Y"}
    org_a = director_a.memberships.get().organization
    assert browser.post(page(org_a), data).status_code == 404
    assert browser.get(page(org_a), {"rename": value}).status_code == 404
    assert snapshot() == before


def test_another_organizations_page_is_404(director_a, org_b, browse):
    own(org_b, factories.member(org_b, Role.DIRECTOR), "Secret de B", "B's secret")
    browser = browse(director_a)
    before = snapshot()
    for response in (
        browser.get(page(org_b)),
        add(browser, org_b, "Piraté", "Hacked"),
    ):
        assert response.status_code == 404
        assert "Secret de B" not in response.content.decode()
    assert snapshot() == before


# --- Bad names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fr", "en", "message"),
    [
        ("atelier  cv", "Other", "already has a service type named “Atelier CV”"),
        ("Atélier CV", "Other", "already has a service type named “Atelier CV”"),
        ("Autre", "RÉSUMÉ WORKSHOP", "already has a service type named “Résumé workshop”"),
        ("LOGEMENT", "Lodging", "The department&#x27;s service offer already has “Logement”"),
        ("Hébergement", "housing", "The department&#x27;s service offer already has “Housing”"),
        ("Atelier sans nom anglais", "   ", "This field is required."),
        ("", "No French", "This field is required."),
        ("x" * 10_000, "Long", "at most 120 characters"),
        ("Nul\x00caractère", "Null", "not allowed"),
    ],
)
def test_bad_names_are_a_clear_error_and_change_nothing(director_a, org_a, browse, fr, en, message):
    own(org_a, director_a, "Atelier CV", "Résumé workshop")
    before, events = snapshot(), AuditEvent.objects.count()
    response = add(browse(director_a), org_a, fr, en)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and message in html
    assert snapshot() == before and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "names",
    [
        {"fr": "Atelier CV", "en": "Other"},
        {"fr": "Logement", "en": "Lodging"},
        {"fr": "Nouveau", "en": ""},
        {"fr": "y" * 121, "en": "Long"},
        {"fr": "Nul\x00", "en": "Null"},
        {"fr": None, "en": 3},
        {},
    ],
)
def test_the_service_refuses_bad_names_itself(director_a, org_a, names):
    own(org_a, director_a, "Atelier CV", "Résumé workshop")
    before = snapshot()
    with pytest.raises(ValidationError):
        records.service_type_add(actor=director_a, organization=org_a, names=names)
    assert snapshot() == before


def test_renaming_to_a_taken_name_is_refused_keeping_its_own_name_is_not(director_a, org_a, browse):
    tax = own(org_a, director_a)
    own(org_a, director_a, "Atelier CV", "Résumé workshop")
    browser = browse(director_a)
    data = {"action": "rename", "service_type": tax.pk, "rename-name_fr": "Atelier CV"}
    response = browser.post(page(org_a), {**data, "rename-name_en": "Tax clinic"})
    assert response.status_code == 200 and "already has a service type" in response.content.decode()
    tax.refresh_from_db()
    assert tax.names["fr"] == "Clinique d'impôts"
    same = {**data, "rename-name_fr": "CLINIQUE D'IMPOTS", "rename-name_en": "Tax clinic"}
    assert browser.post(page(org_a), same).status_code == 302


def test_a_script_name_is_kept_as_text_and_escaped_everywhere(
    director_a, intake_a, org_a, person, browse
):
    script = "<script>alert('x')</script>"
    assert add(browse(director_a), org_a, script, f"{script} en").status_code == 302
    added = ServiceType.objects.get(organization=org_a)
    assert added.code == "scriptalertxscript"
    for html in (
        browse(director_a).get(page(org_a)).content.decode(),
        browse(intake_a).get(entry(person)).content.decode(),
    ):
        assert script not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_codes_are_slugs_made_unique(director_a, org_a):
    first = own(org_a, director_a, "Atelier CV", "CV workshop")
    second = own(org_a, director_a, "Atelier: CV!", "CV workshop, again")
    arabic = own(org_a, director_a, "ورشة", "Workshop in Arabic")
    assert (first.code, second.code, arabic.code) == (
        "atelier-cv",
        "atelier-cv-2",
        "workshop-in-arabic",
    )
    assert [t.sort_order for t in (first, second, arabic)] == [10, 20, 30]
