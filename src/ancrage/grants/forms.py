"""Forms of the calls and applications pages: they only parse and display; the rules live in
services.py. Tables (envelopes, objectives, criteria, budget lines, logic model, partners) are
numbered rows: blank rows are ignored, "More rows" adds some, and everything is saved at once."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ancrage.core.choices import OrganizationKind
from ancrage.core.forms import IdChoiceField, IdMultipleChoiceField, ServiceErrorsMixin
from ancrage.core.models import Audience, Borough
from ancrage.funding.forms import MoneyField
from ancrage.grants.models import TEXT_MAX, CallObjective, GrantCall
from ancrage.grants.selectors import ZERO
from ancrage.network.models import Organization

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
ROWS_MAX = 100
MORE = 5


def row_count(data: Any, existing: int, *, blank: int = 3, limit: int = ROWS_MAX) -> int:
    """How many rows the table shows: what was posted (plus more if asked), else the rows
    saved and a few blank ones."""
    if data is not None and "rows" in data:
        try:
            count = int(str(data.get("rows"))[:4])
        except ValueError:
            count = existing + blank
        if data.get("action") == "more":
            count += MORE
    else:
        count = existing + blank
    return max(1, min(count, limit))


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


class VersionMixin:
    """The version of the application the person saw, sent back with every change."""

    def add_version(self, version: int) -> None:
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=version, min_value=0, max_value=2**31
        )

    def version(self) -> int | None:
        return self.cleaned_data.get("version")  # type: ignore[attr-defined]


class RowsMixin:
    """Numbered rows of fields `<name>_<i>`; `rows()` gives the non-blank ones as dicts."""

    row_fields: tuple[str, ...] = ()

    def add_rows(self, count: int, make: Any) -> None:
        self.fields["rows"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=count, min_value=1, max_value=ROWS_MAX
        )
        self.row_numbers = list(range(1, count + 1))
        for i in self.row_numbers:
            for name, field in make(i).items():
                self.fields[f"{name}_{i}"] = field

    def rows(self) -> list[dict[str, Any]]:
        data = self.cleaned_data  # type: ignore[attr-defined]
        found = []
        for i in self.row_numbers:
            row = {name: data.get(f"{name}_{i}") for name in self.row_fields}
            if any(value not in (None, "", False, []) for value in row.values()):
                found.append(row)
        return found

    def table(self) -> list[list[Any]]:
        """Bound fields row by row, for the template."""
        return [
            [self[f"{name}_{i}"] for name in self.row_fields]  # type: ignore[index]
            for i in self.row_numbers
        ]


# --- Calls ------------------------------------------------------------------------------------


def borough_queryset() -> Any:
    return Borough.objects.filter(is_active=True).order_by("sort_order")


class CallForm(AliasedErrors, forms.Form):
    funder = IdChoiceField(label=_("Funder"), queryset=Organization.objects.none())
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_(
            "Lowercase letters, digits and hyphens, e.g. montreal-inclusive-2025. It appears in the public address."
        ),
    )
    title_fr = forms.CharField(label=_("Title in French"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    description_fr = forms.CharField(
        label=_("Description in French"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens on"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("Deadline"),
        widget=DATETIME,
        input_formats=DATETIME_FORMATS,
        help_text=_("Montréal time. An application submitted one second later is refused."),
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Kinds of organization eligible"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Check none: every kind."),
    )
    eligible_boroughs = IdMultipleChoiceField(
        label=_("Boroughs eligible"),
        queryset=Borough.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Check none: the whole city."),
    )
    documents_required = forms.CharField(
        label=_("Documents required"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line; French, then English after a vertical bar: États financiers | Financial statements"
        ),
    )
    max_per_organization = MoneyField(
        label=_("Most one organization may receive ($)"),
        required=False,
        help_text=_("Leave empty for no limit."),
    )

    error_aliases = {"titles": "title_fr", "descriptions": "description_fr"}

    def __init__(
        self, *args: Any, funders: Any = None, call: GrantCall | None = None, **kwargs: Any
    ) -> None:
        if call is not None:
            kwargs.setdefault("initial", self.initial_for(call))
        super().__init__(*args, **kwargs)
        self.fields["eligible_boroughs"].queryset = borough_queryset()
        if call is not None:  # the funder and the code never change
            del self.fields["funder"]
            del self.fields["code"]
        else:
            self.fields["funder"].queryset = funders

    @staticmethod
    def initial_for(call: GrantCall) -> dict[str, Any]:
        from django.utils import timezone

        return {
            "title_fr": call.titles.get("fr", ""),
            "title_en": call.titles.get("en", ""),
            "description_fr": call.descriptions.get("fr", ""),
            "description_en": call.descriptions.get("en", ""),
            "opens_at": timezone.localtime(call.opens_at),
            "closes_at": timezone.localtime(call.closes_at),
            "eligible_kinds": call.eligible_kinds,
            "eligible_boroughs": list(call.eligible_boroughs.values_list("pk", flat=True)),
            "documents_required": "\n".join(
                " | ".join(texts.get(code, "") for code in ("fr", "en")).strip(" |")
                for texts in call.documents_required
            ),
            "max_per_organization": call.max_per_organization,
        }

    def clean_documents_required(self) -> list[dict[str, str]]:
        documents = []
        for line in (self.cleaned_data.get("documents_required") or "").splitlines():
            if not line.strip():
                continue
            french, _bar, english = line.partition("|")
            documents.append({"fr": french.strip(), "en": english.strip()})
        return documents

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            "titles": {"fr": data["title_fr"], "en": data["title_en"]},
            "descriptions": {"fr": data["description_fr"], "en": data["description_en"]},
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "eligible_kinds": data["eligible_kinds"],
            "eligible_boroughs": list(data["eligible_boroughs"]),
            "documents_required": data["documents_required"],
            "max_per_organization": data["max_per_organization"],
        }
        if "code" in data:
            arguments["code"] = data["code"]
        return arguments


class EnvelopesForm(RowsMixin, AliasedErrors, forms.Form):
    row_fields = ("year", "envelope")
    error_aliases = {"envelopes": "__all__"}

    def __init__(self, *args: Any, call: GrantCall, **kwargs: Any) -> None:
        years = list(call.years.all())
        initial = {}
        for i, year in enumerate(years, start=1):
            initial[f"year_{i}"] = year.year
            initial[f"envelope_{i}"] = year.envelope
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.add_rows(
            row_count(args[0] if args else None, len(years), limit=10),
            lambda i: {
                "year": forms.IntegerField(
                    label=_("Year %(number)d") % {"number": i},
                    required=False,
                    min_value=2000,
                    max_value=2100,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}),
                ),
                "envelope": MoneyField(
                    label=_("Envelope of year %(number)d ($)") % {"number": i}, required=False
                ),
            },
        )

    def envelopes(self) -> dict[int, Decimal]:
        found: dict[int, Decimal] = {}
        for row in self.rows():
            if row["year"] is None or row["envelope"] is None:
                raise ValidationError({"envelopes": _("Give each year its envelope.")})
            if row["year"] in found:
                raise ValidationError({"envelopes": _("Each year once.")})
            found[row["year"]] = row["envelope"]
        return found

    def total(self) -> Decimal:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return sum(
                (Decimal(str(v)) for k, v in self.initial.items() if k.startswith("envelope_")),
                ZERO,
            )
        return sum((row["envelope"] or ZERO for row in self.rows()), ZERO)


class ObjectivesForm(RowsMixin, AliasedErrors, forms.Form):
    row_fields = ("name_fr", "name_en")
    error_aliases = {"objectives": "__all__"}

    def __init__(self, *args: Any, call: GrantCall, **kwargs: Any) -> None:
        objectives = list(call.objectives.all())
        initial = {}
        for i, objective in enumerate(objectives, start=1):
            initial[f"name_fr_{i}"] = objective.names.get("fr", "")
            initial[f"name_en_{i}"] = objective.names.get("en", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.add_rows(
            row_count(args[0] if args else None, len(objectives), limit=20),
            lambda i: {
                "name_fr": forms.CharField(
                    label=_("Objective %(number)d in French") % {"number": i},
                    required=False,
                    max_length=500,
                ),
                "name_en": forms.CharField(
                    label=_("Objective %(number)d in English") % {"number": i},
                    required=False,
                    max_length=500,
                ),
            },
        )

    def objectives(self) -> list[dict[str, Any]]:
        return [{"names": {"fr": r["name_fr"], "en": r["name_en"]}} for r in self.rows()]


class CriteriaForm(RowsMixin, AliasedErrors, forms.Form):
    row_fields = ("name_fr", "name_en", "weight", "scale_max", "description_fr")
    error_aliases = {"criteria": "__all__"}

    def __init__(self, *args: Any, call: GrantCall, **kwargs: Any) -> None:
        criteria = list(call.criteria.all())
        initial = {}
        for i, criterion in enumerate(criteria, start=1):
            initial[f"name_fr_{i}"] = criterion.names.get("fr", "")
            initial[f"name_en_{i}"] = criterion.names.get("en", "")
            initial[f"weight_{i}"] = criterion.weight
            initial[f"scale_max_{i}"] = criterion.scale_max
            initial[f"description_fr_{i}"] = criterion.descriptions.get("fr", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        number = {"inputmode": "numeric", "size": 4}
        self.add_rows(
            row_count(args[0] if args else None, len(criteria), limit=20),
            lambda i: {
                "name_fr": forms.CharField(
                    label=_("Criterion %(number)d in French") % {"number": i},
                    required=False,
                    max_length=500,
                ),
                "name_en": forms.CharField(
                    label=_("Criterion %(number)d in English") % {"number": i},
                    required=False,
                    max_length=500,
                ),
                "weight": forms.IntegerField(
                    label=_("Weight of criterion %(number)d (%%)") % {"number": i},
                    required=False,
                    widget=forms.TextInput(attrs=number),
                ),
                "scale_max": forms.IntegerField(
                    label=_("Highest score of criterion %(number)d") % {"number": i},
                    required=False,
                    widget=forms.TextInput(attrs=number),
                ),
                "description_fr": forms.CharField(
                    label=_("What reviewers look for (criterion %(number)d)") % {"number": i},
                    required=False,
                    max_length=TEXT_MAX,
                ),
            },
        )

    def criteria(self) -> list[dict[str, Any]]:
        return [
            {
                "names": {"fr": r["name_fr"], "en": r["name_en"]},
                "descriptions": {"fr": r["description_fr"]},
                "weight": r["weight"],
                "scale_max": r["scale_max"] if r["scale_max"] is not None else 5,
            }
            for r in self.rows()
        ]

    def total_weight(self) -> int:
        if hasattr(self, "cleaned_data"):
            return sum(r["weight"] or 0 for r in self.rows())
        return sum(v or 0 for k, v in self.initial.items() if k.startswith("weight_"))


# --- Applications -----------------------------------------------------------------------------


def audience_choices() -> list[tuple[str, str]]:
    return [
        (a.code, a.name) for a in Audience.objects.filter(is_active=True).order_by("sort_order")
    ]


class ProjectForm(VersionMixin, AliasedErrors, forms.Form):
    organization = IdChoiceField(
        label=_("Applicant organization"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Project title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the project does, for whom, and what changes for them."),
    )
    objectives = IdMultipleChoiceField(
        label=_("Objectives of the call the project addresses"),
        queryset=CallObjective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Groups the project is for"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    boroughs = IdMultipleChoiceField(
        label=_("Boroughs where the project takes place"),
        queryset=Borough.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minimum_viable = forms.DecimalField(
        label=_("Smallest share of the request that keeps the project viable (%)"),
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
        help_text=_("E.g. 70: the project can go ahead with 70% of the amount requested."),
    )

    def __init__(
        self,
        *args: Any,
        call: GrantCall,
        organizations: Any = None,
        application: Any = None,
        **kwargs: Any,
    ) -> None:
        if application is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": application.title,
                    "summary": application.summary,
                    "objectives": [o.pk for o in application.objectives.all()],
                    "target_groups": application.target_groups,
                    "boroughs": [b.pk for b in application.boroughs.all()],
                    "minimum_viable": application.minimum_viable,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = call.objectives.all()
        self.fields["objectives"].label_from_instance = str
        self.fields["target_groups"].choices = audience_choices()
        self.fields["boroughs"].queryset = borough_queryset()
        if application is not None:
            del self.fields["organization"]
            self.add_version(application.version)
        else:
            self.fields["organization"].queryset = organizations

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "objectives": list(data["objectives"]),
            "target_groups": data["target_groups"],
            "boroughs": list(data["boroughs"]),
            "minimum_viable": data["minimum_viable"],
        }


class BudgetForm(RowsMixin, VersionMixin, AliasedErrors, forms.Form):
    row_fields = ("year", "label", "amount")
    error_aliases = {"lines": "__all__"}

    def __init__(self, *args: Any, application: Any, years: list[int], **kwargs: Any) -> None:
        lines = list(application.budget.order_by("year", "pk"))
        initial: dict[str, Any] = {
            f"requested_{year}": amount for year, amount in (application.requested or {}).items()
        }
        for i, line in enumerate(lines, start=1):
            initial[f"year_{i}"] = line.year
            initial[f"label_{i}"] = line.label
            initial[f"amount_{i}"] = line.amount
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            self.fields[f"requested_{year}"] = MoneyField(
                label=_("Amount requested for %(year)s ($)") % {"year": year}, required=False
            )
        self.add_version(application.version)
        year_choices = [("", "—"), *((str(y), str(y)) for y in years)]
        self.add_rows(
            row_count(args[0] if args else None, len(lines), blank=max(3, len(years))),
            lambda i: {
                "year": forms.TypedChoiceField(
                    label=_("Year of line %(number)d") % {"number": i},
                    choices=year_choices,
                    coerce=int,
                    required=False,
                    empty_value=None,
                ),
                "label": forms.CharField(
                    label=_("Line %(number)d") % {"number": i}, required=False, max_length=200
                ),
                "amount": MoneyField(
                    label=_("Amount of line %(number)d ($)") % {"number": i}, required=False
                ),
            },
        )

    def requested_fields(self) -> list[Any]:
        return [self[f"requested_{year}"] for year in self.years]

    def requested(self) -> dict[int, Any]:
        return {
            year: self.cleaned_data[f"requested_{year}"]
            for year in self.years
            if self.cleaned_data.get(f"requested_{year}") is not None
        }

    def lines(self) -> list[dict[str, Any]]:
        lines = self.rows()
        for line in lines:
            if line["year"] is None or not line["label"] or line["amount"] is None:
                raise ValidationError(
                    {"lines": _("Each budget line needs its year, its label and its amount.")}
                )
        return lines


class LogicModelForm(RowsMixin, VersionMixin, AliasedErrors, forms.Form):
    row_fields = ("activity", "output", "outcome", "indicator", "target")
    error_aliases = {"rows": "__all__"}

    def __init__(self, *args: Any, application: Any, **kwargs: Any) -> None:
        rows = list(application.logic_model.all())
        initial = {}
        for i, row in enumerate(rows, start=1):
            for name in self.row_fields:
                initial[f"{name}_{i}"] = getattr(row, name)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.add_version(application.version)
        self.add_rows(
            row_count(args[0] if args else None, len(rows), limit=50),
            lambda i: {
                "activity": forms.CharField(
                    label=_("Activity %(number)d") % {"number": i}, required=False, max_length=500
                ),
                "output": forms.CharField(
                    label=_("Output of activity %(number)d") % {"number": i},
                    required=False,
                    max_length=500,
                ),
                "outcome": forms.CharField(
                    label=_("Outcome of activity %(number)d") % {"number": i},
                    required=False,
                    max_length=500,
                ),
                "indicator": forms.CharField(
                    label=_("Indicator of activity %(number)d") % {"number": i},
                    required=False,
                    max_length=300,
                ),
                "target": forms.IntegerField(
                    label=_("Target of activity %(number)d") % {"number": i},
                    required=False,
                    min_value=0,
                    max_value=10_000_000,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
                ),
            },
        )

    def logic_rows(self) -> list[dict[str, Any]]:
        rows = self.rows()
        for row in rows:
            if not all(row[name] for name in ("activity", "output", "outcome", "indicator")) or (
                row["target"] is None
            ):
                raise ValidationError(
                    {
                        "rows": _(
                            "Each row needs its activity, output, outcome, indicator and target."
                        )
                    }
                )
        return rows


class PartnersForm(RowsMixin, VersionMixin, AliasedErrors, forms.Form):
    row_fields = ("organization", "name", "role", "agreed")
    error_aliases = {"partners": "__all__"}

    def __init__(self, *args: Any, application: Any, organizations: Any, **kwargs: Any) -> None:
        partners = list(application.partners.all())
        initial: dict[str, Any] = {}
        for i, partner in enumerate(partners, start=1):
            initial[f"organization_{i}"] = partner.organization_id
            initial[f"name_{i}"] = partner.name
            initial[f"role_{i}"] = partner.role
            initial[f"agreed_{i}"] = partner.agreed
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.add_version(application.version)
        self.add_rows(
            row_count(args[0] if args else None, len(partners), limit=50),
            lambda i: {
                "organization": IdChoiceField(
                    label=_("Partner %(number)d in Ancrage") % {"number": i},
                    queryset=organizations,
                    required=False,
                ),
                "name": forms.CharField(
                    label=_("Or its name (not in Ancrage)"), required=False, max_length=200
                ),
                "role": forms.CharField(
                    label=_("Role of partner %(number)d in the project") % {"number": i},
                    required=False,
                    max_length=300,
                ),
                "agreed": forms.BooleanField(
                    label=_("Partner %(number)d agreed to take part") % {"number": i},
                    required=False,
                ),
            },
        )

    def partners(self) -> list[dict[str, Any]]:
        return self.rows()


class CoApplicantForm(VersionMixin, AliasedErrors, forms.Form):
    organization = IdChoiceField(
        label=_("Co-applicant organization"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, application: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.add_version(application.version)


class DocumentForm(VersionMixin, AliasedErrors, forms.Form):
    requirement = forms.TypedChoiceField(label=_("Document"), choices=(), coerce=int)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel, OpenDocument or image; 10 MB at most.")
    )

    def __init__(
        self, *args: Any, application: Any, requirements: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [(str(i), name) for i, name in requirements]
        self.add_version(application.version)


class StepForm(VersionMixin, forms.Form):
    """Submit or withdraw: the version the person saw."""

    def __init__(self, *args: Any, application: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version(application.version)
