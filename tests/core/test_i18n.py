"""French first, English second: every string of the interface translated, and nothing left over."""

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from ancrage.core.choices import OrganizationKind, Role
from tests import factories

LOCALE = Path(settings.LOCALE_PATHS[0])
CATALOGUES = {
    "fr-ca": LOCALE / "fr_CA/LC_MESSAGES/django.po",
    "en": LOCALE / "en/LC_MESSAGES/django.po",
}


def entries(language):
    return [e for e in polib.pofile(str(CATALOGUES[language])) if not e.obsolete]


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_no_empty_or_fuzzy_translation(language):
    untranslated = [e.msgid for e in entries(language) if not e.translated() or "fuzzy" in e.flags]
    assert untranslated == []


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_placeholders_survive_translation(language):
    import re

    placeholder = re.compile(r"%\(\w+\)s|\{\{\s*\w+\s*\}\}")
    for entry in entries(language):
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert set(placeholder.findall(text)) == set(placeholder.findall(entry.msgid)), (
                entry.msgid
            )


def test_catalogue_holds_every_string_of_the_code(tmp_path):
    """Re-extract the strings from a copy of the code: none may be missing from the catalogue."""
    package = Path(settings.PACKAGE_DIR)
    copy = tmp_path / "ancrage"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "locale"))
    (copy / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "ancrage.cli", "makemessages", "-l", "fr_CA", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    extracted = {
        e.msgid for e in polib.pofile(str(copy / "locale/fr_CA/LC_MESSAGES/django.po")) if e.msgid
    }
    catalogued = {e.msgid for e in entries("fr-ca")}
    assert extracted - catalogued == set(), "run makemessages and translate the new strings"


class TextCollector(HTMLParser):
    """The strings a person reads: text nodes and the labels assistive technology reads out."""

    SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.strings: set[str] = set()
        self.lang = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN_ATTRIBUTES and value:
                self.strings.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.strings.add(text)


def visible_strings(html: str) -> TextCollector:
    collector = TextCollector()
    collector.feed(html)
    return collector


def own_and_foreign_strings(language):
    """Catalogue strings of this language only, and of the *other* language only."""
    pairs = [
        (e.msgid, e.msgstr) for e in entries("fr-ca") if not e.msgid_plural and e.msgstr != e.msgid
    ]
    english, french = {en for en, _fr in pairs}, {fr for _en, fr in pairs}
    return (
        (english - french, french - english)
        if language == "en"
        else (french - english, english - french)
    )


@pytest.fixture
def shell_pages(db):
    library = factories.OrganizationFactory(
        name="Bibliothèques de LaSalle", kind=OrganizationKind.LIBRARY
    )
    site = factories.SiteFactory(organization=library, name="Succursale 1")
    director = factories.member(library, Role.DIRECTOR, first_name="Awa")
    city = factories.OrganizationFactory(
        name="Service municipal X", kind=OrganizationKind.CITY_SERVICE
    )
    coordinator = factories.member(city, Role.COORDINATOR, first_name="Luc")
    partner = factories.OrganizationFactory(name="Partenaire Y")
    partnership = factories.PartnershipFactory(organization=library, partner=partner)
    worker = factories.member(library, Role.INTAKE_WORKER)
    membership = worker.memberships.get()
    activity = factories.ActivityFactory(organization=library, site=site)
    session = factories.SessionFactory(activity=activity)
    return [
        (None, reverse("activities:calendar")),
        (director, reverse("activities:manage_list")),
        (director, reverse("activities:manage_activity_create", args=[library.pk])),
        (director, reverse("activities:manage_activity", args=[activity.pk])),
        (director, reverse("activities:manage_activity_edit", args=[activity.pk])),
        (director, reverse("activities:manage_series_new", args=[activity.pk])),
        (director, reverse("activities:manage_attendance", args=[session.pk])),
        (director, reverse("activities:manage_session_move", args=[session.pk])),
        (director, reverse("activities:manage_outreach_create", args=[library.pk])),
        (director, reverse("activities:program")),
        (coordinator, reverse("activities:program")),
        (None, reverse("home")),
        (None, reverse("login")),
        (None, reverse("password_reset")),
        (None, reverse("password_reset_done")),
        (director, reverse("password_change")),
        (director, reverse("home")),
        (coordinator, reverse("home")),
        (coordinator, reverse("network:organization_list")),
        (coordinator, reverse("network:organization_create")),
        (director, reverse("network:organization_detail", args=[library.pk])),
        (director, reverse("network:organization_edit", args=[library.pk])),
        (director, reverse("network:site_create", args=[library.pk])),
        (director, reverse("network:site_edit", args=[site.pk])),
        (director, reverse("network:membership_add", args=[library.pk])),
        (director, reverse("network:membership_edit", args=[membership.pk])),
        (director, reverse("network:partnership_create", args=[library.pk])),
        (director, reverse("network:partnership_edit", args=[partnership.pk])),
        (worker, reverse("network:organization_edit", args=[library.pk])),  # 403 page
        (director, "/network/organizations/999999/"),  # 404 page
    ]


@pytest.mark.parametrize("language", ["en", "fr-ca"])
def test_every_visible_string_of_the_shell_follows_the_language_switch(
    language, shell_pages, client_of, client
):
    for user, url in shell_pages:
        browser = client_of(user) if user else client
        switched = browser.post(reverse("set_language"), {"language": language, "next": url})
        assert switched.status_code == 302
        response = browser.get(url)
        page = visible_strings(response.content.decode())
        assert page.lang == language, url
        own, foreign = own_and_foreign_strings(language)
        assert page.strings & own, f"{url} shows no string of the {language} catalogue"
        leftovers = page.strings & foreign
        assert leftovers == set(), f"{url} in {language} shows {sorted(leftovers)}"


def test_french_is_the_default_whatever_the_browser_asks(client, db):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert visible_strings(response.content.decode()).lang == "fr-ca"
    assert "Se connecter" in response.content.decode()
