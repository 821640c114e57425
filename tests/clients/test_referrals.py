"""Referrals: consent-gated sending, what the receiving organization reads, the pages, bad input
and reminders for referrals left unanswered."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ancrage.clients import referrals, services
from ancrage.clients.models import Purpose, Referral, ReferralEvent
from ancrage.core.choices import Role
from ancrage.directory.needs import needs_terms
from tests import factories
from tests.clients.conftest import FAMILY, GIVEN, register

pytestmark = pytest.mark.django_db


def consent(client, purpose, counterpart, actor):
    return services.consent_record(
        actor=actor,
        client=client,
        purpose=purpose,
        counterpart=counterpart,
        state="given",
        decided_on=timezone.localdate(),
        method="signed",
    )


def send(actor, client, to, **extra):
    values = {"reason": "Recherche de logement, famille de trois.", **extra}
    return referrals.referral_send(actor=actor, client=client, to_organization=to, **values)


@pytest.fixture
def receiver(org_b):
    return factories.member(org_b, Role.INTAKE_WORKER, email="accueil@b.example")


def test_no_consent_no_referral(person, intake_a, org_b):
    with pytest.raises(ValidationError) as refused:
        send(intake_a, person, org_b)
    assert refused.value.code == "no_consent"
    assert not Referral.objects.exists()


def test_a_consent_for_another_organization_does_not_count(person, intake_a, org_b):
    consent(person, Purpose.REFERRAL, factories.OrganizationFactory(), intake_a)
    with pytest.raises(ValidationError):
        send(intake_a, person, org_b)
    assert not Referral.objects.exists()


def test_sent_with_consent_or_with_a_directors_authorization(person, intake_a, org_a, org_b):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    sent = send(intake_a, person, org_b, needs=list(needs_terms()[:1]))
    assert (sent.state, sent.basis, sent.shares_identity) == ("sent", "consent", False)
    assert ReferralEvent.objects.get(referral=sent).action == "send"

    other = factories.OrganizationFactory()
    director = factories.member(org_a, Role.DIRECTOR)
    services.consent_override(
        actor=director,
        client=person,
        purpose=Purpose.REFERRAL,
        counterpart=other,
        reason="Situation urgente, la personne est injoignable.",
        expires_on=timezone.localdate() + timedelta(days=3),
    )
    assert send(intake_a, person, other).basis == "override"


def test_a_referral_to_ones_own_organization_is_refused(person, intake_a, org_a):
    with pytest.raises(ValidationError) as refused:
        send(intake_a, person, org_a)
    assert "to_organization" in refused.value.message_dict
    assert not Referral.objects.exists()


def test_identity_goes_along_only_with_a_consent_to_share(person, intake_a, org_b, receiver):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    with pytest.raises(ValidationError) as refused:
        send(intake_a, person, org_b, share_identity=True)
    assert "share_identity" in refused.value.message_dict
    assert not Referral.objects.exists()
    consent(person, Purpose.SHARING, org_b, intake_a)
    sent = send(intake_a, person, org_b, share_identity=True)
    shown = referrals.identity_shared(actor=receiver, referral=sent)
    assert shown["given_names"] == GIVEN and "date_of_birth" not in shown
    assert "uci_number" not in shown and "address" not in shown
    # The person withdraws that consent: the name is hidden again.
    services.consent_record(
        actor=intake_a,
        client=person,
        purpose=Purpose.SHARING,
        counterpart=org_b,
        state="withdrawn",
        decided_on=timezone.localdate(),
        method="oral",
    )
    assert referrals.identity_shared(actor=receiver, referral=sent) is None


def test_the_receiver_sees_the_referral_not_the_file(person, intake_a, org_b, receiver, client_of):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    sent = send(intake_a, person, org_b)
    browser = client_of(receiver)
    page = browser.get(reverse("clients:referral_detail", args=[sent.pk])).content.decode()
    assert person.code in page and "Recherche de logement" in page
    assert GIVEN not in page and FAMILY not in page
    for name in ("client_detail", "consents", "service_create", "referral_create"):
        assert browser.get(reverse(f"clients:{name}", args=[person.pk])).status_code == 404
    inbox = browser.get(reverse("clients:referral_list")).content.decode()
    assert person.code in inbox
    # Members of B who do not work with clients do not see it.
    liaison = factories.member(org_b, Role.LIAISON_OFFICER)
    assert (
        client_of(liaison).get(reverse("clients:referral_detail", args=[sent.pk])).status_code
        == 404
    )


def test_the_receiver_with_sharing_consent_sees_the_name(
    person, intake_a, org_b, receiver, client_of
):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    consent(person, Purpose.SHARING, org_b, intake_a)
    sent = send(intake_a, person, org_b, share_identity=True)
    page = client_of(receiver).get(reverse("clients:referral_detail", args=[sent.pk]))
    assert GIVEN in page.content.decode()
    steward = factories.member(org_b, Role.DATA_STEWARD)  # no vault role: no name
    page = client_of(steward).get(reverse("clients:referral_detail", args=[sent.pk]))
    assert page.status_code == 200 and GIVEN not in page.content.decode()


def test_both_sides_see_the_status_and_act_through_the_page(
    person, intake_a, org_b, receiver, client_of
):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    sent = send(intake_a, person, org_b)
    url = reverse("clients:referral_detail", args=[sent.pk])
    # The sender cannot accept; the receiver can.
    assert client_of(intake_a).post(url, {"step": "accept"}).status_code == 200
    sent.refresh_from_db()
    assert sent.state == "sent"
    assert client_of(receiver).post(url, {"step": "accept"}).status_code == 302
    sent.refresh_from_db()
    assert sent.state == "accepted"
    outbox = client_of(intake_a).get(reverse("clients:referral_list")).content.decode()
    assert sent.get_state_display() in outbox
    assert client_of(receiver).post(url, {"step": "complete"}).status_code == 302
    sent.refresh_from_db()
    assert sent.state == "completed"
    outsider = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    assert client_of(outsider).get(url).status_code == 404
    assert client_of(outsider).post(url, {"step": "withdraw"}).status_code == 404


def post_referral(browser, client, **overrides):
    data = {"to_organization": "", "reason": "Recherche de logement urgente.", **overrides}
    return browser.post(reverse("clients:referral_create", args=[client.pk]), data)


def test_send_page_bad_input_is_a_form_error(person, intake_a, org_a, org_b, client_of):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    browser = client_of(intake_a)
    for bad in (
        {"to_organization": str(org_a.pk)},  # oneself
        {"to_organization": str(org_b.pk), "reason": "x" * 1_000_000},
        {"to_organization": "999999999999"},
        {"to_organization": str(org_b.pk), "needs": ["not-a-uuid"]},
        {"to_organization": str(org_b.pk), "reason": "<script>"},
    ):
        response = post_referral(browser, person, **bad)
        assert response.status_code == 200, bad
        assert "errorlist" in response.content.decode()
    assert not Referral.objects.exists()
    assert post_referral(browser, person, to_organization=str(org_b.pk)).status_code == 302
    assert Referral.objects.count() == 1


def test_a_forged_client_of_another_organization_is_404(intake_a, org_b, client_of):
    theirs = register(org_b)
    response = post_referral(client_of(intake_a), theirs, to_organization=str(org_b.pk))
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_reminders_for_referrals_left_unanswered(person, intake_a, org_b, receiver):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    waiting = send(intake_a, person, org_b)
    answered = send(intake_a, person, org_b)
    recent = send(intake_a, person, org_b)
    week_ago = timezone.now() - timedelta(days=7)
    Referral.objects.filter(pk__in=[waiting.pk, answered.pk]).update(sent_at=week_ago)
    referrals.referral_step(actor=receiver, referral=answered, step="accept")
    factories.member(org_b, Role.LIAISON_OFFICER, email="liaison@b.example")  # not client staff

    call_command("referrals-remind", "--days", "5")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accueil@b.example"]
    assert person.code in message.body and GIVEN not in message.body
    assert message.body.count(person.code) == 1  # the answered and the recent one are left out
    assert Referral.objects.get(pk=waiting.pk).reminded_at is not None
    assert Referral.objects.get(pk=recent.pk).reminded_at is None

    call_command("referrals-remind", "--days", "5")  # reminded today: not again
    assert len(mail.outbox) == 1


def test_reminder_dry_run_sends_nothing(person, intake_a, org_b, receiver, capsys):
    consent(person, Purpose.REFERRAL, org_b, intake_a)
    send(intake_a, person, org_b)
    Referral.objects.update(sent_at=timezone.now() - timedelta(days=3))
    call_command("referrals-remind", "--days", "2", "--dry-run")
    assert person.code in capsys.readouterr().out
    assert not mail.outbox
