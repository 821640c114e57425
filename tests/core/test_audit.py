import pytest
from django.db import DatabaseError, transaction

from ancrage.core.audit import audit_record
from ancrage.core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_audit_record_names_actor_target_and_reason(org_a, director_a):
    event = audit_record(
        actor=director_a, action="view", target=org_a, organization_id=org_a.pk, reason="x" * 900
    )
    event.refresh_from_db()
    assert event.actor_id == director_a.pk
    assert event.actor_label == director_a.username
    assert event.target_type == "network.organization"
    assert event.target_id == str(org_a.pk)
    assert len(event.reason) == 500


def test_unknown_action_is_refused(director_a):
    with pytest.raises(ValueError):
        audit_record(actor=director_a, action="peek")


def test_audit_log_cannot_be_altered(director_a):
    event = audit_record(actor=director_a, action="view")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="covered up")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.reason = "covered up"
        event.save()
    event.refresh_from_db()
    assert event.reason == ""


def test_audit_log_cannot_be_deleted_on_postgresql(director_a):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE for the test runner's table flush; see migration 0002")
    event = audit_record(actor=director_a, action="view")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_survives_the_user_it_names(org_a):
    user = factories.member(org_a, "director")
    audit_record(actor=user, action="view", target=org_a)
    user_id = user.pk
    user.delete()
    assert AuditEvent.objects.filter(actor_id=user_id, target_id=str(org_a.pk)).exists()
