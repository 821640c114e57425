"""Incremental overlap: publishing, editing or discontinuing one service updates its suggestions
in the review queue at once, without any command (after the publication commits)."""

import logging

import pytest

from ancrage.core.choices import OrganizationKind, Role
from ancrage.directory import services as directory
from ancrage.directory.content import service_content
from ancrage.directory.models import Service
from ancrage.insights import selectors
from ancrage.insights import services as insights
from ancrage.insights.models import OverlapSuggestion, SuggestionState
from tests import factories

pytestmark = pytest.mark.django_db

TAX_CLINIC_FR = {
    "names": {"fr": "Clinique d'impôts pour personnes nouvellement arrivées"},
    "descriptions": {
        "fr": "Des bénévoles remplissent gratuitement votre première déclaration de revenus "
        "pour recevoir les prestations et crédits auxquels vous avez droit."
    },
}
TAX_CLINIC_EN = {
    "names": {"en": "Tax clinic for newcomers"},
    "descriptions": {
        "en": "Volunteers fill in your first income tax return for free so that you receive "
        "the benefits and credits you are entitled to."
    },
}
FOOD_BASKETS = {
    "names": {"fr": "Paniers de Noël", "en": "Christmas baskets"},
    "descriptions": {
        "fr": "Distribution de paniers de nourriture pour les fêtes aux familles inscrites.",
        "en": "Holiday food baskets handed out to registered families.",
    },
    "needs": ["food-security"],
}


def _organization(code: str, name: str):
    organization = factories.OrganizationFactory(name=name, borough=factories.borough(code))
    factories.SiteFactory(organization=organization, borough=factories.borough(code))
    return organization


def _content(organization, text: dict, **overrides) -> dict:
    site = organization.sites.first()
    return {
        "names": {},
        "descriptions": {},
        "status": "active",
        "is_free": True,
        "audiences": ["newcomers"],
        "languages": ["fr", "en"],
        "needs": ["public-services"],
        "locations": [{"site": str(site.hsds_id)}],
        "schedules": [],
        "contacts": [],
        **text,
        **overrides,
    }


def _publish(organization, text: dict, service: Service | None = None, **overrides) -> Service:
    """Publish through the directory (as an import or the demo does) and run what the commit
    runs."""
    if service is None:
        service = Service.objects.create(organization=organization)
        content = _content(organization, text, **overrides)
    else:  # an edit of what is published: its places and hours keep their ids
        content = {**service_content(service), **text, **overrides}
    directory.service_publish_content(service=service, content=content, actor=None)
    return service


@pytest.fixture
def coordinator(db):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE, name="Ville")
    return factories.member(city, "coordinator")


@pytest.fixture
def english_in_lasalle(django_capture_on_commit_callbacks):
    welcome = _organization("lasalle", "LaSalle Welcome Centre")
    with django_capture_on_commit_callbacks(execute=True):
        return _publish(welcome, TAX_CLINIC_EN)


def _queue(user) -> list[OverlapSuggestion]:
    return list(selectors.review_queue(user))


def _ids(suggestion: OverlapSuggestion) -> set[str]:
    return {suggestion.id_a, suggestion.id_b}


def test_publishing_a_french_service_flags_its_english_paraphrase_without_any_command(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    assert _queue(coordinator) == []
    with django_capture_on_commit_callbacks(execute=True):
        french = _publish(carrefour, TAX_CLINIC_FR)
    [suggestion] = _queue(coordinator)
    assert _ids(suggestion) == {str(french.pk), str(english_in_lasalle.pk)}
    assert suggestion.state == SuggestionState.NEW
    assert sorted(suggestion.evidence["languages_compared"]) == ["en", "fr"]
    assert suggestion.evidence["distance"] == "same"


def test_the_same_paraphrase_published_in_a_borough_far_away_is_not_flagged(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    island = _organization("riviere-des-prairies-pointe-aux-trembles", "Accueil de l'Est")
    with django_capture_on_commit_callbacks(execute=True):
        _publish(island, TAX_CLINIC_FR)
    assert _queue(coordinator) == []


def test_nothing_is_refreshed_before_the_publication_commits(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _publish(_organization("lasalle", "Carrefour LaSalle"), TAX_CLINIC_FR)
    assert len(callbacks) == 1
    assert _queue(coordinator) == []


def test_a_staff_edit_published_through_the_workflow_updates_the_queue(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    editor = factories.member(carrefour, Role.COMMUNITY_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        draft = directory.service_create(
            organization=carrefour,
            actor=editor,
            content=_content(
                carrefour,
                {
                    "names": {**TAX_CLINIC_FR["names"], "en": "Tax clinic"},
                    "descriptions": {**TAX_CLINIC_FR["descriptions"], "en": "Tax returns."},
                },
            ),
        )
    assert _queue(coordinator) == []  # a draft is not public: nothing to compare yet
    with django_capture_on_commit_callbacks(execute=True):
        directory.revision_transition(revision=draft, actor=editor, name="publish")
    [suggestion] = _queue(coordinator)
    assert _ids(suggestion) == {str(draft.service_id), str(english_in_lasalle.pk)}


def test_an_edit_to_something_unrelated_removes_the_suggestion(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    with django_capture_on_commit_callbacks(execute=True):
        french = _publish(carrefour, TAX_CLINIC_FR)
    assert len(_queue(coordinator)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _publish(carrefour, FOOD_BASKETS, service=french)
    assert _queue(coordinator) == []


def test_a_small_edit_keeps_the_suggestion_with_its_new_evidence(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    with django_capture_on_commit_callbacks(execute=True):
        french = _publish(carrefour, TAX_CLINIC_FR)
    [before] = _queue(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(carrefour, TAX_CLINIC_FR, service=french, languages=["fr", "en", "ar"])
    [after] = _queue(coordinator)
    assert after.pk == before.pk
    assert after.fingerprint != before.fingerprint


def test_discontinuing_a_service_removes_its_suggestion(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    with django_capture_on_commit_callbacks(execute=True):
        french = _publish(carrefour, TAX_CLINIC_FR)
    assert len(_queue(coordinator)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _publish(carrefour, TAX_CLINIC_FR, service=french, status="defunct")
    assert _queue(coordinator) == []
    assert not OverlapSuggestion.objects.exists()


def test_a_dismissed_pair_comes_back_only_when_its_content_changes(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    with django_capture_on_commit_callbacks(execute=True):
        french = _publish(carrefour, TAX_CLINIC_FR)
    [suggestion] = _queue(coordinator)
    insights.suggestion_decide(actor=coordinator, suggestion=suggestion, state="dismissed")

    with django_capture_on_commit_callbacks(execute=True):  # published again, unchanged
        _publish(carrefour, TAX_CLINIC_FR, service=french)
    assert _queue(coordinator) == []
    assert OverlapSuggestion.objects.get().state == SuggestionState.DISMISSED

    changed = {
        **TAX_CLINIC_FR,
        "descriptions": {"fr": TAX_CLINIC_FR["descriptions"]["fr"] + " Sur rendez-vous."},
    }
    with django_capture_on_commit_callbacks(execute=True):
        _publish(carrefour, changed, service=french)
    [back] = _queue(coordinator)
    assert back.pk == suggestion.pk
    assert back.decided_by is None


def test_a_failing_refresh_never_undoes_the_publication(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(obj):
        raise RuntimeError("encoder unavailable")

    monkeypatch.setattr(insights, "overlap_refresh_for", broken)
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        french = _publish(carrefour, TAX_CLINIC_FR)
    french.refresh_from_db()
    assert french.is_published
    assert french.name == TAX_CLINIC_FR["names"]["fr"]
    assert "could not be refreshed" in caplog.text
    assert _queue(coordinator) == []


def test_many_services_published_together_refresh_the_city_once(
    coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    refresh_all = insights.overlap_refresh_all
    monkeypatch.setattr(insights, "CITY_REFRESH_FROM", 1)
    monkeypatch.setattr(insights, "overlap_refresh_all", lambda: calls.append(1) or refresh_all())
    welcome = _organization("lasalle", "LaSalle Welcome Centre")
    carrefour = _organization("lasalle", "Carrefour LaSalle")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _publish(welcome, TAX_CLINIC_EN)
        _publish(carrefour, TAX_CLINIC_FR)
    assert len(callbacks) == 1
    assert calls == [1]
    assert len(_queue(coordinator)) == 1


def test_an_activity_created_beside_a_similar_service_is_flagged(
    english_in_lasalle, coordinator, django_capture_on_commit_callbacks
):
    from ancrage.activities import services as activities
    from ancrage.activities.models import Activity, ActivityType
    from ancrage.core.models import Audience
    from ancrage.directory.models import TaxonomyTerm

    carrefour = _organization("lasalle", "Carrefour LaSalle")
    officer = factories.member(carrefour, Role.LIAISON_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        activity = activities.activity_create(
            actor=officer,
            organization=carrefour,
            title={"fr": TAX_CLINIC_FR["names"]["fr"], "en": "Tax clinic"},
            description={"fr": TAX_CLINIC_FR["descriptions"]["fr"]},
            activity_type=ActivityType.objects.get(code="coffee-and-chat"),
            category=Activity.Category.MIXED,
            venue_kind=Activity.VenueKind.LAUNDROMAT,
            venue_name="Buanderie",
            borough=factories.borough("lasalle"),
            format=Activity.Format.DROP_IN,
            audiences=Audience.objects.filter(code="newcomers"),
            needs=TaxonomyTerm.objects.filter(code="public-services"),
        )
    [suggestion] = _queue(coordinator)
    assert {(suggestion.kind_a, suggestion.id_a), (suggestion.kind_b, suggestion.id_b)} == {
        ("activity", str(activity.pk)),
        ("service", str(english_in_lasalle.pk)),
    }
