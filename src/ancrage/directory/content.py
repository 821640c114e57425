"""A service's editable content as one plain dict: what a revision stores and what publishing applies.

The same shape is written by the staff form, the demo data and the HSDS importer, so a service is
only ever changed in one way (`apply_content`). Ids of places, hours and contacts are kept from one
publication to the next, so other systems that read the HSDS API see stable ids.
"""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ancrage.core.models import Audience, ImmigrationStatus, Language
from ancrage.network.models import Site

from .models import NEEDS_TAXONOMY_NAME, Program, Service, TaxonomyTerm

TRANSLATED_FIELDS = (
    "names",
    "descriptions",
    "eligibility_descriptions",
    "application_processes",
    "fees_descriptions",
)
PLAIN_FIELDS = (
    "alternate_name",
    "url",
    "email",
    "phone",
    "status",
    "is_free",
    "interpretation_services",
    "minimum_age",
    "maximum_age",
    "max_years_since_arrival",
    "funding_source",
)
SCHEDULE_FIELDS = ("freq", "interval", "byday", "bymonthday", "descriptions")


def _time(value: datetime.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def service_content(service: Service) -> dict[str, Any]:
    """The service's current content, in the shape revisions store (JSON-safe)."""
    content: dict[str, Any] = {f: dict(getattr(service, f) or {}) for f in TRANSLATED_FIELDS}
    content.update({f: getattr(service, f) for f in PLAIN_FIELDS})
    content["program"] = str(service.program_id) if service.program_id else None
    content["audiences"] = sorted(a.code for a in service.audiences.all())
    content["immigration_statuses"] = sorted(s.code for s in service.immigration_statuses.all())
    content["languages"] = sorted(lang.code for lang in service.languages.all())
    content["needs"] = sorted(t.code for t in service.needs.all())
    content["locations"] = [
        {
            "id": str(link.id),
            "site": str(link.location.hsds_id),
            "descriptions": dict(link.descriptions or {}),
        }
        for link in service.locations.select_related("location").order_by("location__name")
    ]
    content["schedules"] = [
        {
            "id": str(s.id),
            **{f: getattr(s, f) for f in SCHEDULE_FIELDS},
            "opens_at": _time(s.opens_at),
            "closes_at": _time(s.closes_at),
            "valid_from": _date(s.valid_from),
            "valid_to": _date(s.valid_to),
            "site": str(s.service_at_location.location.hsds_id) if s.service_at_location else None,
        }
        for s in service.schedules.select_related("service_at_location__location")
    ]
    content["contacts"] = [
        {"id": str(c.id), "name": c.name, "title": c.title, "email": c.email, "phone": c.phone}
        for c in service.contacts.all()
    ]
    return content


def _item_id(item: dict[str, Any]) -> uuid.UUID:
    raw = item.get("id")
    return uuid.UUID(str(raw)) if raw else uuid.uuid4()


def _sync_children(queryset, items: Iterable[dict[str, Any]], build) -> None:
    """Create, update or delete the rows of `queryset` so they are exactly `items` (by id)."""
    kept = []
    for item in items:
        row_id = _item_id(item)
        fields = build(item)
        queryset.model.objects.update_or_create(id=row_id, defaults=fields)
        kept.append(row_id)
    queryset.exclude(id__in=kept).delete()


@transaction.atomic
def apply_content(service: Service, content: dict[str, Any]) -> Service:
    """Make the service say exactly what `content` says (content already validated)."""
    for field in TRANSLATED_FIELDS:
        setattr(service, field, {k: v for k, v in (content.get(field) or {}).items() if v})
    for field in PLAIN_FIELDS:
        if field in content:
            setattr(service, field, content[field])
    program_id = content.get("program")
    service.program = (
        Program.objects.get(id=program_id, organization_id=service.organization_id)
        if program_id
        else None
    )
    service.save()
    service.audiences.set(Audience.objects.filter(code__in=content.get("audiences", [])))
    service.immigration_statuses.set(
        ImmigrationStatus.objects.filter(code__in=content.get("immigration_statuses", []))
    )
    service.languages.set(Language.objects.filter(code__in=content.get("languages", [])))
    service.needs.set(
        TaxonomyTerm.objects.filter(
            taxonomy__name=NEEDS_TAXONOMY_NAME, code__in=content.get("needs", [])
        )
    )

    sites = {
        str(site.hsds_id): site
        for site in Site.objects.filter(
            hsds_id__in=[
                item["site"]
                for item in (*content.get("locations", []), *content.get("schedules", []))
                if item.get("site")
            ]
        )
    }
    _sync_children(
        service.locations.all(),
        content.get("locations", []),
        lambda item: {
            "service": service,
            "location": sites[item["site"]],
            "descriptions": item.get("descriptions") or {},
        },
    )
    links = {
        str(link.location.hsds_id): link for link in service.locations.select_related("location")
    }

    def schedule_fields(item: dict[str, Any]) -> dict[str, Any]:
        return {
            "service": service,
            "service_at_location": links.get(item.get("site") or ""),
            "freq": item["freq"],
            "interval": item.get("interval") or 1,
            "byday": item.get("byday") or "",
            "bymonthday": item.get("bymonthday") or "",
            "opens_at": item.get("opens_at") or None,
            "closes_at": item.get("closes_at") or None,
            "valid_from": item.get("valid_from") or None,
            "valid_to": item.get("valid_to") or None,
            "descriptions": item.get("descriptions") or {},
        }

    _sync_children(service.schedules.all(), content.get("schedules", []), schedule_fields)
    _sync_children(
        service.contacts.all(),
        content.get("contacts", []),
        lambda item: {
            "service": service,
            "name": item["name"],
            "title": item.get("title") or "",
            "email": item.get("email") or "",
            "phone": item.get("phone") or "",
        },
    )
    return service
