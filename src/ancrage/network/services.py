"""Every write to the network: organizations, sites, memberships, partnerships.

Each function validates, writes in one transaction and records an audit event. Permission to act
is checked by the caller through `core.tenancy.scoped` (the object it passes in was fetched that
way); services re-check what the scoping cannot see (a membership's organization, a partner).
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ancrage.core.audit import audit_record
from ancrage.core.choices import Role
from ancrage.core.models import Borough
from ancrage.core.tenancy import forget_memberships
from ancrage.network.models import Membership, Organization, Partnership, PartnershipKind, Site

User = get_user_model()

ORGANIZATION_FIELDS = (
    "name",
    "acronym",
    "kind",
    "borough",
    "mission",
    "is_autonomous_community_action",
    "website",
    "email",
    "phone",
)
SITE_FIELDS = (
    "name",
    "kind",
    "borough",
    "street_address",
    "postal_code",
    "phone",
    "accessibility",
    "is_active",
)


def _clean_name(name: str) -> str:
    return " ".join((name or "").split())


def _ensure_unique_organization_name(
    name: str, borough: Borough | None, exclude_pk: int | None = None
) -> None:
    clash = Organization.objects.filter(name__iexact=name, borough=borough)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        where = borough.name if borough else _("outside Montréal")
        raise ValidationError(
            {
                "name": _("An organization named “%(name)s” already exists in %(where)s.")
                % {"name": name, "where": where}
            }
        )


def _save_audited(
    instance: Any,
    *,
    actor: Any,
    action: str,
    organization_id: int | None = None,
    details: dict | None = None,
) -> Any:
    """Validate, save and audit one row: the last step of every write below.

    `organization_id` defaults to the row's own id, for when the row is the organization.
    """
    instance.full_clean(validate_constraints=False)
    instance.save()
    audit_record(
        actor=actor,
        action=action,
        target=instance,
        organization_id=organization_id if organization_id is not None else instance.pk,
        details=details,
    )
    return instance


def _changed(instance: Any, fields: Iterable[str], data: dict[str, Any]) -> dict[str, list[str]]:
    changes = {}
    for field in fields:
        if field in data and getattr(instance, field) != data[field]:
            changes[field] = [str(getattr(instance, field)), str(data[field])]
    return changes


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    borough: Borough | None = None,
    boroughs_served: Iterable[Borough] = (),
    is_synthetic: bool = False,
    **fields: Any,
) -> Organization:
    name = _clean_name(name)
    _ensure_unique_organization_name(name, borough)
    organization = Organization(
        name=name, kind=kind, borough=borough, is_synthetic=is_synthetic, **fields
    )
    _save_audited(organization, actor=actor, action="create")
    organization.boroughs_served.set(boroughs_served)
    return organization


@transaction.atomic
def organization_update(
    *,
    actor: Any,
    organization: Organization,
    boroughs_served: Iterable[Borough] | None = None,
    **data: Any,
) -> Organization:
    unknown = set(data) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if "name" in data:
        data["name"] = _clean_name(data["name"])
    name = data.get("name", organization.name)
    borough = data.get("borough", organization.borough)
    _ensure_unique_organization_name(name, borough, exclude_pk=organization.pk)
    changes = _changed(organization, ORGANIZATION_FIELDS, data)
    for field, value in data.items():
        setattr(organization, field, value)
    _save_audited(organization, actor=actor, action="change", details={"fields": changes})
    if boroughs_served is not None:
        organization.boroughs_served.set(boroughs_served)
    return organization


@transaction.atomic
def site_create(*, actor: Any, organization: Organization, **data: Any) -> Site:
    data["name"] = _clean_name(data.get("name", ""))
    if organization.sites.filter(name__iexact=data["name"]).exists():
        raise ValidationError({"name": _("This organization already has a site with this name.")})
    site = Site(organization=organization, **data)
    return _save_audited(site, actor=actor, action="create", organization_id=organization.pk)


@transaction.atomic
def site_update(*, actor: Any, site: Site, **data: Any) -> Site:
    unknown = set(data) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if "name" in data:
        data["name"] = _clean_name(data["name"])
        if site.organization.sites.filter(name__iexact=data["name"]).exclude(pk=site.pk).exists():
            raise ValidationError(
                {"name": _("This organization already has a site with this name.")}
            )
    changes = _changed(site, SITE_FIELDS, data)
    for field, value in data.items():
        setattr(site, field, value)
    return _save_audited(
        site,
        actor=actor,
        action="change",
        organization_id=site.organization_id,
        details={"fields": changes},
    )


def _check_sites(organization: Organization, sites: Iterable[Site]) -> list[Site]:
    sites = list(sites)
    if any(site.organization_id != organization.pk for site in sites):
        raise ValidationError({"sites": _("Choose sites of this organization only.")})
    return sites


@transaction.atomic
def membership_add(
    *,
    actor: Any,
    organization: Organization,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    sites: Iterable[Site] = (),
    started_on: date | None = None,
) -> tuple[Membership, bool]:
    """Give a person a role in the organization; create their account if they have none.

    Returns the membership and whether an account was created (it then has no usable password:
    the person sets one through the password-reset e-mail).
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter the person's e-mail address.")})
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    created = user is None
    if created:
        user = User(
            username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if Membership.objects.filter(
        user=user, organization=organization, role=role, ended_on__isnull=True
    ).exists():
        raise ValidationError(
            {"role": _("This person already holds this role in this organization.")}
        )
    membership = Membership(
        user=user,
        organization=organization,
        role=role,
        title=title.strip(),
        started_on=started_on or timezone.localdate(),
    )
    assigned = _check_sites(organization, sites)
    _save_audited(
        membership,
        actor=actor,
        action="create",
        organization_id=organization.pk,
        details={"role": role, "account_created": created},
    )
    membership.sites.set(assigned)
    forget_memberships(user)
    return membership, created


@transaction.atomic
def membership_update(
    *,
    actor: Any,
    membership: Membership,
    role: str,
    title: str = "",
    sites: Iterable[Site] = (),
    ended_on: date | None = None,
) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if ended_on and ended_on < membership.started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    duplicate = Membership.objects.filter(
        user=membership.user, organization=membership.organization, role=role, ended_on__isnull=True
    ).exclude(pk=membership.pk)
    if ended_on is None and duplicate.exists():
        raise ValidationError(
            {"role": _("This person already holds this role in this organization.")}
        )
    if membership.user_id == getattr(actor, "pk", None) and ended_on and not actor.is_superuser:
        raise ValidationError(
            {"ended_on": _("You cannot end your own membership; ask another director.")}
        )
    changes = _changed(
        membership,
        ("role", "title", "ended_on"),
        {"role": role, "title": title, "ended_on": ended_on},
    )
    membership.role, membership.title, membership.ended_on = role, title.strip(), ended_on
    assigned = _check_sites(membership.organization, sites)
    _save_audited(
        membership,
        actor=actor,
        action="change",
        organization_id=membership.organization_id,
        details={"fields": changes},
    )
    membership.sites.set(assigned)
    forget_memberships(membership.user)
    return membership


def _check_kinds(kinds: Iterable[str]) -> list[str]:
    kinds = list(dict.fromkeys(kinds))
    if not kinds:
        raise ValidationError({"kinds": _("Choose at least one kind of partnership.")})
    if any(kind not in PartnershipKind.values for kind in kinds):
        raise ValidationError({"kinds": _("Choose valid kinds of partnership.")})
    return kinds


@transaction.atomic
def partnership_create(
    *,
    actor: Any,
    organization: Organization,
    partner: Organization,
    kinds: Iterable[str],
    description: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Partnership:
    if partner.pk == organization.pk:
        raise ValidationError({"partner": _("An organization cannot be its own partner.")})
    if Partnership.objects.filter(organization=organization, partner=partner).exists():
        raise ValidationError({"partner": _("This partnership is already recorded.")})
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    partnership = Partnership(
        organization=organization,
        partner=partner,
        kinds=_check_kinds(kinds),
        description=description.strip(),
        started_on=started_on,
        ended_on=ended_on,
    )
    return _save_audited(partnership, actor=actor, action="create", organization_id=organization.pk)


@transaction.atomic
def partnership_update(
    *,
    actor: Any,
    partnership: Partnership,
    kinds: Iterable[str],
    description: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Partnership:
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    partnership.kinds = _check_kinds(kinds)
    partnership.description = description.strip()
    partnership.started_on, partnership.ended_on = started_on, ended_on
    return _save_audited(
        partnership, actor=actor, action="change", organization_id=partnership.organization_id
    )


def invitation_send(*, user: Any, domain: str, use_https: bool) -> None:
    """E-mail a new member the link to choose their password (Django's reset-confirm page).

    Django's password-reset form skips accounts without a usable password, which is exactly what a
    newly invited person has, so the message is sent here.
    """
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": f"{'https' if use_https else 'http'}://{domain}{path}"}
    subject = render_to_string("network/email/invitation_subject.txt", context).strip()
    body = render_to_string("network/email/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])
