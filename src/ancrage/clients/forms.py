"""Forms of the clients pages: they only parse and display; the rules live in services.py."""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.clients.models import (
    PURPOSES_WITH_COUNTERPART,
    AgeBand,
    Client,
    ConsentRecord,
    FrenchLevel,
    Gender,
    Household,
    Identity,
    Purpose,
)
from ancrage.clients.services import IDENTITY_TEXT_LIMITS, PROFILE_FIELDS, PossibleDuplicate
from ancrage.core.forms import IdChoiceField, IdMultipleChoiceField, ServiceErrorsMixin
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.network.forms import boroughs
from ancrage.network.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_KNOWN = _("Not known")


def _blank(choices: list[tuple[str, Any]], label: Any = NOT_KNOWN) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def document_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class VersionMixin:
    """The version the page was opened at, sent back to refuse a save over someone else's."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        if "version" in self.errors:  # type: ignore[attr-defined]
            self.add_error(  # type: ignore[attr-defined]
                None, _("This page is out of date: open it again before saving.")
            )
        return cleaned


class ProfileFields(forms.Form):
    immigration_status = IdChoiceField(
        label=_("Immigration status"),
        required=False,
        queryset=ImmigrationStatus.objects.none(),
        empty_label=NOT_KNOWN,
    )
    status_since = forms.DateField(label=_("Status obtained on"), required=False, widget=DATE)
    arrived_canada_on = forms.DateField(label=_("Arrival in Canada"), required=False, widget=DATE)
    arrived_quebec_on = forms.DateField(
        label=_("Arrival in Québec"),
        required=False,
        widget=DATE,
        help_text=_("A newcomer is someone who arrived in Québec five years ago or less."),
    )
    age_band = forms.ChoiceField(label=_("Age band"), required=False, choices=[])
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[])
    languages = IdMultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        queryset=Language.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    french_level = forms.ChoiceField(label=_("French level"), required=False, choices=[])
    borough = IdChoiceField(
        label=_("Borough"), required=False, queryset=Borough.objects.none(), empty_label=NOT_KNOWN
    )
    household = forms.ChoiceField(label=_("Household"), required=False, choices=[])
    household_size = forms.IntegerField(
        label=_("People in the household"),
        required=False,
        min_value=1,
        max_value=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    library_user = forms.ChoiceField(label=_("Library user"), required=False, choices=[])
    document_language = forms.ChoiceField(
        label=_("Language for documents"),
        required=False,
        choices=[],
        help_text=_("The language consent forms are printed in."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["immigration_status"].queryset = ImmigrationStatus.objects.filter(
            is_active=True
        )
        self.fields["borough"].queryset = boroughs()
        self.fields["languages"].queryset = Language.objects.filter(is_active=True)
        self.fields["age_band"].choices = _blank(AgeBand.choices)
        self.fields["gender"].choices = _blank(Gender.choices, _("Not asked"))
        self.fields["french_level"].choices = _blank(FrenchLevel.choices)
        self.fields["household"].choices = _blank(Household.choices)
        self.fields["library_user"].choices = _blank([("yes", _("Yes")), ("no", _("No"))])
        self.fields["document_language"].choices = document_languages()
        self.fields["document_language"].initial = settings.LANGUAGE_CODE

    def profile_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {field: data.get(field) for field in PROFILE_FIELDS}
        for field in ("age_band", "gender", "french_level", "household", "document_language"):
            values[field] = values[field] or ""
        values["library_user"] = _yes_no(data.get("library_user") or "")
        return values

    @staticmethod
    def profile_initial(client: Client) -> dict[str, Any]:
        initial = {field: getattr(client, field) for field in PROFILE_FIELDS}
        initial["library_user"] = {True: "yes", False: "no"}.get(client.library_user, "")
        initial["languages"] = list(client.languages.values_list("pk", flat=True))
        return initial


class IdentityFields(forms.Form):
    given_names = forms.CharField(
        label=_("Given names"), required=False, max_length=IDENTITY_TEXT_LIMITS["given_names"]
    )
    family_names = forms.CharField(
        label=_("Family names"), required=False, max_length=IDENTITY_TEXT_LIMITS["family_names"]
    )
    preferred_name = forms.CharField(
        label=_("Name used"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["preferred_name"],
        help_text=_("If the person goes by another name."),
    )
    born_on = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["phone"],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["email"],
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=IDENTITY_TEXT_LIMITS["address"]
    )
    uci_number = forms.CharField(
        label=_("IRCC client ID (UCI)"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["uci_number"],
    )
    health_insurance_number = forms.CharField(
        label=_("Health insurance number (RAMQ)"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["health_insurance_number"],
    )
    other_file_number = forms.CharField(
        label=_("Other file number"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["other_file_number"],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=IDENTITY_TEXT_LIMITS["note"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept encrypted with the identity: write only what the service needs."),
    )

    def identity_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {field: data.get(field) or "" for field in IDENTITY_TEXT_LIMITS}
        values["born_on"] = data.get("born_on")
        return values

    @staticmethod
    def identity_initial(identity: Identity) -> dict[str, Any]:
        initial: dict[str, Any] = {
            field: getattr(identity, field) for field in IDENTITY_TEXT_LIMITS
        }
        initial["born_on"] = identity.born_on
        return initial


class RegisterForm(ServiceErrorsMixin, IdentityFields, ProfileFields):
    confirm_distinct = forms.BooleanField(
        label=_("This is another person: register anyway"),
        required=False,
        widget=forms.HiddenInput,
    )

    field_order = [*IdentityFields.base_fields, *ProfileFields.base_fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[Client] = []
        self.fields["given_names"].widget.attrs["autofocus"] = True

    def add_service_errors(self, error: Any) -> None:
        if isinstance(error, PossibleDuplicate):
            # Show the candidates and offer the confirmation only now.
            self.duplicates = error.candidates
            self.fields["confirm_distinct"].widget = forms.CheckboxInput()
        super().add_service_errors(error)


class ProfileForm(VersionMixin, ServiceErrorsMixin, ProfileFields):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class IdentityForm(VersionMixin, ServiceErrorsMixin, IdentityFields):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("Code or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args: Any, names_searchable: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = (
            _(
                "Type a client's code, or three letters or more of a name (given or family "
                "name). A code typed in full opens the file."
            )
            if names_searchable
            else _("Type a client's code. Searching by name is for roles that may see identities.")
        )


def _organizations(client: Client) -> Any:
    return Organization.objects.exclude(pk=client.organization_id).order_by("name")


class ConsentForm(ServiceErrorsMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    counterpart = IdChoiceField(
        label=_("Organization concerned"),
        required=False,
        queryset=Organization.objects.none(),
        empty_label=_("None"),
        help_text=_("For a referral or a sharing of information: the organization named."),
    )
    state = forms.ChoiceField(
        label=_("Decision"), choices=ConsentRecord.State.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DATE,
        help_text=_("For a consent given: leave empty if it does not expire."),
    )
    given_by = forms.ChoiceField(label=_("Decision by"), choices=ConsentRecord.GivenBy.choices)
    method = forms.ChoiceField(label=_("How"), choices=ConsentRecord.Method.choices)
    language = forms.ChoiceField(label=_("Language of the form"), required=False, choices=[])

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "decided_on": timezone.localdate(),
                "language": client.document_language or settings.LANGUAGE_CODE,
                "method": ConsentRecord.Method.SIGNED,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = _organizations(client)
        self.fields["language"].choices = _blank(document_languages(), _("None"))

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "counterpart": data.get("counterpart"),
            "state": data["state"],
            "decided_on": data["decided_on"],
            "expires_on": data.get("expires_on"),
            "given_by": data["given_by"],
            "method": data["method"],
            "language": data.get("language") or "",
        }


class OverrideForm(ServiceErrorsMixin, forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(p.value, p.label) for p in Purpose if p in PURPOSES_WITH_COUNTERPART],
    )
    counterpart = IdChoiceField(
        label=_("Organization concerned"), queryset=Organization.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this cannot wait for the person's consent. Kept in the audit log."),
    )
    expires_on = forms.DateField(label=_("Authorized until"), widget=DATE)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expires_on": timezone.localdate() + timedelta(days=7)})
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = _organizations(client)


class ConsentPrintForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[])
    counterpart = IdChoiceField(
        label=_("Organization named on the form"),
        required=False,
        queryset=Organization.objects.none(),
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = document_languages()
        self.fields["counterpart"].queryset = _organizations(client)
