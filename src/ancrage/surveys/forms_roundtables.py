"""Forms of the round-table pages: they only parse; `roundtables.py` checks and decides."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.core.tenancy import BIGINT_MAX
from ancrage.network.models import Organization
from ancrage.surveys.models import TEXT_MAX, Meeting, TableRole
from ancrage.surveys.roundtables import (
    MEETING_TITLE_MAX,
    NOTE_MAX,
    PLACE_MAX,
    RECOMMENDATION_TITLE_MAX,
    REMIND_DEFAULT_DAYS,
    REMIND_MAX_DAYS,
    REMIND_MIN_DAYS,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d"]
# Long enough for the service to say how much too long the minutes are; the service decides.
MINUTES_PARSE_MAX = 2_000_000


def _date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        input_formats=DATE_FORMATS,
        help_text=help_text,
    )


class MemberAddForm(ServiceErrorsMixin, forms.Form):
    member = IdChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role at the table"), choices=TableRole.choices)
    joined_on = _date_field(_("Member since"))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = organizations


class MemberEditForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role at the table"), choices=TableRole.choices)
    joined_on = _date_field(_("Member since"))
    left_on = _date_field(
        _("Left the table on"), help_text=_("Leave empty while the organization sits at the table.")
    )


class MeetingForm(ServiceErrorsMixin, forms.Form):
    held_on = _date_field(_("Date"), required=True)
    title = forms.CharField(label=_("Title"), max_length=MEETING_TITLE_MAX)
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX, required=False)
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=MINUTES_PARSE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text, 50 kB at most. Line breaks are kept."),
    )
    minutes_public = forms.BooleanField(
        label=_("The minutes are public"),
        required=False,
        help_text=_("Checked: anyone may read them on the table's public page."),
    )

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RecommendationForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=RECOMMENDATION_TITLE_MAX)
    text = forms.CharField(
        label=_("Recommendation"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    addressed_to = IdChoiceField(
        label=_("Addressed to"),
        queryset=Organization.objects.none(),
        help_text=_("The institution asked to act: a ministry, the City, a health institution…"),
    )
    meeting = IdChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("The meeting where it was proposed or adopted, if any."),
    )
    remind_after_days = forms.IntegerField(
        label=_("Remind after (days without an answer)"),
        min_value=REMIND_MIN_DAYS,
        max_value=REMIND_MAX_DAYS,
        initial=REMIND_DEFAULT_DAYS,
    )
    is_public = forms.BooleanField(
        label=_("Shown on the public tracker"),
        required=False,
        initial=True,
        help_text=_("Once sent, its title, text, dates and the answer are public."),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX, required=False
    )

    def __init__(self, *args: Any, addressees: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].queryset = addressees
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.held_on.isoformat()} — {m.title}"
        )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class StepForm(ServiceErrorsMixin, forms.Form):
    """One step of a recommendation (its buttons, named `step`, are checked by the view against
    the steps the person may take)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)
    on = _date_field(_("On"))
    answer = forms.CharField(
        label=_("The institution's answer"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
