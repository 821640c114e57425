from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ancrage.core import tenancy
from ancrage.core.choices import OrganizationKind


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: str | None = None  # None: anyone signed in
    staff_only: bool = False
    public: bool = False  # shown to visitors who are not signed in too
    kinds: tuple[str, ...] = ()  # only where the capability is held in such an organization


# Organizations that publish calls for projects.
FUNDERS = (
    OrganizationKind.FUNDER,
    OrganizationKind.CITY_SERVICE,
    OrganizationKind.BOROUGH,
    OrganizationKind.FOUNDATION,
)

# The navigation, as data: an entry shows when the user holds its capability somewhere.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", public=True),
    NavItem(_("Calendar"), "activities:calendar", public=True),
    # The public directory: a visitor had no way to it from the welcome page.
    NavItem(_("Find a service"), "directory:search", public=True),
    NavItem(_("Our activities"), "activities:manage_list", tenancy.RECORD_ACTIVITIES),
    NavItem(_("Clients"), "clients:client_list", tenancy.VIEW_CLIENTS),
    # City reviewers (coordinators, administrators of a city service) edit their own services too.
    NavItem(_("Services"), "directory:manage_list", tenancy.EDIT_SERVICES),
    NavItem(_("Program"), "activities:program", tenancy.VIEW_PROGRAM),
    NavItem(_("Organizations"), "network:organization_list", tenancy.VIEW),
    NavItem(_("Reports"), "reporting:report_list", tenancy.VIEW_REPORTS),
    NavItem(_("Portfolio"), "funding:portfolio", tenancy.VIEW_PORTFOLIO),
    NavItem(_("Organizations followed"), "funding:advisor_home", tenancy.ADVISE),
    NavItem(_("Reports received"), "reporting:received", tenancy.ADVISE),
    NavItem(_("Surveys"), "surveys:home", tenancy.MANAGE_SURVEYS),
    NavItem(
        _("Round tables"),
        "surveys:table_list",
        tenancy.RUN_ROUND_TABLE,
        kinds=(OrganizationKind.ROUND_TABLE,),
    ),
    NavItem(_("Calls for projects"), "grants:call_list", tenancy.MANAGE_CALLS, kinds=FUNDERS),
    NavItem(_("Our applications"), "grants:my_applications", tenancy.APPLY_GRANTS),
    NavItem(_("Our funded projects"), "grants:my_projects", tenancy.APPLY_GRANTS),
    NavItem(_("Reviews"), "grants:review_list", tenancy.REVIEW_GRANTS),
    NavItem(_("Overlap"), "insights:queue", tenancy.REVIEW_OVERLAP),
    NavItem(_("Funding"), "funding:program_list", tenancy.VIEW_FUNDING),
    NavItem(_("Administration"), "admin:index", staff_only=True),
)


def navigation_for(user) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if not user.is_authenticated and not item.public:
            continue
        if item.staff_only and not user.is_staff:
            continue
        if item.capability and not tenancy.has_capability(user, item.capability):
            continue
        if item.kinds and not tenancy.holds_in_kinds(user, item.capability, item.kinds):
            continue
        items.append(
            {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}
        )
    return items


def shell(request: HttpRequest) -> dict:
    offered = (
        settings.LANGUAGES
        if getattr(request, "is_public_page", False)
        else [(c, n) for c, n in settings.LANGUAGES if c in settings.STAFF_LANGUAGES]
    )
    # French and English stay in sight; the others fold under "Other languages".
    languages = [
        {"code": code, "name": name, "main": code in settings.STAFF_LANGUAGES}
        for code, name in offered
    ]
    return {
        "navigation": navigation_for(request.user) if hasattr(request, "user") else [],
        "shell_languages": languages,
        "demo_banner": settings.ANCRAGE_DEMO_BANNER,
    }
