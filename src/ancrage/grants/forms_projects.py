"""Forms of the funded projects: they only parse; `projects` checks and says what is wrong."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.grants.models import TEXT_MAX, Application, Instalment, LogicModelRow, ProgressReport
from ancrage.grants.projects import activities_to_link, indicator_key

EXTRA_ROWS = 2


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def indicator_field(row: LogicModelRow | int) -> str:
    return f"indicator_{indicator_key(row)}"


class ReportForm(ServiceErrorsMixin, forms.Form):
    """What happened, and the value so far of each indicator of the logic model."""

    narrative = forms.CharField(
        label=_("What happened since the last report"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, rows: list[LogicModelRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            # Parsed as text: the service says what is wrong with a value.
            self.fields[indicator_field(row)] = forms.CharField(
                label=_("%(indicator)s (target: %(target)d)")
                % {"indicator": row.indicator, "target": row.target},
                required=False,
                max_length=12,
                widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
            )

    def service_arguments(self) -> dict[str, Any]:
        return {
            "narrative": self.cleaned_data["narrative"],
            "indicator_values": {
                indicator_key(row): self.cleaned_data.get(indicator_field(row)) for row in self.rows
            },
        }

    def add_service_errors(self, error: Any) -> None:
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                name = (
                    key
                    if key in self.fields
                    else indicator_field(int(key))
                    if key.isdigit()
                    else None
                )
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class ActivityLinkForm(ServiceErrorsMixin, forms.Form):
    activity = IdChoiceField(
        label=_("Activity of your organization"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose one of your organization's activities.")},
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities_to_link(application)


class PayForm(ServiceErrorsMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())

    def __init__(self, *args: Any, instalment: Instalment | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        if instalment is not None:
            kwargs.setdefault("prefix", f"pay-{instalment.pk}")
        super().__init__(*args, **kwargs)


class ScheduleForm(ServiceErrorsMixin, forms.Form):
    """The reports not yet submitted and the instalments not yet paid, one row each, with blank
    rows to add more; an emptied row is removed."""

    def __init__(
        self,
        *args: Any,
        reports: list[ProgressReport],
        instalments: list[Instalment],
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        for i, report in enumerate(reports):
            initial[f"report_{i}"] = report.due_on
        for i, instalment in enumerate(instalments):
            initial[f"instalment_{i}_due_on"] = instalment.due_on
            initial[f"instalment_{i}_amount"] = instalment.amount
            initial[f"instalment_{i}_condition"] = instalment.condition
        super().__init__(*args, initial=initial, **kwargs)
        self.report_count = len(reports) + EXTRA_ROWS
        self.instalment_count = len(instalments) + EXTRA_ROWS
        for i in range(self.report_count):
            self.fields[f"report_{i}"] = forms.DateField(
                label=_("Report %(n)d due on") % {"n": i + 1}, required=False, widget=DateInput()
            )
        for i in range(self.instalment_count):
            self.fields[f"instalment_{i}_due_on"] = forms.DateField(
                label=_("Instalment %(n)d due on") % {"n": i + 1},
                required=False,
                widget=DateInput(),
            )
            self.fields[f"instalment_{i}_amount"] = forms.CharField(
                label=_("Instalment %(n)d amount ($)") % {"n": i + 1},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"instalment_{i}_condition"] = forms.CharField(
                label=_("Instalment %(n)d condition") % {"n": i + 1},
                required=False,
                max_length=300,
            )

    def report_fields(self) -> list[Any]:
        return [self[f"report_{i}"] for i in range(self.report_count)]

    def instalment_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (
                self[f"instalment_{i}_due_on"],
                self[f"instalment_{i}_amount"],
                self[f"instalment_{i}_condition"],
            )
            for i in range(self.instalment_count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(self.instalment_count):
            due = data.get(f"instalment_{i}_due_on")
            amount = (data.get(f"instalment_{i}_amount") or "").strip()
            if bool(due) != bool(amount) and f"instalment_{i}_due_on" not in self.errors:
                self.add_error(
                    f"instalment_{i}_amount" if due else f"instalment_{i}_due_on",
                    _("Give both the date and the amount, or empty the row to remove it."),
                )
        return data

    def service_arguments(self) -> dict[str, Any]:
        reports: list[date] = [
            self.cleaned_data[f"report_{i}"]
            for i in range(self.report_count)
            if self.cleaned_data.get(f"report_{i}")
        ]
        instalments = [
            {
                "due_on": self.cleaned_data[f"instalment_{i}_due_on"],
                "amount": self.cleaned_data[f"instalment_{i}_amount"],
                "condition": self.cleaned_data.get(f"instalment_{i}_condition", ""),
            }
            for i in range(self.instalment_count)
            if self.cleaned_data.get(f"instalment_{i}_due_on")
        ]
        return {"reports": reports, "instalments": instalments}
