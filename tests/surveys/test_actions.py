"""You said, we did: written by staff who manage surveys, French and English required, shown on
the organization's public page in the reader's language (with a fallback that says its language)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.surveys import actions, results
from ancrage.surveys.models import SurveyAction
from tests import factories
from tests.surveys.test_results import SCRIPT, make_survey

pytestmark = pytest.mark.django_db

SAID = {"fr": "Les heures ne conviennent pas.", "en": "The hours do not suit you."}
DID = {
    "fr": "Nous ouvrons le samedi matin.",
    "en": "We open on Saturday mornings.",
    "es": "Abrimos los sábados por la mañana.",
}


def create(actor, organization, **overrides):
    values = {"said": SAID, "did": DID, "done_on": date(2026, 5, 1)}
    values.update(overrides)
    return actions.action_create(actor=actor, organization=organization, **values)


def form_data(**overrides):
    data = {
        "said_fr": SAID["fr"],
        "said_en": SAID["en"],
        "did_fr": DID["fr"],
        "did_en": DID["en"],
        "did_es": DID["es"],
        "done_on": "2026-05-01",
        "survey": "",
        "is_public": "on",
    }
    data.update(overrides)
    return data


# --- The service -------------------------------------------------------------------------------


def test_create_keeps_the_languages_given_and_audits(org_a, director_a):
    survey = make_survey(org_a)
    action = create(director_a, org_a, survey=survey, said={**SAID, "ar": " قلتم "})
    action.refresh_from_db()
    assert action.said == {"fr": SAID["fr"], "en": SAID["en"], "ar": "قلتم"}
    assert action.did == DID
    assert action.survey == survey and action.is_public and action.created_by == director_a
    event = AuditEvent.objects.get(action="create", target_id=str(action.pk))
    assert event.details["said"] == ["ar", "en", "fr"]
    assert SAID["fr"] not in str(event.details)  # the log holds no content


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"said": {"fr": "Seulement en français"}}, "said"),
        ({"did": {"en": "Only English"}}, "did"),
        ({"said": {**SAID, "xx": "?"}}, "said"),
        ({"said": {**SAID, "fr": "x" * 2001}}, "said"),
        ({"said": "not a dict"}, "said"),
        ({"said": {"fr": 3, "en": "x"}}, "said"),
        ({"done_on": "2026-05-01"}, "done_on"),
        ({"done_on": date(1999, 12, 31)}, "done_on"),
        ({"is_public": "yes"}, "is_public"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(org_a, director_a, overrides, field):
    with pytest.raises(ValidationError) as error:
        create(director_a, org_a, **overrides)
    assert field in error.value.message_dict
    assert not SurveyAction.objects.exists()


def test_an_action_is_published_once_done(org_a, director_a):
    with pytest.raises(ValidationError) as error:
        create(director_a, org_a, done_on=timezone.localdate() + timedelta(days=1))
    assert "done_on" in error.value.message_dict
    assert create(director_a, org_a, done_on=timezone.localdate()).pk


def test_survey_of_another_organization_is_refused(org_a, org_b, director_a):
    with pytest.raises(ValidationError) as error:
        create(director_a, org_a, survey=make_survey(org_b))
    assert "survey" in error.value.message_dict


def test_only_staff_who_manage_surveys_in_the_organization_write(org_a, org_b):
    for user in (
        factories.member(org_a, Role.INTAKE_WORKER),
        factories.member(org_b, Role.DIRECTOR),
    ):
        with pytest.raises(PermissionDenied):
            create(user, org_a)
    assert create(factories.member(org_a, Role.COMMUNITY_WORKER), org_a).pk


def test_update_and_delete_are_audited(org_a, director_a):
    action = create(director_a, org_a)
    actions.action_update(
        actor=director_a,
        action=action,
        said=SAID,
        did={"fr": "Autre chose", "en": "Something else"},
        done_on=date(2026, 6, 1),
        is_public=False,
    )
    action.refresh_from_db()
    assert action.did == {"fr": "Autre chose", "en": "Something else"}
    assert not action.is_public and action.done_on == date(2026, 6, 1)
    pk = action.pk
    actions.action_delete(actor=director_a, action=action)
    assert not SurveyAction.objects.exists()
    assert set(AuditEvent.objects.filter(target_id=str(pk)).values_list("action", flat=True)) == {
        "create",
        "change",
        "delete",
    }
    outsider = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    other = create(director_a, org_a)
    with pytest.raises(PermissionDenied):
        actions.action_delete(actor=outsider, action=other)
    assert SurveyAction.objects.filter(pk=other.pk).exists()


# --- Staff pages --------------------------------------------------------------------------------


def test_staff_page_lists_and_creates(org_a, director_a, client_of):
    survey = make_survey(org_a)
    client = client_of(director_a)
    url = reverse("surveys:actions", args=[org_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'lang="ar"' in page.content.decode()  # the other languages' fields say their language
    response = client.post(url, form_data(survey=str(survey.pk), said_fr=SCRIPT))
    assert response.status_code == 302
    action = SurveyAction.objects.get()
    assert action.survey == survey and action.did["es"] == DID["es"]
    html = client.get(url).content.decode()
    assert SCRIPT not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"said_en": ""}, "said_en"),
        ({"done_on": "2026-02-30"}, "done_on"),
        ({"done_on": "9999-01-01"}, "done_on"),
        ({"survey": "99999999999999999999999"}, "survey"),
        ({"survey": "abc"}, "survey"),
        ({"did_fr": "x" * 2001}, "did_fr"),
    ],
)
def test_staff_page_bad_input_shows_the_error_next_to_the_field(
    org_a, director_a, client_of, overrides, field
):
    page = client_of(director_a).post(
        reverse("surveys:actions", args=[org_a.pk]), form_data(**overrides)
    )
    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert not SurveyAction.objects.exists()


def test_staff_page_refuses_another_organizations_survey(org_a, org_b, director_a, client_of):
    foreign = make_survey(org_b)
    page = client_of(director_a).post(
        reverse("surveys:actions", args=[org_a.pk]), form_data(survey=str(foreign.pk))
    )
    assert "survey" in page.context["form"].errors
    assert not SurveyAction.objects.exists()


def test_edit_and_delete_pages(org_a, director_a, client_of):
    action = create(director_a, org_a)
    client = client_of(director_a)
    edit = reverse("surveys:action_edit", args=[action.pk])
    assert client.get(edit).context["form"].initial["did_es"] == DID["es"]
    response = client.post(edit, form_data(did_en="Saturdays and Sundays", is_public=""))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.did["en"] == "Saturdays and Sundays" and not action.is_public
    delete = reverse("surveys:action_delete", args=[action.pk])
    assert client.get(delete).status_code == 200
    assert SurveyAction.objects.filter(pk=action.pk).exists()  # a GET only asks
    assert client.post(delete).status_code == 302
    assert not SurveyAction.objects.filter(pk=action.pk).exists()


def test_staff_pages_foreign_and_forged_ids(org_a, org_b, director_a, client_of, client):
    action = create(director_a, org_a)
    director_b = client_of(factories.member(org_b, Role.DIRECTOR))
    for url in (
        reverse("surveys:actions", args=[org_a.pk]),
        reverse("surveys:action_edit", args=[action.pk]),
        reverse("surveys:action_delete", args=[action.pk]),
    ):
        assert director_b.get(url).status_code == 404
        assert director_b.post(url, form_data(did_en="Hacked")).status_code == 404
        assert client.get(url).status_code == 302  # sign in first
    action.refresh_from_db()
    assert action.did["en"] == DID["en"]
    intake = client_of(factories.member(org_a, Role.INTAKE_WORKER))
    assert intake.get(reverse("surveys:actions", args=[org_a.pk])).status_code == 403
    mine = client_of(director_a)
    assert mine.get("/surveys/actions/99999999999999999999/edit/").status_code == 404
    assert mine.get("/surveys/organizations/99999999999999999999/actions/").status_code == 404


# --- The public page ------------------------------------------------------------------------------


def _in(client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def test_public_page_needs_no_login_and_speaks_the_readers_language(org_a, director_a, client):
    create(director_a, org_a)
    create(director_a, org_a, said={"fr": "Secret", "en": "Secret"}, is_public=False)
    url = reverse("surveys:public_actions", args=[org_a.pk])
    html = client.get(url).content.decode()
    assert SAID["fr"] in html and DID["fr"] in html and "Secret" not in html
    html = _in(client, "es").get(url).content.decode()
    assert DID["es"] in html
    # Not written in Spanish: the French, marked as French.
    assert f'lang="fr" dir="ltr">{SAID["fr"]}' in html
    page = _in(client, "ar").get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'dir="rtl"' in html
    assert f'lang="fr" dir="ltr">{DID["fr"]}' in html


def test_public_page_escapes_and_refuses_forged_ids(org_a, director_a, client):
    create(director_a, org_a, did={"fr": SCRIPT, "en": SCRIPT})
    html = client.get(reverse("surveys:public_actions", args=[org_a.pk])).content.decode()
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert client.get(reverse("surveys:public_actions", args=[10**9])).status_code == 404
    assert (
        client.get("/surveys/organizations/99999999999999999999/you-said-we-did/").status_code
        == 404
    )
    assert client.post(reverse("surveys:public_actions", args=[org_a.pk])).status_code == 405


def test_public_actions_selector_reads_nothing_private(org_a, director_a):
    create(director_a, org_a, is_public=False)
    assert results.public_actions(organization=org_a) == []
