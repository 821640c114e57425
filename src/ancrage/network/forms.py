"""Forms only parse and display; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.forms import IdMultipleChoiceField, ServiceErrorsMixin
from ancrage.core.models import Borough
from ancrage.network.models import Organization, PartnershipKind, Site


def boroughs() -> "forms.models.QuerySet[Borough]":
    return Borough.objects.filter(is_active=True)


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganizationKind.choices]
    )
    borough = forms.ModelChoiceField(
        label=_("Borough"),
        required=False,
        queryset=Borough.objects.none(),
        empty_label=_("All boroughs"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = boroughs()


class OrganizationForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    borough = forms.ModelChoiceField(
        label=_("Head office borough"),
        required=False,
        queryset=Borough.objects.none(),
        empty_label=_("Outside Montréal"),
    )
    boroughs_served = IdMultipleChoiceField(
        label=_("Boroughs served"),
        required=False,
        queryset=Borough.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mission = forms.CharField(
        label=_("Mission"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_autonomous_community_action = forms.BooleanField(
        label=_("Recognized as autonomous community action"), required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("General e-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = boroughs()
        self.fields["boroughs_served"].queryset = boroughs()

    @classmethod
    def initial_for(cls, organization: Organization) -> dict:
        initial = {
            name: getattr(organization, name)
            for name in cls.base_fields
            if name != "boroughs_served"
        }
        initial["boroughs_served"] = list(organization.boroughs_served.all())
        return initial


class SiteForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Site.Kind.choices)
    borough = forms.ModelChoiceField(label=_("Borough"), queryset=Borough.objects.none())
    street_address = forms.CharField(label=_("Street address"), max_length=200)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        required=False,
        max_length=7,
        regex=r"^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$",
        error_messages={"invalid": _("Enter a postal code such as H2X 1Y4.")},
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    accessibility = forms.CharField(label=_("Accessibility"), max_length=500, required=False)
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = boroughs()

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].upper().replace(" ", "")
        return f"{code[:3]} {code[3:]}" if code else ""

    @classmethod
    def initial_for(cls, site: Site) -> dict:
        return {name: getattr(site, name) for name in cls.base_fields}


class MembershipRoleForm(ServiceErrorsMixin, forms.Form):
    """What a director sets for a member: role, job title and, for a liaison officer, sites."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    sites = IdMultipleChoiceField(
        label=_("Assigned sites"),
        required=False,
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = organization.sites.all()


class MembershipAddForm(MembershipRoleForm):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    field_order = ["email", "first_name", "last_name", "role", "title", "sites"]


class MembershipEditForm(MembershipRoleForm):
    ended_on = forms.DateField(
        label=_("Ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Fill in when the person leaves this role: they lose access the next day."),
    )


class PartnershipForm(ServiceErrorsMixin, forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner organization"), queryset=Organization.objects.none()
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of partnership"),
        choices=PartnershipKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    started_on = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners
