"""Agreements, their amounts and targets: entered by the organization that holds them, checked
(period, overlap, money to the cent, sane sizes), audited; bad input is a clear error and changes
nothing; another organization's ids are 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.funding import services
from ancrage.funding.forms import MoneyField
from ancrage.funding.models import (
    Agreement,
    AgreementAmount,
    AgreementTarget,
    FundingKind,
)
from tests import factories
from tests.funding.conftest import make_program

pytestmark = pytest.mark.django_db

FY25 = (date(2025, 4, 1), date(2026, 3, 31))
FY26 = (date(2026, 4, 1), date(2027, 3, 31))


def agreement_of(organization, program, starts_on=FY25[0], ends_on=FY26[1], **fields):
    """An agreement entered by the system (no person): the checks are the same."""
    return services.agreement_create(
        actor=None,
        organization=organization,
        program=program,
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )


@pytest.fixture
def program(funder):
    return make_program(funder, "pasi-test")


@pytest.fixture
def mission(funder):
    return make_program(funder, "mission-test", kind=FundingKind.MISSION)


@pytest.fixture
def agreement(org_a, program):
    return agreement_of(org_a, program, reference="PASI-001")


def state():
    """Everything an agreement write could change."""
    return (
        list(
            Agreement.objects.order_by("pk").values_list(
                "pk", "program", "starts_on", "ends_on", "renewal_on", "restrictions", "version"
            )
        ),
        list(AgreementAmount.objects.order_by("pk").values_list("pk", "period_start", "amount")),
        list(AgreementTarget.objects.order_by("pk").values_list("pk", "metric", "value")),
        AuditEvent.objects.count(),
    )


# --- Services -----------------------------------------------------------------------------------


def test_the_organization_enters_its_agreement_and_it_is_audited(org_a, program, director_a):
    agreement = services.agreement_create(
        actor=director_a,
        organization=org_a,
        program=program,
        starts_on=FY25[0],
        ends_on=FY26[1],
        renewal_on=date(2026, 12, 31),
        recurring=True,
        restrictions="  Pas de dépenses d'immobilisation.  ",
    )
    assert agreement.created_by == director_a
    assert agreement.restrictions == "Pas de dépenses d'immobilisation."
    assert agreement.renewal_date == date(2026, 12, 31)
    event = AuditEvent.objects.get(target_type="funding.agreement", target_id=str(agreement.pk))
    assert event.action == "create" and event.organization_id == org_a.pk
    assert event.details["program"] == "pasi-test" and event.details["ends_on"] == "2027-03-31"


def test_renewal_date_is_the_end_unless_given(agreement):
    assert agreement.renewal_on is None and agreement.renewal_date == FY26[1]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"starts_on": date(2026, 4, 1), "ends_on": date(2026, 3, 31)}, "ends_on"),
        ({"restrictions": "x" * 4001}, "restrictions"),
        ({"reference": "R" * 61}, "reference"),
        ({"renewal_on": date(2028, 1, 1)}, "renewal_on"),
        ({"renewal_on": date(2024, 1, 1)}, "renewal_on"),
        ({"cadence": "weekly"}, "cadence"),
        ({"starts_on": date(2205, 4, 1), "ends_on": date(2206, 3, 31)}, "starts_on"),
        ({"ends_on": "2026-03-31"}, "ends_on"),
    ],
)
def test_bad_agreements_are_refused_and_change_nothing(org_a, program, fields, field):
    before = state()
    values = {"starts_on": FY25[0], "ends_on": FY26[1], **fields}
    with pytest.raises(ValidationError) as error:
        agreement_of(org_a, program, **values)
    assert field in error.value.message_dict
    assert state() == before


def test_overlapping_agreements_under_one_program_are_refused(org_a, org_b, program, mission):
    agreement_of(org_a, program, *FY25)
    before = state()
    with pytest.raises(ValidationError) as error:
        agreement_of(org_a, program, date(2026, 1, 1), date(2026, 12, 31))
    assert "2025-04-01 → 2026-03-31" in error.value.message_dict["starts_on"][0]
    assert state() == before
    # The next year, another program, another organization: all fine.
    agreement_of(org_a, program, *FY26)
    agreement_of(org_a, mission, *FY25)
    agreement_of(org_b, program, *FY25)
    assert Agreement.objects.count() == 4


def test_an_inactive_program_takes_past_agreements_only(org_a, funder):
    legacy = services.program_create(
        actor=None,
        funder=funder,
        code="print-test",
        names={"fr": "PRINT", "en": "PRINT"},
        is_active=False,
    )
    agreement_of(org_a, legacy, date(2016, 4, 1), date(2020, 3, 31))
    with pytest.raises(ValidationError) as error:
        agreement_of(org_a, legacy, date(2024, 4, 1), date(2099, 3, 31))
    assert "program" in error.value.message_dict


def test_a_funder_holds_no_agreement_under_its_own_program(funder, program):
    with pytest.raises(ValidationError) as error:
        agreement_of(funder, program)
    assert "program" in error.value.message_dict


def test_only_the_organization_itself_enters_its_agreements(org_a, org_b, program):
    director_b = factories.member(org_b, Role.DIRECTOR)
    intake_a = factories.member(org_a, Role.INTAKE_WORKER)
    before = state()
    for actor in (director_b, intake_a):
        with pytest.raises(PermissionDenied):
            services.agreement_create(
                actor=actor, organization=org_a, program=program, starts_on=FY25[0], ends_on=FY25[1]
            )
    assert state() == before


def test_an_edit_from_an_old_version_is_refused(agreement, director_a):
    services.agreement_update(
        actor=director_a, agreement=agreement, version=1, restrictions="Première version."
    )
    agreement.refresh_from_db()
    assert agreement.version == 2 and agreement.restrictions == "Première version."
    before = state()
    with pytest.raises(ValidationError) as error:
        services.agreement_update(
            actor=director_a, agreement=agreement, version=1, restrictions="Écrase l'autre."
        )
    assert error.value.code == "stale"
    assert state() == before
    event = AuditEvent.objects.filter(action="change", target_type="funding.agreement").get()
    assert event.details["fields"]["restrictions"] == ["", "Première version."]


def test_an_edit_may_not_leave_amounts_outside_the_agreement(agreement, director_a):
    services.amount_set(
        actor=director_a, agreement=agreement, period_start=FY26[0], period_end=FY26[1], amount=10
    )
    before = state()
    with pytest.raises(ValidationError):
        services.agreement_update(actor=director_a, agreement=agreement, version=1, ends_on=FY25[1])
    assert state() == before


def test_an_edit_may_not_overlap_another_agreement(org_a, program, director_a):
    first = agreement_of(org_a, program, *FY25)
    agreement_of(org_a, program, *FY26)
    with pytest.raises(ValidationError):
        services.agreement_update(
            actor=director_a, agreement=first, version=1, ends_on=date(2026, 6, 30)
        )


def test_edit_refuses_unknown_fields(agreement, director_a):
    with pytest.raises(TypeError):
        services.agreement_update(
            actor=director_a, agreement=agreement, version=1, organization=agreement.program.funder
        )


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-1"),
        Decimal("12.345"),
        "12.345",
        Decimal("100000000.01"),
        "abc",
        "NaN",
        "Infinity",
        True,
        None,
    ],
)
def test_bad_amounts_are_refused(agreement, director_a, amount):
    before = state()
    with pytest.raises(ValidationError) as error:
        services.amount_set(
            actor=director_a,
            agreement=agreement,
            period_start=FY25[0],
            period_end=FY25[1],
            amount=amount,
        )
    assert "amount" in error.value.message_dict
    assert state() == before


def test_amounts_by_fiscal_year_replace_and_refuse_partial_overlaps(agreement, director_a):
    first = services.amount_set(
        actor=director_a,
        agreement=agreement,
        period_start=FY25[0],
        period_end=FY25[1],
        amount="12500.500",  # trailing zero: still to the cent
    )
    assert first.amount == Decimal("12500.50")
    again = services.amount_set(
        actor=director_a,
        agreement=agreement,
        period_start=FY25[0],
        period_end=FY25[1],
        amount=Decimal("100000000"),
    )
    assert again.pk == first.pk and again.amount == Decimal("100000000.00")
    before = state()
    for start, end in [(date(2026, 1, 1), date(2026, 6, 30)), (date(2025, 3, 1), FY25[1])]:
        with pytest.raises(ValidationError) as error:
            services.amount_set(
                actor=director_a, agreement=agreement, period_start=start, period_end=end, amount=1
            )
        assert "period_start" in error.value.message_dict
    assert state() == before
    actions = list(
        AuditEvent.objects.filter(target_type="funding.agreementamount")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "change"]


def test_a_period_outside_the_agreement_or_backwards_is_refused(agreement, director_a):
    for start, end in [
        (date(2027, 4, 1), date(2028, 3, 31)),
        (date(2025, 1, 1), date(2025, 3, 31)),
        (FY25[1], FY25[0]),
    ]:
        for write in (
            lambda s, e: services.amount_set(
                actor=director_a, agreement=agreement, period_start=s, period_end=e, amount=1
            ),
            lambda s, e: services.target_set(
                actor=director_a,
                agreement=agreement,
                metric="services",
                period_start=s,
                period_end=e,
                value=1,
            ),
        ):
            with pytest.raises(ValidationError):
                write(start, end)
    assert not AgreementAmount.objects.exists() and not AgreementTarget.objects.exists()


def test_targets_per_quarter_inside_a_yearly_one(agreement, director_a):
    def target(start, end, value, metric="eligible_clients"):
        return services.target_set(
            actor=director_a,
            agreement=agreement,
            metric=metric,
            period_start=start,
            period_end=end,
            value=value,
        )

    yearly = target(*FY25, 120)
    quarter = target(date(2025, 4, 1), date(2025, 6, 30), 30)
    assert target(date(2025, 4, 1), date(2025, 6, 30), 35).pk == quarter.pk
    assert target(date(2025, 4, 1), date(2025, 6, 30), 200, metric="services").pk != quarter.pk
    with pytest.raises(ValidationError):
        target(date(2025, 6, 1), date(2026, 5, 31), 10)  # straddles the year: partial overlap
    for value in (-1, 1_000_001, True, "12", 1.5):
        with pytest.raises(ValidationError):
            target(date(2025, 7, 1), date(2025, 9, 30), value)
    with pytest.raises(ValidationError):
        target(date(2025, 7, 1), date(2025, 9, 30), 1, metric="hugs")
    yearly.refresh_from_db()
    quarter.refresh_from_db()
    assert (yearly.value, quarter.value) == (120, 35)
    assert AgreementTarget.objects.count() == 3


def test_amounts_and_targets_of_another_organization_are_refused(agreement, org_b):
    director_b = factories.member(org_b, Role.DIRECTOR)
    with pytest.raises(PermissionDenied):
        services.amount_set(
            actor=director_b,
            agreement=agreement,
            period_start=FY25[0],
            period_end=FY25[1],
            amount=1,
        )
    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=director_b,
            agreement=agreement,
            metric="services",
            period_start=FY25[0],
            period_end=FY25[1],
            value=1,
        )


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("12 500,50", Decimal("12500.50")),
        ("12\u00a0500,50 $", Decimal("12500.50")),
        ("12500.50", Decimal("12500.50")),
        ("12,500.50", Decimal("12500.50")),
        ("12.500,50", Decimal("12500.50")),
        ("3000", Decimal("3000")),
        ("12,345", Decimal("12.345")),  # a French decimal comma: the service refuses 3 decimals
    ],
)
def test_money_is_read_as_people_type_it(typed, expected):
    assert MoneyField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["douze", "1e5x", "--3", "Infinity"])
def test_money_that_is_not_a_number_is_a_form_error(typed):
    with pytest.raises(ValidationError):
        MoneyField().clean(typed)


# --- Pages --------------------------------------------------------------------------------------


def agreement_post(chosen, **overrides):
    data = {
        "program": str(chosen.pk),
        "reference": "PASI-2025-12",
        "starts_on": "2025-04-01",
        "ends_on": "2027-03-31",
        "renewal_on": "",
        "cadence": "quarterly",
        "recurring": "on",
        "restrictions": "",
    }
    data.update(overrides)
    return data


def test_the_director_enters_an_agreement_through_the_form(org_a, program, director_a, client_of):
    client = client_of(director_a)
    url = reverse("funding:agreement_create", args=[org_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Nouvelle entente" in page.content.decode() or "New agreement" in page.content.decode()
    response = client.post(url, agreement_post(program))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:agreement_detail", args=[agreement.pk])
    assert agreement.organization == org_a and agreement.recurring
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "PASI-2025-12" in detail.content.decode()


def test_form_errors_sit_next_to_their_fields_and_change_nothing(
    org_a, program, agreement, director_a, client_of
):
    client = client_of(director_a)
    url = reverse("funding:agreement_create", args=[org_a.pk])
    before = state()
    for post, field in [
        (agreement_post(program), "starts_on"),  # overlaps `agreement`
        (agreement_post(program, ends_on="2024-01-01"), "ends_on"),
        (agreement_post(program, starts_on="31/02/2025"), "starts_on"),
        (agreement_post(program, program="999999999999999999999"), "program"),
        (agreement_post(program, restrictions="x" * 4001), "restrictions"),
    ]:
        response = client.post(url, post)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
    assert state() == before


def test_a_stale_edit_shows_the_error_and_changes_nothing(
    agreement, program, director_a, client_of
):
    client = client_of(director_a)
    url = reverse("funding:agreement_edit", args=[agreement.pk])
    page = client.get(url)
    assert page.context["form"].initial["version"] == 1
    first = client.post(url, agreement_post(program, version="1", restrictions="Un"))
    assert first.status_code == 302
    before = state()
    second = client.post(url, agreement_post(program, version="1", restrictions="Deux"))
    assert second.status_code == 200 and second.context["form"].non_field_errors()
    forged = client.post(url, agreement_post(program, version="", restrictions="Trois"))
    assert forged.status_code == 200 and forged.context["form"].non_field_errors()
    assert state() == before


def test_amounts_and_targets_pages(agreement, director_a, client_of):
    client = client_of(director_a)
    amounts = reverse("funding:amount_set", args=[agreement.pk])
    page = client.get(amounts)
    assert page.status_code == 200
    choices = dict(page.context["form"].fields["period"].choices)
    assert "2025-04-01:2026-03-31" in choices and "2026-01-01:2026-03-31" in choices
    assert (
        client.post(amounts, {"period": "2025-04-01:2026-03-31", "amount": "420 000"}).status_code
        == 302
    )
    bad = client.post(amounts, {"period": "2026-04-01:2027-03-31", "amount": "12,345"})
    assert bad.context["form"].errors["amount"]
    forged = client.post(amounts, {"period": "2030-04-01:2031-03-31", "amount": "1"})
    assert forged.context["form"].errors["period"]
    nothing = client.post(amounts, {"period": "", "period_start": "", "amount": "1"})
    assert nothing.context["form"].non_field_errors()
    outside = client.post(
        amounts, {"period_start": "2027-04-01", "period_end": "2028-03-31", "amount": "1"}
    )
    assert outside.context["form"].errors["period_start"]
    assert list(AgreementAmount.objects.values_list("amount", flat=True)) == [Decimal("420000")]

    targets = reverse("funding:target_set", args=[agreement.pk])
    response = client.post(
        targets, {"metric": "eligible_clients", "period": "2025-04-01:2025-06-30", "value": "35"}
    )
    assert response.status_code == 302
    negative = client.post(
        targets, {"metric": "eligible_clients", "period": "2025-04-01:2025-06-30", "value": "-3"}
    )
    assert negative.context["form"].errors["value"]
    target = AgreementTarget.objects.get()
    assert target.value == 35

    # Removing: GET asks to confirm, POST removes, audited.
    confirm = client.get(reverse("funding:target_remove", args=[target.pk]))
    assert confirm.status_code == 200 and AgreementTarget.objects.exists()
    assert client.put(reverse("funding:target_remove", args=[target.pk])).status_code == 405
    client.post(reverse("funding:target_remove", args=[target.pk]))
    client.post(reverse("funding:amount_remove", args=[AgreementAmount.objects.get().pk]))
    assert not AgreementTarget.objects.exists() and not AgreementAmount.objects.exists()
    assert AuditEvent.objects.filter(action="delete").count() == 2


def test_the_detail_shows_everything_and_escapes_what_was_typed(agreement, director_a, client_of):
    services.agreement_update(
        actor=director_a,
        agreement=agreement,
        version=1,
        restrictions="<script>alert(1)</script> Pas de loyer.",
        renewal_on=date(2026, 10, 1),
    )
    services.amount_set(
        actor=director_a,
        agreement=agreement,
        period_start=FY25[0],
        period_end=FY25[1],
        amount=Decimal("420000"),
    )
    services.target_set(
        actor=director_a,
        agreement=agreement,
        metric="eligible_clients",
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        value=35,
    )
    page = client_of(director_a).get(reverse("funding:agreement_detail", args=[agreement.pk]))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "420\u00a0000,00" in html  # French: a narrow space between thousands, a comma
    assert "2026-10-01" in html and "Personnes admissibles servies" in html
    assert "2025-04-01 → 2025-06-30" in html


def test_the_list_shows_current_and_ended_agreements(
    org_a, program, mission, client_of, director_a
):
    agreement_of(org_a, program, date(2015, 4, 1), date(2016, 3, 31))
    agreement_of(org_a, mission, date(2025, 4, 1), date(2099, 3, 31))
    response = client_of(director_a).get(reverse("funding:agreement_list", args=[org_a.pk]))
    assert response.status_code == 200
    assert [a.program for a in response.context["current"]] == [mission]
    assert [a.program for a in response.context["ended"]] == [program]
    assert reverse("funding:agreement_create", args=[org_a.pk]) in response.content.decode()


AGREEMENT_URLS = [
    "funding:agreement_detail",
    "funding:agreement_edit",
    "funding:amount_set",
    "funding:target_set",
]


def test_another_organization_gets_404_and_a_member_without_the_role_403(
    agreement, org_a, org_b, client_of
):
    amount = services.amount_set(
        actor=None, agreement=agreement, period_start=FY25[0], period_end=FY25[1], amount=1
    )
    target = services.target_set(
        actor=None,
        agreement=agreement,
        metric="services",
        period_start=FY25[0],
        period_end=FY25[1],
        value=1,
    )
    before = state()
    outsiders = [factories.member(org_b, role) for role in Role] + [factories.UserFactory()]
    for user in outsiders:
        client = client_of(user)
        for name in AGREEMENT_URLS:
            url = reverse(name, args=[agreement.pk])
            assert client.get(url).status_code == 404, (user, name)
            assert client.post(url, {"restrictions": "Piraté", "amount": "1"}).status_code == 404
        for name in ("funding:agreement_list", "funding:agreement_create"):
            url = reverse(name, args=[org_a.pk])
            assert client.get(url).status_code in (403, 404)
        for url in (
            reverse("funding:amount_remove", args=[amount.pk]),
            reverse("funding:target_remove", args=[target.pk]),
        ):
            assert client.get(url).status_code == 404
            assert client.post(url).status_code == 404
    intake = client_of(factories.member(org_a, Role.INTAKE_WORKER))
    assert intake.get(reverse("funding:agreement_detail", args=[agreement.pk])).status_code == 403
    assert intake.get(reverse("funding:agreement_list", args=[org_a.pk])).status_code == 403
    assert state() == before


def test_forged_ids_are_404(director_a, client_of):
    client = client_of(director_a)
    for forged in (999_999_999, 2**63 + 5):
        for name in [*AGREEMENT_URLS, "funding:agreement_list", "funding:agreement_create"]:
            assert client.get(reverse(name, args=[forged])).status_code == 404
        for name in ("funding:amount_remove", "funding:target_remove"):
            assert client.post(reverse(name, args=[forged])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, agreement):
    response = client.get(reverse("funding:agreement_detail", args=[agreement.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_funder_organization_is_no_agreement_holder_through_the_page(funder, program, client_of):
    admin = factories.member(funder, Role.ADMINISTRATOR)
    response = client_of(admin).post(
        reverse("funding:agreement_create", args=[funder.pk]), agreement_post(program)
    )
    assert response.status_code == 200 and response.context["form"].errors["program"]
    assert not Agreement.objects.exists()
    assert funder.kind == OrganizationKind.FUNDER
