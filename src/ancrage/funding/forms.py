"""Forms of the funding pages: they only parse and display; the rules live in services.py and
conditions.py. The rule form writes the conditions document, so nobody edits JSON by hand."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.core.models import Borough, ImmigrationStatus
from ancrage.funding.conditions import MAX_AGE, MAX_YEARS, kind_of
from ancrage.funding.eligibility import PersonFacts
from ancrage.funding.models import (
    Agreement,
    EligibilityRule,
    FundingKind,
    FundingProgram,
    ReportingCadence,
    TargetMetric,
)
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


# --- Agreements, amounts, targets ---------------------------------------------------------------


def program_label(program: FundingProgram) -> str:
    label = f"{program.name} — {program.funder.name}"
    return label if program.is_active else f"{label} ({_('no longer offered')})"


class MoneyField(forms.Field):
    """Dollars as people type them: "12 500,50", "12500.50", "12 500 $". A comma alone is the
    decimal mark (French); the service refuses a third decimal, a negative or absurd amount."""

    default_error_messages = {"invalid": _("Enter an amount in dollars, e.g. 12 500,50.")}
    MAX_TYPED = 30

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": self.MAX_TYPED}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if len(text) > self.MAX_TYPED:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        for noise in (" ", "\u00a0", "\u202f", "$"):
            text = text.replace(noise, "")
        if "," in text and "." in text:
            # Both marks: the last one is the decimal mark, the other groups thousands.
            decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_mark == "," else ",", "")
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class AgreementForm(AliasedErrors, forms.Form):
    program = IdChoiceField(label=_("Program"), queryset=FundingProgram.objects.none())
    reference = forms.CharField(
        label=_("Funder's reference"),
        required=False,
        max_length=60,
        help_text=_("The file number the funder gives the agreement, if any."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    renewal_on = forms.DateField(
        label=_("Renewal decision by"),
        required=False,
        widget=DATE,
        help_text=_(
            "When the renewal must be settled, if before the end. Leave empty: the end date. "
            "Alerts are sent 180, 90 and 30 days before."
        ),
    )
    cadence = forms.ChoiceField(
        label=_("Reports due"), choices=ReportingCadence.choices, initial="quarterly"
    )
    recurring = forms.BooleanField(
        label=_("Recurring"),
        required=False,
        help_text=_("Renewed year after year when it ends (mission funding usually is)."),
    )
    restrictions = forms.CharField(
        label=_("Restrictions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the money may not pay for, conditions to respect (at most 4,000 characters)."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["program"].label_from_instance = program_label

    @classmethod
    def initial_for(cls, agreement: Agreement) -> dict[str, Any]:
        return {
            "program": agreement.program_id,
            "reference": agreement.reference,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "renewal_on": agreement.renewal_on,
            "cadence": agreement.cadence,
            "recurring": agreement.recurring,
            "restrictions": agreement.restrictions,
            "version": agreement.version,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


def _period_value(start: date, end: date) -> str:
    return f"{start.isoformat()}:{end.isoformat()}"


class PeriodForm(AliasedErrors, forms.Form):
    """A period of the agreement: one of its fiscal years or quarters, or other dates."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    period_start = forms.DateField(label=_("Or from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("to"), required=False, widget=DATE)

    def __init__(self, *args: Any, periods: list[tuple[date, date, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("Other dates (below)"))] + [
            (_period_value(start, end), f"{label} ({start.isoformat()} → {end.isoformat()})")
            for start, end, label in periods
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("period")
        if chosen:
            # The service names the dates; the person chose them in the list.
            self.error_aliases = {"period_start": "period", "period_end": "period"}
            start, end = chosen.split(":")
            data["period_start"], data["period_end"] = (
                date.fromisoformat(start),
                date.fromisoformat(end),
            )
        elif not self.errors and (not data.get("period_start") or not data.get("period_end")):
            raise ValidationError(_("Choose a period, or give both dates."))
        return data

    def period_arguments(self) -> dict[str, Any]:
        return {
            "period_start": self.cleaned_data["period_start"],
            "period_end": self.cleaned_data["period_end"],
        }


class AmountForm(PeriodForm):
    amount = MoneyField(label=_("Amount ($)"))

    field_order = ["period", "period_start", "period_end", "amount"]

    def service_arguments(self) -> dict[str, Any]:
        return {**self.period_arguments(), "amount": self.cleaned_data["amount"]}


class TargetForm(PeriodForm):
    metric = forms.ChoiceField(label=_("What is counted"), choices=TargetMetric.choices)
    value = forms.IntegerField(
        label=_("Target"),
        min_value=0,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
    )

    field_order = ["metric", "period", "period_start", "period_end", "value"]

    def service_arguments(self) -> dict[str, Any]:
        return {
            **self.period_arguments(),
            "metric": self.cleaned_data["metric"],
            "value": self.cleaned_data["value"],
        }


# --- A funder's advisor -------------------------------------------------------------------------


class FollowForm(forms.Form):
    organization = IdChoiceField(
        label=_("Organization to follow"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class VisitForm(AliasedErrors, forms.Form):
    funder = IdChoiceField(label=_("For the funder"), queryset=Organization.objects.none())
    visited_on = forms.DateField(label=_("Date of the visit or call"), widget=DATE)
    open_questions = forms.CharField(
        label=_("Open questions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follow_ups = forms.CharField(
        label=_("Follow-ups"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What each side will do, and what will be checked at the next visit."),
    )
    follow_up_by = forms.DateField(label=_("Follow up by"), required=False, widget=DATE)

    def __init__(self, *args: Any, funders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders
        if len(funders) == 1:
            # The usual case: one funder, nothing to choose.
            self.fields["funder"].widget = forms.HiddenInput()
            self.fields["funder"].initial = funders[0].pk

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
