"""Writing to the append-only audit log: the one helper every app calls for personal data."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from ancrage.core.models import AuditEvent

REASON_MAX = 500


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _event(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    organization_id: int | None,
    reason: str,
    details: dict[str, Any] | None,
    request: HttpRequest | None,
) -> AuditEvent:
    if action not in AuditEvent.Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor_id=actor.pk if is_person else None,
        actor_label=(actor.get_username() if is_person else "")[:150],
        organization_id=organization_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        reason=reason[:REASON_MAX],
        details=details or {},
        ip_address=client_ip(request),
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    organization_id: int | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. `actor` may be anonymous (failed logins) or None (system jobs)."""
    event = _event(
        actor=actor,
        action=action,
        target=target,
        organization_id=organization_id,
        reason=reason,
        details=details,
        request=request,
    )
    event.save()
    return event


def audit_records(
    *,
    actor: Any,
    action: str,
    targets: list[tuple[models.Model, int | None]],
    reason: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Append one event per (target, organization id) in a single insert: a list that shows
    twenty identities costs one round trip, not twenty."""
    return AuditEvent.objects.bulk_create(
        [
            _event(
                actor=actor,
                action=action,
                target=target,
                organization_id=organization_id,
                reason=reason,
                details=details,
                request=request,
            )
            for target, organization_id in targets
        ]
    )
