"""The public calendar at /activities/: filters, public activities only, bad input never a 500."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ancrage.activities import services
from ancrage.activities.models import Activity, ActivityType
from ancrage.core.models import Audience, Borough, Language
from tests import factories

URL = "/activities/"


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A local time, `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_activity(
    organization,
    *,
    title_fr: str = "Café-emploi du mardi",
    title_en: str = "Tuesday Job Café",
    borough: str = "lasalle",
    site=None,
    type_code: str = "job-cafe",
    languages=("fr",),
    audiences=(),
    is_public: bool = True,
    format: str = Activity.Format.DROP_IN,
    capacity: int | None = None,
    officer=None,
    venue_name: str = "Laverie du coin",
    venue_address: str = "123 rue Centrale",
) -> Activity:
    return services.activity_create(
        actor=None,
        organization=organization,
        title={"fr": title_fr, "en": title_en},
        activity_type=ActivityType.objects.get(code=type_code),
        category=Activity.Category.MIXED,
        venue_kind=Activity.VenueKind.LIBRARY if site else Activity.VenueKind.LAUNDROMAT,
        format=format,
        capacity=capacity,
        site=site,
        venue_name="" if site else venue_name,
        venue_address="" if site else venue_address,
        borough=None if site else Borough.objects.get(code=borough),
        languages=Language.objects.filter(code__in=languages),
        audiences=Audience.objects.filter(code__in=audiences),
        officer=officer,
        is_public=is_public,
    )


def schedule(activity: Activity, days: int = 1, hour: int = 10, hours: int = 2):
    start = at(days, hour)
    return services.session_schedule(
        actor=None, activity=activity, starts_at=start, ends_at=start + timedelta(hours=hours)
    )


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def calendar_data(db, org_a, org_b):
    """Two public activities in two boroughs, languages, audiences and types; one private."""
    officer = factories.UserFactory(first_name="Ophélie", last_name="Agente-Secrète")
    library = factories.SiteFactory(
        organization=org_a,
        name="Bibliothèque Saul-Bellow",
        street_address="3100 rue Saint-Antoine",
        borough=factories.borough("lachine"),
    )
    job = make_activity(
        org_a,
        title_fr="Café-emploi à Lachine",
        title_en="Job Café in Lachine",
        site=library,
        languages=("fr", "en"),
        audiences=("newcomers",),
        officer=officer,
        format=Activity.Format.REGISTRATION,
        capacity=12,
    )
    chat = make_activity(
        org_b,
        title_fr="Café-jasette à la laverie",
        title_en="Coffee and Chat at the laundromat",
        borough="lasalle",
        type_code="coffee-and-chat",
        languages=("es",),
        audiences=("women",),
    )
    private = make_activity(
        org_a,
        title_fr="Comité interne secret",
        title_en="Secret internal committee",
        borough="lasalle",
        is_public=False,
    )
    return {
        "job": job,
        "chat": chat,
        "private": private,
        "library": library,
        "officer": officer,
        "job_session": schedule(job, 1),
        "chat_session": schedule(chat, 2),
        "private_session": schedule(private, 1),
        "far_session": schedule(chat, 45),
    }


def titles(response) -> set[str]:
    content = response.content.decode()
    candidates = [
        "Café-emploi à Lachine",
        "Café-jasette à la laverie",
        "Comité interne secret",
        "Job Café in Lachine",
        "Coffee and Chat at the laundromat",
    ]
    return {title for title in candidates if title in content}


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_anonymous_sees_upcoming_public_sessions_in_french(client, calendar_data):
    response = get(client)
    assert titles(response) == {"Café-emploi à Lachine", "Café-jasette à la laverie"}
    content = response.content.decode()
    assert "Bibliothèque Saul-Bellow" in content and "3100 rue Saint-Antoine" in content
    assert "Laverie du coin" in content and "123 rue Centrale" in content
    assert "Organisme A" in content and "Organisme B" in content
    assert response.context["page"].paginator.count == 2  # the 45-day session is out of range


def test_no_personal_data_and_no_private_activity(client, calendar_data):
    content = get(client).content.decode()
    assert "Agente-Secrète" not in content and "Ophélie" not in content
    assert "Comité interne secret" not in content
    # Not even when asking for that activity's organization.
    content = get(client, organization=calendar_data["private"].organization_id).content.decode()
    assert "Comité interne secret" not in content


def test_private_activities_never_listed_whatever_the_filters(client, calendar_data):
    for params in (
        {"borough": Borough.objects.get(code="lasalle").pk},
        {"language": Language.objects.get(code="fr").pk},
        {"date_to": (timezone.localdate() + timedelta(days=366)).isoformat()},
    ):
        assert "Comité interne secret" not in get(client, **params).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda d: {"borough": Borough.objects.get(code="lachine").pk}, {"job"}),
        (lambda d: {"borough": Borough.objects.get(code="lasalle").pk}, {"chat"}),
        (lambda d: {"borough": Borough.objects.get(code="anjou").pk}, set()),
        (lambda d: {"language": Language.objects.get(code="es").pk}, {"chat"}),
        (lambda d: {"language": Language.objects.get(code="en").pk}, {"job"}),
        (lambda d: {"audience": Audience.objects.get(code="women").pk}, {"chat"}),
        (lambda d: {"audience": Audience.objects.get(code="newcomers").pk}, {"job"}),
        (
            lambda d: {"activity_type": ActivityType.objects.get(code="coffee-and-chat").pk},
            {"chat"},
        ),
        (lambda d: {"organization": d["job"].organization_id}, {"job"}),
        (lambda d: {"site": d["library"].pk}, {"job"}),
        (
            lambda d: {
                "date_from": (timezone.localdate() + timedelta(days=2)).isoformat(),
                "date_to": (timezone.localdate() + timedelta(days=2)).isoformat(),
            },
            {"chat"},
        ),
        (
            lambda d: {
                "date_from": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "date_to": (timezone.localdate() + timedelta(days=1)).isoformat(),
            },
            {"job"},
        ),
        (
            lambda d: {"date_to": (timezone.localdate() + timedelta(days=60)).isoformat()},
            {"job", "chat", "far"},
        ),
    ],
)
def test_each_filter_narrows(client, calendar_data, params, expected):
    response = get(client, **params(calendar_data))
    assert response.context["valid"]
    shown = {entry.pk for _day, entries in response.context["days"] for entry in entries}
    wanted = {calendar_data[f"{name}_session"].pk for name in expected}
    assert shown == wanted


def test_sessions_grouped_by_day_with_headings(client, calendar_data):
    response = get(client)
    days = response.context["days"]
    assert [day for day, _entries in days] == [
        timezone.localdate() + timedelta(days=1),
        timezone.localdate() + timedelta(days=2),
    ]
    content = response.content.decode()
    assert content.count('<h2 id="day-') == 2
    assert "<h3>" in content


def test_cancelled_session_shown_as_cancelled(client, calendar_data):
    services.session_cancel(actor=None, session=calendar_data["chat_session"])
    content = get(client).content.decode()
    assert '<s><span lang="fr">Café-jasette à la laverie</span></s>' in content
    assert "Annulée" in content or "Cancelled" in content


def test_past_sessions_not_listed(client, calendar_data):
    start = timezone.now() - timedelta(days=1)
    services.session_schedule(
        actor=None,
        activity=calendar_data["job"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    assert get(client).context["page"].paginator.count == 2


def test_registration_shows_capacity_and_format(client, calendar_data):
    content = english_client().get(URL).content.decode()
    assert "Registration required" in content and "12 places" in content
    assert "Drop-in, come and go" in content


def test_english_switch_shows_english_titles(calendar_data):
    response = english_client().get(URL)
    assert response.status_code == 200
    assert titles(response) == {"Job Café in Lachine", "Coffee and Chat at the laundromat"}
    assert '<span lang="en">Job Café in Lachine</span>' in response.content.decode()


def test_subscribe_links_when_filtered_by_organization_or_site(client, calendar_data):
    assert "calendar.ics" not in get(client).content.decode()
    org = calendar_data["job"].organization_id
    content = get(client, organization=org).content.decode()
    assert reverse("activities:organization_feed", kwargs={"organization_pk": org}) in content
    site = calendar_data["library"].pk
    content = get(client, site=site).content.decode()
    assert reverse("activities:site_feed", kwargs={"site_pk": site}) in content


def test_pagination_by_fifty(client, calendar_data):
    for hour in range(8, 20):
        for day in range(3, 8):
            schedule(calendar_data["chat"], day, hour, hours=1)
    first = get(client)
    assert first.context["page"].paginator.count == 62
    assert len(first.context["page"].object_list) == 50
    second = get(client, page=2)
    assert len(second.context["page"].object_list) == 12
    assert 'rel="next"' in first.content.decode()


LONG = "x" * 10_000


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"per_page": "100000000"},
        {"borough": LONG},
        {"borough": "999999999"},
        {"borough": "99999999999999999999999999"},
        {"borough": "-3"},
        {"language": LONG},
        {"audience": "0"},
        {"activity_type": "1.5"},
        {"organization": "123456789"},
        {"site": LONG},
        {"date_from": LONG},
        {"date_from": "22/11/2026"},
        {"date_to": "2026-13-45"},
        {"date_from": "9999-12-31"},
        {"q": LONG},
        {"borough": "<script>alert(1)</script>"},
    ],
)
def test_bad_input_is_a_normal_page(client, calendar_data, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert b"<script>alert" not in response.content


@pytest.mark.parametrize(
    "params",
    [
        {"borough": LONG},
        {"organization": "123456789"},
        {"date_from": "22/11/2026"},
        {"language": "<script>alert(1)</script>"},
    ],
)
def test_bad_filter_shows_the_error(client, calendar_data, params):
    response = get(client, **params)
    assert not response.context["valid"]
    content = response.content.decode()
    assert 'role="alert"' in content and "errorlist" in content
    assert "Café-emploi à Lachine" not in content


def test_reversed_or_too_long_range_shows_the_error(client, calendar_data):
    today = timezone.localdate()
    for start, end in (
        (today + timedelta(days=10), today + timedelta(days=2)),
        (today, today + timedelta(days=400)),
    ):
        response = get(client, date_from=start.isoformat(), date_to=end.isoformat())
        assert not response.context["valid"]
        assert 'id="form-errors"' in response.content.decode()
    response = get(client, date_to=(today + timedelta(days=367)).isoformat())
    assert not response.context["valid"]


def test_past_start_date_refused(client, calendar_data):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = get(client, date_from=yesterday.isoformat())
    assert not response.context["valid"]


def test_script_in_titles_is_escaped(client, org_a):
    activity = make_activity(org_a, title_fr="<script>alert('x')</script>", title_en="<b>x</b>")
    schedule(activity, 1)
    content = get(client).content.decode()
    assert "<script>alert(" not in content
    assert "&lt;script&gt;alert(" in content


def test_post_not_allowed(client, db):
    assert client.post(URL).status_code == 405


def test_query_count_does_not_grow_with_sessions(
    client, calendar_data, django_assert_max_num_queries
):
    for day in range(3, 20):
        schedule(calendar_data["job"], day)
        schedule(calendar_data["chat"], day, 14)
    with django_assert_max_num_queries(20):
        get(client)


def test_times_in_the_reader_s_language(client, calendar_data):
    french = get(client).content.decode()
    assert ">10\xa0h\xa000</time> – <time" in french and ">12\xa0h\xa000</time>" in french
    english = english_client().get(URL).content.decode()
    assert ">10 a.m.</time> – <time" in english and ">noon</time>" in english
