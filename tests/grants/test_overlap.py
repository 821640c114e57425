"""The overlap check: a project finds the services, activities and funded projects close to it,
in either language, with a score and why; unrelated ones stay out."""

import pytest
from django.utils import translation

from ancrage.grants import selectors
from ancrage.grants.overlap import ACTIVITY, PROJECT, SERVICE
from tests import factories
from tests.grants.conftest import make_application

pytestmark = pytest.mark.django_db

KITCHEN = {
    "title": "Cuisines collectives pour femmes immigrantes",
    "summary": (
        "Des ateliers de cuisine collective où les femmes immigrantes isolées préparent des "
        "repas ensemble et se font des amies."
    ),
    "target_groups": ("women",),
    "boroughs": ("lasalle",),
}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def project(call, applicant_org):
    return make_application(call, applicant_org, state="draft", **KITCHEN)


def test_a_close_service_is_found_with_why(project, english):
    other = factories.OrganizationFactory(name="Centre des femmes de LaSalle")
    kitchen = factories.published_service(
        other,
        names={"fr": "Cuisine collective pour femmes", "en": "Community kitchen for women"},
        descriptions={
            "fr": "Des femmes immigrantes cuisinent ensemble chaque semaine et brisent l'isolement.",
            "en": "Immigrant women cook together every week.",
        },
        audiences=["women"],
    )
    factories.published_service(
        other,
        names={"fr": "Déclaration de revenus", "en": "Tax returns"},
        descriptions={"fr": "Aide pour remplir sa déclaration d'impôts.", "en": "Tax clinic."},
    )
    found = selectors.overlaps_for(project)
    assert found, "the community kitchen should be found"
    first = found[0]
    assert (first.kind, first.pk) == (SERVICE, kitchen.pk)
    assert first.organization == "Centre des femmes de LaSalle"
    assert first.url == f"/services/{kitchen.pk}/"
    reasons = " | ".join(first.reasons)
    assert "Close in meaning" in reasons
    assert "cuisine" in reasons  # words in common
    assert "Same borough: LaSalle" in reasons
    assert "Same groups: Women" in reasons
    assert 0 < first.score <= 1
    assert all(o.pk != kitchen.pk or o is first for o in found)
    assert not any("impôts" in o.title or "revenus" in o.title for o in found)


def test_it_finds_an_english_service_for_a_french_project(project):
    other = factories.OrganizationFactory(name="West Island Women")
    service = factories.published_service(
        other,
        names={"en": "Community kitchen for immigrant women"},
        descriptions={"en": "Isolated immigrant women cook meals together and make friends."},
    )
    assert service.pk in [o.pk for o in selectors.overlaps_for(project)]


def test_activities_and_funded_projects_are_compared_too(
    project, call, other_applicant_org, english
):
    activity = factories.ActivityFactory(
        title={"fr": "Atelier de cuisine collective pour femmes", "en": "Community cooking"},
        description={"fr": "Les femmes immigrantes cuisinent ensemble."},
    )
    funded = make_application(
        call,
        other_applicant_org,
        state="funded",
        title="Repas partagés entre femmes immigrantes",
        summary="Cuisine collective et repas partagés pour briser l'isolement des femmes.",
    )
    draft = make_application(
        call,
        factories.OrganizationFactory(),
        state="draft",
        title="Cuisine collective pour femmes immigrantes (brouillon)",
        summary=KITCHEN["summary"],
    )
    found = {(o.kind, o.pk): o for o in selectors.overlaps_for(project)}
    assert (ACTIVITY, activity.pk) in found
    assert (PROJECT, funded.pk) in found
    assert (PROJECT, draft.pk) not in found  # a draft is nobody's project yet
    assert (PROJECT, project.pk) not in found  # nor is the project itself
    assert "Funded for the same objectives (1)" in found[(PROJECT, funded.pk)].reasons


def test_nothing_close_gives_an_empty_list(project):
    factories.published_service(
        factories.OrganizationFactory(),
        names={"fr": "Clinique d'impôts", "en": "Tax clinic"},
        descriptions={"fr": "Déclarations de revenus gratuites.", "en": "Free tax returns."},
    )
    assert selectors.overlaps_for(project) == []
