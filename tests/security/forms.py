"""The forms of a rendered page, read as a browser would, and filled with chosen values."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TEXT_TYPES = {"text", "search", "textarea", "password", ""}
SAFE_TYPED = {
    "email": "securite@example.org",
    "url": "https://example.org/",
    "tel": "514 555-0199",
    "number": "1",
    "date": "2025-06-16",
    "time": "10:00",
    "datetime-local": "2025-06-16T10:00",
    "month": "2025-06",
    "color": "#000000",
}


@dataclass
class Field:
    tag: str
    type: str
    name: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)
    button: tuple[str, str] | None = None

    @property
    def signature(self) -> tuple:
        return (self.method, self.action, tuple(sorted({f.name for f in self.fields})))

    def baseline(self) -> dict[str, list[str]]:
        """What a browser sends untouched, with typed fields given a plausible value."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.type in {"checkbox", "radio"}:
                if f.checked or (f.type == "radio" and f.name not in data):
                    data.setdefault(f.name, [])
                    if f.type == "radio":
                        data[f.name] = [f.value or "on"]
                    else:
                        data[f.name].append(f.value or "on")
            elif f.tag == "select":
                chosen = f.selected or [next((o for o in f.options if o), "")]
                data[f.name] = chosen
            elif f.type in SAFE_TYPED:
                data[f.name] = [f.value or SAFE_TYPED[f.type]]
            elif f.type in {"file", "submit", "button", "reset", "image"}:
                continue
            else:
                data[f.name] = [f.value]
        if self.button:
            data[self.button[0]] = [self.button[1]]
        return data

    def text_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.type in TEXT_TYPES and f.tag != "select"]

    def typed_fields(self) -> list[str]:
        return [
            f.name
            for f in self.fields
            if f.tag == "select"
            or f.type in SAFE_TYPED
            or f.type in {"hidden", "radio", "checkbox"}
        ]

    def file_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.type == "file"]


class FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self._form = Form(
                action=action,
                method=(a.get("method") or "get").lower(),
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image"}:
                if form.button is None:
                    form.button = (name, a.get("value", ""))
                return
            form.fields.append(
                Field("input", kind, name, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            if form.button is None:
                form.button = (name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = Field("textarea", "textarea", name)
            form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field("select", "select-multiple" if "multiple" in a else "select", name)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            if self._option is not None:
                self._select.options.append(self._option)
                if "selected" in a:
                    self._select.selected.append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._select is not None and self._option is None and data.strip():
            # An option without a value attribute submits its text.
            self._select.options.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None


def forms_of(page_url: str, html: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return [f for f in parser.forms if urlsplit(f.action).netloc in ("", "testserver")]
