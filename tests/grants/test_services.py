"""Calls and applications written through the services: every check, and bad input that changes
nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import AuditEvent
from ancrage.grants import selectors, services
from ancrage.grants.models import (
    Application,
    BudgetLine,
    CallState,
    CoApplicant,
    GrantCall,
)
from tests import factories
from tests.grants.conftest import OBJECTIVES, make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the source); French is the lead's catalogue."""
    with translation.override("en"):
        yield


def messages_of(error):
    return " ".join(error.value.messages)


# --- Calls ------------------------------------------------------------------------------------


def new_call(actor, funder, **overrides):
    now = timezone.now()
    values = {
        "code": "montreal-inclusive-test",
        "titles": {"fr": "Montréal inclusive", "en": "An Inclusive Montréal"},
        "descriptions": {"fr": "Des projets pour l'inclusion.", "en": "Projects for inclusion."},
        "opens_at": now,
        "closes_at": now + timedelta(days=45),
        "eligible_kinds": [OrganizationKind.COMMUNITY_ORGANIZATION],
    }
    values.update(overrides)
    return services.call_create(actor=actor, funder=funder, **values)


def ready_call(actor, funder, **overrides):
    call = new_call(actor, funder, **overrides)
    services.call_years_set(
        actor=actor,
        call=call,
        envelopes={2025: Decimal("1250000"), 2026: "1250000.00", 2027: 1250000},
    )
    services.call_objectives_set(
        actor=actor,
        call=call,
        objectives=[{"names": {"fr": fr, "en": en}} for _code, fr, en in OBJECTIVES],
    )
    services.call_criteria_set(
        actor=actor,
        call=call,
        criteria=[
            {"names": {"fr": "Pertinence", "en": "Relevance"}, "weight": 40},
            {"names": {"fr": "Faisabilité", "en": "Feasibility"}, "weight": 35},
            {"names": {"fr": "Partenariats", "en": "Partnerships"}, "weight": 25},
        ],
    )
    return call


def test_a_call_is_prepared_then_published(funder_org, call_manager):
    call = ready_call(call_manager, funder_org)
    assert call.state == CallState.DRAFT
    assert selectors.envelope_of(call) == {
        2025: Decimal("1250000.00"),
        2026: Decimal("1250000.00"),
        2027: Decimal("1250000.00"),
    }
    assert [o.code for o in call.objectives.all()][:2] == [
        "reduire-la-discrimination",
        "proteger-les-droits-des-personnes-nouvellement-arrivees",
    ]
    assert services.publication_problems(call) == []
    services.call_publish(actor=call_manager, call=call)
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    assert (
        AuditEvent.objects.filter(target_type="grants.grantcall", target_id=str(call.pk)).count()
        >= 5
    )


def test_only_the_funders_managers_prepare_its_calls(funder_org, applicant):
    other_funder = factories.OrganizationFactory(kind=OrganizationKind.FUNDER)
    manager_elsewhere = factories.member(other_funder, Role.DIRECTOR)
    advisor = factories.member(funder_org, Role.FUNDER_ADVISOR)
    for actor in (applicant, manager_elsewhere, advisor):
        with pytest.raises(PermissionDenied):
            new_call(actor, funder_org)
    assert not GrantCall.objects.exists()


@pytest.mark.parametrize(
    "weights, message",
    [
        ([40, 35, 20], "95%"),
        ([40, 35, 35], "110%"),
    ],
)
def test_weights_must_add_up_to_100(funder_org, call_manager, weights, message):
    call = new_call(call_manager, funder_org)
    with pytest.raises(ValidationError) as refused:
        services.call_criteria_set(
            actor=call_manager,
            call=call,
            criteria=[
                {"names": {"fr": f"Critère {i}"}, "weight": weight}
                for i, weight in enumerate(weights)
            ],
        )
    assert message in messages_of(refused)
    assert "100" in messages_of(refused)
    assert not call.criteria.exists()


@pytest.mark.parametrize("weight", [0, 101, -5, "30", True, 2.5])
def test_a_weight_is_a_whole_number_from_1_to_100(funder_org, call_manager, weight):
    call = new_call(call_manager, funder_org)
    with pytest.raises(ValidationError):
        services.call_criteria_set(
            actor=call_manager,
            call=call,
            criteria=[{"names": {"fr": "Seul"}, "weight": weight}],
        )
    assert not call.criteria.exists()


@pytest.mark.parametrize(
    "envelope, message",
    [
        ("-1", "negative"),
        ("-0.01", "negative"),
        ("10.005", "2 decimals"),
        ("abc", "Enter an amount"),
        ("1e12", "100 million"),
        ("NaN", "Enter an amount"),
    ],
)
def test_envelopes_are_positive_amounts_to_the_cent(funder_org, call_manager, envelope, message):
    call = new_call(call_manager, funder_org)
    services.call_years_set(actor=call_manager, call=call, envelopes={2025: "100"})
    with pytest.raises(ValidationError) as refused:
        services.call_years_set(
            actor=call_manager, call=call, envelopes={2025: "100", 2026: envelope}
        )
    assert message in messages_of(refused)
    assert selectors.envelope_of(call) == {2025: Decimal("100.00")}


def test_the_deadline_comes_after_the_opening(funder_org, call_manager):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        new_call(call_manager, funder_org, opens_at=now, closes_at=now)
    assert "closes_at" in refused.value.message_dict
    with pytest.raises(ValidationError):
        new_call(call_manager, funder_org, opens_at=now.replace(tzinfo=None), closes_at=now)
    assert not GrantCall.objects.exists()


def test_a_call_not_ready_says_everything_missing(funder_org, call_manager):
    call = new_call(call_manager, funder_org)
    with pytest.raises(ValidationError) as refused:
        services.call_publish(actor=call_manager, call=call)
    text = messages_of(refused)
    assert "envelope" in text and "objective" in text and "criterion" in text
    call.refresh_from_db()
    assert call.state == CallState.DRAFT


def test_a_call_whose_deadline_passed_is_not_published(funder_org, call_manager):
    call = ready_call(call_manager, funder_org)
    with pytest.raises(ValidationError) as refused:
        services.call_publish(
            actor=call_manager, call=call, now=call.closes_at + timedelta(seconds=1)
        )
    assert "deadline has passed" in messages_of(refused)


def test_a_published_call_keeps_its_rules_but_may_extend_its_deadline(funder_org, call_manager):
    call = ready_call(call_manager, funder_org)
    services.call_publish(actor=call_manager, call=call)
    base = {
        "titles": call.titles,
        "descriptions": {"fr": "Nouvelle description."},
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "eligible_kinds": call.eligible_kinds,
    }
    with pytest.raises(ValidationError) as refused:
        services.call_update(actor=call_manager, call=call, **{**base, "eligible_kinds": []})
    assert "eligible_kinds" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.call_update(
            actor=call_manager,
            call=call,
            **{**base, "closes_at": call.closes_at - timedelta(days=1)},
        )
    assert "closes_at" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.call_years_set(actor=call_manager, call=call, envelopes={2025: "1"})
    later = call.closes_at + timedelta(days=7)
    services.call_update(actor=call_manager, call=call, **{**base, "closes_at": later})
    call.refresh_from_db()
    assert call.closes_at == later
    assert call.descriptions == {"fr": "Nouvelle description."}


def test_a_call_closes_only_after_its_deadline(call, call_manager):
    with pytest.raises(ValidationError) as refused:
        services.call_close(actor=call_manager, call=call)
    assert refused.value.code == "too_early"
    services.call_close(actor=call_manager, call=call, now=call.closes_at + timedelta(seconds=1))
    call.refresh_from_db()
    assert call.state == CallState.CLOSED
    services.call_decide(actor=call_manager, call=call)
    call.refresh_from_db()
    assert call.state == CallState.DECIDED


@pytest.mark.parametrize(
    "titles",
    [
        {"fr": "x" * 10_000},
        {"fr": "<script>alert(1)</script>"},
        {"fr": "Appel\x00"},
        {},
        {"de": "Nur Deutsch"},
        "pas un dictionnaire",
    ],
)
def test_bad_call_titles_are_refused(funder_org, call_manager, titles):
    with pytest.raises(ValidationError) as refused:
        new_call(call_manager, funder_org, titles=titles)
    assert "titles" in refused.value.message_dict
    assert not GrantCall.objects.exists()


def test_a_call_code_is_a_slug_used_once(funder_org, call_manager):
    with pytest.raises(ValidationError):
        new_call(call_manager, funder_org, code="Pas un code!")
    new_call(call_manager, funder_org)
    with pytest.raises(ValidationError) as refused:
        new_call(call_manager, funder_org)
    assert "code" in refused.value.message_dict
    assert GrantCall.objects.count() == 1


# --- Applications: the draft ------------------------------------------------------------------


def start(call, organization, actor, **overrides):
    values = {
        "title": "Cuisines du monde",
        "summary": "Ateliers de cuisine collective.",
        "objectives": list(call.objectives.all()[:2]),
        "target_groups": ["women"],
        "boroughs": [factories.borough("lasalle")],
    }
    values.update(overrides)
    return services.application_create(actor=actor, call=call, organization=organization, **values)


def test_an_application_is_written_then_submitted(call, applicant_org, applicant):
    application = start(call, applicant_org, applicant)
    assert application.state == "draft" and application.version == 1
    application = services.application_budget_set(
        actor=applicant,
        application=application,
        version=1,
        requested={2025: "50000", 2026: "50000.00"},
        lines=[
            {"year": 2025, "label": "Salaires", "amount": "40000"},
            {"year": 2025, "label": "Matériel", "amount": "10000"},
            {"year": 2026, "label": "Salaires", "amount": "50000"},
        ],
    )
    assert application.version == 2
    assert selectors.requested_of(application) == {2025: Decimal("50000"), 2026: Decimal("50000")}
    application = services.application_logic_model_set(
        actor=applicant,
        application=application,
        version=2,
        rows=[
            {
                "activity": "Ateliers",
                "output": "30 ateliers",
                "outcome": "Moins d'isolement",
                "indicator": "Participantes",
                "target": 40,
            }
        ],
    )
    application = services.application_partners_set(
        actor=applicant,
        application=application,
        version=3,
        partners=[{"name": "Bibliothèque", "role": "Locaux", "agreed": True}],
    )
    assert services.submission_problems(application) == []
    services.application_submit(actor=applicant, application=application, version=4)
    application.refresh_from_db()
    assert application.state == "submitted"
    assert selectors.requested_totals(call) == {
        2025: Decimal("50000"),
        2026: Decimal("50000"),
        2027: Decimal("0"),
    }


def test_a_coordinator_may_apply_but_not_an_intake_worker(call, applicant_org):
    coordinator = factories.member(applicant_org, Role.COORDINATOR)
    start(call, applicant_org, coordinator)
    worker = factories.member(applicant_org, Role.INTAKE_WORKER)
    with pytest.raises(PermissionDenied):
        start(call, applicant_org, worker)
    assert Application.objects.count() == 1


def test_nobody_applies_for_another_organization(call, applicant_org, other_applicant):
    with pytest.raises(PermissionDenied):
        start(call, applicant_org, other_applicant)
    assert not Application.objects.exists()


def test_an_ineligible_kind_or_borough_is_told_why(funder_org, call_manager):
    call = make_call(
        funder_org,
        eligible_kinds=[OrganizationKind.COMMUNITY_ORGANIZATION],
        eligible_boroughs=["montreal-nord"],
    )
    library = factories.OrganizationFactory(kind=OrganizationKind.LIBRARY)
    director = factories.member(library, Role.DIRECTOR)
    with pytest.raises(ValidationError) as refused:
        start(call, library, director)
    text = messages_of(refused)
    assert "community organization" in text
    assert "boroughs" in text
    lasalle_org = factories.OrganizationFactory()
    with pytest.raises(ValidationError):
        start(call, lasalle_org, factories.member(lasalle_org, Role.DIRECTOR))
    # An organization serving the borough is eligible.
    lasalle_org.boroughs_served.add(factories.borough("montreal-nord"))
    start(
        call,
        lasalle_org,
        factories.member(lasalle_org, Role.DIRECTOR),
        boroughs=[factories.borough("montreal-nord")],
    )
    assert list(selectors.eligible_organizations(call)) == [lasalle_org]


def test_a_call_not_open_takes_no_application(funder_org, applicant_org, applicant):
    draft = make_call(funder_org, state=CallState.DRAFT)
    later = make_call(funder_org, opens_at=timezone.now() + timedelta(days=2))
    past = make_call(
        funder_org,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(seconds=1),
    )
    for call in (draft, later, past):
        with pytest.raises(ValidationError) as refused:
            start(call, applicant_org, applicant)
        assert refused.value.code == "closed"
    assert not Application.objects.exists()


def test_edits_carry_the_version_seen(draft_application, applicant):
    services.application_update(
        actor=applicant,
        application=draft_application,
        version=1,
        title="Nouveau titre",
        summary="Résumé",
        target_groups=["women"],
    )
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            actor=applicant,
            application=draft_application,
            version=1,
            title="Titre perdu",
            summary="Résumé",
        )
    assert refused.value.code == "stale"
    draft_application.refresh_from_db()
    assert (draft_application.title, draft_application.version) == ("Nouveau titre", 2)


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "T" * 10_000),
        ("title", ""),
        ("title", "<script>alert('x')</script>"),
        ("summary", "<img src=x onerror=alert(1)>"),
        ("summary", "S" * 10_000),
        ("target_groups", ["martians"]),
        ("minimum_viable", "150"),
        ("minimum_viable", "-1"),
        ("minimum_viable", "12.345"),
    ],
)
def test_bad_project_fields_change_nothing(draft_application, applicant, field, value):
    values = {"title": "Titre", "summary": "Résumé", field: value}
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            actor=applicant, application=draft_application, version=1, **values
        )
    assert field in refused.value.message_dict
    draft_application.refresh_from_db()
    assert draft_application.version == 1
    assert draft_application.title.startswith("Cuisines du monde")


def test_objectives_of_another_call_are_refused(call, draft_application, applicant, funder_org):
    other = make_call(funder_org)
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            actor=applicant,
            application=draft_application,
            version=1,
            title="Titre",
            summary="Résumé",
            objectives=[other.objectives.first()],
        )
    assert "objectives" in refused.value.message_dict


@pytest.mark.parametrize(
    "lines, requested, message",
    [
        ([{"year": 2025, "label": "Salaires", "amount": "-10"}], {}, "negative"),
        ([{"year": 2025, "label": "Salaires", "amount": "10.123"}], {}, "2 decimals"),
        ([{"year": 2030, "label": "Salaires", "amount": "10"}], {}, "not a year of this call"),
        ([{"year": 2025, "label": "", "amount": "10"}], {}, "required"),
        ([{"year": 2025, "label": "<script>x</script>", "amount": "10"}], {}, "HTML"),
        ([], {2025: "1,5"}, "Enter an amount"),
        ([], {1999: "10"}, "year"),
    ],
)
def test_bad_budget_changes_nothing(draft_application, applicant, lines, requested, message):
    before = list(draft_application.budget.values_list("year", "label", "amount"))
    with pytest.raises(ValidationError) as refused:
        services.application_budget_set(
            actor=applicant,
            application=draft_application,
            version=1,
            requested=requested,
            lines=lines,
        )
    assert message in messages_of(refused)
    assert list(draft_application.budget.values_list("year", "label", "amount")) == before
    draft_application.refresh_from_db()
    assert draft_application.version == 1


def test_a_budget_that_does_not_add_up_is_saved_as_draft_but_not_submitted(
    draft_application, applicant
):
    services.application_budget_set(
        actor=applicant,
        application=draft_application,
        version=1,
        requested={2025: "60000", 2026: "60000", 2027: "60000"},
        lines=[
            {"year": 2025, "label": "Salaires", "amount": "45000"},
            {"year": 2025, "label": "Activités", "amount": "14999.99"},
            {"year": 2026, "label": "Salaires", "amount": "60000"},
            {"year": 2027, "label": "Salaires", "amount": "60000"},
        ],
    )
    table = selectors.budget_table(draft_application)
    assert [(row.year, row.adds_up, row.difference) for row in table] == [
        (2025, False, Decimal("-0.01")),
        (2026, True, Decimal("0")),
        (2027, True, Decimal("0")),
    ]
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=applicant, application=draft_application, version=2)
    assert "Budget 2025: the lines add up to 59 999.99 $ but the request is 60 000.00 $" in (
        messages_of(refused)
    )
    draft_application.refresh_from_db()
    assert draft_application.state == "draft"


def test_submission_lists_everything_missing_at_once(call, applicant_org, applicant):
    call.documents_required = [{"fr": "États financiers", "en": "Financial statements"}]
    call.save()
    application = start(
        call, applicant_org, applicant, objectives=[], target_groups=[], boroughs=[]
    )
    CoApplicant.objects.create(
        application=application, organization=factories.OrganizationFactory(name="Partenaire X")
    )
    problems = services.submission_problems(application)
    text = " ".join(problems)
    for expected in (
        "objective",
        "groups",
        "boroughs",
        "logic model",
        "how much",
        "Missing document: Financial statements",
        "Co-applicants have not confirmed yet: Partenaire X",
    ):
        assert expected in text, expected
    with pytest.raises(ValidationError):
        services.application_submit(actor=applicant, application=application, version=1)


def test_the_request_may_not_exceed_the_cap_per_organization(funder_org, applicant_org, applicant):
    call = make_call(funder_org, max_per_organization=Decimal("100000"))
    application = make_application(call, applicant_org, state="draft")
    assert any(
        "most one organization may receive" in p for p in services.submission_problems(application)
    )


def test_an_ineligible_organization_cannot_submit(funder_org, applicant_org, applicant):
    call = make_call(funder_org)
    application = make_application(call, applicant_org, state="draft")
    call.eligible_kinds = [OrganizationKind.LIBRARY]
    call.save()
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=applicant, application=application, version=1)
    assert "library" in messages_of(refused).lower()


def test_a_project_outside_the_eligible_boroughs_cannot_submit(
    funder_org, applicant_org, applicant
):
    call = make_call(funder_org, eligible_boroughs=["lasalle"])
    application = make_application(
        call, applicant_org, state="draft", boroughs=("lasalle", "anjou")
    )
    assert any(
        "borough this call does not cover" in p for p in services.submission_problems(application)
    )


def test_partners_who_have_not_agreed_block_the_submission(call, applicant_org, applicant):
    application = make_application(
        call, applicant_org, state="draft", partners=(("Centre X", False),)
    )
    assert any("Centre X" in p for p in services.submission_problems(application))


def test_a_submitted_application_can_no_longer_be_edited(submitted_application, applicant):
    with pytest.raises(ValidationError) as refused:
        services.application_budget_set(
            actor=applicant,
            application=submitted_application,
            version=submitted_application.version,
            requested={},
            lines=[],
        )
    assert refused.value.code == "not_draft"
    assert submitted_application.budget.count() == 6


# --- Co-applicants ----------------------------------------------------------------------------


def test_a_co_applicant_confirms_from_its_own_organization(
    draft_application, applicant, other_applicant_org, other_applicant
):
    row = services.co_applicant_add(
        actor=applicant, application=draft_application, version=1, organization=other_applicant_org
    )
    # The applicant cannot confirm for the co-applicant.
    with pytest.raises(PermissionDenied):
        services.co_applicant_confirm(actor=applicant, co_applicant=row)
    # Nor a third organization's director.
    third = factories.OrganizationFactory()
    with pytest.raises(PermissionDenied):
        services.co_applicant_confirm(
            actor=factories.member(third, Role.DIRECTOR), co_applicant=row
        )
    row.refresh_from_db()
    assert row.confirmed_at is None
    services.co_applicant_confirm(actor=other_applicant, co_applicant=row)
    row.refresh_from_db()
    assert row.confirmed_at is not None
    assert [r.application for r in selectors.co_applications_of(other_applicant)] == [
        draft_application
    ]
    assert not selectors.co_applications_of(applicant).exists()


def test_a_co_applicant_is_another_organization_named_once(
    draft_application, applicant, applicant_org, other_applicant_org
):
    with pytest.raises(ValidationError):
        services.co_applicant_add(
            actor=applicant, application=draft_application, version=1, organization=applicant_org
        )
    services.co_applicant_add(
        actor=applicant, application=draft_application, version=1, organization=other_applicant_org
    )
    with pytest.raises(ValidationError):
        services.co_applicant_add(
            actor=applicant,
            application=draft_application,
            version=2,
            organization=other_applicant_org,
        )
    assert draft_application.co_applicants.count() == 1


# --- Documents --------------------------------------------------------------------------------


def test_required_documents_are_attached_and_checked(funder_org, applicant_org, applicant):
    call = make_call(
        funder_org, documents_required=[{"fr": "Lettres d'appui", "en": "Letters of support"}]
    )
    application = make_application(call, applicant_org, state="draft")
    assert any("Letters of support" in p for p in services.submission_problems(application))
    with pytest.raises(ValidationError):
        services.application_document_attach(
            actor=applicant,
            application=application,
            version=1,
            requirement=0,
            name="virus.exe",
            content_type="application/x-msdownload",
            content=b"MZ",
        )
    with pytest.raises(ValidationError):
        services.application_document_attach(
            actor=applicant,
            application=application,
            version=1,
            requirement=3,
            name="lettre.pdf",
            content_type="application/pdf",
            content=b"%PDF-1.4",
        )
    services.application_document_attach(
        actor=applicant,
        application=application,
        version=1,
        requirement=0,
        name="lettre.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4 lettre",
    )
    assert services.submission_problems(application) == []
    services.application_submit(actor=applicant, application=application, version=2)


# --- Selectors --------------------------------------------------------------------------------


def test_requested_totals_count_what_is_in_play(call, applicant_org, other_applicant_org):
    make_application(call, applicant_org)
    make_application(call, other_applicant_org, state="draft")
    make_application(call, factories.OrganizationFactory(), state="withdrawn")
    assert selectors.requested_totals(call) == {
        2025: Decimal("60000.00"),
        2026: Decimal("60000.00"),
        2027: Decimal("60000.00"),
    }
    rows = selectors.call_summary(call)
    assert rows[0]["envelope"] == Decimal("1250000.00")
    assert rows[0]["ratio"] == Decimal("0.048")


def test_open_calls_for_someone_who_may_apply(call, applicant, funder_org, call_manager):
    make_call(funder_org, eligible_kinds=[OrganizationKind.LIBRARY])
    found = selectors.open_calls_for(applicant)
    assert [entry.call for entry in found] == [call]
    assert found[0].may_apply
    assert selectors.open_calls_for(call_manager) == []  # a funder does not apply to its own call


def test_the_funder_sees_sent_applications_only(
    call, call_manager, applicant_org, other_applicant_org
):
    sent = make_application(call, applicant_org)
    draft = make_application(call, other_applicant_org, state="draft")
    assert list(selectors.applications_for_call(call)) == [sent]
    assert selectors.application_for_funder(call_manager, sent.pk) == sent
    from django.http import Http404

    for pk in (draft.pk, "abc", 2**70, -1):
        with pytest.raises(Http404):
            selectors.application_for_funder(call_manager, pk)


def test_publishing_announces_the_call_once_per_organization(funder_org, call_manager):
    eligible = factories.OrganizationFactory(name="Éligible")
    director = factories.member(eligible, Role.DIRECTOR)
    assert BudgetLine.objects.count() == 0
    call = ready_call(call_manager, funder_org)
    services.call_publish(actor=call_manager, call=call)
    assert [m.to for m in mail.outbox] == [[director.email]]
