"""Forms of services, needs and referrals: they parse and display; the rules are in
`clients.records` and `clients.referrals`."""

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.clients import records
from ancrage.clients.models import NOTE_MAX, REFERRAL_REASON_MAX, Client
from ancrage.clients.selectors import normalize_code
from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.directory.needs import needs_terms
from ancrage.funding.models import FundingProgram
from ancrage.network.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CODES_MAX = 5000


class NeedsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=needs_terms(), widget=forms.CheckboxSelectMultiple, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ServiceRecordForm(ServiceErrorsMixin, forms.Form):
    """The fast entry: focus in the service type, today, 60 minutes and the best covering
    program already filled in; Enter saves."""

    service_type = IdChoiceField(
        label=_("Service"), queryset=records.ServiceType.objects.none(), empty_label=None
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=records.MINUTES_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    program = IdChoiceField(
        label=_("Charged to"),
        required=False,
        queryset=FundingProgram.objects.none(),
        empty_label=_("Unfunded (the organization's own funds)"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, client: Client, best: FundingProgram | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "on": timezone.localdate(),
                "minutes": records.DEFAULT_MINUTES,
                "program": best.pk if best else None,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = records.service_types_for(client.organization_id)
        self.fields["service_type"].widget.attrs["autofocus"] = True
        self.fields["program"].queryset = FundingProgram.objects.filter(is_active=True).order_by(
            "code"
        )


class NeedsForm(ServiceErrorsMixin, forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    needs = NeedsField(label=_("Needs"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReferralForm(ServiceErrorsMixin, forms.Form):
    to_organization = IdChoiceField(
        label=_("Refer to"), queryset=Organization.objects.none(), empty_label=_("Choose…")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REFERRAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person needs from them. No name here: the code identifies them."),
    )
    needs = NeedsField(label=_("Needs"), required=False)
    share_identity = forms.BooleanField(
        label=_("Share the person's name and contact details"),
        required=False,
        help_text=_("Only with the person's consent to share information with that organization."),
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = Organization.objects.order_by("name")

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "to_organization": data["to_organization"],
            "reason": data["reason"],
            "needs": list(data.get("needs") or []),
            "share_identity": bool(data.get("share_identity")),
        }


class ReferralStepForm(ServiceErrorsMixin, forms.Form):
    step = forms.ChoiceField(choices=[])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=REFERRAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to decline, or to withdraw a referral already accepted."),
    )

    def __init__(self, *args: Any, steps: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s.name, s.label) for s in steps]


class GroupServiceForm(ServiceErrorsMixin, forms.Form):
    """One service for every participant of a group session: tick them, or type their codes."""

    service_type = IdChoiceField(
        label=_("Service"), queryset=records.ServiceType.objects.none(), empty_label=None
    )
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=records.MINUTES_MAX
    )
    clients = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        required=False,
        queryset=Client.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    codes = forms.CharField(
        label=_("Or their codes"),
        required=False,
        max_length=CODES_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Separated by spaces or commas."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organization_id: int, known: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id = organization_id
        self.fields["service_type"].queryset = records.service_types_for(organization_id)
        self.fields["service_type"].widget.attrs["autofocus"] = True
        self.fields["clients"].queryset = known
        self.fields["clients"].label_from_instance = lambda client: client.code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        typed = [normalize_code(c) for c in re.split(r"[\s,;]+", cleaned.get("codes") or "")]
        typed = [c for c in typed if c]
        found = {
            c.code: c
            for c in Client.objects.filter(organization_id=self.organization_id, code__in=typed)
        }
        unknown = [c for c in typed if c not in found]
        if unknown:
            self.add_error(
                "codes",
                _("No client of the organization has these codes: %(codes)s.")
                % {"codes": ", ".join(unknown[:20])},
            )
        chosen = {c.pk: c for c in [*(cleaned.get("clients") or []), *found.values()]}
        cleaned["participants"] = list(chosen.values())
        return cleaned
