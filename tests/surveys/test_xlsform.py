"""XLSForm interchange: an exported questionnaire passes pyxform and re-imports unchanged, with
every translation; a KoboToolbox file imports; every bad file is refused whole, saying where."""

import io
import zipfile
from datetime import UTC
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree as ET
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pyxform.xls2xform import convert

from ancrage.core.choices import Role
from ancrage.core.models import AuditEvent
from ancrage.surveys import xlsform
from ancrage.surveys.models import Choice, Question, Questionnaire
from tests import factories
from tests.data.xlsform import make_files

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "xlsform"
LANGUAGES = ["fr", "en", "es", "ar", "zh-hans", "ht", "fa", "pt", "ru", "vi", "tl", "uk"]
XF = "{http://www.w3.org/2002/xforms}"


def every(text: str) -> dict[str, str]:
    """A text in the twelve languages (Arabic and Chinese in their own script)."""
    texts = {code: f"{text} [{code}]" for code in LANGUAGES}
    texts["ar"] = f"{text} بالعربية"
    texts["zh-hans"] = f"{text} 中文"
    return texts


def build(organization, code: str = "satisfaction-2025") -> Questionnaire:
    """Every kind, every skip operator, twelve languages, and texts a spreadsheet would run."""
    questionnaire = Questionnaire.objects.create(
        organization=organization,
        code=code,
        kind="service_satisfaction",
        titles=every("Satisfaction"),
        introductions=every("Vos réponses sont anonymes.\nMerci de prendre 3 minutes."),
        thanks=every("Merci !"),
        languages=LANGUAGES,
    )

    def question(position, name, kind, **fields):
        made = Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            name=name,
            kind=kind,
            texts=fields.pop("texts", None) or every(f"Question {name}"),
            **fields,
        )
        return made

    service = question(
        1, "service", "single", required=True, plain_language=True, hints=every("Un seul")
    )
    for position, value in enumerate(("housing", "jobs", "french"), start=1):
        labels = every(f"Choix {value}")
        if value == "jobs":
            labels["fr"] = "-> Emploi"  # starts with "-": a spreadsheet would compute it
            labels["en"] = "@work"
            labels["es"] = "+ empleo"
        Choice.objects.create(question=service, position=position, value=value, labels=labels)
    question(2, "welcome", "likert", required=True, hints={"fr": "De 1 à 5"})
    heard = question(
        3,
        "heard",
        "multiple",
        show_if={"question": "service", "operator": "in", "value": ["housing", "jobs"]},
    )
    for position, value in enumerate(("friends", "library", "social-media"), start=1):
        Choice.objects.create(
            question=heard, position=position, value=value, labels=every(f"Source {value}")
        )
    question(
        4,
        "visits",
        "number",
        min_value=0,
        max_value=50,
        show_if={"question": "service", "operator": "equals", "value": "housing"},
    )
    question(
        5,
        "children",
        "number",
        min_value=1,
        show_if={"question": "welcome", "operator": "at_least", "value": 4},
    )
    question(6, "recommend", "recommend", required=True)
    injected = every("Pourquoi ?")
    injected["fr"] = '=HYPERLINK("http://evil.example","Pourquoi ?")'
    question(
        7,
        "why_low",
        "text",
        texts=injected,
        show_if={"question": "recommend", "operator": "at_most", "value": 6},
    )
    question(
        8,
        "other_service",
        "text",
        show_if={"question": "service", "operator": "not_equals", "value": "french"},
    )
    question(
        9,
        "comment",
        "text",
        plain_language=True,
        show_if={"question": "why_low", "operator": "answered"},
    )
    return questionnaire


def snapshot(questionnaire: Questionnaire) -> dict:
    """Everything a questionnaire says, field by field, in order (positions as an order)."""
    return {
        "kind": questionnaire.kind,
        "titles": questionnaire.titles,
        "introductions": questionnaire.introductions,
        "thanks": questionnaire.thanks,
        "languages": questionnaire.languages,
        "questions": [
            {
                "name": q.name,
                "kind": q.kind,
                "texts": q.texts,
                "hints": q.hints,
                "required": q.required,
                "plain_language": q.plain_language,
                "min_value": q.min_value,
                "max_value": q.max_value,
                "show_if": q.show_if,
                "choices": [(c.value, c.labels) for c in q.choices.order_by("position")],
            }
            for q in questionnaire.questions.order_by("position")
        ],
    }


def upload(content: bytes, name: str = "form.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=xlsform.MIME_TYPE)


def xlsx(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def organization(db):
    return factories.OrganizationFactory(name="Carrefour d'accueil Saint-Michel")


@pytest.fixture
def manager(organization):
    return factories.member(organization, Role.COORDINATOR)


@pytest.fixture
def questionnaire(organization):
    return build(organization)


def _xform(content: bytes):
    warnings: list[str] = []
    result = convert(xlsform=content, file_type=".xlsx", warnings=warnings)
    return ET.fromstring(result.xform), warnings


# --- Export → pyxform --------------------------------------------------------------------------


def test_export_converts_with_pyxform_with_every_language_and_skip_rule(questionnaire):
    root, warnings = _xform(xlsform.questionnaire_to_xlsform(questionnaire))

    assert warnings == []
    translations = {t.get("lang"): t for t in root.iter(f"{XF}translation")}
    assert set(translations) == {xlsform.language_header(code) for code in LANGUAGES}
    assert (
        "Simplified Chinese (zh)" in translations
    )  # the code pyxform checks; read back as zh-hans
    assert translations["French (fr)"].get("default") == "true()"
    for code in LANGUAGES:
        texts = {
            t.get("id"): t.find(f"{XF}value").text
            for t in translations[xlsform.language_header(code)]
        }
        assert texts["/data/service:label"] == every("Question service")[code]
        assert texts["/data/heard:label"] == every("Question heard")[code]
        assert texts["/data/introduction:label"].startswith(every("Vos réponses")[code][:10])
    arabic = {t.get("id"): t for t in translations["Arabic (ar)"]}
    assert arabic["/data/service:hint"].find(f"{XF}value").text == "Un seul بالعربية"

    binds = {b.get("nodeset"): b for b in root.iter(f"{XF}bind")}
    relevant = {n.removeprefix("/data/"): b.get("relevant") for n, b in binds.items()}
    assert (
        relevant["heard"]
        == "selected( /data/service , 'housing') or selected( /data/service , 'jobs')"
    )  # noqa: E501
    assert relevant["visits"] == " /data/service  = 'housing'"
    assert relevant["children"] == " /data/welcome  >= 4"
    assert relevant["why_low"] == " /data/recommend  <= 6"
    assert relevant["other_service"] == " /data/service  != 'french'"
    assert relevant["comment"] == "string-length( /data/why_low ) > 0"
    assert binds["/data/visits"].get("constraint") == ". >= 0 and . <= 50"
    assert binds["/data/children"].get("constraint") == ". >= 1"
    assert binds["/data/recommend"].get("constraint") == ". >= 0 and . <= 10"
    assert binds["/data/recommend"].get("{urn:ancrage:xlsform:1}kind") == "recommend"
    assert binds["/data/service"].get("required") == "true()"
    assert binds["/data/recommend"].get("type") == "int"
    body = {e.get("ref"): e for e in root.iter() if e.get("ref", "").startswith("/data/")}
    assert body["/data/welcome"].tag == f"{XF}select1"
    assert body["/data/welcome"].get("appearance") == "likert"
    assert body["/data/heard"].tag == f"{XF}select"
    assert root.find(".//{http://www.w3.org/1999/xhtml}title").text == "Satisfaction [fr]"


def test_export_writes_texts_never_formulas_and_keeps_them_word_for_word(questionnaire):
    book = openpyxl.load_workbook(io.BytesIO(xlsform.questionnaire_to_xlsform(questionnaire)))

    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = {c.value: c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"}
    assert set(risky) == {
        '=HYPERLINK("http://evil.example","Pourquoi ?")',
        "-> Emploi",
        "@work",
        "+ empleo",
    }
    for cell in risky.values():
        assert cell.data_type == "s"
        assert cell.quotePrefix  # what a spreadsheet records for a text typed after an apostrophe


# --- Round trip ---------------------------------------------------------------------------------


def test_reimport_gives_the_same_questionnaire_with_all_translations(questionnaire, manager):
    other = factories.OrganizationFactory(name="Autre organisme")
    importer = factories.member(other, Role.DIRECTOR)
    content = xlsform.questionnaire_to_xlsform(questionnaire)

    imported = xlsform.questionnaire_import(
        actor=importer, organization=other, file=upload(content, "satisfaction.xlsx")
    )

    assert imported.organization == other
    assert imported.code == questionnaire.code
    assert snapshot(imported) == snapshot(questionnaire)
    assert imported.questions.get(name="why_low").texts["fr"].startswith("=HYPERLINK(")
    # … and once more: the re-imported questionnaire exports to the same workbook content.
    again = xlsform.xlsform_read(xlsform.questionnaire_to_xlsform(imported))
    assert [q.name for q in again.questions] == [
        q["name"] for q in snapshot(questionnaire)["questions"]
    ]  # noqa: E501


def test_import_in_the_same_organization_takes_a_free_code(questionnaire, manager, organization):
    content = xlsform.questionnaire_to_xlsform(questionnaire)
    first = xlsform.questionnaire_import(
        actor=manager, organization=organization, file=upload(content)
    )
    second = xlsform.questionnaire_import(
        actor=manager, organization=organization, file=upload(content)
    )

    assert (first.code, second.code) == ("satisfaction-2025-2", "satisfaction-2025-3")
    assert snapshot(second) == snapshot(questionnaire)


def test_import_is_audited(questionnaire, manager, organization):
    imported = xlsform.questionnaire_import(
        actor=manager,
        organization=organization,
        file=upload(xlsform.questionnaire_to_xlsform(questionnaire)),
    )
    event = AuditEvent.objects.get(target_type="surveys.questionnaire", target_id=str(imported.pk))
    assert (event.action, event.actor_id, event.organization_id) == (
        "create",
        manager.pk,
        organization.pk,
    )
    assert event.details["questions"] == 9
    assert event.details["languages"] == LANGUAGES


def test_only_those_who_manage_surveys_may_import(questionnaire, organization):
    content = xlsform.questionnaire_to_xlsform(questionnaire)
    intake = factories.member(organization, Role.INTAKE_WORKER)
    stranger = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    for actor in (intake, stranger):
        with pytest.raises(PermissionDenied):
            xlsform.questionnaire_import(
                actor=actor, organization=organization, file=upload(content)
            )
    assert Questionnaire.objects.count() == 1


# --- A KoboToolbox file -------------------------------------------------------------------------


def test_kobotoolbox_file_imports_with_its_three_languages(organization, manager):
    imported = xlsform.questionnaire_import(
        actor=manager,
        organization=organization,
        file=upload((DATA / "kobo_satisfaction.xlsx").read_bytes(), "kobo_satisfaction.xlsx"),
    )

    assert imported.code == "satisfaction_kobo"
    assert imported.languages == ["fr", "en", "ar"]
    assert imported.titles == {"fr": "Satisfaction des services (Kobo)"}
    assert imported.introductions == {
        "fr": "Bienvenue ! Vos réponses sont anonymes.",
        "en": "Welcome! Your answers are anonymous.",
        "ar": "مرحبا! إجاباتك مجهولة الهوية.",
    }
    assert imported.thanks["ar"] == "شكرا على وقتك!"
    questions = {q["name"]: q for q in snapshot(imported)["questions"]}
    # start/end are left out, the group flattened, the names in lowercase (${Source} too).
    assert list(questions) == [
        "service_used",
        "accueil",
        "source",
        "visits",
        "nps",
        "ameliorer",
        "autre_source",
    ]
    service = questions["service_used"]
    assert (service["kind"], service["required"]) == ("single", True)
    assert service["texts"]["ar"] == "ما الخدمة التي استخدمتها؟"
    assert service["hints"] == {"fr": "Choisissez-en un.", "en": "Choose one.", "ar": "اختر واحدة."}
    assert [value for value, _labels in service["choices"]] == [
        "logement",
        "emploi",
        "francisation",
    ]
    # A 1–5 scale worded as satisfaction is not Ancrage's agreement scale: kept word for word.
    welcome = questions["accueil"]
    assert welcome["kind"] == "single"
    assert welcome["choices"][0] == (
        "1",
        {"fr": "Très insatisfait", "en": "Very dissatisfied", "ar": "غير راضٍ جدًا"},
    )
    assert questions["source"]["kind"] == "multiple"
    assert (questions["visits"]["kind"], questions["visits"]["min_value"]) == ("number", 0)
    assert questions["visits"]["max_value"] == 100
    assert questions["visits"]["show_if"] == {
        "question": "service_used",
        "operator": "equals",
        "value": "logement",
    }
    # No Ancrage mark: an integer from 0 to 10 stays a number.
    assert (questions["nps"]["kind"], questions["nps"]["max_value"]) == ("number", 10)
    assert questions["ameliorer"]["show_if"] == {
        "question": "nps",
        "operator": "at_most",
        "value": 6,
    }
    assert questions["autre_source"]["show_if"] == {
        "question": "source",
        "operator": "in",
        "value": ["autre"],
    }
    event = AuditEvent.objects.get(target_type="surveys.questionnaire", target_id=str(imported.pk))
    assert event.details["rows_left_out"] == ["start", "end"]


def test_kobo_likert_of_the_standard_wording_is_an_agreement_scale(organization, manager):
    survey = [row[:] for row in make_files.SURVEY]
    choices = [row for row in make_files.CHOICES if row[0] != "satisfaction"]
    for value, labels in zip(
        xlsform.SCALE_VALUES, xlsform.scale_labels(["fr", "en", "ar"]), strict=True
    ):  # noqa: E501
        choices.append(["accord", value, labels["fr"], labels["en"], labels["ar"], value])
    survey[6][0] = "select_one accord"

    imported = xlsform.questionnaire_import(
        actor=manager,
        organization=organization,
        file=upload(xlsx(make_files.workbook(survey, choices))),
    )

    welcome = imported.questions.get(name="accueil")
    assert welcome.kind == "likert"
    assert not welcome.choices.exists()


# --- Bad files: refused whole, saying where ----------------------------------------------------


def refused(organization, manager, content: bytes, name: str = "form.xlsx") -> list[str]:
    """The problems of a refused file; asserts that nothing at all was saved."""
    counts = (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        AuditEvent.objects.count(),
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        xlsform.questionnaire_import(
            actor=manager, organization=organization, file=upload(content, name)
        )
    assert counts == (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        AuditEvent.objects.count(),
    )
    return caught.value.message_dict["file"]


def kobo(edit=None) -> bytes:
    """The Kobo file, changed by `edit(survey, choices, settings)`."""
    survey = [row[:] for row in make_files.SURVEY]
    choices = [row[:] for row in make_files.CHOICES]
    settings = [row[:] for row in make_files.SETTINGS]
    if edit:
        edit(survey, choices, settings)
    return xlsx(make_files.workbook(survey, choices, settings))


def test_formula_injection_is_refused_never_stored(organization, manager):
    problems = refused(organization, manager, (DATA / "hyperlink_injection.xlsx").read_bytes())
    assert problems == [
        "sheet “survey”, row 6, column “label::French (fr)”: this cell holds a spreadsheet "
        "formula; formulas are never run nor kept: type the text itself."
    ]
    assert not Question.objects.filter(texts__icontains="HYPERLINK").exists()


def test_a_text_that_a_spreadsheet_would_run_is_refused_unless_marked_as_text(
    organization, manager
):
    def edit(survey, choices, settings):
        survey[5][2] = '=HYPERLINK("http://evil.example","x")'
        choices[2][3] = "@SUM(1+1)"

    book = make_files.workbook(*_edited(edit))
    for sheet, coordinate in (("survey", "C6"), ("choices", "D3")):
        book[sheet][coordinate].data_type = "s"  # a text cell, not a formula cell
    problems = refused(organization, manager, xlsx(book))
    assert len(problems) == 2
    assert problems[0].startswith(
        "sheet “survey”, row 6, column “label::French (fr)”: the text starts with '='"
    )  # noqa: E501
    assert problems[1].startswith(
        "sheet “choices”, row 3, column “label::English (en)”: the text starts with '@'"
    )  # noqa: E501

    for sheet, coordinate in (("survey", "C6"), ("choices", "D3")):
        book[sheet][coordinate].quotePrefix = True  # typed after an apostrophe: a text
    imported = xlsform.questionnaire_import(
        actor=manager, organization=organization, file=upload(xlsx(book))
    )
    assert imported.questions.get(name="service_used").texts["fr"].startswith("=HYPERLINK(")


def _edited(edit):
    survey = [row[:] for row in make_files.SURVEY]
    choices = [row[:] for row in make_files.CHOICES]
    settings = [row[:] for row in make_files.SETTINGS]
    edit(survey, choices, settings)
    return survey, choices, settings


@pytest.mark.parametrize(
    ("kind", "explained"),
    [
        ("geopoint", "locations are not supported"),
        ("calculate", "computed or hidden values are not supported"),
        ("date", "dates and times are not supported"),
        ("decimal", "whole numbers"),
        ("begin_repeat", "repeated groups are not supported"),
        ("select_one_from_file places.csv", "this type of question is not supported"),
    ],
)
def test_unsupported_types_are_refused_and_explained(organization, manager, kind, explained):
    def edit(survey, choices, settings):
        survey[9][0] = kind

    problems = refused(organization, manager, kobo(edit))
    assert problems == [
        f"sheet “survey”, row 10, column “type”: the type “{kind}”: "
        + next(p.split(": ", 2)[2] for p in problems)
    ]
    assert explained in problems[0]


def test_missing_translations_are_refused(organization, manager):
    def edit(survey, choices, settings):
        survey[5][4] = None  # Arabic label of service_used
        choices[5][3] = "  "  # English label of a choice

    problems = refused(organization, manager, kobo(edit))
    assert problems == [
        "sheet “survey”, row 6, column “label::Arabic (ar)”: the label is missing in "
        "Arabic (ar), a language the form declares.",
        "sheet “choices”, row 6, column “label::English (en)”: the label is missing in "
        "English (en), a language the form declares.",
    ]


def test_a_language_column_missing_from_the_choices_is_refused(organization, manager):
    def edit(survey, choices, settings):
        for row in choices:
            del row[4]  # the Arabic labels

    problems = refused(organization, manager, kobo(edit))
    assert problems == [
        "sheet “choices”, column “label::Arabic (ar)”: this column is missing: the form "
        "declares Arabic (ar)."
    ]


def test_duplicate_names_and_missing_lists_are_refused(organization, manager):
    def edit(survey, choices, settings):
        survey[10][1] = "visits"  # nps renamed as an earlier question
        survey[5][0] = "select_one services"  # no such list
        choices.append(["source", "amis", "Amis", "Friends", "الأصدقاء", "amis"])

    problems = refused(organization, manager, kobo(edit))
    assert (
        "sheet “choices”, row 13, column “name”: the name “amis” appears twice in the list "
        "“source”." in problems
    )
    assert (
        "sheet “survey”, row 6, column “type”: the list of choices “services” is missing from "
        "the “choices” sheet." in problems
    )
    assert (
        "sheet “survey”, row 11, column “name”: the name “visits” is already used on row 10."
        in problems
    )


def test_a_missing_choices_sheet_is_refused(organization, manager):
    book = make_files.workbook()
    del book["choices"]
    problems = refused(organization, manager, xlsx(book))
    assert len(problems) == 3  # the three questions with choices
    assert all("is missing from the “choices” sheet" in p for p in problems)


@pytest.mark.parametrize(
    "expression",
    [
        "${service_used} = 'logement' and ${nps} > 5",
        "not(selected(${Source}, 'autre'))",
        "${nps} * 2 > 5",
        "${service_used} = ${accueil}",
        "count-selected(${Source}) >= 2",
    ],
)
def test_a_condition_that_cannot_be_mapped_exactly_is_refused_naming_the_row(
    organization, manager, expression
):
    def edit(survey, choices, settings):
        survey[11][9] = expression  # ameliorer's relevant

    problems = refused(organization, manager, kobo(edit))
    assert len(problems) == 1
    assert problems[0].startswith(
        "sheet “survey”, row 12, column “relevant”: this condition cannot be imported exactly."
    )


def test_a_condition_on_a_later_question_or_an_unknown_choice_is_refused(organization, manager):
    def edit(survey, choices, settings):
        survey[9][9] = "${nps} >= 5"  # visits depends on nps, asked after it
        survey[12][9] = "selected(${Source}, 'radio')"

    problems = refused(organization, manager, kobo(edit))
    assert problems[0] == (
        "sheet “survey”, row 10, column “relevant”: the condition depends on “nps”, which is "
        "not an earlier question."
    )
    assert problems[1].startswith("sheet “survey”, row 13, column “relevant”: “radio”")


def test_constraints_other_than_bounds_are_refused(organization, manager):
    def edit(survey, choices, settings):
        survey[9][10] = "regex(., '^[0-9]+$')"
        survey[11][10] = "string-length(.) < 200"

    problems = refused(organization, manager, kobo(edit))
    assert problems == [
        "sheet “survey”, row 10, column “constraint”: only bounds can be imported, e.g. "
        ". >= 1 and . <= 9; this constraint cannot.",
        "sheet “survey”, row 12, column “constraint”: a constraint is supported only on "
        "integer questions, as bounds (. >= 1 and . <= 9).",
    ]


def test_a_form_without_french_or_in_an_unknown_language_is_refused(organization, manager):
    def english_only(survey, choices, settings):
        for rows in (survey, choices):
            for row in rows:
                del row[2]
        for row in survey:
            del row[4]
        settings[1][2] = "English (en)"

    problems = refused(organization, manager, kobo(english_only))
    assert problems == [
        "sheet “survey”, row 1: a questionnaire is always offered in French: add the columns "
        "label::French (fr) (and in the choices sheet)."
    ]

    def klingon(survey, choices, settings):
        survey[0][4] = "label::Klingon (tlh)"

    problems = refused(organization, manager, kobo(klingon))
    assert problems[0].startswith(
        "sheet “survey”, row 1, column “label::Klingon (tlh)”: this language is not one Ancrage "
        "offers"
    )


def test_every_problem_of_a_file_is_listed_at_once(organization, manager):
    def edit(survey, choices, settings):
        survey[5][0] = "geopoint"
        survey[9][4] = ""
        survey[12][1] = "Bad name!"

    assert len(refused(organization, manager, kobo(edit))) == 3


def test_files_that_are_not_xlsx_or_too_large_are_refused(organization, manager):
    good = kobo()
    assert refused(organization, manager, good, name="form.xls") == [
        "Only .xlsx files are accepted."
    ]
    assert refused(organization, manager, b"type,name\ntext,q1\n") == [
        "The file is not an Excel workbook (.xlsx)."
    ]
    assert refused(organization, manager, good[: len(good) // 2]) == [
        "The file is not an Excel workbook (.xlsx)."
    ]
    assert refused(organization, manager, good + b"\0" * xlsform.MAX_BYTES) == [
        "The file is larger than 2 MB."
    ]
    assert refused(organization, manager, b"") == ["The file is empty."]
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(macro, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",  # noqa: E501
                )
            target.writestr(info, data)
    assert refused(organization, manager, macro.getvalue()) == [
        "Macro-enabled workbooks (.xlsm) are refused: save it as .xlsx."
    ]


def test_a_workbook_that_unpacks_to_a_huge_size_is_refused_before_parsing(organization, manager):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "spreadsheetml.sheet.main+xml")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (xlsform.MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < xlsform.MAX_BYTES
    assert refused(organization, manager, bomb.getvalue()) == [
        "The workbook is too large once unpacked."
    ]


def test_a_workbook_without_survey_sheet_is_refused(organization, manager):
    book = openpyxl.Workbook()
    book.active.title = "Feuil1"
    book.active.append(["nom", "âge"])
    assert refused(organization, manager, xlsx(book)) == [
        "The workbook has no “survey” sheet: it is not an XLSForm."
    ]


# --- Pages --------------------------------------------------------------------------------------


def _client(client_of, user, language="en"):
    client = client_of(user)
    client.cookies["ancrage_language"] = language
    return client


def test_import_page_imports_a_file_and_reports_a_bad_one(client_of, organization, manager):
    client = _client(client_of, manager)
    url = reverse("surveys:xlsform_import", kwargs={"organization_pk": organization.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert b'accept=".xlsx,' in page.content

    bad = client.post(url, {"file": upload((DATA / "hyperlink_injection.xlsx").read_bytes())})
    assert bad.status_code == 200
    assert "this cell holds a spreadsheet formula" in bad.content.decode()
    assert not Questionnaire.objects.exists()

    wrong = client.post(url, {"file": upload(b"a,b\n", "answers.csv")})
    assert "Only .xlsx files are accepted." in wrong.content.decode()

    good = client.post(url, {"file": upload((DATA / "kobo_satisfaction.xlsx").read_bytes())})
    assert good.status_code == 302
    imported = Questionnaire.objects.get()
    assert imported.organization == organization
    assert good["Location"] == reverse("surveys:questionnaire", kwargs={"pk": imported.pk})
    said = [str(m) for m in get_messages(good.wsgi_request)]
    assert said == ["“Satisfaction des services (Kobo)” imported: 7 questions in fr, en, ar."]


def test_import_page_refuses_a_body_larger_than_2_mb_unread(client_of, organization, manager):
    client = _client(client_of, manager)
    url = reverse("surveys:xlsform_import", kwargs={"organization_pk": organization.pk})
    response = client.post(url, {"file": upload(b"x" * (xlsform.MAX_BYTES + 100_000))})
    assert response.status_code == 200
    assert "The file is larger than 2 MB." in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_pages_are_for_those_who_manage_the_organizations_surveys(
    client_of, organization, questionnaire
):
    other = factories.OrganizationFactory()
    import_url = reverse("surveys:xlsform_import", kwargs={"organization_pk": organization.pk})
    export_url = reverse("surveys:xlsform_export", kwargs={"pk": questionnaire.pk})
    foreign = _client(client_of, factories.member(other, Role.DIRECTOR))
    intake = _client(client_of, factories.member(organization, Role.INTAKE_WORKER))
    for url in (import_url, export_url):
        assert foreign.get(url).status_code == 404
        assert foreign.post(url).status_code == 404
        assert intake.get(url).status_code == 403
    missing = reverse("surveys:xlsform_export", kwargs={"pk": 2**63 + 5})
    assert (
        _client(client_of, factories.member(organization, Role.DIRECTOR)).get(missing).status_code
        == 404
    )  # noqa: E501
    from django.test import Client

    assert Client().get(import_url).status_code == 302  # to the sign-in page


def test_export_page_downloads_the_workbook(client_of, organization, manager, questionnaire):
    client = _client(client_of, manager)
    url = reverse("surveys:xlsform_export", kwargs={"pk": questionnaire.pk})

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == xlsform.MIME_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="satisfaction-2025.xlsx"'
    assert response.content == xlsform.questionnaire_to_xlsform(questionnaire)
    # The same questionnaire gives the same bytes: dated by its last change, never the clock.
    changed = questionnaire.updated_at.astimezone(UTC).timetuple()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        dates = {info.date_time for info in archive.infolist()}
    assert dates == {(*changed[:5], changed[5] // 2 * 2)}  # zip counts seconds two by two
    assert client.post(url).status_code == 405


def test_export_page_says_what_prevents_an_export(client_of, organization, manager, questionnaire):
    Question.objects.filter(questionnaire=questionnaire, name="comment").update(name="2nd-comment")
    response = _client(client_of, manager).get(
        reverse("surveys:xlsform_export", kwargs={"pk": questionnaire.pk})
    )
    assert response.status_code == 409
    assert "question “2nd-comment”" in response.content.decode()


def test_every_ready_questionnaire_of_the_library_travels_and_comes_back(organization, manager):
    from ancrage.surveys import library

    for ready in library.seed_library():
        root, warnings = _xform(xlsform.questionnaire_to_xlsform(ready))
        assert warnings == [], ready.code
        assert len(list(root.iter(f"{XF}translation"))) == len(ready.languages)
        imported = xlsform.questionnaire_import(
            actor=manager,
            organization=organization,
            file=upload(xlsform.questionnaire_to_xlsform(ready)),
        )
        assert imported.code == ready.code
        assert snapshot(imported) == snapshot(ready), ready.code


def test_list_names_keep_their_case_as_in_pyxform(organization, manager):
    def edit(survey, choices, settings):
        survey[5][0] = "select_one Services_Offerts"
        for row in choices:
            if row[0] == "service":
                row[0] = "Services_Offerts"

    imported = xlsform.questionnaire_import(
        actor=manager, organization=organization, file=upload(kobo(edit))
    )
    assert imported.questions.get(name="service_used").choices.count() == 3


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda survey, choices, settings: survey[4].__setitem__(9, "${nps} > 3"),
            "sheet “survey”, row 5, column “relevant”: a group that is shown only on a condition "
            "cannot be imported: put the condition on each of its questions.",
        ),
        (
            lambda survey, choices, settings: survey.insert(9, ["note", "pause", "P", "P", "P"]),
            "sheet “survey”, row 10, column “type”: a note between questions is not supported: "
            "Ancrage shows an introduction before the questions and a thank-you after them.",
        ),
        (
            lambda survey, choices, settings: survey[5].__setitem__(8, "${accueil} = '1'"),
            "sheet “survey”, row 6, column “required”: write yes or no: a condition on "
            "“required” is not supported.",
        ),
        (
            lambda survey, choices, settings: survey[8].__setitem__(
                0, "select_multiple source or_other"
            ),  # noqa: E501
            "sheet “survey”, row 9, column “type”: “or_other” is not supported: add an “other” "
            "choice and a text question.",
        ),
        (
            lambda survey, choices, settings: survey[9].__setitem__(10, ". >= 10 and . <= 1"),
            "sheet “survey”, row 10, column “constraint”: the smallest number is larger than the "
            "largest.",
        ),
        (
            lambda survey, choices, settings: (
                survey[0].append("calculation"),
                survey[11].append("${nps} * 2"),
            ),
            "sheet “survey”, row 12, column “calculation”: this column changes what the form does "
            "and is not supported; empty it.",
        ),
    ],
)
def test_what_a_kobo_form_may_hold_but_ancrage_cannot_ask_is_refused(
    organization, manager, edit, expected
):
    assert refused(organization, manager, kobo(edit)) == [expected]
