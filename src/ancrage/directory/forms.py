"""Forms of the directory's staff pages: they parse into a content dict; services.py decides.

The service form is one form with two small formsets (opening hours, contacts). Choices are
offered by code or id from short lists (the organization's own sites and programs, reference
lists), so a forged value is "not one of the choices", never a query.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.core.models import Audience, ImmigrationStatus, Language
from ancrage.core.translated import missing_languages
from ancrage.network.models import Organization

from . import services
from .models import (
    CONTENT_LANGUAGES,
    NEEDS_TAXONOMY_NAME,
    REQUIRED_CONTENT_LANGUAGES,
    Program,
    Schedule,
    ServiceStatus,
    TaxonomyTerm,
)
from .workflow import TRANSITIONS

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
NUMBER = {"inputmode": "numeric", "autocomplete": "off", "size": "4"}

# Translated content fields: content key -> (form field prefix, label, widget rows or None).
TEXTS = (
    ("names", "name", _("Name"), None),
    ("descriptions", "description", _("Description"), 4),
    ("eligibility_descriptions", "eligibility", _("Who it is for"), 2),
    ("application_processes", "application", _("How to apply"), 2),
    ("fees_descriptions", "fees", _("Fees"), 2),
)
REQUIRED_TEXT_PREFIXES = ("name", "description")

WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
WEEK_OF_MONTH = [
    ("", _("Every week of the month")),
    ("1", _("1st")),
    ("2", _("2nd")),
    ("3", _("3rd")),
    ("4", _("4th")),
    ("-1", _("Last")),
]


def _suffix(code: str) -> str:
    return code.replace("-", "_")


def text_field_name(prefix: str, code: str) -> str:
    return f"{prefix}_{_suffix(code)}"


def _language_names() -> dict[str, str]:
    return {lang.code: lang.name for lang in Language.objects.filter(code__in=CONTENT_LANGUAGES)}


def _reference_choices(model: Any, chosen: list[str]) -> list[tuple[str, str]]:
    """Codes of a reference list in use, plus those the content already names."""
    rows = model.objects.all()
    return [(row.code, row.name) for row in rows if row.is_active or row.code in chosen]


class HoursForm(forms.Form):
    """One row of opening hours: days, times, and the place when it differs by place."""

    id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    # Not required: a row left empty is no hours at all; a filled row repeats weekly by default.
    freq = forms.ChoiceField(
        label=_("Repeats"),
        choices=Schedule.Frequency.choices,
        initial=Schedule.Frequency.WEEKLY,
        required=False,
    )
    week_of_month = forms.ChoiceField(
        label=_("Week of the month"),
        choices=WEEK_OF_MONTH,
        required=False,
        help_text=_("For monthly hours only."),
    )
    days = forms.MultipleChoiceField(
        label=_("Days"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("Closes at"), required=False, widget=TIME)
    site = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("All the places")), *sites]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("days") or data.get("opens_at") or data.get("closes_at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("days") and not self.initial.get("bymonthday"):
            self.add_error("days", _("Choose the days the service is open."))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if (opens is None) != (closes is None):
            self.add_error("closes_at", _("Give both the opening and the closing time."))
        elif opens is not None and closes is not None and opens >= closes:
            self.add_error("closes_at", _("The closing time must come after the opening time."))
        if data.get("week_of_month") and data.get("freq") != Schedule.Frequency.MONTHLY:
            self.add_error("week_of_month", _("A week of the month is for monthly hours."))
        return data

    @classmethod
    def initial_for(cls, item: dict[str, Any]) -> dict[str, Any]:
        ordinal, days = "", []
        for part in filter(None, (item.get("byday") or "").split(",")):
            days.append(part[-2:])
            ordinal = ordinal or part[:-2]
        return {
            "id": item.get("id") or "",
            "freq": item.get("freq") or Schedule.Frequency.WEEKLY,
            "week_of_month": ordinal.lstrip("+"),
            "days": days,
            "opens_at": item.get("opens_at") or None,
            "closes_at": item.get("closes_at") or None,
            "site": item.get("site") or "",
            "bymonthday": item.get("bymonthday") or "",
        }


class ContactForm(forms.Form):
    id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Name of the person or desk"),
        required=False,
        max_length=services.CONTACT_LIMITS["name"],
    )
    title = forms.CharField(
        label=_("Title"), required=False, max_length=services.CONTACT_LIMITS["title"]
    )
    email = forms.EmailField(
        label=_("Email"), required=False, max_length=services.CONTACT_LIMITS["email"]
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=services.CONTACT_LIMITS["phone"]
    )

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(f) for f in ("name", "title", "email", "phone"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.is_blank() and not data.get("name"):
            self.add_error("name", _("Give each contact a name (a person or a desk)."))
        return data


def _formset(form: type[forms.Form], most: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(form, extra=2, max_num=most, absolute_max=most, validate_max=True)


HoursFormSet = _formset(HoursForm, services.MAX_SCHEDULES)
ContactFormSet = _formset(ContactForm, services.MAX_CONTACTS)


class ServiceForm(ServiceErrorsMixin, forms.Form):
    """A service's whole content. French and English texts are required, other languages optional."""

    program = forms.ChoiceField(label=_("Program"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ServiceStatus.choices, initial=ServiceStatus.ACTIVE
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs addressed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"), required=False, widget=forms.CheckboxSelectMultiple
    )
    immigration_statuses = forms.MultipleChoiceField(
        label=_("Immigration statuses accepted"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when the service is open whatever the status."),
    )
    minimum_age = forms.IntegerField(
        label=_("Minimum age"),
        required=False,
        min_value=0,
        max_value=services.MAX_AGE,
        widget=forms.TextInput(attrs=NUMBER),
    )
    maximum_age = forms.IntegerField(
        label=_("Maximum age"),
        required=False,
        min_value=0,
        max_value=services.MAX_AGE,
        widget=forms.TextInput(attrs=NUMBER),
    )
    max_years_since_arrival = forms.IntegerField(
        label=_("At most this many years since arrival"),
        required=False,
        min_value=0,
        max_value=services.MAX_YEARS_SINCE_ARRIVAL,
        widget=forms.TextInput(attrs=NUMBER),
        help_text=_("Leave empty when the service is open to people who arrived long ago too."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the service is given in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpretation_services = forms.CharField(
        label=_("Interpretation"),
        required=False,
        max_length=services.PLAIN_LIMITS["interpretation_services"],
        help_text=_("E.g. interpreters on request."),
    )
    is_free = forms.BooleanField(label=_("Free of charge"), required=False, initial=True)
    places = forms.MultipleChoiceField(
        label=_("Places"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organization's sites where the service is given."),
    )
    url = forms.URLField(
        label=_("Web page"),
        required=False,
        max_length=services.PLAIN_LIMITS["url"],
        assume_scheme="https",
    )
    email = forms.EmailField(
        label=_("Email"), required=False, max_length=services.PLAIN_LIMITS["email"]
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=services.PLAIN_LIMITS["phone"]
    )
    funding_source = forms.CharField(
        label=_("Funded by"), required=False, max_length=services.PLAIN_LIMITS["funding_source"]
    )
    alternate_name = forms.CharField(
        label=_("Other name or code"),
        required=False,
        max_length=services.PLAIN_LIMITS["alternate_name"],
    )

    SECTIONS = {
        "eligibility": ("audiences", "immigration_statuses"),
        "ages": ("minimum_age", "maximum_age", "max_years_since_arrival"),
        "practical": (
            "status",
            "program",
            "needs",
            "languages",
            "interpretation_services",
            "is_free",
        ),
        "reach": ("url", "email", "phone", "funding_source", "alternate_name"),
    }

    def __init__(
        self,
        data: Any = None,
        *,
        organization: Organization,
        content: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.organization = organization
        self.base = content or {}
        super().__init__(data, initial=self.initial_for(self.base), **kwargs)
        self.language_names = _language_names()
        for key, prefix, label, rows in TEXTS:
            for code in CONTENT_LANGUAGES:
                widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
                self.fields[text_field_name(prefix, code)] = forms.CharField(
                    label=f"{label} ({self.language_names.get(code, code)})",
                    required=False,
                    max_length=services.TEXT_LIMITS[key],
                    widget=widget,
                )
                if code not in REQUIRED_CONTENT_LANGUAGES:
                    self.fields[text_field_name(prefix, code)].widget.attrs["lang"] = code
        chosen = self.base
        self.fields["audiences"].choices = _reference_choices(
            Audience, chosen.get("audiences") or []
        )
        self.fields["immigration_statuses"].choices = _reference_choices(
            ImmigrationStatus, chosen.get("immigration_statuses") or []
        )
        self.fields["languages"].choices = _reference_choices(
            Language, chosen.get("languages") or []
        )
        self.fields["needs"].choices = [
            (term.code, term.name)
            for term in TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY_NAME)
        ]
        self.fields["program"].choices = [
            ("", _("No program")),
            *((str(p.id), p.name) for p in Program.objects.filter(organization=organization)),
        ]
        current_sites = {item.get("site") for item in chosen.get("locations") or []}
        self.site_choices = [
            (str(site.hsds_id), site.name)
            for site in organization.sites.order_by("name")
            if site.is_active or str(site.hsds_id) in current_sites
        ]
        self.fields["places"].choices = self.site_choices
        self.hours = HoursFormSet(
            data,
            prefix="hours",
            initial=[HoursForm.initial_for(item) for item in chosen.get("schedules") or []],
            form_kwargs={"sites": self.site_choices},
        )
        self.contacts = ContactFormSet(
            data,
            prefix="contacts",
            initial=[
                {k: item.get(k) or "" for k in ("id", "name", "title", "email", "phone")}
                for item in chosen.get("contacts") or []
            ],
        )

    @staticmethod
    def initial_for(content: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for key, prefix, _label, _rows in TEXTS:
            for code, text in (content.get(key) or {}).items():
                initial[text_field_name(prefix, code)] = text
        for name in (
            "status",
            "minimum_age",
            "maximum_age",
            "max_years_since_arrival",
            "interpretation_services",
            "url",
            "email",
            "phone",
            "funding_source",
            "alternate_name",
            "audiences",
            "immigration_statuses",
            "languages",
            "needs",
        ):
            if content.get(name) is not None:
                initial[name] = content[name]
        initial["is_free"] = content.get("is_free", True)
        initial["program"] = content.get("program") or ""
        initial["places"] = [item.get("site") for item in content.get("locations") or []]
        return initial

    # --- Display helpers for the template ---

    @property
    def sections(self) -> dict[str, list[forms.BoundField]]:
        return {name: [self[f] for f in fields] for name, fields in self.SECTIONS.items()}

    def language_groups(self) -> list[dict[str, Any]]:
        """Per language: its name, its text fields, whether it is required or already written."""
        groups = []
        for code in CONTENT_LANGUAGES:
            fields = [self[text_field_name(prefix, code)] for _k, prefix, _l, _r in TEXTS]
            groups.append(
                {
                    "code": code,
                    "name": self.language_names.get(code, code),
                    "fields": fields,
                    "required": code in REQUIRED_CONTENT_LANGUAGES,
                    "written": any(f.value() for f in fields),
                    "has_errors": any(f.errors for f in fields),
                }
            )
        return groups

    def required_field_names(self) -> set[str]:
        return {
            text_field_name(prefix, code)
            for prefix in REQUIRED_TEXT_PREFIXES
            for code in REQUIRED_CONTENT_LANGUAGES
        }

    # --- Parsing ---

    def is_valid(self) -> bool:
        # Every part is validated, so every error shows at once.
        main, hours, contacts = super().is_valid(), self.hours.is_valid(), self.contacts.is_valid()
        for formset in (self.hours, self.contacts):
            counts = formset.management_form
            if counts.is_valid() and not (
                0 <= counts.cleaned_data["INITIAL_FORMS"] <= counts.cleaned_data["TOTAL_FORMS"]
            ):
                # Only a forged page sends these; refuse rather than drop rows silently.
                self.add_error(None, _("The form was altered. Reload the page and try again."))
                main = False
        if not (main and hours and contacts):
            return False
        places = set(self.cleaned_data.get("places") or [])
        for row in self.hours:
            if (
                not row.is_blank()
                and row.cleaned_data.get("site")
                and (row.cleaned_data["site"] not in places)
            ):
                row.add_error("site", _("Tick this place among the places too."))
                hours = False
        return hours

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for prefix in REQUIRED_TEXT_PREFIXES:
            texts = {code: data.get(text_field_name(prefix, code)) or "" for code in ("fr", "en")}
            for code in missing_languages(texts, REQUIRED_CONTENT_LANGUAGES):
                self.add_error(text_field_name(prefix, code), _("Required in this language."))
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age cannot be below the minimum age."))
        return data

    def content(self) -> dict[str, Any]:
        """The content dict of `directory.content`, keeping what the form does not show."""
        data = self.cleaned_data
        content: dict[str, Any] = {}
        for key, prefix, _label, _rows in TEXTS:
            content[key] = {
                code: data[text_field_name(prefix, code)].strip()
                for code in CONTENT_LANGUAGES
                if data.get(text_field_name(prefix, code), "").strip()
            }
        for name in (
            "alternate_name",
            "url",
            "email",
            "phone",
            "status",
            "is_free",
            "interpretation_services",
            "minimum_age",
            "maximum_age",
            "max_years_since_arrival",
            "funding_source",
        ):
            content[name] = data.get(name)
        content["program"] = data.get("program") or None
        for name in ("audiences", "immigration_statuses", "languages", "needs"):
            content[name] = sorted(data.get(name) or [])
        base_places = {item.get("site"): item for item in self.base.get("locations") or []}
        content["locations"] = [
            {
                **({"id": base_places[site]["id"]} if base_places.get(site, {}).get("id") else {}),
                "site": site,
                "descriptions": (base_places.get(site) or {}).get("descriptions") or {},
            }
            for site in data.get("places") or []
        ]
        content["schedules"] = self._schedules()
        content["contacts"] = self._contacts()
        return content

    def _schedules(self) -> list[dict[str, Any]]:
        base = {item.get("id"): item for item in self.base.get("schedules") or [] if item.get("id")}
        rows = []
        for row in self.hours:
            if row.is_blank():
                continue
            data = row.cleaned_data
            kept = base.get(data.get("id")) or {}
            ordinal = data.get("week_of_month") or ""
            byday = ",".join(f"{ordinal}{day}" for day in data.get("days") or [])
            item = {
                "freq": data.get("freq") or Schedule.Frequency.WEEKLY,
                "interval": kept.get("interval") or 1,
                "byday": byday,
                "bymonthday": kept.get("bymonthday") or "",
                "opens_at": data["opens_at"].strftime("%H:%M") if data.get("opens_at") else None,
                "closes_at": (
                    data["closes_at"].strftime("%H:%M") if data.get("closes_at") else None
                ),
                "valid_from": kept.get("valid_from"),
                "valid_to": kept.get("valid_to"),
                "site": data.get("site") or None,
                "descriptions": kept.get("descriptions") or {},
            }
            # Only ids this service's content already had are kept: a forged one is a new row.
            rows.append({"id": data["id"], **item} if kept else item)
        return rows

    def _contacts(self) -> list[dict[str, Any]]:
        known = {item.get("id") for item in self.base.get("contacts") or [] if item.get("id")}
        rows = []
        for row in self.contacts:
            if row.is_blank():
                continue
            data = row.cleaned_data
            item = {key: data.get(key) or "" for key in ("name", "title", "email", "phone")}
            rows.append({"id": data["id"], **item} if data.get("id") in known else item)
        return rows

    # --- Errors from the service, next to the fields ---

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            super().add_service_errors(error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(self._error_field(key), messages)

    def _error_field(self, key: str) -> str | None:
        for content_key, prefix, _label, _rows in TEXTS:
            if key == content_key:
                for code in REQUIRED_CONTENT_LANGUAGES:
                    if not (self.cleaned_data.get(text_field_name(prefix, code)) or "").strip():
                        return text_field_name(prefix, code)
                return text_field_name(prefix, "fr")
        if key == "locations":
            return "places"
        return key if key in self.fields else None


class ProgramForm(ServiceErrorsMixin, forms.Form):
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description_fr = forms.CharField(
        label=_("Description (French)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    alternate_name = forms.CharField(label=_("Other name or code"), required=False, max_length=200)

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        return {
            "name_fr": program.names.get("fr", ""),
            "name_en": program.names.get("en", ""),
            "description_fr": (program.descriptions or {}).get("fr", ""),
            "description_en": (program.descriptions or {}).get("en", ""),
            "alternate_name": program.alternate_name,
        }

    def service_arguments(self, program: Program | None = None) -> dict[str, Any]:
        data = self.cleaned_data
        # Languages the form does not show are kept as they were.
        names = {**(program.names if program else {}), "fr": data["name_fr"], "en": data["name_en"]}
        descriptions = {
            **((program.descriptions or {}) if program else {}),
            "fr": data["description_fr"],
            "en": data["description_en"],
        }
        return {
            "names": names,
            "descriptions": descriptions,
            "alternate_name": data["alternate_name"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            aliases = {"names": "name_fr", "descriptions": "description_fr"}
            for key, messages in error.message_dict.items():
                field = aliases.get(key, key)
                self.add_error(field if field in self.fields else None, messages)
        else:
            super().add_service_errors(error)


class TransitionForm(ServiceErrorsMixin, forms.Form):
    """The decision taken on an edit (its name in `workflow.TRANSITIONS`) and a comment."""

    transition = forms.ChoiceField(choices=[(t.name, t.label) for t in TRANSITIONS])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=services.COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return an edit: say what should be changed."),
    )


class ReviewRequirementForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("require", _("Require a review")), ("lift", _("Lift the review"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=services.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequireReviewForm(ServiceErrorsMixin, forms.Form):
    """Choose an organization, give a reason: its edits will wait for a review."""

    organization = IdChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=services.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
