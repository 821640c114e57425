"""Forms of the staff's questionnaire and survey pages: they only parse and display; the rules
live in services.py and logic.py. The skip rule is chosen from earlier questions, so nobody edits
JSON by hand. (The respondent's pages read their answers with `logic.parse_answer`.)"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.core.translated import pick
from ancrage.surveys import logic, selectors, services
from ancrage.surveys.models import Question, QuestionKind, Questionnaire, QuestionnaireKind, Survey

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
NUMBER = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 8})

OPERATORS = [
    ("equals", _("is")),
    ("not_equals", _("is not")),
    ("in", _("is one of")),
    ("at_least", _("is at least")),
    ("at_most", _("is at most")),
    ("answered", _("has been answered")),
]


def language_choices() -> list[tuple[str, str]]:
    return [(code, selectors.language_name(code)) for code in selectors.content_languages()]


class AliasedErrors(ServiceErrorsMixin):
    """Service errors name service arguments; show them next to the inputs that feed them."""

    error_aliases: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            renamed: dict[str, list[str]] = {}
            for field, messages in error.message_dict.items():
                renamed.setdefault(self.error_aliases.get(field, field), []).extend(messages)
            error = ValidationError(renamed)
        super().add_service_errors(error)


class CopyForm(forms.Form):
    organization = IdChoiceField(label=_("Copy into"), queryset=None)
    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        required=False,
        help_text=_("Lowercase letters, digits and hyphens. Leave empty to keep the original's."),
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first().pk


class QuestionnaireForm(AliasedErrors, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionnaireKind.choices)
    title_fr = forms.CharField(label=_("Title in French"), max_length=services.TITLE_MAX)
    title_en = forms.CharField(
        label=_("Title in English"), max_length=services.TITLE_MAX, required=False
    )
    introduction_fr = forms.CharField(
        label=_("Introduction in French"),
        required=False,
        max_length=services.INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the first questions: why you ask, how long it takes."),
    )
    introduction_en = forms.CharField(
        label=_("Introduction in English"),
        required=False,
        max_length=services.INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    thanks_fr = forms.CharField(
        label=_("Thank-you message in French"),
        required=False,
        max_length=services.INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    thanks_en = forms.CharField(
        label=_("Thank-you message in English"),
        required=False,
        max_length=services.INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages offered"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "People choose among these. Every text must be translated in each of them before a "
            "survey opens."
        ),
    )

    error_aliases = {
        "titles": "title_fr",
        "introductions": "introduction_fr",
        "thanks": "thanks_fr",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = language_choices()

    @staticmethod
    def initial_for(questionnaire: Questionnaire) -> dict[str, Any]:
        return {
            "version": questionnaire.version,
            "kind": questionnaire.kind,
            "title_fr": questionnaire.titles.get("fr", ""),
            "title_en": questionnaire.titles.get("en", ""),
            "introduction_fr": questionnaire.introductions.get("fr", ""),
            "introduction_en": questionnaire.introductions.get("en", ""),
            "thanks_fr": questionnaire.thanks.get("fr", ""),
            "thanks_en": questionnaire.thanks.get("en", ""),
            "languages": questionnaire.languages,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "version": data.get("version"),
            "kind": data["kind"],
            "titles": {"fr": data["title_fr"], "en": data["title_en"]},
            "introductions": {"fr": data["introduction_fr"], "en": data["introduction_en"]},
            "thanks": {"fr": data["thanks_fr"], "en": data["thanks_en"]},
            "languages": list(data["languages"]),
        }


class QuestionForm(AliasedErrors, forms.Form):
    """A question in French and English (the other languages on the translation pages), and
    its skip rule chosen among the questions before it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("Short name"),
        max_length=60,
        help_text=_(
            "Lowercase letters, digits and underscores, e.g. welcome_rating. It identifies the "
            "question in results and exports and never changes."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text_fr = forms.CharField(
        label=_("Question in French"),
        max_length=services.QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    text_en = forms.CharField(
        label=_("Question in English"),
        max_length=services.QUESTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hint_fr = forms.CharField(
        label=_("Hint in French"), max_length=services.HINT_MAX, required=False
    )
    hint_en = forms.CharField(
        label=_("Hint in English"), max_length=services.HINT_MAX, required=False
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    plain_language = forms.BooleanField(
        label=_("The wording was reviewed for plain language"), required=False
    )
    min_value = forms.IntegerField(
        label=_("Smallest number"),
        required=False,
        min_value=-logic.NUMBER_LIMIT,
        max_value=logic.NUMBER_LIMIT,
        widget=NUMBER,
        help_text=_("For a number question only."),
    )
    max_value = forms.IntegerField(
        label=_("Largest number"),
        required=False,
        min_value=-logic.NUMBER_LIMIT,
        max_value=logic.NUMBER_LIMIT,
        widget=NUMBER,
    )
    show_if_question = forms.ChoiceField(
        label=_("Ask this question only if the answer to"),
        required=False,
        help_text=_("Only questions asked before this one can be chosen."),
    )
    show_if_operator = forms.ChoiceField(label=_("Comparison"), choices=OPERATORS, required=False)
    show_if_value = forms.CharField(
        label=_("Value to compare with"),
        max_length=500,
        required=False,
        help_text=_(
            "A choice's short name or a number; for “is one of”, several separated by commas."
        ),
    )
    choices = forms.CharField(
        label=_("Choices, one per line (French)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a question with choices. You can add, reword and translate them later."),
    )

    error_aliases = {"texts": "text_fr", "hints": "hint_fr", "show_if": "show_if_question"}

    def __init__(
        self, *args: Any, earlier: list[Question], creating: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.earlier = earlier
        self.fields["show_if_question"].choices = [("", _("(always asked)"))] + [
            (q.name, f"{q.position}. {pick(q.texts)[:80]} ({q.name})") for q in earlier
        ]
        if not creating:
            del self.fields["name"]
            del self.fields["choices"]

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        rule = question.show_if or {}
        value = rule.get("value")
        return {
            "version": question.questionnaire.version,
            "kind": question.kind,
            "text_fr": question.texts.get("fr", ""),
            "text_en": question.texts.get("en", ""),
            "hint_fr": question.hints.get("fr", ""),
            "hint_en": question.hints.get("en", ""),
            "required": question.required,
            "plain_language": question.plain_language,
            "min_value": question.min_value,
            "max_value": question.max_value,
            "show_if_question": rule.get("question", ""),
            "show_if_operator": rule.get("operator", "equals"),
            "show_if_value": ", ".join(map(str, value))
            if isinstance(value, list)
            else ("" if value is None else str(value)),
        }

    def show_if(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not data.get("show_if_question"):
            return {}
        operator = data.get("show_if_operator") or "equals"
        raw = (data.get("show_if_value") or "").strip()
        rule: dict[str, Any] = {"question": data["show_if_question"], "operator": operator}
        if operator == "in":
            rule["value"] = [v.strip() for v in raw.split(",") if v.strip()]
        elif operator != "answered":
            rule["value"] = raw
        return rule

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            "kind": data["kind"],
            "texts": {"fr": data["text_fr"], "en": data["text_en"]},
            "hints": {"fr": data["hint_fr"], "en": data["hint_en"]},
            "required": data["required"],
            "plain_language": data["plain_language"],
            "min_value": data.get("min_value"),
            "max_value": data.get("max_value"),
            "show_if": self.show_if(),
        }
        if "name" in self.fields:
            arguments["name"] = data["name"]
            lines = [line.strip() for line in (data.get("choices") or "").splitlines()]
            arguments["choices"] = choice_lines([line for line in lines if line])
        else:
            arguments["version"] = data.get("version")
        return arguments


def choice_lines(labels: list[str]) -> list[tuple[str, dict[str, str]]]:
    """French labels, one per line, as (short name, labels): the short name from the words."""
    from django.utils.text import slugify

    result: list[tuple[str, dict[str, str]]] = []
    taken: set[str] = set()
    for number, label in enumerate(labels, start=1):
        value = slugify(label).replace("-", "_")[:40] or f"choice_{number}"
        while value in taken:
            value = f"{value[:36]}_{number}"
        taken.add(value)
        result.append((value, {"fr": label[: services.LABEL_MAX]}))
    return result


class ChoiceForm(AliasedErrors, forms.Form):
    value = forms.CharField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Lowercase letters, digits and underscores, e.g. yes. It never changes."),
    )
    label_fr = forms.CharField(label=_("Label in French"), max_length=services.LABEL_MAX)
    label_en = forms.CharField(
        label=_("Label in English"), max_length=services.LABEL_MAX, required=False
    )

    error_aliases = {"labels": "label_fr"}

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["value"]

    def labels(self) -> dict[str, str]:
        return {"fr": self.cleaned_data["label_fr"], "en": self.cleaned_data["label_en"]}


class TranslationForm(ServiceErrorsMixin, forms.Form):
    """Every text of a questionnaire in one language, each field beside its French."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        questionnaire: Questionnaire,
        questions: list[Question],
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.rows: list[dict[str, Any]] = []
        attrs = {"lang": language, "dir": "rtl" if language in selectors.RIGHT_TO_LEFT else "ltr"}

        def add(
            key: str, label: str, texts: dict, limit: int, *, long: bool = False, group: str = ""
        ) -> None:
            widget = (
                forms.Textarea(attrs={**attrs, "rows": 2}) if long else forms.TextInput(attrs=attrs)
            )
            self.fields[key] = forms.CharField(
                label=label, required=False, max_length=limit, widget=widget
            )
            self.initial.setdefault(key, (texts or {}).get(language, ""))
            self.rows.append(
                {
                    "key": key,
                    "group": group,
                    "french": (texts or {}).get("fr", ""),
                    "english": (texts or {}).get("en", ""),
                }
            )

        add("title", _("Title"), questionnaire.titles, services.TITLE_MAX, group=_("Questionnaire"))
        if questionnaire.introductions.get("fr"):
            add(
                "introduction",
                _("Introduction"),
                questionnaire.introductions,
                services.INTRODUCTION_MAX,
                long=True,
                group=_("Questionnaire"),
            )
        if questionnaire.thanks.get("fr"):
            add(
                "thanks",
                _("Thank-you message"),
                questionnaire.thanks,
                services.INTRODUCTION_MAX,
                long=True,
                group=_("Questionnaire"),
            )
        for question in questions:
            group = _("Question %(position)s (%(name)s)") % {
                "position": question.position,
                "name": question.name,
            }
            add(
                f"q-{question.name}",
                _("Question"),
                question.texts,
                services.QUESTION_MAX,
                long=True,
                group=group,
            )
            if question.hints.get("fr"):
                add(f"h-{question.name}", _("Hint"), question.hints, services.HINT_MAX, group=group)
            if question.kind in logic.CHOICE_KINDS:
                for choice in question.choices.all():
                    add(
                        f"c-{question.name}-{choice.value}",
                        _("Choice %(value)s") % {"value": choice.value},
                        choice.labels,
                        services.LABEL_MAX,
                        group=group,
                    )
        self.questions = questions

    def bound_rows(self) -> list[dict[str, Any]]:
        return [{**row, "field": self[row["key"]]} for row in self.rows]

    def texts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "introduction": data.get("introduction", ""),
            "thanks": data.get("thanks", ""),
            "questions": {
                q.name: {"text": data.get(f"q-{q.name}", ""), "hint": data.get(f"h-{q.name}", "")}
                for q in self.questions
            },
            "choices": {
                q.name: {c.value: data.get(f"c-{q.name}-{c.value}", "") for c in q.choices.all()}
                for q in self.questions
                if q.kind in logic.CHOICE_KINDS
            },
        }


def session_label(session: Any) -> str:
    from django.utils import timezone

    return f"{session.activity.name} — {timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}"


class SurveyForm(AliasedErrors, forms.Form):
    name_fr = forms.CharField(
        label=_("Name in French"),
        max_length=services.TITLE_MAX,
        required=False,
        help_text=_("For your staff, e.g. “Winter 2025, Saint-Michel branch”."),
    )
    name_en = forms.CharField(
        label=_("Name in English"), max_length=services.TITLE_MAX, required=False
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        required=False,
        help_text=_("Leave empty to close it by hand."),
    )
    session = IdChoiceField(
        label=_("About an activity session"),
        queryset=None,
        required=False,
        help_text=_("Optional: the answers are then counted for that session."),
    )
    service_type = IdChoiceField(label=_("About a service"), queryset=None, required=False)
    small_cell_threshold = forms.IntegerField(
        label=_("Smallest count shown"),
        min_value=1,
        max_value=100,
        initial=5,
        widget=NUMBER,
        help_text=_("Results from fewer answers than this are hidden."),
    )

    error_aliases = {"names": "name_fr"}

    def __init__(self, *args: Any, sessions: Any, service_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = session_label
        self.fields["service_type"].queryset = service_types

    @staticmethod
    def initial_for(survey: Survey) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "name_fr": survey.names.get("fr", ""),
            "name_en": survey.names.get("en", ""),
            "opens_at": timezone.localtime(survey.opens_at),
            "closes_at": timezone.localtime(survey.closes_at) if survey.closes_at else None,
            "session": survey.session_id,
            "service_type": survey.service_type_id,
            "small_cell_threshold": survey.small_cell_threshold,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "names": {"fr": data["name_fr"], "en": data["name_en"]},
            "opens_at": data["opens_at"],
            "closes_at": data.get("closes_at"),
            "session": data.get("session"),
            "service_type": data.get("service_type"),
            "small_cell_threshold": data["small_cell_threshold"],
        }
