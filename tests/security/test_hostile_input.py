"""The hostile-input corpus through every form of the project, then every page and export read
back: never a server error, never a stored script, never a formula a spreadsheet would run."""

import csv
import io
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests import factories

from . import corpus
from .conftest import all_row_counts
from .forms import Form, forms_of
from .test_headers import assert_security_headers, inline_code

pytestmark = pytest.mark.django_db

# Pages that are files, not forms: read back after the corpus (exports), not searched for forms.
DOWNLOADS = ("csv", "xlsx", "pdf", "ics", "json", "svg", "letter", "qr", "poster", "download")
# Files that are not read back: PDFs, posters, QR codes and calendars are drawn from the same
# escaped values but no browser runs them as a page, and drawing them is slow.
NOT_READ_BACK = ("pdf", "letter", "poster", "qr", "feed", "report_download")
# Forms left out, with the reason: signing out would end the session the other forms need.
SKIPPED_ACTIONS = ("/accounts/logout/",)
# Forms that remove or close something go last, so every other form still finds its record.
LAST_WORDS = ("remove", "delete", "close", "withdraw", "submit", "adopt", "cancel", "confirm")


def _client(user, clients: dict) -> Client:
    client = clients.get(user)
    if client is None:
        client = clients[user] = Client(raise_request_exception=False)
        if user is not None:
            factories.sign_in(client, user)
    return client


def _is_download(url: str) -> bool:
    return any(word in url.rsplit("/", 2)[-2:][0] + url.rsplit("/", 1)[-1] for word in DOWNLOADS)


def _discover(world, clients) -> list[tuple[object, Form]]:
    """Every distinct form of every page, with the user who sees it."""
    found: dict[tuple, tuple[object, Form]] = {}
    for reachable in world["urls"]:
        if _is_download(reachable.url) or reachable.url.startswith("/hsds/"):
            continue
        response = _client(reachable.user, clients).get(reachable.url)
        assert response.status_code < 500, reachable.url
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for form in forms_of(reachable.url, response.content.decode()):
                if urlsplit(form.action).path.startswith(SKIPPED_ACTIONS):
                    continue
                found.setdefault(form.signature, (reachable.user, form))
    return sorted(found.values(), key=lambda pair: any(w in pair[1].action for w in LAST_WORDS))


def _variants(form: Form, index: int) -> list[dict]:
    """The nastiest texts in every text field (typed fields plausible, so the form may keep
    them), then garbage in every typed field, then a hostile file in every file field."""
    base = form.baseline()
    text = corpus.TEXTS[index % len(corpus.TEXTS)]
    other = corpus.TEXTS[(index + 1) % len(corpus.TEXTS)]
    stored = {**base, **{name: [text] for name in form.text_fields()}}
    # A second text field of a form gets another family, so each family reaches many fields.
    for position, name in enumerate(form.text_fields()):
        if position % 2:
            stored[name] = [other]
    garbage = dict(base)
    for position, name in enumerate(form.typed_fields() + form.text_fields()):
        garbage[name] = [corpus.TYPED[(index + position) % len(corpus.TYPED)]]
    variants = [stored, garbage]
    if form.file_fields():
        upload = {
            name: SimpleUploadedFile(corpus.TRAVERSAL, corpus.SCRIPT.encode(), "text/html")
            for name in form.file_fields()
        }
        variants.append({**stored, **upload})
    return variants


def _send(client: Client, form: Form, data: dict):
    if form.method == "get":
        return client.get(form.action, {k: v for k, v in data.items() if v})
    if form.multipart:
        return client.post(form.action, data)
    return client.post(form.action, data)


def _bodies(index: int) -> list[tuple[bytes, str]]:
    """Raw bodies, taking turns between forms (each is cheap to refuse, but not free)."""
    kinds = [
        (corpus.BAD_UTF8_BODY, "application/x-www-form-urlencoded"),
        (corpus.MALFORMED_JSON, "application/json"),
        (corpus.NESTED_JSON, "application/json"),
    ]
    return [kinds[index % len(kinds)]]


def _export_cells(response) -> list[str]:
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "csv" in kind:
        return [
            cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row
        ]
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        cells = []
        for sheet in load_workbook(io.BytesIO(content)).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cells.append(f"formula:{cell.value}")
                    elif isinstance(cell.value, str):
                        cells.append(cell.value)
        return cells
    return []


def _runs_as_formula(cell: str) -> bool:
    if cell.startswith("formula:"):
        return True
    if cell[:1] in ("=", "+", "@", "\t", "\r"):
        return True
    return cell[:1] == "-" and not cell[1:2].isdigit()


def test_the_corpus_through_every_form_then_every_page_read_back(world):
    clients: dict = {}
    forms = _discover(world, clients)
    assert len(forms) > 60  # not vacuous: the staff and public forms were found
    before = all_row_counts()
    errors = []
    for index, (user, form) in enumerate(forms):
        client = _client(user, clients)
        for data in _variants(form, index):
            response = _send(client, form, data)
            if response.status_code >= 500:
                errors.append((form.action, form.method, response.status_code))
        if form.method == "post":
            for body, content_type in _bodies(index):
                response = client.generic("POST", form.action, body, content_type=content_type)
                if response.status_code >= 500:
                    errors.append((form.action, content_type, response.status_code))
    assert errors == []
    after = all_row_counts()
    grown = [label for label in after if after[label] > before.get(label, 0)]
    assert len(grown) > 10, grown  # not vacuous: forms kept the hostile texts

    escaped = pages = 0
    problems = []
    for reachable in world["urls"]:
        if reachable.url.startswith("/hsds/") or any(w in reachable.name for w in NOT_READ_BACK):
            continue
        response = _client(reachable.user, clients).get(reachable.url)
        if response.status_code >= 500:
            problems.append((reachable.name, response.status_code))
            continue
        if response.status_code != 200:
            continue
        assert_security_headers(response)
        kind = response.get("Content-Type", "")
        if "text/html" in kind:
            pages += 1
            html = response.content.decode()
            escaped += html.count(corpus.ESCAPED_SCRIPT)
            unescaped = [marker for marker in corpus.NEVER_IN_PAGES if marker in html]
            blocked = inline_code(html)
            if unescaped or blocked:
                problems.append((reachable.name, unescaped, sorted(set(blocked))))
        else:
            formulas = [c for c in _export_cells(response) if _runs_as_formula(c)]
            if formulas:
                problems.append((reachable.name, formulas[:3]))
    assert problems == []
    assert pages > 100  # not vacuous: the staff and public pages were rendered
    assert escaped > 10  # not vacuous: the scripts were kept, and shown as text


@pytest.mark.parametrize(
    "url_name",
    ["login", "set_language", "network:organization_edit", "clients:client_create"],
)
def test_ten_megabytes_of_text_are_refused_without_an_error(url_name, world):
    reachable = next(r for r in world["urls"] if r.name == url_name)
    client = Client(raise_request_exception=False)
    if url_name not in {"login", "set_language"}:
        factories.sign_in(client, reachable.user)
    before = all_row_counts()
    response = client.post(reachable.url, {"name": corpus.HUGE_TEXT, "username": corpus.HUGE_TEXT})
    assert response.status_code == 400
    response = client.generic(
        "POST", reachable.url, corpus.HUGE_JSON, content_type="application/json"
    )
    assert response.status_code < 500
    assert all_row_counts() == before
