"""Telling every eligible organization that a call is open, so no one is out of the loop.

In the application: Ancrage has no notification model, so the notice is a read — the open calls
an organization is eligible for (`selectors.open_calls_for`) show on the home page and the
applications page of its directors and coordinators. By e-mail: when a call is published, each
eligible organization's directors and coordinators receive one message, in their language, once
per organization and call (`CallAnnouncement`, unique), audited. An organization with nobody to
write to yet is left for a later run (`ancrage grants-announce`), as are organizations registered
after the publication.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.audit import audit_record
from ancrage.core.choices import Role
from ancrage.core.mail import mail_in_their_languages
from ancrage.grants import selectors
from ancrage.grants.models import CallAnnouncement, CallState, GrantCall
from ancrage.network.models import Membership

# Those who apply for their organization (`grants.apply`).
ANNOUNCED_TO = (Role.DIRECTOR, Role.COORDINATOR)


def recipients_by_organization(organization_ids: list[int]) -> dict[int, list[Any]]:
    """The directors and coordinators (with an e-mail) of each organization, in one query."""
    found: dict[int, dict[int, Any]] = {}
    for membership in (
        Membership.objects.current()
        .filter(organization_id__in=organization_ids, role__in=ANNOUNCED_TO, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    ):
        found.setdefault(membership.organization_id, {})[membership.user.pk] = membership.user
    return {pk: list(users.values()) for pk, users in found.items()}


def message(call: GrantCall, organization_name: str) -> tuple[str, str]:
    """Subject and text of the announcement, in the active language."""
    envelope = sum(selectors.envelope_of(call).values())
    subject = _("New call for projects: %(title)s") % {"title": call.title}
    deadline = timezone.localtime(call.closes_at)
    lines = [
        _("%(funder)s opens the call for projects “%(title)s”, and %(organization)s may apply.")
        % {"funder": call.funder.name, "title": call.title, "organization": organization_name},
        _("Total envelope: %(amount)s $. Deadline: %(date)s at %(time)s.")
        % {
            "amount": f"{envelope:,.0f}".replace(",", " "),
            "date": deadline.date().isoformat(),
            "time": deadline.strftime("%H:%M"),
        },
        "",
        _("The call: %(path)s") % {"path": reverse("grants:public_call", args=[call.code])},
        _("Apply in Ancrage: %(path)s") % {"path": reverse("grants:my_applications")},
    ]
    return subject, "\n".join(lines)


def announce_call(call: GrantCall, now: datetime | None = None) -> list[CallAnnouncement]:
    """E-mail the call to every eligible organization not yet told, and record it: once per
    organization, whatever the number of runs. Only a call taking applications is announced."""
    now = now or timezone.now()
    if call.state != CallState.PUBLISHED or call.closes_at < now:
        return []
    told = set(call.announcements.values_list("organization_id", flat=True))
    organizations = [o for o in selectors.eligible_organizations(call) if o.pk not in told]
    people = recipients_by_organization([o.pk for o in organizations])
    sent = []
    for organization in organizations:
        recipients = people.get(organization.pk)
        if not recipients:
            continue
        try:
            # The row first: a second run at the same moment stops at the unique constraint; a
            # mail failure rolls it back, so the next run tries again.
            with transaction.atomic():
                announcement = CallAnnouncement.objects.create(
                    call=call, organization=organization, recipients=len(recipients)
                )
                mail_in_their_languages(
                    recipients,
                    lambda: message(call, organization.name),  # noqa: B023
                )
                audit_record(
                    actor=None,
                    action="create",
                    target=announcement,
                    organization_id=organization.pk,
                    reason="call announced",
                    details={"call": call.pk, "recipients": len(recipients)},
                )
        except IntegrityError:
            continue
        sent.append(announcement)
    return sent


def announce_open_calls(now: datetime | None = None) -> list[CallAnnouncement]:
    """Announce every open call to the eligible organizations not yet told (daily job)."""
    sent = []
    for call in selectors.open_calls(now):
        sent += announce_call(call, now)
    return sent
