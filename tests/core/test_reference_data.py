import pytest
from django.utils import translation

from ancrage.core.models import Audience, Borough, ImmigrationStatus, Language
from ancrage.core.translated import base_language, missing_languages, pick

pytestmark = pytest.mark.django_db


def test_the_19_boroughs_are_loaded():
    names = set(Borough.objects.values_list("names__fr", flat=True))
    assert Borough.objects.count() == 19
    assert {
        "Ahuntsic-Cartierville",
        "LaSalle",
        "Montréal-Nord",
        "Villeray–Saint-Michel–Parc-Extension",
    } <= names
    assert "L'Île-Bizard–Sainte-Geneviève" in names


def test_statuses_audiences_and_languages_are_loaded_in_french_and_english():
    assert ImmigrationStatus.objects.count() == 8
    assert Audience.objects.count() == 8
    assert Language.objects.count() >= 40
    for model in (ImmigrationStatus, Audience, Language, Borough):
        for item in model.objects.all():
            assert not missing_languages(item.names), item.code
    arabic = Language.objects.get(code="ar")
    assert arabic.is_rtl and arabic.autonym == "العربية"


def test_reference_names_follow_the_active_language():
    status = ImmigrationStatus.objects.get(code="asylum-seeker")
    with translation.override("fr-ca"):
        assert status.name == "Demandeur d'asile"
    with translation.override("en"):
        assert status.name == "Asylum seeker"


def test_pick_falls_back_french_then_english():
    assert pick({"fr": "Bonjour", "en": "Hello", "es": "Hola"}, "es") == "Hola"
    assert pick({"fr": "Bonjour", "en": "Hello"}, "ar") == "Bonjour"
    assert pick({"en": "Hello"}, "ar") == "Hello"
    assert pick({"es": "Hola"}, "fr") == "Hola"
    assert pick({}, "fr") == ""
    assert base_language("fr-ca") == "fr" and base_language("zh-hans") == "zh-hans"
    assert missing_languages({"fr": " ", "en": "x"}) == ["fr"]
