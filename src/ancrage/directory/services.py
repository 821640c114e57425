"""Every write to the directory. Staff edits go through revisions (see `workflow.py`)."""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ancrage.core.audit import audit_record

from .content import apply_content
from .models import RevisionState, Service, ServiceRevision


@transaction.atomic
def service_publish_content(
    *, service: Service, content: dict[str, Any], actor: Any, comment: str = ""
) -> ServiceRevision:
    """Publish `content` on `service` at once and keep it in the history as a published revision.

    Used where no draft/review applies: the demo data, and imports from other systems (whose own
    process already reviewed them). Any edit under way is withdrawn: it was written against the
    content this one replaces.
    """
    now = timezone.now()
    service.revisions.filter(
        state__in=[RevisionState.DRAFT, RevisionState.SUBMITTED, RevisionState.RETURNED]
    ).update(state=RevisionState.WITHDRAWN, decided_at=now)
    number = (service.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    person = actor if getattr(actor, "is_authenticated", False) else None
    revision = ServiceRevision.objects.create(
        service=service,
        number=number,
        state=RevisionState.PUBLISHED,
        content=content,
        author=person,
        decided_by=person,
        decided_at=now,
        comment=comment,
    )
    service.is_published = True
    apply_content(service, content)
    audit_record(
        actor=actor,
        action="change" if number > 1 else "create",
        target=service,
        organization_id=service.organization_id,
        details={"revision": number, "comment": comment},
    )
    return revision
