"""Public pages speak the languages of Montréal's newcomers; staff pages speak French and English."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.core.test_i18n import visible_strings

LOCALE = Path(settings.LOCALE_PATHS[0])
PUBLIC_ONLY = [code for code, _name in settings.LANGUAGES if code not in settings.STAFF_LANGUAGES]
RIGHT_TO_LEFT = {"ar", "fa"}


def catalogue(language: str) -> polib.POFile:
    from django.utils.translation import to_locale

    return polib.pofile(str(LOCALE / to_locale(language) / "LC_MESSAGES/django.po"))


def leftover_strings(language: str) -> set[str]:
    """English or French texts that should read differently once translated into `language`.

    Django falls back to the default language (French) for a string missing from a catalogue, then
    to the English source: both are leftovers, unless the translation is identical on purpose.
    """
    french = {e.msgid: e.msgstr for e in catalogue("fr-ca") if not e.msgid_plural}
    own = {e.msgid: e.msgstr for e in catalogue(language) if not e.msgid_plural}
    leftovers = set()
    for msgid, fr in french.items():
        if fr == msgid:  # a name, the same in every language
            continue
        if own.get(msgid) != msgid:
            leftovers.add(msgid)
        if fr and own.get(msgid) != fr:
            leftovers.add(fr)
    return leftovers


@pytest.fixture
def public_pages(db):
    library = factories.OrganizationFactory(name="Bibliothèque Saint-Michel", kind="library")
    site = factories.SiteFactory(organization=library, name="Succursale Saint-Michel")
    activity = factories.ActivityFactory(organization=library, site=site)
    factories.SessionFactory(activity=activity)
    service = factories.published_service(
        library, languages=["fr", "ar"], audiences=["newcomers"], is_free=False
    )
    from tests.surveys.conftest import open_survey

    survey = open_survey(library)
    table = factories.OrganizationFactory(name="Table de quartier", kind="round_table")
    return [
        reverse("home"),
        reverse("activities:calendar"),
        reverse("surveys:answer", args=[survey.token]),
        reverse("surveys:public_actions", args=[library.pk]),
        reverse("surveys:tracker", args=[table.pk]),
        reverse("grants:public_calls"),
        reverse("directory:search"),
        reverse("directory:search") + "?q=logement&need=housing",
        reverse("directory:search") + "?q=zzzz-nothing-matches",
        reverse("directory:service", args=[service.pk]),
    ]


def test_twelve_languages_are_offered_to_the_public():
    assert len(settings.LANGUAGES) >= 12
    assert {"fr-ca", "en", "es", "ar", "zh-hans", "ht", "fa", "pt", "ru", "vi", "tl", "uk"} <= {
        code for code, _name in settings.LANGUAGES
    }


@pytest.mark.parametrize("language", PUBLIC_ONLY)
def test_public_pages_leave_no_english_string_behind(language, public_pages, client):
    switched = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert switched.status_code == 302
    leftovers_of = leftover_strings(language)
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        page = visible_strings(html)
        assert page.lang == language, url
        expected_dir = "rtl" if language in RIGHT_TO_LEFT else "ltr"
        assert f'dir="{expected_dir}"' in html, url
        assert page.strings & leftovers_of == set(), f"{url} in {language}"


def test_staff_pages_fall_back_to_english_for_a_public_only_language(client_of, db):
    organization = factories.OrganizationFactory()
    director = factories.member(organization, "director")
    browser = client_of(director)
    browser.post(reverse("set_language"), {"language": "ar", "next": "/"})
    response = browser.get(reverse("activities:manage_list"))
    assert visible_strings(response.content.decode()).lang == "en"
    assert 'dir="ltr"' in response.content.decode()


def test_the_switch_offers_every_language_on_public_pages_and_two_on_staff_pages(client_of, db):
    organization = factories.OrganizationFactory()
    director = factories.member(organization, "director")
    public = client_of(director).get(reverse("activities:calendar")).content.decode()
    staff = client_of(director).get(reverse("activities:manage_list")).content.decode()
    assert 'value="ar"' in public and 'value="uk"' in public
    assert 'value="ar"' not in staff and 'value="en"' in staff


@pytest.mark.parametrize("language", PUBLIC_ONLY)
def test_public_language_catalogues_keep_placeholders_and_have_no_fuzzy_entry(language):
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")
    for entry in catalogue(language):
        assert "fuzzy" not in entry.flags, entry.msgid
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if text:
                assert set(placeholder.findall(text)) == set(placeholder.findall(entry.msgid)), (
                    entry.msgid
                )
