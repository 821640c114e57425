"""Results of a survey: counts per answer, language and period through `suppress`, charts,
figures that follow their counts, free text for the director and coordinators only, access."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.surveys import results
from ancrage.surveys.actions import action_create
from ancrage.surveys.models import (
    Answer,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    Survey,
    SurveyResponse,
)
from tests import factories

pytestmark = pytest.mark.django_db

MONTREAL = ZoneInfo("America/Toronto")
SCRIPT = "<script>alert('x')</script>"


# --- Building a survey and its answers (used by the other test files too) ----------------------


def make_survey(organization, *, threshold: int = 5, code: str = "satisfaction") -> Survey:
    """A questionnaire of every kind of question, asked by `organization`."""
    questionnaire = Questionnaire.objects.create(
        organization=organization,
        code=code,
        titles={"fr": "Satisfaction", "en": "Satisfaction"},
        languages=["fr", "en", "es", "ar"],
    )

    def question(position, name, kind, fr, en, **extra):
        return Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            name=name,
            kind=kind,
            texts={"fr": fr, "en": en, "es": f"{en} (es)", "ar": f"{en} (ar)"},
            **extra,
        )

    welcome = question(1, "welcome", QuestionKind.SINGLE, "Accueil ?", "How were you welcomed?")
    for position, (value, fr, en) in enumerate(
        [("good", "Bien", "Well"), ("fair", "Moyen", "Fairly"), ("bad", "Mal", "Badly")]
    ):
        Choice.objects.create(
            question=welcome, position=position, value=value, labels={"fr": fr, "en": en}
        )
    topics = question(2, "topics", QuestionKind.MULTIPLE, "Sujets ?", "Which topics?")
    for position, (value, fr, en) in enumerate(
        [("housing", "Logement", "Housing"), ("work", "Emploi", "Work")]
    ):
        Choice.objects.create(
            question=topics, position=position, value=value, labels={"fr": fr, "en": en}
        )
    question(3, "clear", QuestionKind.LIKERT, "C'était clair.", "It was clear.")
    question(4, "recommend", QuestionKind.RECOMMEND, "Recommanderiez-vous ?", "Recommend us?")
    question(5, "visits", QuestionKind.NUMBER, "Combien de visites ?", "How many visits?")
    question(6, "comment", QuestionKind.TEXT, "Commentaire", "Comment")
    return Survey.objects.create(
        organization=organization,
        questionnaire=questionnaire,
        names={"fr": "Sondage d'automne", "en": "Fall survey"},
        token=f"token-{organization.pk}-{code}",
        opens_at=datetime(2026, 1, 1, tzinfo=MONTREAL),
        small_cell_threshold=threshold,
    )


def respond(
    survey: Survey,
    *,
    language: str = "fr",
    on: date = date(2026, 3, 10),
    times: int = 1,
    **answers,
) -> list[SurveyResponse]:
    """`times` responses in `language` on a day; answers by question name: a choice value (or a
    list of them), a number, or a text."""
    questions = {q.name: q for q in survey.questionnaire.questions.all()}
    made = []
    for _ in range(times):
        response = SurveyResponse.objects.create(survey=survey, language=language)
        SurveyResponse.objects.filter(pk=response.pk).update(
            submitted_at=datetime(on.year, on.month, on.day, 12, tzinfo=MONTREAL)
        )
        for name, value in answers.items():
            question = questions[name]
            if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                for one in value if isinstance(value, list) else [value]:
                    Answer.objects.create(
                        response=response,
                        question=question,
                        choice=question.choices.get(value=one),
                    )
            elif question.kind == QuestionKind.TEXT:
                Answer.objects.create(response=response, question=question, text=value)
            else:
                Answer.objects.create(response=response, question=question, number=value)
        made.append(response)
    return made


def question_result(data: results.SurveyResults, name: str) -> results.QuestionResult:
    return next(item for item in data.questions if item.question.name == name)


@pytest.fixture
def survey(org_a):
    return make_survey(org_a)


@pytest.fixture
def coordinator_a(org_a):
    return factories.member(org_a, Role.COORDINATOR)


@pytest.fixture
def worker_a(org_a):
    """Manages surveys, does not read free text."""
    return factories.member(org_a, Role.COMMUNITY_WORKER)


# --- Counts ----------------------------------------------------------------------------------


def test_counts_per_choice_hide_the_small_one_and_enough_others(survey, director_a):
    respond(survey, times=7, welcome="good")
    respond(survey, times=6, welcome="fair")
    respond(survey, times=2, welcome="bad")
    data = results.survey_results(user=director_a, survey=survey)
    table = question_result(data, "welcome").table
    shown = {row.key: row.cells[0] for row in table.rows}
    good, fair, bad = (
        str(survey.questionnaire.questions.get(name="welcome").choices.get(value=v).pk)
        for v in ("good", "fair", "bad")
    )
    assert shown[bad] is None  # 2 < 5
    # With the total shown, the 2 could be worked out: another count is hidden too.
    assert table.total == 15
    assert [shown[good], shown[fair]].count(None) == 1
    assert data.response_count == 15
    assert data.any_hidden


def test_zero_is_shown_and_nothing_is_hidden_when_every_count_is_large(survey, director_a):
    respond(survey, times=5, welcome="good")
    respond(survey, times=5, welcome="fair")
    data = results.survey_results(user=director_a, survey=survey)
    table = question_result(data, "welcome").table
    assert [row.cells[0] for row in table.rows] == [5, 5, 0]
    assert table.total == 10
    assert not data.any_hidden
    bars = question_result(data, "welcome").chart
    assert [bar.length for bar in bars] == [results.CHART_WIDTH, results.CHART_WIDTH, 0]


def test_scale_mean_and_median_only_when_no_count_is_hidden(survey, director_a):
    respond(survey, times=5, clear=5)
    respond(survey, times=5, clear=4)
    data = results.survey_results(user=director_a, survey=survey)
    clear = question_result(data, "clear")
    assert (clear.mean, clear.median) == ("4,5", "4,5")  # said in French, as the page
    assert [row.total for row in clear.table.rows] == [0, 0, 0, 5, 5]
    respond(survey, times=1, clear=1)
    data = results.survey_results(user=director_a, survey=survey)
    clear = question_result(data, "clear")
    assert clear.mean == clear.median == ""
    assert "worked out" in clear.stats_note or "recalcul" in clear.stats_note


def test_recommendation_score_is_promoters_minus_detractors(survey, director_a):
    respond(survey, times=10, recommend=10)
    respond(survey, times=5, recommend=8)
    respond(survey, times=5, recommend=3)
    data = results.survey_results(user=director_a, survey=survey)
    recommend = question_result(data, "recommend")
    assert [row.total for row in recommend.table.rows] == [5, 5, 10]
    assert recommend.score == "+25"  # (10 − 5) / 20
    respond(survey, language="es", times=6, recommend=10)
    respond(survey, language="es", times=2, recommend=0)
    spanish = results.ResultFilters(language="es")
    recommend = question_result(
        results.survey_results(user=director_a, survey=survey, filters=spanish), "recommend"
    )
    assert recommend.table.row("detractors").total is None
    assert recommend.score == ""  # a group is hidden: the score would tell it


def test_multiple_choice_has_no_total_and_says_how_many_answered(survey, director_a):
    respond(survey, times=6, topics=["housing", "work"])
    respond(survey, times=3, topics=["housing"])
    data = results.survey_results(user=director_a, survey=survey)
    topics = question_result(data, "topics")
    assert not topics.table.has_totals
    assert [row.cells[0] for row in topics.table.rows] == [9, 6]
    assert topics.respondents.total == 9


def test_number_mean_and_median_need_enough_answers(survey, director_a):
    respond(survey, times=3, visits=2)
    respond(survey, times=2, visits=10)
    visits = question_result(results.survey_results(user=director_a, survey=survey), "visits")
    assert visits.table.total == 5
    assert (visits.mean, visits.median) == ("5,2", "2")
    respond(survey, times=1, language="es", visits=4)
    visits = question_result(
        results.survey_results(
            user=director_a, survey=survey, filters=results.ResultFilters(language="es")
        ),
        "visits",
    )
    assert visits.table.total is None
    assert visits.mean == ""


# --- Filters and columns -------------------------------------------------------------------------


def test_filter_by_language_and_period(survey, director_a):
    respond(survey, language="ar", times=6, on=date(2026, 3, 5), welcome="good")
    respond(survey, language="es", times=5, on=date(2026, 4, 20), welcome="good")
    respond(survey, language="es", times=5, on=date(2026, 7, 2), welcome="fair")
    arabic = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(language="ar")
    )
    assert arabic.response_count == 6
    april = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(period="2026-04")
    )
    assert april.response_count == 5
    second_quarter = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(period="2026-Q1")
    )
    assert second_quarter.response_count == 6


def test_columns_by_language_suppress_the_whole_table(survey, director_a):
    respond(survey, language="ar", times=6, welcome="good")
    respond(survey, language="es", times=7, welcome="good")
    respond(survey, language="es", times=3, welcome="fair")
    data = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(columns="language")
    )
    table = question_result(data, "welcome").table
    assert [key for key, _label in table.columns] == ["es", "ar"]
    fair = next(row for row in table.rows if row.label == "Moyen")
    assert fair.cells == (None, 0)
    assert fair.total is None  # 3, and the row total would give it back
    # The Spanish total is hidden too, or the good count in Spanish, so that 3 stays hidden.
    good = next(row for row in table.rows if row.label == "Bien")
    assert good.cells[0] is None or table.column_totals[0] is None
    assert data.responses.total == 16


def test_columns_by_month_and_quarter(survey, director_a):
    respond(survey, times=5, on=date(2026, 1, 31), welcome="good")
    respond(survey, times=6, on=date(2026, 2, 1), welcome="good")
    by_month = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(columns="month")
    )
    assert [key for key, _label in by_month.responses.columns] == ["2026-01", "2026-02"]
    by_quarter = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(columns="quarter")
    )
    assert [key for key, _label in by_quarter.responses.columns] == ["2026-Q1"]
    assert by_quarter.responses.column_totals == (11,)


def test_period_keys_are_parsed_strictly():
    assert results.period_bounds("2026-02") == (date(2026, 2, 1), date(2026, 3, 1))
    assert results.period_bounds("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert results.period_bounds("2026-Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    for bad in ["2026-13", "2026-Q5", "26-01", "2026-1", "1900-01", "", "2026-Q0", "x" * 7]:
        with pytest.raises(ValueError):
            results.period_bounds(bad)
    with translation.override("fr-ca"):
        assert results.period_label("2026-Q2") == "T2 2026" or "2026" in results.period_label(
            "2026-Q2"
        )


# --- Free text -------------------------------------------------------------------------------------


def test_free_text_only_for_director_and_coordinator_escaped_and_audited(
    survey, director_a, coordinator_a, worker_a, client_of
):
    respond(survey, times=5, comment=SCRIPT)
    respond(survey, times=1, language="ar", comment="شكرا جزيلا")
    url = reverse("surveys:results", args=[survey.pk])
    for reader in (director_a, coordinator_a):
        before = AuditEvent.objects.filter(action="view", target_id=str(survey.pk)).count()
        page = client_of(reader).get(url)
        html = page.content.decode()
        assert page.status_code == 200
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
        assert 'lang="ar" dir="auto">شكرا جزيلا' in html
        assert AuditEvent.objects.filter(action="view", target_id=str(survey.pk)).count() == (
            before + 1
        )
    page = client_of(worker_a).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "alert" not in html and "شكرا" not in html
    comment = next(q for q in page.context["data"].questions if q.question.name == "comment")
    assert comment.text_count == 6  # how many there are, not what they say
    assert results.free_text_answers(user=worker_a, survey=survey) == {}


# --- The page --------------------------------------------------------------------------------------


def test_page_shows_counts_hidden_as_x_with_the_footnote_and_a_chart(survey, director_a, client_of):
    respond(survey, language="es", times=6, welcome="good")
    respond(survey, language="es", times=5, welcome="fair")
    respond(survey, language="ar", times=2, welcome="bad")
    page = client_of(director_a).get(reverse("surveys:results", args=[survey.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<dd data-figure="responses">13</dd>' in html
    assert ">x</td>" in html
    assert 'id="hidden-note"' in html
    assert 'data-chart="q' in html and "<rect" in html
    assert "style=" not in html and "<script" not in html  # CSP: no inline style or script


def test_page_filters_and_bad_filters(survey, director_a, client_of):
    respond(survey, language="es", times=6, on=date(2026, 5, 3), welcome="good")
    client = client_of(director_a)
    url = reverse("surveys:results", args=[survey.pk])
    page = client.get(url, {"language": "es", "period": "2026-05", "columns": "month"})
    assert page.status_code == 200
    assert page.context["data"].response_count == 6
    assert "period=2026-05" in page.context["query"]
    for bad in (
        {"language": "xx"},
        {"period": "2026-13"},
        {"period": "2031-01"},
        {"columns": "borough"},
        {"language": SCRIPT},
    ):
        page = client.get(url, bad)
        assert page.status_code == 400, bad
        assert page.context["data"] is None
        assert SCRIPT not in page.content.decode()


def test_other_organization_forged_id_and_missing_capability(
    survey, org_b, client_of, director_a, client
):
    director_b = factories.member(org_b, Role.DIRECTOR)
    url = reverse("surveys:results", args=[survey.pk])
    assert client_of(director_b).get(url).status_code == 404
    assert client_of(director_a).get("/surveys/99999999999999999999/results/").status_code == 404
    assert client_of(director_a).get(reverse("surveys:results", args=[10**9])).status_code == 404
    intake = factories.member(survey.organization, Role.INTAKE_WORKER)
    assert client_of(intake).get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the sign-in page
    assert client_of(director_a).post(url).status_code == 405


def test_selectors_read_nothing_of_another_organization(survey, org_b):
    respond(survey, times=6, welcome="good")
    director_b = factories.member(org_b, Role.DIRECTOR)
    data = results.survey_results(user=director_b, survey=survey)
    assert data.response_count == 0
    assert results.raw_answers(user=director_b, survey=survey).lines == []


# --- The annual report's "what people said" ----------------------------------------------------


def test_annual_highlights_say_results_with_shown_counts_and_public_actions(survey, director_a):
    respond(survey, times=8, on=date(2026, 3, 1), clear=5, recommend=10, welcome="good")
    respond(survey, times=5, on=date(2026, 3, 1), clear=2, recommend=9)
    respond(survey, times=2, on=date(2026, 3, 1), welcome="bad")
    respond(survey, times=9, on=date(2025, 3, 1), clear=1)  # another year
    action_create(
        actor=director_a,
        organization=survey.organization,
        said={"fr": "Les heures ne conviennent pas", "en": "The hours do not suit"},
        did={"fr": "Ouvert le samedi", "en": "Open on Saturdays"},
        done_on=date(2026, 4, 1),
        survey=survey,
    )
    action_create(
        actor=director_a,
        organization=survey.organization,
        said={"fr": "Privé", "en": "Private"},
        did={"fr": "Privé", "en": "Private"},
        done_on=date(2026, 4, 1),
        is_public=False,
    )
    with translation.override("en"):
        found = results.annual_highlights(
            user=director_a,
            organization=survey.organization,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
        )
    texts = [(h.question, h.answer, h.respondents) for h in found]
    # "welcome": the 2 "bad" answers are hidden, so the result is not said at all.
    assert ("It was clear.", "62% agree or strongly agree.", 13) in texts
    assert ("Recommend us?", "100% would recommend us (9 or 10 out of 10).", 13) in texts
    assert not any(q == "How were you welcomed?" for q, _a, _n in texts)
    assert (
        "You said: The hours do not suit",
        "We did: Open on Saturdays",
        15,
    ) in texts
    assert not any("Private" in q for q, _a, _n in texts)
    # A user of another organization gets nothing.
    other = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    assert (
        results.annual_highlights(
            user=other,
            organization=survey.organization,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
        )
        == []
    )


def test_filter_choices_offer_languages_and_periods_with_answers(survey, director_a):
    respond(survey, language="ar", on=date(2026, 2, 27))
    respond(survey, language="es", on=date(2026, 4, 2))
    choices = results.filter_choices(user=director_a, survey=survey)
    assert [code for code, _name in choices.languages] == ["fr", "en", "es", "ar"]
    keys = [key for key, _label in choices.periods]
    assert keys == ["2026-Q1", "2026-Q2", "2026-02", "2026-03", "2026-04"]
    assert timezone.is_aware(results._aware(date(2026, 1, 1)))


def test_months_are_montreal_months(survey, director_a):
    """Late on the last evening of January in Montréal is already February in UTC."""
    late = respond(survey, times=5, on=date(2026, 1, 31), welcome="good")
    SurveyResponse.objects.filter(pk__in=[r.pk for r in late]).update(
        submitted_at=datetime(2026, 1, 31, 23, 30, tzinfo=MONTREAL)
    )
    respond(survey, times=5, on=date(2026, 2, 1), welcome="good")
    data = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(columns="month")
    )
    assert [key for key, _label in data.responses.columns] == ["2026-01", "2026-02"]
    assert data.responses.column_totals == (5, 5)
    january = results.survey_results(
        user=director_a, survey=survey, filters=results.ResultFilters(period="2026-01")
    )
    assert january.response_count == 5
