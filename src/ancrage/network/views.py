"""Thin views: parse the request, call a selector or a service, render."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page, public_page
from ancrage.network import selectors, services
from ancrage.network.forms import (
    MembershipAddForm,
    MembershipEditForm,
    OrganizationFilterForm,
    OrganizationForm,
    PartnershipForm,
    SiteForm,
)
from ancrage.network.models import Membership, Organization, Partnership, Site


@public_page(when=lambda request: not request.user.is_authenticated)
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "network/welcome.html")
    # The home page is where staff learn of calls for projects open to their organization.
    from ancrage.grants.selectors import open_calls_for

    return render(
        request,
        "network/home.html",
        {
            "dashboard": selectors.dashboard_for(user=request.user),
            "open_calls": open_calls_for(request.user),
        },
    )


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, tenancy.VIEW):
        raise PermissionDenied
    form = OrganizationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organizations = selectors.organization_list(
        user=request.user,
        query=filters.get("q", ""),
        kind=filters.get("kind", ""),
        borough=filters.get("borough"),
    )
    page = Paginator(organizations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "network/organization_list.html",
        {
            "form": form,
            "page": page,
            "can_create": tenancy.has_capability(request.user, tenancy.CREATE_ORGANIZATION),
            "querystring": _querystring_without_page(request),
        },
    )


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, tenancy.VIEW, pk=pk)
    members = selectors.organization_members(user=request.user, organization=organization)
    audit_record(
        actor=request.user,
        action="view",
        target=organization,
        organization_id=organization.pk,
        details={"page": "members"},
        request=request,
    )
    return render(
        request,
        "network/organization_detail.html",
        {
            "organization": organization,
            "sites": selectors.organization_sites(user=request.user, organization=organization),
            "members": members,
            "partnerships": selectors.organization_partnerships(
                user=request.user, organization=organization
            ),
            "can_change": tenancy.has_capability(request.user, tenancy.CHANGE, organization.pk),
            "can_manage_members": tenancy.has_capability(
                request.user, tenancy.MANAGE_MEMBERS, organization.pk
            ),
        },
    )


def _form_page(
    request: HttpRequest, form: Any, *, organization: Organization | None = None, **options: Any
) -> HttpResponse:
    return form_page(
        request,
        form,
        template="network/form.html",
        context={"organization": organization},
        **options,
    )


def _to_organization(organization_id: int) -> Callable[[Any], HttpResponse]:
    return lambda _result: redirect("network:organization_detail", pk=organization_id)


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, tenancy.CREATE_ORGANIZATION):
        raise PermissionDenied
    return _form_page(
        request,
        OrganizationForm(request.POST or None),
        save=lambda form: services.organization_create(actor=request.user, **form.cleaned_data),
        success=_("Organization created."),
        done=lambda organization: redirect("network:organization_detail", pk=organization.pk),
        title=_("New organization"),
    )


@login_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, tenancy.CHANGE, pk=pk)
    return _form_page(
        request,
        OrganizationForm(request.POST or None, initial=OrganizationForm.initial_for(organization)),
        save=lambda form: services.organization_update(
            actor=request.user, organization=organization, **form.cleaned_data
        ),
        success=_("Changes saved."),
        done=_to_organization(organization.pk),
        title=_("Edit %(name)s") % {"name": organization.name},
        organization=organization,
    )


@login_required
def site_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, tenancy.CHANGE, pk=organization_pk)
    initial = {"borough": organization.borough, "is_active": True}
    return _form_page(
        request,
        SiteForm(request.POST or None, initial=initial),
        save=lambda form: services.site_create(
            actor=request.user, organization=organization, **form.cleaned_data
        ),
        success=_("Site added."),
        done=_to_organization(organization.pk),
        title=_("New site for %(name)s") % {"name": organization.name},
        organization=organization,
    )


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = object_for(Site, request.user, tenancy.CHANGE, pk=pk)
    return _form_page(
        request,
        SiteForm(request.POST or None, initial=SiteForm.initial_for(site)),
        save=lambda form: services.site_update(actor=request.user, site=site, **form.cleaned_data),
        success=_("Changes saved."),
        done=_to_organization(site.organization_id),
        title=_("Edit %(name)s") % {"name": site.name},
        organization=site.organization,
    )


@login_required
def membership_add(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(
        Organization, request.user, tenancy.MANAGE_MEMBERS, pk=organization_pk
    )

    def save(form: MembershipAddForm) -> bool:
        membership, created = services.membership_add(
            actor=request.user, organization=organization, **form.cleaned_data
        )
        if created:
            # A new account has no password: the person chooses one from the e-mailed link.
            services.invitation_send(
                user=membership.user, domain=request.get_host(), use_https=request.is_secure()
            )
        return created

    return _form_page(
        request,
        MembershipAddForm(request.POST or None, organization=organization),
        save=save,
        success=lambda created: (
            _("Member added. An e-mail invites them to choose a password.")
            if created
            else _("Member added.")
        ),
        done=_to_organization(organization.pk),
        title=_("Add a member to %(name)s") % {"name": organization.name},
        organization=organization,
    )


@login_required
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = object_for(Membership, request.user, tenancy.MANAGE_MEMBERS, pk=pk)
    initial = {
        "role": membership.role,
        "title": membership.title,
        "sites": list(membership.sites.all()),
        "ended_on": membership.ended_on,
    }
    return _form_page(
        request,
        MembershipEditForm(
            request.POST or None, initial=initial, organization=membership.organization
        ),
        save=lambda form: services.membership_update(
            actor=request.user, membership=membership, **form.cleaned_data
        ),
        success=_("Changes saved."),
        done=_to_organization(membership.organization_id),
        title=_("Role of %(name)s") % {"name": membership.user},
        organization=membership.organization,
    )


@login_required
def partnership_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, tenancy.CHANGE, pk=organization_pk)
    return _form_page(
        request,
        PartnershipForm(
            request.POST or None, partners=selectors.partner_choices(organization=organization)
        ),
        save=lambda form: services.partnership_create(
            actor=request.user, organization=organization, **form.cleaned_data
        ),
        success=_("Partnership recorded."),
        done=_to_organization(organization.pk),
        title=_("New partnership for %(name)s") % {"name": organization.name},
        organization=organization,
    )


@login_required
def partnership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = object_for(Partnership, request.user, tenancy.CHANGE, pk=pk)
    initial = {
        "kinds": partnership.kinds,
        "description": partnership.description,
        "started_on": partnership.started_on,
        "ended_on": partnership.ended_on,
    }
    return _form_page(
        request,
        PartnershipForm(request.POST or None, initial=initial),
        save=lambda form: services.partnership_update(
            actor=request.user, partnership=partnership, **form.cleaned_data
        ),
        success=_("Changes saved."),
        done=_to_organization(partnership.organization_id),
        title=_("Partnership with %(name)s") % {"name": partnership.partner},
        organization=partnership.organization,
    )
