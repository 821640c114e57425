"""The directory search: what a person typing in the box, or choosing filters, gets back."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from ancrage.directory import search
from ancrage.directory.content import service_content
from ancrage.directory.models import ServiceEmbedding
from ancrage.directory.services import service_publish_content
from tests.factories import OrganizationFactory, SiteFactory, borough, published_service

pytestmark = pytest.mark.django_db

MONTREAL = ZoneInfo("America/Toronto")


@pytest.fixture(autouse=True)
def _english():
    """Reasons are read in English here (the interface's source language)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test sees an index of its own data only."""
    search.forget_index()
    yield
    search.forget_index()


def names(page: search.SearchPage) -> list[str]:
    from ancrage.directory.models import Service

    by_id = {s.pk: s.names.get("fr") or s.names.get("en") for s in Service.objects.all()}
    return [by_id[hit.service_id] for hit in page.hits]


def service(name_fr: str, name_en: str = "", *, org=None, **content):
    names_ = {"fr": name_fr, **({"en": name_en} if name_en else {})}
    return published_service(org, names=names_, **content)


def food_bank(org=None, **content):
    return service(
        "Banque alimentaire du quartier",
        "Neighbourhood food bank",
        org=org,
        descriptions={
            "fr": "Un panier d'épicerie gratuit chaque semaine pour les familles à faible revenu.",
            "en": "A free grocery basket every week for low-income families.",
        },
        needs=["food-security"],
        **content,
    )


def housing(org=None, **content):
    return service(
        "Aide à la recherche de logement",
        "Help finding housing",
        org=org,
        **content,
    )


# --- Words: names, codes, needs, organizations, in any language, accents and case folded ------


@pytest.mark.parametrize("typed", ["logement", "LOGEMENT", "Logements", "recherche logement"])
def test_a_word_of_the_name_finds_the_service_whatever_the_case_or_plural(typed):
    housing()
    food_bank()
    page = search.search(query=typed)
    assert names(page)[0] == "Aide à la recherche de logement"
    assert any("name contains" in reason for reason in page.hits[0].reasons)


def test_accents_do_not_matter():
    service("Préparation à l'examen de citoyenneté", "Citizenship test preparation")
    food_bank()
    assert names(search.search(query="citoyennete"))[0] == "Préparation à l'examen de citoyenneté"
    assert names(search.search(query="CITOYENNETÉ"))[0] == "Préparation à l'examen de citoyenneté"


def test_a_code_matches_however_it_is_typed():
    housing(alternate_name="PASI-2026")
    food_bank(alternate_name="BA-7")
    for typed in ("PASI-2026", "pasi 2026", "pasi2026"):
        page = search.search(query=typed)
        assert names(page)[0] == "Aide à la recherche de logement", typed
        assert page.hits[0].reasons[0].startswith("code")


def test_a_need_named_in_another_language_finds_its_services():
    housing()
    food_bank()
    for typed in ("vivienda", "السكن", "житло"):  # Spanish, Arabic, Ukrainian names of "Housing"
        page = search.search(query=typed)
        assert names(page)[:1] == ["Aide à la recherche de logement"], typed
        assert "need: Housing" in page.hits[0].reasons


def test_the_organization_name_finds_its_services():
    org = OrganizationFactory(name="Carrefour Solidarité Anjou")
    housing(org=org)
    food_bank()
    page = search.search(query="carrefour solidarite")
    assert names(page)[0] == "Aide à la recherche de logement"
    assert "organization: Carrefour Solidarité Anjou" in page.hits[0].reasons


def test_meaning_finds_a_service_that_shares_no_word_with_the_query():
    food_bank()
    housing()
    search.index_build()
    page = search.search(query="groceries for my family")
    assert names(page)[0] == "Banque alimentaire du quartier"
    assert "close in meaning to your search" in page.hits[0].reasons


def test_a_query_that_matches_nothing_says_so():
    housing()
    search.index_build()
    page = search.search(query="zzqx vrrk")
    assert page.total == 0 and page.hits == []


def test_without_a_query_every_public_service_is_listed_by_name():
    food_bank()
    housing()
    service("Café-emploi", "Job Café")
    with translation.override("fr-ca"):
        assert names(search.search()) == [
            "Aide à la recherche de logement",
            "Banque alimentaire du quartier",
            "Café-emploi",
        ]
    with translation.override("en"):
        assert names(search.search()) == [
            "Aide à la recherche de logement",  # "Help finding housing"
            "Café-emploi",  # "Job Café"
            "Banque alimentaire du quartier",  # "Neighbourhood food bank"
        ]


def test_only_published_services_that_are_not_discontinued_are_found():
    housing()
    hidden = housing(status="defunct")
    draft = housing()
    draft.is_published = False
    draft.save()
    page = search.search(query="logement")
    assert page.total == 1
    assert hidden.pk not in {hit.service_id for hit in page.hits}


# --- Filters -------------------------------------------------------------------------------------


def test_borough_filter_uses_the_places_where_the_service_is_given():
    org = OrganizationFactory()
    verdun = SiteFactory(organization=org, borough=borough("verdun"))
    anjou = SiteFactory(organization=org, borough=borough("anjou"))
    housing(org=org, locations=[{"site": str(verdun.hsds_id)}, {"site": str(anjou.hsds_id)}])
    food_bank(org=org, locations=[{"site": str(anjou.hsds_id)}])
    page = search.search(filters=search.Filters(borough="verdun"))
    assert names(page) == ["Aide à la recherche de logement"]
    assert "in Verdun" in page.hits[0].reasons
    assert page.total == 1
    assert search.search(filters=search.Filters(borough="anjou")).total == 2
    assert search.search(filters=search.Filters(borough="lachine")).total == 0


def test_need_language_audience_and_free_filters_combine():
    housing(languages=["fr", "ar"], audiences=["families"])
    food_bank(languages=["fr", "es"], audiences=["families"], is_free=False)
    service("Café-emploi", "Job Café", needs=["employment"], languages=["fr", "ar"])

    def found(**filters):
        return names(search.search(filters=search.Filters(**filters)))

    assert found(language="ar") == ["Aide à la recherche de logement", "Café-emploi"]
    assert found(language="ar", need="housing") == ["Aide à la recherche de logement"]
    assert found(audience="families") == [
        "Aide à la recherche de logement",
        "Banque alimentaire du quartier",
    ]
    assert found(audience="families", free=True) == ["Aide à la recherche de logement"]
    page = search.search(query="logement", filters=search.Filters(language="ar"))
    assert "given in Arabic" in page.hits[0].reasons


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MONTREAL)


MONDAY = date(2026, 3, 2)  # also the first Monday of March
SECOND_TUESDAY = date(2026, 3, 10)


def test_open_now_reads_the_weekly_hours_in_montreal_time():
    housing(
        schedules=[{"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}]
    )

    def open_at(moment):
        return search.search(filters=search.Filters(open_now=True), now=moment).total == 1

    assert open_at(_at(MONDAY, 9))
    assert open_at(_at(MONDAY, 16, 59))
    assert not open_at(_at(MONDAY, 17))
    assert not open_at(_at(MONDAY, 8, 59))
    assert not open_at(_at(MONDAY + timedelta(days=1), 10))  # Tuesday
    # 15:00 in Montréal is 20:00 UTC in March: the time is read in Montréal.
    assert open_at(datetime(2026, 3, 2, 20, 0, tzinfo=ZoneInfo("UTC")))
    assert not open_at(datetime(2026, 3, 2, 23, 0, tzinfo=ZoneInfo("UTC")))


def test_open_now_knows_monthly_days_seasons_and_every_other_week():
    food_bank(
        schedules=[{"freq": "MONTHLY", "byday": "2TU", "opens_at": "13:00", "closes_at": "15:00"}]
    )
    housing(
        schedules=[
            {
                "freq": "WEEKLY",
                "byday": "MO",
                "interval": 2,
                "opens_at": "09:00",
                "closes_at": "12:00",
                "valid_from": "2026-03-02",
                "valid_to": "2026-04-30",
            }
        ]
    )

    def open_at(moment):
        return names(search.search(filters=search.Filters(open_now=True), now=moment))

    assert open_at(_at(SECOND_TUESDAY, 14)) == ["Banque alimentaire du quartier"]
    assert open_at(_at(SECOND_TUESDAY - timedelta(days=7), 14)) == []  # first Tuesday
    assert open_at(_at(MONDAY, 10)) == ["Aide à la recherche de logement"]
    assert open_at(_at(MONDAY + timedelta(days=7), 10)) == []  # the week off
    assert open_at(_at(MONDAY + timedelta(days=14), 10)) == ["Aide à la recherche de logement"]
    assert open_at(_at(date(2026, 5, 11), 10)) == []  # the season is over
    assert open_at(_at(date(2026, 2, 16), 10)) == []  # not begun


def test_last_weekday_of_the_month():
    housing(
        schedules=[{"freq": "MONTHLY", "byday": "-1FR", "opens_at": "18:00", "closes_at": "21:00"}]
    )
    filters = search.Filters(open_now=True)
    assert search.search(filters=filters, now=_at(date(2026, 3, 27), 19)).total == 1
    assert search.search(filters=filters, now=_at(date(2026, 3, 20), 19)).total == 0


# --- Pages ---------------------------------------------------------------------------------------


def test_pages_are_clamped_to_what_exists():
    org = OrganizationFactory()
    for i in range(7):
        service(f"Atelier {i}", org=org)
    page = search.search(per_page=3, page=3)
    assert (page.total, page.num_pages, page.number, len(page.hits)) == (7, 3, 3, 1)
    assert search.search(per_page=3, page=99).number == 3
    assert search.search(per_page=3, page=-1).number == 1
    assert search.search(per_page=100_000).per_page == search.PER_PAGE_MAX


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2", 2), ("-1", 1), ("abc", 1), ("", 1), (None, 1), ("9" * 40, 10**6), (" 3 ", 3)],
)
def test_page_numbers_from_the_address(raw, expected):
    assert search.page_number(raw) == expected


def test_long_queries_are_cut_and_odd_characters_are_harmless():
    long = search.parse_query("logement " * 2000)
    assert long.truncated and len(long.text) <= search.QUERY_MAX_CHARS
    assert search.parse_query("😀🏠").terms == {}
    assert search.parse_query("la maison de l'emploi").terms == {
        "maison": "maison",
        "emploi": "emploi",
    }
    assert search.parse_query("a\x00b").text == "ab"
    housing()
    for odd in ("😀🏠", "' OR 1=1 --", "<script>alert(1)</script>", "سكن للعائلات", "%_\\"):
        search.search(query=odd)  # answers, whatever it finds


# --- The index: incremental builds, and the request cache --------------------------------------


def test_index_build_encodes_only_new_or_changed_texts():
    first = housing()
    second = food_bank()
    report = search.index_build()
    assert (report.services, report.encoded, report.unchanged) == (2, 2, 0)
    assert ServiceEmbedding.objects.count() == 2

    assert search.index_build().encoded == 0

    content = service_content(second)
    content["descriptions"] = {**content["descriptions"], "fr": "Des repas chauds le midi."}
    service_publish_content(service=second, content=content, actor=None)
    report = search.index_build()
    assert (report.encoded, report.unchanged, report.removed) == (1, 1, 1)

    first.status = "defunct"
    first.save()
    report = search.index_build()
    assert (report.services, report.encoded, report.removed) == (1, 0, 1)
    assert list(ServiceEmbedding.objects.values_list("service_id", flat=True)) == [second.pk]

    assert search.index_build(rebuild=True).encoded == 1


def test_one_vector_per_service_in_its_best_language():
    french_and_english = housing()
    english_only = service("", "Board game nights", descriptions={"en": "Games from the world."})
    search.index_build()
    languages = dict(ServiceEmbedding.objects.values_list("service_id", "language"))
    assert languages == {french_and_english.pk: "fr", english_only.pk: "en"}


def test_the_request_cache_follows_publications_without_a_rebuild():
    housing()
    search.index_build()
    assert search.search(query="groceries for my family").total == 0
    food_bank()  # published after the build: encoded on the fly, in memory
    page = search.search(query="groceries for my family")
    assert names(page) == ["Banque alimentaire du quartier"]
    assert ServiceEmbedding.objects.count() == 1


def test_index_text_prefers_french_and_keeps_the_first_sentences():
    language, text = search.index_text(
        {"fr": "Jardin collectif", "en": "Community garden"},
        {"fr": "Cultiver des légumes ensemble. " * 30, "en": "Grow vegetables together."},
    )
    assert language == "fr"
    assert text.startswith("Jardin collectif. Cultiver des légumes ensemble.")
    assert len(text) <= search.INDEX_TEXT_MAX_CHARS
    assert search.index_text({"en": "Chess club"}, {}) == ("en", "Chess club")


def test_parallel_encoding_gives_the_same_vectors():
    texts = [f"Atelier de conversation numéro {i}" for i in range(40)]
    single = search.encode(texts)
    parallel = search.encode_many(texts, workers=2, parallel_from=10)
    assert parallel.shape == (40, search.VECTOR_DIM)
    assert abs(single - parallel).max() < 1e-5


def test_a_large_index_is_reloaded_in_the_background(monkeypatch):
    housing()
    search.index_build()
    monkeypatch.setattr(search, "RELOAD_IN_BACKGROUND_FROM", 1)
    started = []
    # The thread itself would read the database on a connection of its own, outside the test's
    # transaction: here its work (`_reload`) runs in the test's thread instead.
    monkeypatch.setattr(search, "_reload_in_background", lambda: started.append(True))
    before = search.current_index()
    assert len(before) == 1 and not started
    food_bank()
    assert search.current_index() is before and started  # answers at once with what it has
    search._reload()
    after = search.current_index()
    assert len(after) == 2
    assert names(search.search(query="groceries for my family")) == [
        "Banque alimentaire du quartier"
    ]


def test_the_directory_index_command_encodes_only_what_changed():
    from io import StringIO

    from django.core.management import CommandError, call_command

    housing()
    food_bank()
    out = StringIO()
    call_command("directory-index", "--workers", "1", stdout=out)
    assert "2 services, 2 texts encoded" in out.getvalue()
    out = StringIO()
    call_command("directory-index", stdout=out)
    assert "2 services, 0 texts encoded" in out.getvalue()
    out = StringIO()
    call_command("directory-index", "--rebuild", stdout=out)
    assert "2 texts encoded" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("directory-index", "--workers", "0")
