"""Forms of the staff pages: they only parse and display; the rules live in services.py."""

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ancrage.activities.models import Activity, ActivityType, Attendance, OutreachContact
from ancrage.core.forms import IdChoiceField, IdMultipleChoiceField, ServiceErrorsMixin
from ancrage.core.models import Audience, Borough, Language
from ancrage.directory.models import TaxonomyTerm
from ancrage.directory.needs import needs_terms
from ancrage.funding.models import FundingProgram
from ancrage.funding.selectors import charged_programs
from ancrage.network.forms import boroughs
from ancrage.network.models import Organization, Partnership, Site

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def local_datetime(day: date, at: time) -> datetime:
    """A date and a wall-clock time in Montréal, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, at))


class AliasedErrorsMixin(ServiceErrorsMixin):
    """Service errors name model fields; show them next to the inputs that feed those fields."""

    error_aliases: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            renamed: dict[str, list[str]] = {}
            for field, messages in error.message_dict.items():
                renamed.setdefault(self.error_field(field), []).extend(messages)
            error = ValidationError(renamed)
        super().add_service_errors(error)

    def error_field(self, field: str) -> str:
        return self.error_aliases.get(field, field)


class ActivityForm(AliasedErrorsMixin, forms.Form):
    title_fr = forms.CharField(label=_("Title in French"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
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
    activity_type = forms.ModelChoiceField(
        label=_("Type of activity"), queryset=ActivityType.objects.none()
    )
    category = forms.ChoiceField(label=_("Category"), choices=Activity.Category.choices)
    site = forms.ModelChoiceField(
        label=_("Site"),
        required=False,
        queryset=Site.objects.none(),
        empty_label=_("Outside the organization's sites"),
        help_text=_("Leave empty when the activity takes place outside the organization's sites."),
    )
    venue_kind = forms.ChoiceField(label=_("Kind of place"), choices=Activity.VenueKind.choices)
    venue_name = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("For example: Lavoir du coin, CPE Les Petits Pas."),
    )
    venue_address = forms.CharField(label=_("Address of the place"), max_length=200, required=False)
    borough = forms.ModelChoiceField(
        label=_("Borough"),
        required=False,
        queryset=Borough.objects.none(),
        help_text=_("The site's borough is used when a site is chosen."),
    )
    audiences = IdMultipleChoiceField(
        label=_("Audiences"),
        required=False,
        queryset=Audience.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    languages = IdMultipleChoiceField(
        label=_("Languages"),
        required=False,
        queryset=Language.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs addressed"),
        required=False,
        queryset=TaxonomyTerm.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What people come for: the same list as the directory of services."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Activity.Format.choices)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=10_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    interpreter_present = forms.BooleanField(label=_("Interpreter present"), required=False)
    community_leader_present = forms.BooleanField(
        label=_("Community leader present"), required=False
    )
    is_public = forms.BooleanField(
        label=_("Shown in the public calendar"), required=False, initial=True
    )
    partnerships = IdMultipleChoiceField(
        label=_("Partners involved"),
        required=False,
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Partners come from the partnerships your organization recorded."),
    )
    program = IdChoiceField(
        label=_("Charged to"),
        required=False,
        queryset=FundingProgram.objects.none(),
        empty_label=_("Not charged to a program"),
        help_text=_(
            "The funding program whose agreement counts these sessions and participants: "
            "the programs your organization holds an agreement under."
        ),
    )

    error_aliases = {"partners": "partnerships"}

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        activity: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        if activity is not None:
            kwargs.setdefault("initial", self.initial_for(activity))
        super().__init__(*args, **kwargs)

        # What the activity already uses stays offered when it has since been retired, so that
        # saving an edit does not drop it silently.
        def active_or_current(queryset: Any, *current: int | None) -> Any:
            return queryset.filter(Q(is_active=True) | Q(pk__in=[pk for pk in current if pk]))

        self.fields["activity_type"].queryset = active_or_current(
            ActivityType.objects, activity and activity.activity_type_id
        )
        self.fields["site"].queryset = active_or_current(
            organization.sites, activity and activity.site_id
        )
        self.fields["borough"].queryset = boroughs()
        self.fields["audiences"].queryset = active_or_current(
            Audience.objects, *self._chosen(activity, "audiences")
        )
        self.fields["languages"].queryset = active_or_current(
            Language.objects, *self._chosen(activity, "languages")
        )
        self.fields["needs"].queryset = needs_terms()
        partnerships = organization.partnerships.select_related("partner")
        self.fields["partnerships"].queryset = partnerships
        self.fields["partnerships"].label_from_instance = lambda p: (
            f"{p.partner.name} ({', '.join(p.kind_labels())})"
        )
        self.fields["program"].queryset = charged_programs(organization)
        self.fields["program"].label_from_instance = lambda p: f"{p.name} — {p.funder.name}"

    @staticmethod
    def _chosen(activity: Activity | None, name: str) -> list[int]:
        if activity is None or activity.pk is None:
            return []
        return list(getattr(activity, name).values_list("pk", flat=True))

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        """The form filled with the activity as it is, to correct it."""
        partners = activity.partner_links.values("partner")
        return {
            **{f"title_{code}": activity.title.get(code, "") for code in ("fr", "en")},
            **{f"description_{code}": activity.description.get(code, "") for code in ("fr", "en")},
            **{
                name: getattr(activity, name)
                for name in cls.base_fields
                if name not in ("audiences", "languages", "needs", "partnerships")
                and hasattr(Activity, name)
            },
            "audiences": cls._chosen(activity, "audiences"),
            "languages": cls._chosen(activity, "languages"),
            "needs": cls._chosen(activity, "needs"),
            "partnerships": list(
                activity.organization.partnerships.filter(partner__in=partners).values_list(
                    "pk", flat=True
                )
            ),
        }

    def error_field(self, field: str) -> str:
        if field in ("title", "description"):
            # The service names the whole text; point at the first language left empty.
            for code in ("fr", "en"):
                if not (self.cleaned_data.get(f"{field}_{code}") or "").strip():
                    return f"{field}_{code}"
            return f"{field}_fr"
        return super().error_field(field)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        title = {"fr": data.pop("title_fr"), "en": data.pop("title_en")}
        description = {"fr": data.pop("description_fr"), "en": data.pop("description_en")}
        partnerships = data.pop("partnerships")
        return {
            **data,
            "title": title,
            "description": description,
            "partners": {p.partner: list(p.kinds) for p in partnerships},
        }


class SessionForm(AliasedErrorsMixin, forms.Form):
    """One session: a date, a start and an end time (Montréal time)."""

    day = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME)
    end_time = forms.TimeField(label=_("End time"), widget=TIME)

    error_aliases = {"starts_at": "start_time", "ends_at": "end_time"}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": local_datetime(data["day"], data["start_time"]),
            "ends_at": local_datetime(data["day"], data["end_time"]),
        }


WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]


class SeriesForm(AliasedErrorsMixin, forms.Form):
    """A weekly series, written as an RFC 5545 rule for the service."""

    weekdays = forms.MultipleChoiceField(
        label=_("Days of the week"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("First date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME)
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Give a number of sessions or a last date."),
    )
    until = forms.DateField(label=_("Last date"), required=False, widget=DATE)

    error_aliases = {"rrule": "count"}

    def rrule(self) -> str:
        data = self.cleaned_data
        parts = ["FREQ=WEEKLY", "BYDAY=" + ",".join(data["weekdays"])]
        if data.get("count") is not None:
            parts.append(f"COUNT={data['count']}")
        if data.get("until") is not None:
            parts.append(f"UNTIL={data['until']:%Y%m%d}T235959")
        return ";".join(parts)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "rrule": self.rrule(),
            "first_start": local_datetime(data["start_date"], data["start_time"]),
            "duration_minutes": data["duration_minutes"],
        }


def _count_field(label: str, autofocus: bool = False) -> forms.IntegerField:
    attrs = {
        "inputmode": "numeric",
        "pattern": "[0-9]*",
        "autocomplete": "off",
        "class": "count-input",
        "size": "5",
    }
    if autofocus:
        attrs["autofocus"] = True
    return forms.IntegerField(
        label=label, required=False, widget=forms.TextInput(attrs=attrs), localize=False
    )


class AttendanceForm(ServiceErrorsMixin, forms.Form):
    """The head-count grid: empty means 0; the total is computed by the service."""

    newcomers = _count_field(_("Newcomers (5 years or less)"), autofocus=True)
    immigrants = _count_field(_("Immigrants (more than 5 years)"))
    others = _count_field(_("Other participants"))
    women = _count_field(_("Women"))
    children = _count_field(_("Children"))
    families = _count_field(_("Families"))
    library_non_users = _count_field(_("Library non-users"))
    waiting_list = _count_field(_("Waiting list"))

    ORIGINS = Attendance.ORIGIN_FIELDS

    def counts(self) -> dict[str, int]:
        return {name: value or 0 for name, value in self.cleaned_data.items()}

    @classmethod
    def initial_for(cls, attendance: Attendance | None) -> dict[str, int]:
        if attendance is None:
            return {}
        return {name: getattr(attendance, name) for name in cls.base_fields}

    def origin_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ORIGINS]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.ORIGINS]


class OutreachForm(ServiceErrorsMixin, forms.Form):
    met_on = forms.DateField(label=_("Date"), widget=DATE)
    venue_kind = forms.ChoiceField(
        label=_("Kind of place"), choices=OutreachContact._meta.get_field("venue_kind").choices
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("For example: CLSC de Montréal-Nord, Buanderie Sauvé."),
    )
    borough = forms.ModelChoiceField(label=_("Borough"), queryset=Borough.objects.none())
    people_met = forms.IntegerField(
        label=_("People met"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    came_to_library_later = forms.IntegerField(
        label=_("Came to the library later"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No names or personal information: this log counts people."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = boroughs()

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["came_to_library_later"] = data.get("came_to_library_later") or 0
        return data
