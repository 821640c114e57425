"""Overlap detection and the review of its suggestions."""

import pytest

from ancrage.core.choices import OrganizationKind
from ancrage.directory.content import apply_content
from ancrage.directory.search import index_build
from ancrage.insights import overlap, services
from ancrage.insights.models import OverlapSuggestion, SuggestionState
from tests import factories

pytestmark = pytest.mark.django_db

FRENCH = {
    "names": {"fr": "Clinique d'impôts pour personnes nouvellement arrivées"},
    "descriptions": {
        "fr": "Des bénévoles remplissent gratuitement votre première déclaration de revenus "
        "pour recevoir les prestations et crédits auxquels vous avez droit."
    },
}
ENGLISH = {
    "names": {"en": "Tax clinic for newcomers"},
    "descriptions": {
        "en": "Volunteers fill in your first income tax return for free so that you receive "
        "the benefits and credits you are entitled to."
    },
}


def _org_with_site(code: str, name: str):
    organization = factories.OrganizationFactory(name=name, borough=factories.borough(code))
    factories.SiteFactory(organization=organization, borough=factories.borough(code))
    return organization


def _service(organization, text, **content):
    return factories.published_service(
        organization, **{"needs": ["public-services"], **text, **content}
    )


def _pair_count():
    return OverlapSuggestion.objects.count()


@pytest.fixture
def needs_term(db):
    from ancrage.directory.models import TaxonomyTerm

    assert TaxonomyTerm.objects.filter(code="public-services").exists()


def test_french_description_and_english_paraphrase_in_the_same_borough_are_flagged(needs_term):
    french = _service(_org_with_site("lasalle", "Carrefour LaSalle"), FRENCH)
    english = _service(_org_with_site("lasalle", "LaSalle Welcome Centre"), ENGLISH)
    services.overlap_refresh_all()
    suggestion = OverlapSuggestion.objects.get()
    assert {suggestion.id_a, suggestion.id_b} == {str(french.pk), str(english.pk)}
    assert suggestion.score >= overlap.DUPLICATE_THRESHOLD
    assert suggestion.evidence["distance"] == "same"
    assert suggestion.evidence["needs"] == ["public-services"]
    assert sorted(suggestion.evidence["languages_compared"]) == ["en", "fr"]


def test_the_same_pair_in_boroughs_far_apart_is_not_flagged(needs_term):
    _service(_org_with_site("ile-bizard-sainte-genevieve", "Accueil de l'Île"), FRENCH)
    _service(
        _org_with_site("riviere-des-prairies-pointe-aux-trembles", "East End Welcome"), ENGLISH
    )
    services.overlap_refresh_all()
    assert _pair_count() == 0


def test_neighbouring_boroughs_are_flagged_but_score_lower(needs_term):
    _service(_org_with_site("lasalle", "Carrefour LaSalle"), FRENCH)
    _service(_org_with_site("verdun", "Verdun Welcome"), ENGLISH)
    services.overlap_refresh_all()
    assert OverlapSuggestion.objects.get().evidence["distance"] == "neighbouring"


def test_one_organization_is_never_paired_with_itself(needs_term):
    organization = _org_with_site("lasalle", "Carrefour LaSalle")
    _service(organization, FRENCH)
    _service(organization, ENGLISH)
    services.overlap_refresh_all()
    assert _pair_count() == 0


def test_different_needs_or_hours_that_never_meet_are_not_flagged(needs_term):
    _service(_org_with_site("lasalle", "A"), FRENCH)
    _service(_org_with_site("lasalle", "B"), ENGLISH, needs=["housing"])
    services.overlap_refresh_all()
    assert _pair_count() == 0
    _service(
        _org_with_site("lasalle", "C"),
        ENGLISH,
        schedules=[{"freq": "WEEKLY", "byday": "SA", "opens_at": "09:00", "closes_at": "12:00"}],
    )
    services.overlap_refresh_all()
    assert _pair_count() == 0


def test_stored_search_vectors_are_reused(needs_term):
    _service(_org_with_site("lasalle", "A"), FRENCH)
    _service(_org_with_site("lasalle", "B"), ENGLISH)
    index_build()
    services.overlap_refresh_all()
    assert _pair_count() == 1


def test_clusters_are_connected_components():
    groups = overlap.clusters(
        [(("s", "1"), ("s", "2")), (("s", "2"), ("s", "3")), (("s", "8"), ("s", "9"))]
    )
    assert groups == [[("s", "1"), ("s", "2"), ("s", "3")], [("s", "8"), ("s", "9")]]


def test_neighbours_are_symmetric_and_cover_every_borough():
    near = overlap.neighbours()
    assert set(near) == set(overlap.BOROUGH_CODES)
    for code, others in near.items():
        assert others, code
        for other in others:
            assert code in near[other]


# --- Dismissed pairs, incremental refresh ----------------------------------------------------


@pytest.fixture
def pair(needs_term):
    french = _service(_org_with_site("lasalle", "Carrefour LaSalle"), FRENCH)
    english = _service(_org_with_site("lasalle", "LaSalle Welcome Centre"), ENGLISH)
    services.overlap_refresh_all()
    return french, english, OverlapSuggestion.objects.get()


@pytest.fixture
def coordinator(db):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE, name="Ville")
    return factories.member(city, "coordinator")


def test_a_dismissed_pair_does_not_come_back_unless_a_service_changes(pair, coordinator):
    french, _english, suggestion = pair
    services.suggestion_decide(actor=coordinator, suggestion=suggestion, state="dismissed")
    services.overlap_refresh_all()
    services.overlap_refresh_for(french)
    assert OverlapSuggestion.objects.get().state == SuggestionState.DISMISSED

    apply_content(
        french,
        {
            **_content_of(french),
            "descriptions": {"fr": FRENCH["descriptions"]["fr"] + " Sur rendez-vous."},
        },
    )
    services.overlap_refresh_for(french)
    back = OverlapSuggestion.objects.get()
    assert back.state == SuggestionState.NEW
    assert back.decided_by is None


def _content_of(service):
    from ancrage.directory.content import service_content

    return service_content(service)


def test_refresh_for_one_service_finds_its_new_pairs_only(pair):
    _french, _english, _suggestion = pair
    third = _service(_org_with_site("lasalle", "Troisième"), FRENCH)
    services.overlap_refresh_for(third)
    assert (
        OverlapSuggestion.objects.filter(id_a=str(third.pk)).count()
        + OverlapSuggestion.objects.filter(id_b=str(third.pk)).count()
        == 2
    )


def test_an_unpublished_service_loses_its_open_suggestions(pair):
    french, _english, _suggestion = pair
    french.is_published = False
    french.save()
    services.overlap_refresh_for(french)
    assert _pair_count() == 0


def test_only_review_holders_decide(pair, director_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.suggestion_decide(actor=director_a, suggestion=pair[2], state="duplicate")


def test_the_vectorised_scoring_keeps_exactly_the_pairs_of_the_plain_rule():
    import random
    from itertools import combinations

    import numpy as np

    rng = random.Random(5)
    codes = list(overlap.BOROUGH_CODES)
    items = [
        overlap.Item(
            kind="service",
            id=f"{i:03d}",
            organization_id=rng.randrange(8),
            name="",
            text="",
            language="fr",
            needs=frozenset(rng.sample(["housing", "food", "jobs"], rng.randint(0, 2))),
            audiences=frozenset(rng.sample(["youth", "women", "seniors"], rng.randint(0, 2))),
            languages=frozenset(rng.sample(["fr", "en", "es"], rng.randint(0, 2))),
            boroughs=frozenset(rng.sample(codes, rng.randint(1, 2))),
            slots=frozenset({(rng.randrange(2), 9)} if rng.random() < 0.5 else set()),
        )
        for i in range(80)
    ]
    vectors = np.random.default_rng(5).normal(size=(80, 16)).astype(np.float32)
    vectors[:, 0] += 3  # close enough that many pairs pass the similarity floor
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    found = {(p.a.key, p.b.key): p.score for p in overlap.find_pairs(items, vectors)}
    expected = {}
    for x, y in combinations(range(80), 2):
        similarity = float(vectors[x] @ vectors[y])
        pair = overlap.score_pair(*overlap._canonical(items[x], items[y]), similarity)
        if pair and similarity >= overlap.SIMILARITY_FLOOR and pair.score >= overlap.SUGGEST_MIN:
            expected[(pair.a.key, pair.b.key)] = pair.score
    assert expected and found.keys() == expected.keys()
    assert all(abs(found[k] - expected[k]) < 1e-3 for k in expected)
    one = overlap.find_pairs(items, vectors, only=[7])
    assert {(p.a.key, p.b.key) for p in one} == {k for k in expected if ("service", "007") in k}
