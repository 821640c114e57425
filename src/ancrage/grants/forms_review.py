"""Forms of the review and the allocation: they only parse; `review` and `decisions` check."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin
from ancrage.grants.models import TEXT_MAX, Application, Criterion
from ancrage.grants.review import NOTE_MAX, comment_field, score_field

ACTIONS = ("totals", "save", "complete")


class ScoreForm(ServiceErrorsMixin, forms.Form):
    """A score (0 … highest) and a comment per criterion of the call."""

    def __init__(
        self, *args: Any, criteria: list[Criterion], values: dict[int, tuple], **kwargs: Any
    ) -> None:
        initial = {}
        for pk, (score, comment) in values.items():
            initial[score_field(pk)] = score
            initial[comment_field(pk)] = comment
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            # Parsed as text: the service says what is wrong with a score (outside the scale…).
            self.fields[score_field(criterion)] = forms.CharField(
                label=_("Score (0 to %(max)d)") % {"max": criterion.scale_max},
                required=False,
                max_length=12,
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": criterion.scale_max, "step": 1, "inputmode": "numeric"}
                ),
            )
            self.fields[comment_field(criterion)] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "criterion": c,
                "score": self[score_field(c)],
                "comment": self[comment_field(c)],
            }
            for c in self.criteria
        ]

    def scores(self) -> dict[int, tuple[Any, Any]]:
        data = self.cleaned_data
        return {
            c.pk: (data.get(score_field(c)) or None, data.get(comment_field(c)) or "")
            for c in self.criteria
        }

    def typed(self) -> dict[int, Any]:
        """What was typed, even if the form is not valid (for the totals)."""
        source = self.data if self.is_bound else self.initial
        return {c.pk: source.get(score_field(c)) for c in self.criteria}


class ConflictForm(ServiceErrorsMixin, forms.Form):
    conflict_note = forms.CharField(
        label=_("What is the conflict of interest?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: I sit on the board of the applicant, or I worked on this project. "
            "Your scores will no longer count."
        ),
    )


class AssignForm(ServiceErrorsMixin, forms.Form):
    application = IdChoiceField(queryset=Application.objects.none(), label=_("Application"))
    reviewer = IdChoiceField(queryset=None, label=_("Reviewer"))

    def __init__(self, *args: Any, applications: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda a: a.title
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username


class AllocationForm(ServiceErrorsMixin, forms.Form):
    partial = forms.BooleanField(
        label=_("Partial funding allowed"),
        required=False,
        help_text=_("A project may receive part of its request, the same share every year."),
    )
    floor_percent = forms.DecimalField(
        label=_("Smallest share of a request (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        required=False,
        initial=Decimal(50),
        help_text=_(
            "With partial funding: no project below this share, nor below its own viable minimum."
        ),
    )
    one_per_objective = forms.BooleanField(
        label=_("At least one project per objective"), required=False
    )
    cap = forms.DecimalField(
        label=_("Most one organization may receive, all years ($)"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    pinned = forms.TypedMultipleChoiceField(
        label=_("Always funded"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    excluded = forms.TypedMultipleChoiceField(
        label=_("Never funded"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, applications: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(a.pk, a.title) for a in applications]
        self.fields["pinned"].choices = choices
        self.fields["excluded"].choices = choices

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "partial": data["partial"],
            "floor_percent": data.get("floor_percent")
            if data.get("floor_percent") is not None
            else 0,
            "one_per_objective": data["one_per_objective"],
            "cap": data.get("cap"),
            "pinned": data.get("pinned") or [],
            "excluded": data.get("excluded") or [],
        }


class AdoptForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I confirm the committee's decision: the projects above are funded, the others declined."
        ),
    )
