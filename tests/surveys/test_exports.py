"""Exports of a survey: the results (suppressed, "x" for hidden) and the anonymous answers (free
text readers only), as CSV with a byte-order mark and as XLSX; spreadsheet formulas stay text."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.surveys import exports
from ancrage.surveys.models import Choice, Question
from tests import factories
from tests.surveys.test_results import make_survey, respond

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://x","y")'


def _csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _url(survey, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("surveys:results_export", args=[survey.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def survey(org_a):
    survey = make_survey(org_a)
    respond(survey, language="es", times=6, welcome="good", clear=5, comment="Muy bien")
    respond(survey, language="ar", times=2, welcome="bad", clear=4, comment=INJECTION)
    respond(survey, language="es", times=1, visits=-3, comment="+33 1 23 45 67")
    respond(survey, language="fr", times=1, comment="@SUM(A1)\tx")
    respond(survey, language="fr", times=1, comment="\rline")
    return survey


def test_results_csv_has_the_hidden_counts_as_x_and_the_footnote(survey, director_a, client_of):
    response = client_of(director_a).get(_url(survey, file="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = _csv(response)
    flat = [cell for line in lines for cell in line]
    assert lines[2][1] == "11"  # the number of responses
    welcome = lines.index(next(line for line in lines if line and line[0].startswith("1. ")))
    assert lines[welcome + 2] == ["Bien", "x"] and lines[welcome + 4] == ["Mal", "x"]
    assert "x" in flat and any("x:" in cell or "x :" in cell for cell in flat)
    assert INJECTION not in "".join(flat)  # no free text in the results


def test_results_xlsx_reads_the_same(survey, director_a, client_of):
    response = client_of(director_a).get(_url(survey, file="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    rows = _xlsx(response)
    assert rows[2][1] == 11
    assert ("Bien", "x") in [tuple(r[:2]) for r in rows]


def test_formulas_in_questions_and_choices_stay_text_in_the_results(survey, director_a, client_of):
    question = Question.objects.get(questionnaire=survey.questionnaire, name="welcome")
    question.texts = {"fr": "-1+1", "en": "-1+1"}
    question.save()
    Choice.objects.filter(question=question, value="good").update(
        labels={"fr": INJECTION, "en": INJECTION}
    )
    client = client_of(director_a)
    lines = _csv(client.get(_url(survey, file="csv")))
    assert ["'" + INJECTION, "x"] in lines
    assert ["1. -1+1"] in lines  # the number in front keeps it text
    rows = _xlsx(client.get(_url(survey, file="xlsx")))
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert "'" + INJECTION in cells
    assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in cells)


def test_anonymous_answers_escape_every_formula_and_name_nobody(survey, director_a, client_of):
    client = client_of(director_a)
    lines = _csv(client.get(_url(survey, file="csv", content="answers")))
    assert len(lines) == 1 + 11
    cells = [cell for line in lines for cell in line]
    assert "'" + INJECTION in cells
    assert "'+33 1 23 45 67" in cells
    assert "'@SUM(A1)\tx" in cells
    assert "'\rline" in cells
    assert "-3" in cells  # numbers stay numbers, negative ones too
    assert [line[0] for line in lines[1:]] == [str(n) for n in range(1, 12)]
    rows = _xlsx(client.get(_url(survey, file="xlsx", content="answers")))
    text_cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert "'" + INJECTION in text_cells
    assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in text_cells)
    assert -3 in [cell for row in rows for cell in row]
    events = AuditEvent.objects.filter(action="export", target_id=str(survey.pk))
    assert events.count() == 2


def test_anonymous_answers_follow_the_filters(survey, director_a, client_of):
    lines = _csv(
        client_of(director_a).get(_url(survey, file="csv", content="answers", language="ar"))
    )
    assert len(lines) == 1 + 2
    assert all(line[1] == "ar" for line in lines[1:])
    respond(survey, language="fr", on=date(2026, 8, 1), comment="août")
    lines = _csv(
        client_of(director_a).get(_url(survey, file="csv", content="answers", period="2026-08"))
    )
    assert [line[-1] for line in lines[1:]] == ["août"]


def test_who_may_download_what(survey, org_a, org_b, client_of, client):
    worker = client_of(factories.member(org_a, Role.COMMUNITY_WORKER))
    assert worker.get(_url(survey, file="csv")).status_code == 200
    assert worker.get(_url(survey, file="csv", content="answers")).status_code == 403
    outsider = client_of(factories.member(org_b, Role.DIRECTOR))
    assert outsider.get(_url(survey, file="csv")).status_code == 404
    assert outsider.get(_url(survey, file="csv", content="answers")).status_code == 404
    assert client.get(_url(survey, file="csv")).status_code == 302
    intake = client_of(factories.member(org_a, Role.INTAKE_WORKER))
    assert intake.get(_url(survey, file="csv")).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    "params",
    [
        {"file": "pdf"},
        {"file": "csv", "content": "everything"},
        {"file": "csv", "period": "2026-13"},
        {"file": "csv", "language": "<b>"},
        {"file": "xlsx", "columns": "nope"},
    ],
)
def test_bad_requests_are_said_in_words(survey, director_a, client_of, params):
    response = client_of(director_a).get(
        reverse("surveys:results_export", args=[survey.pk]), params
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_columns_by_language_in_the_file(survey, director_a, client_of):
    lines = _csv(client_of(director_a).get(_url(survey, file="csv", columns="language")))
    header = next(line for line in lines if line and line[0] in ("Language", "Langue"))
    assert len(header) == 1 + 3 + 1  # language, three languages, total
