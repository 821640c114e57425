"""The respondent's pages through the test client: language first, the questions in that
language (right to left in Arabic), skip logic and required questions on the server, closed and
not-yet-open surveys, the rate limit, the kiosk that starts over, bad input."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ancrage.surveys import logic
from ancrage.surveys.models import Answer, SurveyResponse
from tests.core.test_i18n import visible_strings
from tests.surveys.conftest import SATISFIED, open_survey

pytestmark = pytest.mark.django_db

FIELD = re.compile(r'name="q-([a-z0-9_]+)"')
STEP = re.compile(r'name="step" value="(\d+)"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def questions_url(survey, language, kiosk=False):
    name = "surveys:kiosk_questions" if kiosk else "surveys:answer_questions"
    return reverse(name, args=[survey.token, language])


def form_of(answers: dict, names: list[str]) -> dict:
    data = {}
    for name in names:
        if name in answers:
            value = answers[name]
            data[f"q-{name}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def answer_all(client, survey, answers, language="fr", kiosk=False):
    """Answer step by step as a person would; returns (last response, names asked in order)."""
    url = questions_url(survey, language, kiosk)
    page = client.get(url)
    asked: list[str] = []
    for _step in range(20):
        html = page.content.decode()
        names = list(dict.fromkeys(FIELD.findall(html)))
        asked += names
        step = STEP.search(html).group(1)
        page = client.post(url, {"step": step, "action": "next", **form_of(answers, names)})
        if page.status_code != 200:
            return page, asked
    raise AssertionError("never ended")


def test_language_choice_lists_each_language_in_its_own_name(survey, client):
    page = client.get(reverse("surveys:answer", args=[survey.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert visible_strings(html).lang == "fr-ca"
    for code, name in [
        ("ar", "العربية"),
        ("es", "Español"),
        ("zh-hans", "简体中文"),
        ("uk", "Українська"),
    ]:
        assert f'lang="{code}"' in html and name in html
    assert 'lang="ar" hreflang="ar" dir="rtl"' in html
    assert "no-store" in page["Cache-Control"]
    assert client.get(reverse("surveys:answer", args=["nope" * 3])).status_code == 404


def test_french_from_start_to_thanks(survey, client):
    done, asked = answer_all(client, survey, SATISFIED)
    assert done.status_code == 302
    assert done["Location"] == reverse("surveys:answer_thanks", args=[survey.token, "fr"])
    response = SurveyResponse.objects.get()
    assert (response.language, response.channel, response.client) == ("fr", "link", None)
    assert "language_wanted" not in asked  # language_ok = yes
    thanks = client.get(done["Location"])
    assert survey.questionnaire.thanks["fr"] in thanks.content.decode()
    assert visible_strings(thanks.content.decode()).lang == "fr-ca"
    # Nothing of the answers is left in the session.
    assert not any(key.startswith("surveys:") for key, _value in client.session.items())


def test_arabic_is_right_to_left_and_in_arabic(survey, client):
    page = client.get(questions_url(survey, "ar"))
    html = page.content.decode()
    assert visible_strings(html).lang == "ar"
    assert '<html lang="ar" dir="rtl">' in html
    assert survey.questionnaire.questions.get(name="welcome").texts["ar"] in html
    assert "Le personnel" not in html
    done, _asked = answer_all(client, survey, SATISFIED, language="ar")
    assert done.status_code == 302
    assert SurveyResponse.objects.get().language == "ar"


def test_spanish_with_the_skip_rule_taken(survey, client):
    answers = {**SATISFIED, "language_ok": "partly", "language_wanted": "Quechua"}
    page = client.get(questions_url(survey, "es"))
    html = page.content.decode()
    assert '<html lang="es" dir="ltr">' in html
    assert "¿Qué servicio usó hoy?" in html
    done, asked = answer_all(client, survey, answers, language="es")
    assert done.status_code == 302
    assert asked.index("language_wanted") > asked.index("language_ok")
    stored = Answer.objects.get(question__name="language_wanted")
    assert stored.text == "Quechua" and stored.response.language == "es"
    assert Answer.objects.filter(question__name="heard_from").count() == 2


def test_required_question_left_empty_is_asked_again_in_the_persons_language(survey, client):
    url = questions_url(survey, "es")
    page = client.post(url, {"step": "0", "action": "next", "q-service_used": "job"})
    assert page.status_code == 400
    html = page.content.decode()
    with translation.override("es"):
        message = logic.required_message()
    assert message in html
    assert 'id="q-welcome-error"' in html and 'role="alert"' in html
    assert 'value="job" checked' in html  # what was chosen is kept
    assert SurveyResponse.objects.count() == 0


def test_forged_values_are_refused(survey, client):
    url = questions_url(survey, "fr")
    for data in (
        {"q-service_used": "<script>", "q-welcome": "5"},
        {"q-service_used": "job", "q-welcome": "99"},
        {"q-service_used": "job", "q-welcome": "5", "step": "999"},
        {"q-service_used": "job", "q-welcome": "5", "step": "-1"},
    ):
        page = client.post(url, {"step": "0", "action": "next", **data})
        assert page.status_code in (302, 400)
    assert SurveyResponse.objects.count() == 0


def test_html_is_kept_as_text_and_never_rendered(survey, client):
    script = "<script>alert('x')</script><b>gras</b>"
    done, _asked = answer_all(client, survey, {**SATISFIED, "improve": script})
    assert done.status_code == 302
    assert Answer.objects.get(question__name="improve").text == script
    # Shown again (a required question left empty on the same page): escaped.
    url = questions_url(survey, "fr")
    steps = logic.pages(list(survey.questionnaire.questions.order_by("position")))
    page = client.post(url, {"step": str(len(steps) - 1), "action": "next", "q-improve": script})
    assert page.status_code == 400
    html = page.content.decode()
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;gras&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>gras" not in html


def test_a_ten_kilobyte_text_is_refused_clearly_and_kept_cut(survey, client):
    url = questions_url(survey, "fr")
    steps = logic.pages(list(survey.questionnaire.questions.order_by("position")))
    last = len(steps) - 1
    page = client.post(url, {"step": str(last), "action": "next", "q-improve": "é" * 10_000})
    assert page.status_code == 400
    html = page.content.decode()
    assert "10000" in html and "4000" in html
    assert "é" * 4000 + "</textarea>" in html
    assert 'maxlength="4000"' in html
    assert SurveyResponse.objects.count() == 0


def test_previous_goes_back_with_the_answers_given(survey, client):
    url = questions_url(survey, "fr")
    client.get(url)
    page = client.post(
        url,
        {
            "step": "0",
            "action": "next",
            **form_of(SATISFIED, ["service_used", "welcome", "understood", "language_ok"]),
        },
    )
    assert page.status_code == 200 and 'name="step" value="0"' not in page.content.decode()
    back = client.post(url, {"step": STEP.search(page.content.decode()).group(1), "action": "back"})
    html = back.content.decode()
    assert 'name="step" value="0"' in html and 'value="housing" checked' in html


@pytest.mark.parametrize(
    "opens, closes, status, words",
    [(1, 9, 403, "opens_at"), (-9, -1, 410, "closed")],
)
def test_closed_or_not_yet_open_survey_says_so_and_stores_nothing(
    own_questionnaire, client, opens, closes, status, words
):
    now = timezone.now()
    survey = open_survey(
        questionnaire=own_questionnaire,
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
    )
    sessions = Session.objects.count()
    for url in (
        reverse("surveys:answer", args=[survey.token]),
        reverse("surveys:kiosk", args=[survey.token]),
        questions_url(survey, "es"),
    ):
        assert client.get(url).status_code == status
    page = client.post(
        questions_url(survey, "es"), {"step": "0", **form_of(SATISFIED, list(SATISFIED))}
    )
    assert page.status_code == status
    assert '<html lang="es"' in page.content.decode()
    if status == 403:
        assert timezone.localtime(survey.opens_at).strftime("%Y-%m-%d") in page.content.decode()
    assert SurveyResponse.objects.count() == 0 and Session.objects.count() == sessions


def test_rate_limit_stores_nothing_beyond_it(survey, settings):
    settings.SURVEY_SUBMISSIONS_PER_MINUTE = 3
    results = []
    for _person in range(5):
        done, _asked = answer_all(Client(), survey, SATISFIED)
        results.append(done.status_code)
    assert results == [302, 302, 302, 429, 429]
    assert SurveyResponse.objects.count() == 3
    # Another address is not slowed down.
    done, _asked = answer_all(Client(REMOTE_ADDR="203.0.113.9"), survey, SATISFIED)
    assert done.status_code == 302 and SurveyResponse.objects.count() == 4


def test_a_flood_of_posts_gets_429_and_nothing(survey, settings, client):
    settings.SURVEY_SUBMISSIONS_PER_MINUTE = 30
    url = questions_url(survey, "fr")
    statuses = [
        client.post(url, {"step": "0", "action": "next", "q-welcome": "1"}).status_code
        for _n in range(1000)
    ]
    assert statuses.count(429) == 1000 - 150  # five pages a person, thirty people a minute
    page = client.post(url, {"step": "0"})
    assert page.status_code == 429 and page["Retry-After"] == "60"
    assert SurveyResponse.objects.count() == 0


def test_kiosk_starts_over_with_nothing_of_the_previous_person(survey, client):
    done, _asked = answer_all(
        client, survey, {**SATISFIED, "improve": "Ma voisine Zénaïde"}, kiosk=True
    )
    assert done["Location"] == reverse("surveys:kiosk_thanks", args=[survey.token, "fr"])
    response = SurveyResponse.objects.get()
    assert response.channel == "kiosk"
    thanks = client.get(done["Location"]).content.decode()
    kiosk_home = reverse("surveys:kiosk", args=[survey.token])
    assert f'<meta http-equiv="refresh" content="8;url={kiosk_home}">' in thanks
    assert "Zénaïde" not in thanks and "<script" not in thanks
    # The next person: the language choice, then empty questions.
    assert client.get(kiosk_home).status_code == 200
    page = client.get(questions_url(survey, "fr", kiosk=True)).content.decode()
    assert "checked" not in page and "Zénaïde" not in page
    assert not any(key.startswith("surveys:") for key, _value in client.session.items())


def test_kiosk_left_half_way_forgets_the_answers(survey, client):
    url = questions_url(survey, "fr", kiosk=True)
    client.get(url)
    client.post(
        url, {"step": "0", "action": "next", **form_of(SATISFIED, ["service_used", "welcome"])}
    )
    assert client.get(reverse("surveys:kiosk", args=[survey.token])).status_code == 200
    assert "checked" not in client.get(url).content.decode()
    page = client.get(url).content.decode()
    assert (
        f'<meta http-equiv="refresh" content="900;url={reverse("surveys:kiosk", args=[survey.token])}">'
        in page
    )


def test_unknown_or_incomplete_language_goes_back_to_the_choice(survey, client):
    choose = reverse("surveys:answer", args=[survey.token])
    for language in ("xx", "de"):
        page = client.get(questions_url(survey, language))
        assert page.status_code == 302 and page["Location"] == choose
