"""A service's content dict: what revisions store, what publishing and the importer apply."""

import pytest

from ancrage.directory.content import apply_content, service_content
from tests.factories import SiteFactory, published_service

pytestmark = pytest.mark.django_db


def test_content_round_trips_through_apply():
    service = published_service(needs=["housing", "french-courses"], languages=["fr", "ar"])
    content = service_content(service)
    assert content["needs"] == ["french-courses", "housing"]
    assert content["languages"] == ["ar", "fr"]
    assert content["schedules"][0]["byday"] == "MO,WE"
    assert content["schedules"][0]["opens_at"] == "09:00"

    apply_content(service, content)
    assert service_content(service) == content


def test_places_hours_and_contacts_keep_their_ids_across_publications():
    service = published_service()
    before = service_content(service)
    other_site = SiteFactory(organization=service.organization)
    changed = {**before, "locations": [*before["locations"], {"site": str(other_site.hsds_id)}]}
    apply_content(service, changed)
    after = service_content(service)
    assert before["locations"][0]["id"] in {item["id"] for item in after["locations"]}
    assert after["schedules"][0]["id"] == before["schedules"][0]["id"]
    assert after["contacts"][0]["id"] == before["contacts"][0]["id"]
    assert service.locations.count() == 2


def test_removed_hours_are_deleted():
    service = published_service()
    apply_content(service, {**service_content(service), "schedules": []})
    assert service.schedules.count() == 0


def test_publishing_content_directly_keeps_history_and_withdraws_edits_under_way():
    from ancrage.directory.models import RevisionState, ServiceRevision
    from ancrage.directory.services import service_publish_content

    service = published_service()
    draft = ServiceRevision.objects.create(service=service, number=1, content={})
    content = service_content(service)
    content["names"] = {"fr": "Nouveau nom", "en": "New name"}
    revision = service_publish_content(
        service=service, content=content, actor=None, comment="import"
    )
    draft.refresh_from_db()
    assert draft.state == RevisionState.WITHDRAWN
    assert revision.number == 2 and revision.state == RevisionState.PUBLISHED
    service.refresh_from_db()
    assert service.names["en"] == "New name"
