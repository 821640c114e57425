"""Forms of the accountability report pages: they only parse; the services check and decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.core.tenancy import BIGINT_MAX
from ancrage.funding.models import Agreement
from ancrage.reporting.models import ReportState
from ancrage.reporting.services import COMMENT_MAX


class ReportOpenForm(ServiceErrorsMixin, forms.Form):
    """Open the report of one period of an agreement (hidden fields of the list's buttons)."""

    agreement = IdChoiceField(label=_("Agreement"), queryset=Agreement.objects.none())
    period = forms.DateField(label=_("Period"), input_formats=["%Y-%m-%d"])

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements


class ReportStepForm(ServiceErrorsMixin, forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=[])
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return a report: say what must be corrected."),
    )

    def __init__(self, *args: Any, steps: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s.name, s.label) for s in steps]


SENT_STATE_CHOICES = [
    (value, label) for value, label in ReportState.choices if value != ReportState.DRAFT
]


class ReceivedFilterForm(forms.Form):
    """Filters of the advisor's list; an unknown value is a form error and filters nothing."""

    organization = forms.TypedChoiceField(
        label=_("Organization"), required=False, coerce=int, empty_value=None
    )
    program = forms.TypedChoiceField(
        label=_("Program"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    followed = forms.BooleanField(label=_("Only the organizations I follow"), required=False)

    def __init__(
        self,
        *args: Any,
        organizations: list[tuple[int, str]],
        programs: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["organization"].choices = everything + [(str(k), v) for k, v in organizations]
        self.fields["program"].choices = everything + [(str(k), v) for k, v in programs]
        self.fields["state"].choices = everything + SENT_STATE_CHOICES
