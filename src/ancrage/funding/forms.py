"""Forms of the funding pages: they only parse and display; the rules live in services.py and
conditions.py. The rule form writes the conditions document, so nobody edits JSON by hand."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.core.models import Borough, ImmigrationStatus
from ancrage.funding.conditions import MAX_AGE, MAX_YEARS, kind_of
from ancrage.funding.eligibility import PersonFacts
from ancrage.funding.models import EligibilityRule, FundingKind, FundingProgram
from ancrage.network.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4})

SINCE = [
    ("arrived_quebec", _("arrival in Québec")),
    ("arrived_canada", _("arrival in Canada")),
    ("status_since", _("the date the status was obtained")),
]


def status_choices() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in ImmigrationStatus.objects.filter(is_active=True)]


def borough_choices() -> list[tuple[str, str]]:
    return [(b.code, b.name) for b in Borough.objects.filter(is_active=True)]


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


class ProgramForm(AliasedErrors, forms.Form):
    funder = IdChoiceField(label=_("Funder"), queryset=Organization.objects.none())
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lowercase letters, digits and hyphens, e.g. pasi-stream-1. It never changes."),
    )
    name_fr = forms.CharField(label=_("Name in French"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    description_fr = forms.CharField(
        label=_("Description in French"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind of funding"), choices=FundingKind.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    error_aliases = {"names": "name_fr", "description": "description_fr"}

    def __init__(self, *args: Any, funders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "funder": data["funder"],
            "code": data["code"],
            "names": {"fr": data["name_fr"], "en": data["name_en"]},
            "description": {"fr": data["description_fr"], "en": data["description_en"]},
            "kind": data["kind"],
            "is_active": data["is_active"],
        }


class RuleVersionForm(AliasedErrors, forms.Form):
    """A new version of a program's rule, one input per kind of condition."""

    program = IdChoiceField(label=_("Program"), queryset=FundingProgram.objects.none())
    valid_from = forms.DateField(
        label=_("In force from"),
        widget=DATE,
        help_text=_("The version in force until then ends the day before."),
    )
    valid_to = forms.DateField(
        label=_("In force until"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty: until further notice."),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Immigration statuses covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Check none: every status, and people whose status is not known."),
    )
    years_max = forms.IntegerField(
        label=_("At most this many years since…"),
        required=False,
        min_value=0,
        max_value=MAX_YEARS,
        widget=NUMBER,
        help_text=_(
            "For example 5 for newcomers. Counted in whole years on the service date: "
            "the 5th anniversary itself is still within 5 years. Leave empty for no limit."
        ),
    )
    years_since = forms.ChoiceField(label=_("…since"), choices=SINCE, initial="arrived_quebec")
    age_min = forms.IntegerField(
        label=_("Minimum age"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=NUMBER,
        help_text=_("Age on the service date, birthday included. Leave empty for no minimum."),
    )
    age_max = forms.IntegerField(
        label=_("Maximum age"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        widget=NUMBER,
        help_text=_("Leave empty for no maximum."),
    )
    lives_in_quebec = forms.BooleanField(label=_("Must live in Québec"), required=False)
    boroughs = forms.MultipleChoiceField(
        label=_("Montréal boroughs covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Check none: no condition on the borough."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What changed and on what basis (agreement, letter from the funder…)."),
    )

    error_aliases = {"conditions": "statuses"}

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["statuses"].choices = status_choices()
        self.fields["boroughs"].choices = borough_choices()

    @classmethod
    def initial_for(cls, program: FundingProgram) -> dict[str, Any]:
        """Start from the program's latest version: a new version usually changes one thing."""
        initial: dict[str, Any] = {"program": program.pk}
        latest: EligibilityRule | None = program.rules.order_by("-valid_from").first()
        if latest is None:
            return initial
        for condition in latest.conditions.get("all", []):
            kind = kind_of(condition)
            value = condition[kind]
            if kind == "status_in":
                initial["statuses"] = value
            elif kind == "borough_in":
                initial["boroughs"] = value
            elif kind == "years_since_max":
                initial["years_max"] = value
                initial["years_since"] = condition.get("since", "arrived_quebec")
            else:
                initial[kind] = value
        return initial

    def conditions(self) -> dict[str, list[dict[str, Any]]]:
        data = self.cleaned_data
        items: list[dict[str, Any]] = []
        if data["statuses"]:
            items.append({"status_in": list(data["statuses"])})
        if data["years_max"] is not None:
            items.append({"years_since_max": data["years_max"], "since": data["years_since"]})
        for kind in ("age_min", "age_max"):
            if data[kind] is not None:
                items.append({kind: data[kind]})
        if data["lives_in_quebec"]:
            items.append({"lives_in_quebec": True})
        if data["boroughs"]:
            items.append({"borough_in": list(data["boroughs"])})
        return {"all": items}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "program": data["program"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "conditions": self.conditions(),
            "note": data["note"],
        }


RESIDENCE = [
    ("", _("Not known")),
    ("montreal", _("In Montréal")),
    ("quebec", _("In Québec, outside Montréal")),
    ("outside", _("Outside Québec")),
]


class TryPersonForm(AliasedErrors, forms.Form):
    """A person described on the spot, to see which programs cover them and why. Nothing is saved."""

    on = forms.DateField(label=_("Service date"), widget=DATE)
    status = forms.ChoiceField(label=_("Immigration status"), required=False)
    status_since = forms.DateField(label=_("Status obtained on"), widget=DATE, required=False)
    arrived_canada = forms.DateField(label=_("Arrived in Canada on"), widget=DATE, required=False)
    arrived_quebec = forms.DateField(label=_("Arrived in Québec on"), widget=DATE, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE, required=False)
    residence = forms.ChoiceField(label=_("Lives"), choices=RESIDENCE, required=False)
    borough = forms.ChoiceField(label=_("Borough"), required=False)

    error_aliases = {
        "status_code": "status",
        "borough_code": "borough",
        "lives_in_quebec": "residence",
        "lives_in_montreal": "residence",
        "age_range": "birth_date",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["status"].choices = [("", _("Not known")), *status_choices()]
        self.fields["borough"].choices = [("", _("Not known")), *borough_choices()]

    def facts(self) -> PersonFacts:
        data = self.cleaned_data
        residence = data["residence"]
        return PersonFacts(
            status_code=data["status"] or None,
            status_since=data["status_since"],
            arrived_canada=data["arrived_canada"],
            arrived_quebec=data["arrived_quebec"],
            birth_date=data["birth_date"],
            lives_in_quebec={"montreal": True, "quebec": True, "outside": False}.get(residence),
            lives_in_montreal={"montreal": True, "quebec": False, "outside": False}.get(residence),
            borough_code=data["borough"] or None,
        )
