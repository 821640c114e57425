"""Referrals between organizations: sending (consent-gated), the steps of `workflow.STEPS`,
what the receiving organization may read, and reminders for referrals left unanswered.

The receiving organization reads the referral through `tenancy.scoped` (`Referral.TENANT_READERS`):
the client's code, the reason and the needs; the identity only when the person consented to
sharing information with that organization, checked again at each reading. Never the sending
organization's file (profile, services, consents).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.clients import selectors, services, workflow
from ancrage.clients.models import (
    REFERRAL_REASON_MAX,
    Client,
    Identity,
    Purpose,
    Referral,
    ReferralEvent,
    ReferralState,
)
from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.directory.models import TaxonomyTerm
from ancrage.directory.needs import needs_terms
from ancrage.network.models import Membership, Organization

# What a consent to share information lets the receiving organization read of the identity.
SHARED_IDENTITY_FIELDS = ("given_names", "family_names", "preferred_name", "phone", "email")
REMIND_AFTER_DAYS = 5
REASON_MIN = 10

# --- Who is acting ------------------------------------------------------------------------------


def actors_for(user: Any, referral: Referral) -> frozenset[str]:
    """The sides `user` may act for on this referral (see `workflow`)."""
    actors = set()
    if tenancy.has_capability(user, tenancy.CHANGE_CLIENTS, referral.from_organization_id):
        actors.add(workflow.SENDER)
    if tenancy.has_capability(user, tenancy.OVERRIDE_CONSENT, referral.from_organization_id):
        actors.add(workflow.SENDER_DIRECTOR)
    if tenancy.has_capability(user, tenancy.CHANGE_CLIENTS, referral.to_organization_id):
        actors.add(workflow.RECEIVER)
    return frozenset(actors)


def can_read(user: Any, referral: Referral) -> bool:
    """Client staff of either side (other members of the organizations do not see referrals)."""
    grant = tenancy.grant_for(user, tenancy.VIEW_CLIENTS)
    return grant.covers(referral.from_organization_id) or grant.covers(referral.to_organization_id)


# --- Reads --------------------------------------------------------------------------------------


def referrals_for(user: Any) -> QuerySet[Referral]:
    """Referrals sent or received by the organizations where `user` sees clients."""
    grant = tenancy.grant_for(user, tenancy.VIEW_CLIENTS)
    visible = tenancy.scoped(Referral, user, tenancy.VIEW)
    if not grant.everywhere:
        ids = grant.organization_ids
        visible = visible.filter(Q(from_organization_id__in=ids) | Q(to_organization_id__in=ids))
    return visible.select_related("client", "from_organization", "to_organization")


def inbox(user: Any) -> QuerySet[Referral]:
    ids = tenancy.grant_for(user, tenancy.VIEW_CLIENTS).organization_ids
    return referrals_for(user).filter(to_organization_id__in=ids).prefetch_related("needs")


def outbox(user: Any) -> QuerySet[Referral]:
    ids = tenancy.grant_for(user, tenancy.VIEW_CLIENTS).organization_ids
    return referrals_for(user).filter(from_organization_id__in=ids).prefetch_related("needs")


def unanswered(*, days: int, now: Any = None) -> QuerySet[Referral]:
    """Referrals still waiting for an answer `days` days or more after they were sent."""
    now = now or timezone.now()
    return (
        Referral.objects.filter(
            state__in=workflow.UNANSWERED, sent_at__lte=now - timedelta(days=days)
        )
        .select_related("client", "from_organization", "to_organization")
        .order_by("sent_at", "pk")
    )


def identity_shared(
    *, actor: Any, referral: Referral, request: HttpRequest | None = None
) -> dict[str, str] | None:
    """The identity fields the receiving organization may read, or None. Only when the referral
    was sent with identity and the person's consent to share with that organization still holds
    today (a withdrawn consent hides it again). The sending side reads the vault in the client's
    file, not here. Audited as a read of the vault."""
    if not referral.shares_identity:
        return None
    if not tenancy.has_capability(actor, tenancy.VIEW_CLIENTS, referral.to_organization_id):
        return None
    roles = tenancy.ROLE_CAPABILITIES[tenancy.READ_IDENTITY]
    if not (
        Membership.objects.current()
        .filter(user_id=actor.pk, organization_id=referral.to_organization_id, role__in=roles)
        .exists()
    ):
        return None
    if not selectors.consent_valid(referral.client, Purpose.SHARING, referral.to_organization):
        return None
    identity = Identity.objects.filter(client_id=referral.client_id).first()
    if identity is None:
        return None
    audit_record(
        actor=actor,
        action="view",
        target=identity,
        organization_id=referral.from_organization_id,
        reason="referral",
        details={"referral": referral.pk, "receiver": referral.to_organization_id},
        request=request,
    )
    return {field: getattr(identity, field) for field in SHARED_IDENTITY_FIELDS}


# --- Writes -------------------------------------------------------------------------------------


def _text(value: str, field: str, errors: dict[str, str], *, required: bool) -> str:
    value = (value or "").strip()
    if len(value) > REFERRAL_REASON_MAX:
        errors[field] = _("This text is too long (%(limit)d characters at most).") % {
            "limit": REFERRAL_REASON_MAX
        }
    elif "\x00" in value:
        errors[field] = _("This text contains a character that is not allowed.")
    elif required and len(value) < REASON_MIN:
        errors[field] = _("Explain the reason in a sentence or more.")
    return value


def _event(
    referral: Referral, *, action: str, source: str, actor: Any, organization_id: int, comment: str
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        action=action,
        from_state=source,
        to_state=referral.state,
        actor=actor,
        organization_id=organization_id,
        comment=comment,
    )


@transaction.atomic
def referral_send(
    *,
    actor: Any,
    client: Client,
    to_organization: Organization,
    reason: str,
    needs: list[TaxonomyTerm] | None = None,
    share_identity: bool = False,
) -> Referral:
    """Refer the client to another organization. Needs the person's referral consent naming it
    (or a director's authorization); identity goes along only with a consent to share
    information with that organization."""
    if workflow.SENDER not in actors_for(
        actor, Referral(from_organization_id=client.organization_id, to_organization_id=0)
    ):
        raise PermissionDenied
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, required=True)
    if to_organization.pk == client.organization_id:
        errors["to_organization"] = _("Refer the person to another organization than your own.")
    elif not Organization.objects.filter(pk=to_organization.pk).exists():
        errors["to_organization"] = _("This organization does not exist.")
    needs = list(needs or [])
    allowed = set(needs_terms().values_list("pk", flat=True))
    if any(term.pk not in allowed for term in needs):
        errors["needs"] = _("Choose needs from the list.")
    if errors:
        raise ValidationError(errors)
    basis = services.consent_require(client, Purpose.REFERRAL, to_organization)
    if share_identity and not selectors.consent_valid(client, Purpose.SHARING, to_organization):
        raise ValidationError(
            {
                "share_identity": _(
                    "The person has not consented to sharing their information with this "
                    "organization: send the referral without identity, or record that consent "
                    "first."
                )
            }
        )
    referral = Referral.objects.create(
        client=client,
        from_organization_id=client.organization_id,
        to_organization=to_organization,
        reason=reason,
        shares_identity=share_identity,
        basis=basis,
        state=ReferralState.SENT,
        sent_by=actor,
    )
    referral.needs.set(needs)
    _event(
        referral,
        action="send",
        source=workflow.NEW,
        actor=actor,
        organization_id=client.organization_id,
        comment="",
    )
    audit_record(
        actor=actor,
        action="create",
        target=referral,
        organization_id=client.organization_id,
        details={
            "client": client.pk,
            "to": to_organization.pk,
            "basis": basis,
            "identity": share_identity,
        },
    )
    return referral


def referral_step(*, actor: Any, referral: Referral, step: str, comment: str = "") -> Referral:
    """Take one step of the referral's workflow (accept, decline, complete, withdraw)."""
    actors = actors_for(actor, referral)
    if step not in workflow.STEP_NAMES or step == "send":
        raise ValidationError(_("Unknown step."), code="unknown_step")
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        found = workflow.step_for(step, current.state, actors)
        if found is None:
            label = next(
                (s.label for s in workflow.STEPS if s.name == step and s.actors & actors), None
            )
            if label is not None:
                raise ValidationError(
                    _("This referral is %(state)s: “%(step)s” is no longer possible.")
                    % {"state": current.get_state_display().lower(), "step": label},
                    code="wrong_state",
                )
            raise PermissionDenied
        errors: dict[str, str] = {}
        comment = _text(comment, "comment", errors, required=found.comment_required)
        if errors:
            raise ValidationError(errors)
        source = current.state
        current.state = found.target
        current.save(update_fields=["state", "updated_at"])
        side = (
            current.to_organization_id
            if workflow.RECEIVER in found.actors
            else current.from_organization_id
        )
        _event(
            current,
            action=step,
            source=source,
            actor=actor,
            organization_id=side,
            comment=comment,
        )
        audit_record(
            actor=actor,
            action="change",
            target=current,
            organization_id=side,
            details={"step": step, "from": source, "to": current.state},
        )
    referral.refresh_from_db()
    return referral


def _receiving_staff_emails(organization_id: int) -> list[str]:
    roles = tenancy.ROLE_CAPABILITIES[tenancy.CHANGE_CLIENTS]
    return sorted(
        set(
            Membership.objects.current()
            .filter(organization_id=organization_id, role__in=roles)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def referrals_remind(*, days: int = REMIND_AFTER_DAYS, now: Any = None) -> list[Referral]:
    """E-mail the receiving organizations' staff about referrals waiting `days` days or more
    (once per period: a referral reminded less than `days` days ago waits). Returns those
    reminded. The e-mail carries codes and dates only, never a name."""
    now = now or timezone.now()
    waiting = list(
        unanswered(days=days, now=now).filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - timedelta(days=days))
        )
    )
    by_receiver: dict[int, list[Referral]] = {}
    for referral in waiting:
        by_receiver.setdefault(referral.to_organization_id, []).append(referral)
    for organization_id, referrals in by_receiver.items():
        recipients = _receiving_staff_emails(organization_id)
        if not recipients:
            continue
        lines = [
            _("- client %(code)s, from %(sender)s, sent on %(day)s")
            % {
                "code": r.client.code,
                "sender": r.from_organization.name,
                "day": timezone.localdate(r.sent_at).isoformat(),
            }
            for r in referrals
        ]
        send_mail(
            subject=_("Referrals waiting for your answer: %(count)d") % {"count": len(referrals)},
            message="\n".join(
                [
                    _("These referrals to %(name)s have not been answered:")
                    % {"name": referrals[0].to_organization.name},
                    "",
                    *lines,
                ]
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    Referral.objects.filter(pk__in=[r.pk for r in waiting]).update(reminded_at=now)
    return waiting
