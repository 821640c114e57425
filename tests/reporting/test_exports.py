"""The files of an accountability report (PDF, XLSX, CSV), rendered from a figures dict only.

The dict is built here as `reporting.selectors.report_figures` returns it (schema 1): the exports
never read the database, so these tests need none.
"""

import copy
import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ancrage.reporting import exports

FOOTNOTE_FR = (
    "x : donnée masquée (moins de 5 personnes, ou pour qu'un autre nombre masqué ne puisse "
    "pas être recalculé)"
)
FOOTNOTE_EN = (
    "x: hidden (fewer than 5 people, or so that another hidden number cannot be worked out)"
)


def _pair(fr: str, en: str) -> dict:
    return {"fr": fr, "en": en}


def _period(start: str, end: str, fr: str, en: str) -> dict:
    return {"start": start, "end": end, "label": _pair(fr, en)}


def _table(key, title, rows, columns, cells, *, totals=True, note=None) -> dict:
    """A profile table; totals over the visible truth (the selector's suppression hid cells)."""
    table = {
        "key": key,
        "title": title,
        "rows": [{"key": k, "label": label} for k, label in rows],
        "columns": [{"key": k, "label": label} for k, label in columns],
        "cells": [[value for value, _hidden in row] for row in cells],
        # No totals published: what `core.privacy.suppress(..., margins=False)` gives.
        "row_totals": [None] * len(rows),
        "column_totals": [None] * len(columns),
        "total": None,
        "note": note,
    }
    if totals:
        truth = [[value if value is not None else hidden for value, hidden in row] for row in cells]
        table["row_totals"] = [sum(row) for row in truth]
        table["column_totals"] = [sum(col) for col in zip(*truth, strict=True)]
        table["total"] = sum(table["row_totals"])
    return table


def _h(n):
    """A hidden cell (None) whose true value the totals include."""
    return (None, n)


def _v(n):
    return (n, None)


def figures(**changes) -> dict:
    """A quarterly report of a PASI agreement, as the selector returns it."""
    data = {
        "schema": 1,
        "organization": {"id": 12, "name": "Centre d'accueil et d'intégration de LaSalle"},
        "funder": {
            "id": 3,
            "name": "Ministère de l'Immigration, de la Francisation et de l'Intégration",
        },
        "program": {
            "code": "pasi-stream-1",
            "name": _pair(
                "PASI — Volet 1 : accompagnement des personnes immigrantes",
                "PASI — Stream 1: support for immigrants",
            ),
            "kind": "service_agreement",
        },
        "agreement": {
            "id": 7,
            "reference": "PASI-2026-0042",
            "starts_on": "2026-04-01",
            "ends_on": "2027-03-31",
        },
        "period": _period(
            "2026-07-01",
            "2026-09-30",
            "T2 2026-2027 (juillet à septembre 2026)",
            "Q2 2026-2027 (July to September 2026)",
        ),
        "threshold": 5,
        "computed_at": "2026-10-05T14:03:00-04:00",
        "headline": [
            {
                "metric": "clients",
                "label": _pair("Personnes servies", "People served"),
                "period": 58,
                "to_date": 131,
            },
            {
                "metric": "eligible_clients",
                "label": _pair("Personnes admissibles servies", "Eligible clients served"),
                "period": 41,
                "to_date": 97,
            },
            {
                "metric": "services",
                "label": _pair("Services rendus", "Services given"),
                "period": 162,
                "to_date": 1_284,
            },
            {
                "metric": "minutes",
                "label": _pair("Minutes de service", "Minutes of service"),
                "period": 7_290,
                "to_date": 15_105,
            },
            {
                "metric": "sessions",
                "label": _pair("Séances de groupe", "Group sessions"),
                "period": 10,
                "to_date": 19,
            },
            {
                "metric": "participants",
                "label": _pair("Participations aux séances", "Participants in sessions"),
                "period": 87,
                "to_date": 160,
            },
            {
                "metric": "unfunded_clients",
                "label": _pair("Personnes servies sans financement", "People served unfunded"),
                "period": 17,
                "to_date": 34,
            },
            {
                "metric": "unfunded_services",
                "label": _pair("Services non financés", "Unfunded services"),
                "period": None,
                "to_date": 52,
            },
        ],  # fmt: skip
        "targets": [
            {
                "metric": "eligible_clients",
                "label": _pair("Personnes admissibles servies", "Eligible clients served"),
                "target_start": "2026-04-01",
                "target_end": "2027-03-31",
                "target": 120,
                "actual": 97,
                "gap": -23,
                "share": 0.81,
            },
            {
                "metric": "services",
                "label": _pair("Services rendus", "Services given"),
                "target_start": "2026-07-01",
                "target_end": "2026-09-30",
                "target": 150,
                "actual": 162,
                "gap": 12,
                "share": 1.08,
            },
            {
                "metric": "sessions",
                "label": _pair("Séances de groupe", "Group sessions"),
                "target_start": "2026-07-01",
                "target_end": "2026-09-30",
                "target": 12,
                "actual": 10,
                "gap": -2,
                "share": 0.83,
            },
        ],  # fmt: skip
        "trend": [
            {
                "period": _period(
                    "2026-04-01",
                    "2026-06-30",
                    "T1 2026-2027 (avril à juin 2026)",
                    "Q1 2026-2027 (April to June 2026)",
                ),
                "eligible_clients": 56,
                "services": 1_122,
                "participants": 73,
            },
            {
                "period": _period(
                    "2026-07-01",
                    "2026-09-30",
                    "T2 2026-2027 (juillet à septembre 2026)",
                    "Q2 2026-2027 (July to September 2026)",
                ),
                "eligible_clients": 41,
                "services": 162,
                "participants": 87,
            },
        ],  # fmt: skip
        "tables": [
            _table(
                "immigration_status",
                _pair("Statut d'immigration", "Immigration status"),
                [
                    ("permanent_resident", _pair("Résident permanent", "Permanent resident")),
                    ("protected_person", _pair("Personne protégée", "Protected person")),
                    ("asylum_claimant", _pair("Demandeur d'asile", "Asylum claimant")),
                    ("temporary_worker", _pair("Travailleur temporaire", "Temporary worker")),
                    ("student", _pair("Étudiant étranger", "International student")),
                ],
                [("clients", _pair("Personnes", "People"))],
                [[_v(14)], [_v(11)], [_h(3)], [_h(6)], [_v(7)]],
            ),
            _table(
                "age_band",
                _pair("Âge et genre", "Age and gender"),
                [
                    ("18-29", _pair("18 à 29 ans", "18 to 29")),
                    ("30-44", _pair("30 à 44 ans", "30 to 44")),
                    ("45-64", _pair("45 à 64 ans", "45 to 64")),
                ],
                [("women", _pair("Femmes", "Women")), ("men", _pair("Hommes", "Men"))],
                [[_v(9), _v(8)], [_v(11), _v(7)], [_h(2), _h(4)]],
            ),
            _table(
                "language",
                _pair("Langues parlées", "Languages spoken"),
                [
                    ("fr", _pair("Français", "French")),
                    ("es", _pair("Espagnol", "Spanish")),
                    ("ar", _pair("Arabe", "Arabic")),
                ],
                [("clients", _pair("Personnes", "People"))],
                [[_v(33)], [_v(12)], [_v(9)]],
                totals=False,
                note=_pair(
                    "Une personne peut parler plusieurs langues : pas de total.",
                    "A person may speak several languages: no total.",
                ),
            ),
            _table(
                "unfunded",
                _pair("Travail non financé", "Unfunded work"),
                [
                    ("orientation", _pair("Orientation", "Orientation")),
                    ("forms", _pair("Aide aux formulaires", "Help with forms")),
                ],
                [("services", _pair("Services", "Services"))],
                [[_v(31)], [_v(21)]],
            ),
        ],
        "suppression": {"threshold": 5, "hidden_cells": 4, "log": []},
    }
    data.update(changes)
    return data


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def _flat(text: str) -> str:
    """The text as one line (a long sentence wraps in the PDF)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    data = figures()
    return {lang: exports.render(data, format="pdf", language=lang) for lang in exports.LANGUAGES}


# --- PDF -----------------------------------------------------------------------------------------


def test_the_french_pdf_holds_the_key_figures(pdfs):
    assert pdfs["fr-ca"].startswith(b"%PDF-")
    text = _text(pdfs["fr-ca"])
    flat = _flat(text)
    assert "Centre d'accueil et d'intégration de LaSalle" in flat
    assert "Ministère de l'Immigration, de la Francisation et de l'Intégration" in flat
    assert "PASI — Volet 1 : accompagnement des personnes immigrantes" in flat
    assert "T2 2026-2027 (juillet à septembre 2026)" in flat
    assert "PASI-2026-0042" in flat
    # Targets against actuals, with the gap and the share (French: "81 %").
    assert re.search(
        r"Personnes admissibles servies 1er avril 2026 – 31 mars 2027 120 97 -23 81 %", flat
    )
    assert re.search(
        r"Services rendus 1er juillet 2026 – 30 septembre 2026 150 162 \+12 108 %", flat
    )
    assert re.search(r"Séances de groupe [^%]* 12 10 -2 83 %", flat)
    # Thousands in French: a no-break space.
    assert "1 284" in text
    # A profile table's counts, the hidden ones as "x", and the footnote in French.
    assert re.search(r"Résident permanent 14\b", text)
    assert re.search(r"Demandeur d'asile x\b", text)
    assert re.search(r"Travailleur temporaire x\b", text)
    assert re.search(r"Total 41\b", text)
    assert FOOTNOTE_FR in flat
    assert FOOTNOTE_EN not in flat
    # The age × gender table has both totals; the languages table none.
    assert re.search(r"30 à 44 ans 11 7 18\b", text)
    assert re.search(r"45 à 64 ans x x 6\b", text)
    assert "Une personne peut parler plusieurs langues : pas de total." in flat
    assert "Arabe 9 Une personne peut parler" in flat  # no "Total x" row for languages
    # The unfunded work and the trend.
    assert "Travail non financé" in flat
    assert re.search(r"Aide aux formulaires 21\b", text)
    assert re.search(r"T1 2026-2027 \(avril à juin 2026\) 56 1 122 73", flat)
    assert "Computed at 5 octobre 2026, 14 h 03." in flat or "5 octobre 2026, 14 h 03" in flat


def test_the_english_pdf_holds_the_same_figures_in_english(pdfs):
    text = _text(pdfs["en"])
    flat = _flat(text)
    assert "Centre d'accueil et d'intégration de LaSalle" in flat
    assert "PASI — Stream 1: support for immigrants" in flat
    assert "Volet 1" not in flat
    assert "Q2 2026-2027 (July to September 2026)" in flat
    assert "Accountability report" in flat
    assert re.search(r"Eligible clients served April 1, 2026 – March 31, 2027 120 97 -23 81%", flat)
    assert re.search(r"Services given [^%]* 150 162 \+12 108%", flat)
    assert "Computed at October 5, 2026, 14:03." in flat
    assert "1,284" in text
    assert re.search(r"Permanent resident 14\b", text)
    assert re.search(r"Asylum claimant x\b", text)
    assert FOOTNOTE_EN in flat
    assert FOOTNOTE_FR not in flat
    assert re.search(r"Help with forms 21\b", text)
    assert "4 numbers are hidden in this report." in flat


def test_the_pdf_says_the_threshold_it_was_computed_with():
    data = figures(threshold=10, suppression={"threshold": 10, "hidden_cells": 1, "log": []})
    text = _flat(_text(exports.render(data, format="pdf", language="en")))
    assert FOOTNOTE_EN.replace("fewer than 5", "fewer than 10") in text
    assert "1 number is hidden in this report." in text


def test_a_hidden_actual_hides_its_gap_and_share_too():
    data = figures()
    data["targets"][2].update(actual=None, gap=None, share=None)
    text = _flat(_text(exports.render(data, format="pdf", language="en")))
    assert re.search(r"Group sessions July 1, 2026 – September 30, 2026 12 x x x", text)
    assert "x / 12 (x)" in text  # the chart's label
    assert FOOTNOTE_EN in text


def test_the_pdf_is_dated_by_the_figures_and_the_same_figures_give_the_same_bytes(pdfs):
    again = exports.render(figures(), format="pdf", language="fr-ca")
    assert again == pdfs["fr-ca"]
    reader = PdfReader(io.BytesIO(pdfs["fr-ca"]))
    computed_at = datetime.fromisoformat("2026-10-05T14:03:00-04:00")
    assert reader.metadata.creation_date == computed_at
    assert reader.metadata.modification_date == computed_at
    assert "PASI" in reader.metadata.title
    # Other figures, other bytes.
    other = figures(computed_at="2026-10-06T09:00:00-04:00")
    assert exports.render(other, format="pdf", language="fr-ca") != pdfs["fr-ca"]


def test_names_are_text_in_the_pdf_never_markup():
    data = figures(organization={"id": 1, "name": "<script>alert(1)</script> & <b>Cie</b>"})
    data["tables"][0]["rows"][0]["label"] = _pair("<img src=x onerror=alert(1)>", "<i>PR</i>")
    html = exports.document_html(data, language="fr-ca")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Cie&lt;/b&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    text = _flat(_text(exports.render(data, format="pdf", language="fr-ca")))
    assert "<script>alert(1)</script> & <b>Cie</b>" in text
    assert "<img src=x onerror=alert(1)>" in text


def test_the_pdf_fetches_nothing():
    html = exports.document_html(figures(), language="en")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<link" not in html and "<img" not in html


def test_a_report_without_targets_trend_or_tables_still_renders():
    data = figures(targets=[], trend=[], tables=[], headline=[])
    text = _flat(_text(exports.render(data, format="pdf", language="en")))
    assert "Centre d'accueil et d'intégration de LaSalle" in text
    assert "Q2 2026-2027 (July to September 2026)" in text


# --- XLSX ----------------------------------------------------------------------------------------


def _workbook(data: dict, language: str):
    return load_workbook(io.BytesIO(exports.render(data, format="xlsx", language=language)))


def _rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_has_a_sheet_per_part_with_numbers_as_numbers():
    book = _workbook(figures(), "fr-ca")
    assert book.sheetnames[3:] == [
        "Statut d'immigration",
        "Âge et genre",
        "Langues parlées",
        "Travail non financé",
    ]
    summary = _rows(book.worksheets[0])
    assert "Centre d'accueil et d'intégration de LaSalle" in [row[1] for row in summary]
    assert "T2 2026-2027 (juillet à septembre 2026)" in [row[1] for row in summary]
    assert ("Personnes admissibles servies", 41, 97) in summary
    assert ("Services non financés", "x", 52) in summary
    targets = _rows(book.worksheets[1])
    row = next(r for r in targets if r[0] == "Personnes admissibles servies")
    assert row[3:] == (120, 97, -23, 0.81)
    assert all(isinstance(v, int) for v in row[3:6])
    assert row[1].date().isoformat() == "2026-04-01"
    status = _rows(book["Statut d'immigration"])
    assert status[0][0] == "Statut d'immigration"
    assert ("Résident permanent", 14) in status
    assert ("Demandeur d'asile", "x") in status
    assert ("Total", 41) in status
    assert any(row[0] == FOOTNOTE_FR for row in status)
    ages = _rows(book["Âge et genre"])
    assert ("45 à 64 ans", "x", "x", 6) in ages
    assert ("Total", 22, 19, 41) in ages
    languages = _rows(book["Langues parlées"])
    assert not any(row[0] == "Total" for row in languages)


def test_the_english_workbook_speaks_english():
    book = _workbook(figures(), "en")
    assert "Immigration status" in book.sheetnames
    assert ("Permanent resident", 14) in _rows(book["Immigration status"])
    assert any(row[0] == FOOTNOTE_EN for row in _rows(book["Immigration status"]))
    assert ("Eligible clients served", 41, 97) in _rows(book.worksheets[0])


def test_a_text_that_looks_like_a_formula_stays_a_text_in_the_workbook():
    data = figures(organization={"id": 1, "name": '=HYPERLINK("http://evil.invalid","x")'})
    raw = exports.render(data, format="xlsx", language="en")
    book = load_workbook(io.BytesIO(raw))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value]
    cell = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_long_or_odd_table_titles_make_valid_unique_sheet_names():
    data = figures()
    data["tables"][1]["title"] = _pair("Statut d'immigration", "Immigration status")
    data["tables"][2]["title"] = _pair("Âge/genre: [détail]*? " + "très " * 10, "Age")
    book = _workbook(data, "fr-ca")
    names = book.sheetnames
    assert len(names) == len(set(names))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert "Statut d'immigration (2)" in names


def test_the_workbook_is_the_same_bytes_and_dated_by_the_figures():
    first = exports.render(figures(), format="xlsx", language="fr-ca")
    second = exports.render(figures(), format="xlsx", language="fr-ca")
    assert first == second
    book = load_workbook(io.BytesIO(first))
    assert book.properties.created == datetime(2026, 10, 5, 18, 3)
    assert book.properties.modified == datetime(2026, 10, 5, 18, 3)


# --- CSV -----------------------------------------------------------------------------------------


def _csv(data: dict, language: str) -> list[list[str]]:
    raw = exports.render(data, format="csv", language=language)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_is_long_one_figure_a_line():
    rows = _csv(figures(), "fr-ca")
    assert all(len(row) == 4 for row in rows)
    assert ["Statut d'immigration", "Résident permanent", "Personnes", "14"] in rows
    assert ["Statut d'immigration", "Demandeur d'asile", "Personnes", "x"] in rows
    assert ["Statut d'immigration", "Total", "Personnes", "41"] in rows
    assert ["Âge et genre", "45 à 64 ans", "Hommes", "x"] in rows
    assert ["Âge et genre", "45 à 64 ans", "Total", "6"] in rows
    assert ["Travail non financé", "Aide aux formulaires", "Services", "21"] in rows
    assert not any(row[0] == "Langues parlées" and row[1] == "Total" for row in rows)
    targets = [row for row in rows if row[1] == "Personnes admissibles servies"]
    assert [row[3] for row in targets][-4:] == ["120", "97", "-23", "0.81"]
    assert any(row[3] == "Centre d'accueil et d'intégration de LaSalle" for row in rows)
    assert any(row[3] == FOOTNOTE_FR for row in rows)
    en = _csv(figures(), "en")
    assert ["Immigration status", "Asylum claimant", "People", "x"] in en
    assert any(row[3] == FOOTNOTE_EN for row in en)


def test_the_csv_neutralizes_formulas_in_labels():
    data = figures(organization={"id": 1, "name": "=cmd|' /C calc'!A0"})
    data["tables"][0]["rows"][0]["label"] = _pair("+33 résidents", "+33")
    data["tables"][0]["rows"][1]["label"] = _pair("-protégés", "-")
    data["tables"][0]["rows"][2]["label"] = _pair("@SUM(A1:A9)", "@")
    rows = _csv(data, "fr-ca")
    assert any(row[3] == "'=cmd|' /C calc'!A0" for row in rows)
    labels = {row[1] for row in rows if row[0] == "Statut d'immigration"}
    assert {"'+33 résidents", "'-protégés", "'@SUM(A1:A9)"} <= labels
    # Numbers are numbers: a negative gap is not taken for a formula.
    assert any(row[1] == "Personnes admissibles servies" and row[3] == "-23" for row in rows)


def test_the_csv_is_the_same_bytes():
    assert exports.render(figures(), format="csv", language="en") == exports.render(
        figures(), format="csv", language="en"
    )


# --- Names, types, bad input ---------------------------------------------------------------------


def test_file_names_are_ascii_and_say_the_period():
    data = figures()
    assert exports.filename(data, "pdf", "fr-ca") == "rapport-pasi-stream-1-2026-T2-fr.pdf"
    assert exports.filename(data, "xlsx", "en") == "report-pasi-stream-1-2026-Q2-en.xlsx"
    q4 = figures(period=_period("2027-01-01", "2027-03-31", "T4", "Q4"))
    assert exports.filename(q4, "csv", "fr-ca") == "rapport-pasi-stream-1-2026-T4-fr.csv"
    year = figures(period=_period("2026-04-01", "2027-03-31", "2026-2027", "2026-2027"))
    assert exports.filename(year, "pdf", "en") == "report-pasi-stream-1-2026-2027-en.pdf"
    odd = figures(period=_period("2026-05-15", "2026-06-30", "…", "…"))
    assert exports.filename(odd, "pdf", "en") == "report-pasi-stream-1-2026-05-15-2026-06-30-en.pdf"
    weird = copy.deepcopy(data)
    weird["program"]["code"] = "Volet élargi / 2 <x>"
    name = exports.filename(weird, "pdf", "fr-ca")
    assert name.isascii() and " " not in name and "/" not in name and "<" not in name


def test_content_types():
    assert exports.CONTENT_TYPES["pdf"] == "application/pdf"
    assert exports.CONTENT_TYPES["xlsx"].endswith("spreadsheetml.sheet")
    assert exports.CONTENT_TYPES["csv"].startswith("text/csv")


@pytest.mark.parametrize(
    ("format", "language"), [("docx", "fr-ca"), ("PDF", "en"), ("pdf", "es"), ("csv", "fr")]
)
def test_an_unknown_format_or_language_is_refused(format, language):
    with pytest.raises(ValueError):
        exports.render(figures(), format=format, language=language)
    with pytest.raises(ValueError):
        exports.filename(figures(), format, language)


def test_what_is_not_a_report_is_refused():
    with pytest.raises(ValueError):
        exports.render({"schema": 2}, format="csv", language="en")
    with pytest.raises(ValueError):
        exports.render([], format="csv", language="en")


# --- From the selector's own figures -------------------------------------------------------------


@pytest.mark.django_db
def test_the_figures_of_a_real_report_render_in_every_format(agreement, program):
    from ancrage.reporting.selectors import report_figures
    from tests.reporting.conftest import Q1, make_client, serve

    for i in range(12):
        status = "refugee" if i < 2 else "permanent-resident"
        serve(make_client(agreement.organization, status=status), Q1[0], program=program)
    for _i in range(6):
        serve(make_client(agreement.organization, status="asylum-seeker"), Q1[0])
    data = report_figures(agreement, *Q1)

    text = _flat(_text(exports.render(data, format="pdf", language="fr-ca")))
    assert "Organisme A" in text
    assert "Programme pasi-test" in text
    assert "T1 2025-2026 (avril à juin 2025)" in text
    assert re.search(r"Personnes admissibles servies 12 12\b", text)
    # Two refugees: hidden, with the permanent residents hidden in turn (or the total would
    # give them away), and the footnote says why.
    assert re.search(r"Réfugié ou personne protégée x\b", text)
    assert FOOTNOTE_FR in text
    english = _flat(_text(exports.render(data, format="pdf", language="en")))
    assert "Program pasi-test" in english and FOOTNOTE_EN in english
    rows = _csv(data, "en")
    assert any(row[1] == "Refugee or protected person" and row[3] == "x" for row in rows)
    book = load_workbook(io.BytesIO(exports.render(data, format="xlsx", language="fr-ca")))
    assert "Statut d'immigration" in book.sheetnames
    for file_format in exports.FORMATS:
        assert exports.render(data, format=file_format, language="en") == exports.render(
            copy.deepcopy(data), format=file_format, language="en"
        )
