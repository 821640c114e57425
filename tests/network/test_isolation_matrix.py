"""Isolation matrix: every organization-owned URL × every role of organization A × B's objects.

The URL list is read from the project's URL configuration, so a new URL that takes an id fails
`test_every_object_url_is_in_the_matrix` until it is added here.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.network.models import Organization, Partnership, Site
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Organisme-B-confidentiel"


@dataclass
class Victim:
    organization: Organization
    site: Site
    membership_pk: int
    partnership: Partnership
    activity_pk: int = 0  # activities of B: one past session
    session_pk: int = 0
    service_pk: uuid.UUID | None = None  # directory: a published service of B with a draft edit
    revision_pk: int = 0
    program_pk: uuid.UUID | None = None
    client_pk: int = 0  # clients: a client of B with a name in the vault
    agreement_pk: int = 0  # funding: an agreement of B with an amount, a target and a report
    amount_pk: int = 0
    target_pk: int = 0
    report_pk: int = 0
    follow_pk: int = 0  # an advisor of B's funder follows B
    advisor: object = None
    # Objects of the surveys, grants and insights apps, made on first use (`_once`): only the
    # tests of their URLs pay for them.
    made: dict = field(default_factory=dict)


@pytest.fixture
def victim(db) -> Victim:
    organization = factories.OrganizationFactory(name=SECRET, mission="Mission secrète de B")
    site = factories.SiteFactory(organization=organization, name=f"Site {SECRET}")
    staff = factories.member(organization, Role.INTAKE_WORKER, last_name=SECRET)
    third = factories.OrganizationFactory(name="Organisme C")
    partnership = factories.PartnershipFactory(organization=organization, partner=third)
    victim = Victim(organization, site, staff.memberships.get().pk, partnership)
    activity = factories.ActivityFactory(
        organization=organization, title={"fr": f"Activité {SECRET}", "en": f"Activity {SECRET}"}
    )
    victim.activity_pk = activity.pk
    victim.session_pk = factories.SessionFactory(activity=activity).pk
    _directory_of(victim)
    from ancrage.clients.services import client_register

    victim.client_pk = client_register(
        actor=staff,
        organization=organization,
        profile={},
        identity={"given_names": SECRET, "family_names": SECRET},
    ).pk
    _funding_of(victim)
    return victim


def _funding_of(victim: Victim) -> None:
    """B's agreement under a funder's program, with an amount, a target, an open report, and an
    advisor of that funder who follows B."""
    from datetime import date

    from ancrage.funding import services
    from ancrage.reporting.services import report_draft_open

    funder = factories.OrganizationFactory(name="Bailleur (matrice)", kind=OrganizationKind.FUNDER)
    program = services.program_create(
        actor=None, funder=funder, code="matrix-p", names={"fr": "P", "en": "P"}
    )
    agreement = services.agreement_create(
        actor=None,
        organization=victim.organization,
        program=program,
        starts_on=date(2025, 4, 1),
        ends_on=date(2099, 3, 31),
        restrictions=f"Restriction {SECRET}",
    )
    year = {"period_start": date(2025, 4, 1), "period_end": date(2026, 3, 31)}
    victim.agreement_pk = agreement.pk
    victim.amount_pk = services.amount_set(actor=None, agreement=agreement, amount=1, **year).pk
    victim.target_pk = services.target_set(
        actor=None, agreement=agreement, metric="services", value=1, **year
    ).pk
    director = factories.member(victim.organization, Role.DIRECTOR)
    victim.report_pk = report_draft_open(
        actor=director, agreement=agreement, period_start=date(2025, 4, 1)
    ).pk
    victim.advisor = factories.member(funder, Role.FUNDER_ADVISOR)
    victim.follow_pk = services.organization_follow(
        actor=victim.advisor, funder=funder, organization=victim.organization
    ).pk


def _directory_of(victim: Victim) -> None:
    from ancrage.directory.content import service_content
    from ancrage.directory.models import Program, ServiceRevision

    program = Program.objects.create(
        organization=victim.organization, names={"fr": f"Programme {SECRET}", "en": SECRET}
    )
    service = factories.published_service(
        victim.organization, names={"fr": f"Service {SECRET}", "en": f"Service {SECRET}"}
    )
    revision = ServiceRevision.objects.create(
        service=service, number=1, content=service_content(service)
    )
    victim.service_pk, victim.revision_pk, victim.program_pk = service.pk, revision.pk, program.pk


def _referral_of(victim: Victim) -> int:
    """A referral of B's client to the third organization (created on first use)."""
    from ancrage.clients.models import Referral

    referral, _created = Referral.objects.get_or_create(
        client_id=victim.client_pk,
        defaults={
            "from_organization": victim.organization,
            "to_organization_id": victim.partnership.partner_id,
            "reason": f"Raison {SECRET}",
            "basis": "consent",
        },
    )
    return referral.pk


def _incident_of(victim: Victim) -> int:
    """An entry of B's privacy incident register (created on first use)."""
    from ancrage.core.models import PrivacyIncident

    incident, _created = PrivacyIncident.objects.get_or_create(
        organization=victim.organization,
        defaults={
            "discovered_on": "2025-01-15",
            "description": f"Incident {SECRET}",
            "people_affected": 3,
            "serious_injury_risk": False,
        },
    )
    return incident.pk


def _once(victim: Victim, name: str, make) -> SimpleNamespace:
    if name not in victim.made:
        victim.made[name] = make(victim)
    return victim.made[name]


def _surveys_of(victim: Victim) -> SimpleNamespace:
    """B's copy of a ready questionnaire, an open survey of it with one response (its free text
    names SECRET), and a "you said, we did" action kept off the public page."""

    def make(v: Victim) -> SimpleNamespace:
        from ancrage.surveys import actions
        from ancrage.surveys.models import Choice
        from tests.surveys.conftest import SATISFIED, answered, open_survey, questionnaire_copy

        director = factories.member(v.organization, Role.DIRECTOR)
        questionnaire = questionnaire_copy(v.organization, actor=director)
        survey = open_survey(
            questionnaire=questionnaire,
            actor=director,
            names={"fr": f"Enquête {SECRET}", "en": f"Survey {SECRET}"},
        )
        answered(survey, {**SATISFIED, "improve": f"Réponse {SECRET}"})
        choice = Choice.objects.filter(question__questionnaire=questionnaire).first()
        action = actions.action_create(
            actor=director,
            organization=v.organization,
            said={"fr": f"Vous avez dit {SECRET}", "en": f"You said {SECRET}"},
            did={"fr": f"Nous avons fait {SECRET}", "en": f"We did {SECRET}"},
            done_on=timezone.localdate(),
            survey=survey,
            is_public=False,
        )
        return SimpleNamespace(
            questionnaire=questionnaire,
            question=choice.question,
            choice=choice,
            survey=survey,
            action=action,
        )

    return _once(victim, "surveys", make)


def _table_of(victim: Victim) -> SimpleNamespace:
    """A round table (its own organization, run by its director) where B sits, with an internal
    meeting and a draft recommendation addressed to B: "B" of the table's URLs is the table."""

    def make(v: Victim) -> SimpleNamespace:
        from ancrage.surveys import roundtables

        table = factories.OrganizationFactory(
            name="Table de concertation (matrice)", kind=OrganizationKind.ROUND_TABLE
        )
        director = factories.member(table, Role.DIRECTOR)
        seat = roundtables.table_member_add(actor=director, table=table, member=v.organization)
        meeting = roundtables.meeting_record(
            actor=director,
            table=table,
            held_on=timezone.localdate() - timedelta(days=7),
            title=f"Réunion {SECRET}",
            minutes=f"Procès-verbal {SECRET}",
            minutes_public=False,
        )
        recommendation = roundtables.recommendation_draft(
            actor=director,
            table=table,
            title=f"Recommandation {SECRET}",
            text=f"Texte {SECRET}",
            addressed_to=v.organization,
            meeting=meeting,
        )
        return SimpleNamespace(
            table=table,
            director=director,
            seat=seat,
            meeting=meeting,
            recommendation=recommendation,
        )

    return _once(victim, "table", make)


def _grants_of(victim: Victim) -> SimpleNamespace:
    """A funder's two calls. The open one: B's draft application with C as co-applicant and a
    document. The decided one: B's application, reviewed by the funder's reviewer, funded by an
    adopted allocation run (so its decision letter exists)."""

    def make(v: Victim) -> SimpleNamespace:
        from ancrage.grants import decisions, review, services
        from ancrage.grants.models import CallState
        from tests.grants.conftest import make_application, make_call

        funder = factories.OrganizationFactory(
            name="Bailleur des appels (matrice)", kind=OrganizationKind.FUNDER
        )
        manager = factories.member(funder, Role.COORDINATOR)
        reviewer = factories.member(funder, Role.GRANT_REVIEWER)
        director = factories.member(v.organization, Role.DIRECTOR)
        third = v.partnership.partner
        open_call = make_call(
            funder,
            code="matrice-ouvert",
            documents_required=[{"fr": "Lettre d'appui", "en": "Support letter"}],
        )
        draft = services.application_create(
            actor=director,
            call=open_call,
            organization=v.organization,
            title=f"Projet {SECRET}",
            summary=f"Résumé {SECRET}",
            objectives=[open_call.objectives.first()],
            target_groups=["newcomers"],
            boroughs=[factories.borough()],
        )
        co_applicant = services.co_applicant_add(
            actor=director, application=draft, version=draft.version, organization=third
        )
        draft.refresh_from_db()
        document = services.application_document_attach(
            actor=director,
            application=draft,
            version=draft.version,
            requirement=0,
            name="lettre.pdf",
            content_type="application/pdf",
            content=f"%PDF-1.4 {SECRET}".encode(),
        )
        now = timezone.now()
        decided_call = make_call(
            funder,
            code="matrice-decide",
            state=CallState.CLOSED,
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=1),
            envelopes={2025: Decimal("90000.00"), 2026: Decimal("90000.00")},
        )
        year = (("Projet", Decimal("60000.00")),)
        funded = make_application(
            decided_call,
            v.organization,
            title=f"Projet financé {SECRET}",
            budget=dict.fromkeys((2025, 2026), year),
        )
        assignment = review.review_assign(actor=manager, application=funded, reviewer=reviewer)
        review.review_save(
            actor=reviewer,
            assignment=assignment,
            scores={c.pk: (4, f"Commentaire {SECRET}") for c in decided_call.criteria.all()},
            complete=True,
        )
        run = decisions.allocation_run(actor=manager, call=decided_call, partial=True)
        decisions.run_adopt(actor=manager, run=run)
        return SimpleNamespace(
            manager=manager,
            reviewer=reviewer,
            co_director=factories.member(third, Role.DIRECTOR),
            open_call=open_call,
            draft=draft,
            co_applicant=co_applicant,
            document=document,
            decided_call=decided_call,
            funded=funded,
            assignment=assignment,
            run=run,
        )

    return _once(victim, "grants", make)


def _projects_of(victim: Victim) -> SimpleNamespace:
    """B's funded project (the decided call's): its schedule set up by the funder's manager (a
    progress report, an instalment) and B's activity linked to it by B's director."""

    def make(v: Victim) -> SimpleNamespace:
        from ancrage.grants import projects

        grants = _grants_of(v)
        projects.project_setup(actor=grants.manager, application=grants.funded)
        link = projects.activity_link(
            actor=factories.member(v.organization, Role.DIRECTOR),
            application=grants.funded,
            activity=v.activity_pk,
        )
        return SimpleNamespace(
            report=grants.funded.progress_reports.order_by("due_on").first(),
            instalment=grants.funded.instalments.order_by("due_on").first(),
            link=link,
        )

    return _once(victim, "projects", make)


def _overlap_of(victim: Victim) -> SimpleNamespace:
    """A suggestion that B's published service overlaps a service of C."""

    def make(v: Victim) -> SimpleNamespace:
        from ancrage.insights.models import ItemKind, OverlapSuggestion

        theirs = factories.published_service(v.partnership.partner)
        suggestion = OverlapSuggestion.objects.create(
            kind_a=ItemKind.SERVICE,
            id_a=str(v.service_pk),
            organization_a=v.organization,
            kind_b=ItemKind.SERVICE,
            id_b=str(theirs.pk),
            organization_b=v.partnership.partner,
            score=0.9,
            evidence={"similarity": 0.9, "needs": ["housing"], "distance": "same"},
            fingerprint="matrice",
        )
        return SimpleNamespace(suggestion=suggestion)

    return _once(victim, "overlap", make)


# url name -> the kwargs that point at organization B's object
OBJECT_URLS = {
    "network:organization_detail": lambda v: {"pk": v.organization.pk},
    "network:organization_edit": lambda v: {"pk": v.organization.pk},
    "network:site_create": lambda v: {"organization_pk": v.organization.pk},
    "network:membership_add": lambda v: {"organization_pk": v.organization.pk},
    "network:partnership_create": lambda v: {"organization_pk": v.organization.pk},
    "network:site_edit": lambda v: {"pk": v.site.pk},
    "network:membership_edit": lambda v: {"pk": v.membership_pk},
    "network:partnership_edit": lambda v: {"pk": v.partnership.pk},
    "activities:manage_activity_create": lambda v: {"organization_pk": v.organization.pk},
    "activities:manage_outreach_create": lambda v: {"organization_pk": v.organization.pk},
    "activities:manage_activity": lambda v: {"pk": v.activity_pk},
    "activities:manage_activity_edit": lambda v: {"pk": v.activity_pk},
    "activities:manage_session_new": lambda v: {"pk": v.activity_pk},
    "activities:manage_series_new": lambda v: {"pk": v.activity_pk},
    "activities:manage_attendance": lambda v: {"pk": v.session_pk},
    "activities:manage_session_cancel": lambda v: {"pk": v.session_pk},
    "activities:manage_session_move": lambda v: {"pk": v.session_pk},
    "directory:manage_service_create": lambda v: {"organization_pk": v.organization.pk},
    "directory:manage_program_create": lambda v: {"organization_pk": v.organization.pk},
    "directory:manage_program_edit": lambda v: {"pk": v.program_pk},
    "directory:manage_service": lambda v: {"pk": v.service_pk},
    "directory:manage_service_edit": lambda v: {"pk": v.service_pk},
    "directory:manage_service_verify": lambda v: {"pk": v.service_pk},
    "directory:manage_service_history": lambda v: {"pk": v.service_pk},
    "directory:manage_revision": lambda v: {"pk": v.revision_pk},
    "directory:manage_revision_edit": lambda v: {"pk": v.revision_pk},
    "clients:client_create": lambda v: {"organization_pk": v.organization.pk},
    "clients:client_detail": lambda v: {"pk": v.client_pk},
    "clients:client_edit": lambda v: {"pk": v.client_pk},
    "clients:identity_edit": lambda v: {"pk": v.client_pk},
    "clients:consents": lambda v: {"pk": v.client_pk},
    "clients:consent_override": lambda v: {"pk": v.client_pk},
    "clients:consent_form": lambda v: {"pk": v.client_pk},
    "clients:privacy": lambda v: {"organization_pk": v.organization.pk},
    "clients:privacy_retention": lambda v: {"organization_pk": v.organization.pk},
    "clients:privacy_incident_create": lambda v: {"organization_pk": v.organization.pk},
    "clients:privacy_incident_edit": lambda v: {"pk": _incident_of(v)},
    "clients:privacy_client": lambda v: {"pk": v.client_pk},
    "clients:privacy_export_json": lambda v: {"pk": v.client_pk},
    "clients:privacy_export_pdf": lambda v: {"pk": v.client_pk},
    "clients:service_create": lambda v: {"pk": v.client_pk},
    "clients:needs_create": lambda v: {"pk": v.client_pk},
    "clients:referral_create": lambda v: {"pk": v.client_pk},
    "clients:referral_detail": lambda v: {"pk": _referral_of(v)},
    "clients:group_services": lambda v: {"pk": v.session_pk},
    "clients:service_types": lambda v: {"organization_pk": v.organization.pk},
    "funding:agreement_list": lambda v: {"organization_pk": v.organization.pk},
    "funding:agreement_create": lambda v: {"organization_pk": v.organization.pk},
    "funding:agreement_detail": lambda v: {"pk": v.agreement_pk},
    "funding:agreement_edit": lambda v: {"pk": v.agreement_pk},
    "funding:amount_set": lambda v: {"pk": v.agreement_pk},
    "funding:target_set": lambda v: {"pk": v.agreement_pk},
    "funding:amount_remove": lambda v: {"pk": v.amount_pk},
    "funding:target_remove": lambda v: {"pk": v.target_pk},
    "reporting:report_detail": lambda v: {"pk": v.report_pk},
    "reporting:report_download": lambda v: {
        "pk": v.report_pk,
        "format": "pdf",
        "language": "fr-ca",
    },
    "reporting:annual_report": lambda v: {"organization_pk": v.organization.pk},
    "reporting:plain_report": lambda v: {"organization_pk": v.organization.pk},
    "surveys:questionnaire": lambda v: {"pk": _surveys_of(v).questionnaire.pk},
    "surveys:questionnaire_edit": lambda v: {"pk": _surveys_of(v).questionnaire.pk},
    "surveys:questionnaire_copy": lambda v: {"pk": _surveys_of(v).questionnaire.pk},
    "surveys:questionnaire_translate": lambda v: {
        "pk": _surveys_of(v).questionnaire.pk,
        "language": "en",
    },
    "surveys:question_add": lambda v: {"pk": _surveys_of(v).questionnaire.pk},
    "surveys:survey_create": lambda v: {"pk": _surveys_of(v).questionnaire.pk},
    "surveys:xlsform_export": lambda v: {"pk": _surveys_of(v).questionnaire.pk},
    "surveys:xlsform_import": lambda v: {"organization_pk": v.organization.pk},
    "surveys:question_edit": lambda v: {"pk": _surveys_of(v).question.pk},
    "surveys:question_move": lambda v: {"pk": _surveys_of(v).question.pk},
    "surveys:question_remove": lambda v: {"pk": _surveys_of(v).question.pk},
    "surveys:choice_add": lambda v: {"pk": _surveys_of(v).question.pk},
    "surveys:choice_edit": lambda v: {"pk": _surveys_of(v).choice.pk},
    "surveys:choice_move": lambda v: {"pk": _surveys_of(v).choice.pk},
    "surveys:choice_remove": lambda v: {"pk": _surveys_of(v).choice.pk},
    "surveys:survey": lambda v: {"pk": _surveys_of(v).survey.pk},
    "surveys:survey_edit": lambda v: {"pk": _surveys_of(v).survey.pk},
    "surveys:survey_close": lambda v: {"pk": _surveys_of(v).survey.pk},
    "surveys:survey_qr": lambda v: {"pk": _surveys_of(v).survey.pk, "format": "svg"},
    "surveys:survey_poster": lambda v: {"pk": _surveys_of(v).survey.pk},
    "surveys:results": lambda v: {"pk": _surveys_of(v).survey.pk},
    "surveys:results_export": lambda v: {"pk": _surveys_of(v).survey.pk},
    "surveys:actions": lambda v: {"organization_pk": v.organization.pk},
    "surveys:action_edit": lambda v: {"pk": _surveys_of(v).action.pk},
    "surveys:action_delete": lambda v: {"pk": _surveys_of(v).action.pk},
    "grants:application_detail": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_edit": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_budget": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_logic_model": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_partners": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_documents": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_submit": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:application_withdraw": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:co_applicant_add": lambda v: {"pk": _grants_of(v).draft.pk},
    "grants:co_applicant_remove": lambda v: {
        "pk": _grants_of(v).draft.pk,
        "co_pk": _grants_of(v).co_applicant.pk,
    },
    "grants:application_document": lambda v: {
        "pk": _grants_of(v).draft.pk,
        "doc_pk": _grants_of(v).document.pk,
    },
    "grants:application_document_remove": lambda v: {
        "pk": _grants_of(v).draft.pk,
        "doc_pk": _grants_of(v).document.pk,
    },
    "grants:decision_letter": lambda v: {"pk": _grants_of(v).funded.pk, "language": "fr-ca"},
    "grants:project_detail": lambda v: {"pk": _grants_of(v).funded.pk},
    "grants:project_activity_link": lambda v: {"pk": _grants_of(v).funded.pk},
    "grants:project_activity_unlink": lambda v: {"pk": _projects_of(v).link.pk},
    "grants:project_report": lambda v: {"pk": _projects_of(v).report.pk},
    "insights:organization_suggestions": lambda v: {"organization_pk": v.organization.pk},
    "insights:partners": lambda v: {"organization_pk": v.organization.pk},
    "insights:organization_suggestion": lambda v: {
        "organization_pk": v.organization.pk,
        "pk": _overlap_of(v).suggestion.pk,
    },
}

# URLs for the city's coordinators only (network-wide capabilities), never for B's own staff: they
# are checked like the others, except that a coordinator of a city service, not B's director,
# reaches them.
COORDINATOR_URLS = {
    "directory:manage_review_settings": lambda v: {"organization_pk": v.organization.pk},
    "insights:suggestion": lambda v: {"pk": _overlap_of(v).suggestion.pk},
}
# URLs of a funder's advisor about an organization the funder pays: reached by an advisor of B's
# funder, never by anyone of A.
ADVISOR_URLS = {
    "funding:advisor_organization": lambda v: {"organization_pk": v.organization.pk},
    "funding:visit_create": lambda v: {"organization_pk": v.organization.pk},
    "funding:advisor_unfollow": lambda v: {"pk": v.follow_pk},
}
# URLs of a round table (an organization of its own, where B sits): reached by the table's
# director.
TABLE_URLS = {
    "surveys:table_detail": lambda v: {"table_pk": _table_of(v).table.pk},
    "surveys:table_member_add": lambda v: {"table_pk": _table_of(v).table.pk},
    "surveys:table_meeting_create": lambda v: {"table_pk": _table_of(v).table.pk},
    "surveys:recommendation_create": lambda v: {"table_pk": _table_of(v).table.pk},
    "surveys:table_member_edit": lambda v: {"pk": _table_of(v).seat.pk},
    "surveys:table_member_remove": lambda v: {"pk": _table_of(v).seat.pk},
    "surveys:table_meeting": lambda v: {"pk": _table_of(v).meeting.pk},
    "surveys:table_meeting_edit": lambda v: {"pk": _table_of(v).meeting.pk},
    "surveys:recommendation_detail": lambda v: {"pk": _table_of(v).recommendation.pk},
    "surveys:recommendation_edit": lambda v: {"pk": _table_of(v).recommendation.pk},
}
# URLs of a funder's calls (B applied to them): reached by the funder's coordinator.
FUNDER_URLS = {
    "grants:call_detail": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_edit": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_years": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_objectives": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_criteria": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_publish": lambda v: {"pk": _grants_of(v).open_call.pk},
    "grants:call_close": lambda v: {"pk": _grants_of(v).open_call.pk},
    "grants:call_applications": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_reviewers": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_ranking": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_allocation": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:funder_application": lambda v: {"pk": _grants_of(v).funded.pk},
    "grants:assignment_remove": lambda v: {"pk": _grants_of(v).assignment.pk},
    "grants:allocation_run": lambda v: {"pk": _grants_of(v).run.pk},
    "grants:allocation_adopt": lambda v: {"pk": _grants_of(v).run.pk},
    "grants:call_projects": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_programme": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:call_programme_csv": lambda v: {"pk": _grants_of(v).decided_call.pk},
    "grants:funder_project": lambda v: {"pk": _grants_of(v).funded.pk},
    "grants:project_setup": lambda v: {"pk": _grants_of(v).funded.pk},
    "grants:project_schedule": lambda v: {"pk": _projects_of(v).report.application_id},
    "grants:instalment_pay": lambda v: {"pk": _projects_of(v).instalment.pk},
}
# A review assignment of B's application: reached by the assigned reviewer (of the funder).
REVIEWER_URLS = {
    "grants:review_detail": lambda v: {"pk": _grants_of(v).assignment.pk},
    "grants:review_totals": lambda v: {"pk": _grants_of(v).assignment.pk},
    "grants:review_conflict": lambda v: {"pk": _grants_of(v).assignment.pk},
}
# C named co-applicant on B's draft application: reached by C's director.
CO_APPLICANT_URLS = {
    "grants:co_application": lambda v: {"pk": _grants_of(v).co_applicant.pk},
    "grants:co_applicant_confirm": lambda v: {"pk": _grants_of(v).co_applicant.pk},
}
ALL_URLS = {
    **OBJECT_URLS,
    **COORDINATOR_URLS,
    **ADVISOR_URLS,
    **TABLE_URLS,
    **FUNDER_URLS,
    **REVIEWER_URLS,
    **CO_APPLICANT_URLS,
}
# Answered with a 405 to a GET once the object is found (the check of the method comes after the
# scoping): the "not vacuous" tests expect that 405 from the designated user.
POST_ONLY = {
    "grants:application_submit",
    "grants:application_withdraw",
    "grants:co_applicant_add",
    "grants:co_applicant_remove",
    "grants:application_document_remove",
    "grants:call_publish",
    "grants:call_close",
    "grants:assignment_remove",
    "grants:allocation_adopt",
    "grants:review_totals",
    "grants:review_conflict",
    "grants:co_applicant_confirm",
    "grants:project_activity_link",
    "grants:project_activity_unlink",
    "grants:project_setup",
    "grants:instalment_pay",
}


def _refusals(url_name: str, method: str) -> tuple[int, ...]:
    # Every view finds its object before it checks the method: a foreign id is 404/403 first.
    return (403, 404)


# Forms posted at B's objects: a forged POST must not change anything either.
HOSTILE_POST = {
    "name": "Piraté",
    "kind": "community_organization",
    "borough": "",
    "street_address": "1 rue X",
    "email": "intrus@example.org",
    "role": "director",
    "partner": "",
    "kinds": ["reference"],
    "transition": "publish",
    "decision": "require",
    "reason": "Piraté",
    "name_fr": "Piraté",
    "name_en": "Hacked",
    "description_fr": "Piraté",
    "description_en": "Hacked",
    "status": "active",
    "version": "1",
    "title": "Piraté",
    "summary": "Piraté",
    "text": "Piraté",
    "minutes": "Piraté",
    "held_on": "2025-01-15",
    "direction": "up",
    "state": "duplicate",
    "step": "adopt",
    "action": "complete",
    "conflict_note": "Piraté",
    "said_fr": "Piraté",
    "did_fr": "Piraté",
    "done_on": "2025-01-15",
}


def _object_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue
            yield from _object_url_names(entry, child)
        elif isinstance(entry, URLPattern) and entry.name and entry.pattern.converters:
            yield f"{namespace}{entry.name}"


# URLs with parameters that do not name an organization's record.
NOT_ORGANIZATION_OWNED = {
    "password_reset_confirm",
    # Public iCalendar feeds of public activities (tests/activities/test_ical.py checks the 404s).
    "activities:organization_feed",
    "activities:site_feed",
    # The public directory and its HSDS API show published services only (tests/directory and
    # tests/api check that drafts and unpublished services are 404 there).
    "directory:service",
    "hsds:service",
    "hsds:organization",
    "hsds:service_at_location",
    "hsds:taxonomy",
    "hsds:taxonomy_term",
    # Respondents' pages of a survey's anonymous link and kiosk (tests/surveys/test_respond.py
    # checks unknown, closed and not-yet-open surveys).
    "surveys:answer",
    "surveys:answer_questions",
    "surveys:answer_thanks",
    "surveys:kiosk",
    "surveys:kiosk_questions",
    "surveys:kiosk_thanks",
    # Public "you said, we did" (tests/surveys/test_actions.py: private actions never shown, 404s).
    "surveys:public_actions",
    # A round table's public tracker (tests/surveys/test_roundtable_views.py: not a table is 404).
    "surveys:tracker",
    # The library's ready questionnaires, shared by all (tests/surveys/test_questionnaire_views.py
    # checks that an organization's own questionnaire is 404 there; see also below).
    "surveys:library_questionnaire",
    # A published call's public page (tests/grants/test_call_views.py: a draft call is 404) and
    # applying to an open call, for any eligible organization (tests/grants/test_application_views.py;
    # applying in B's name is refused below).
    "grants:public_call",
    "grants:application_create",
}


def test_every_object_url_is_in_the_matrix():
    assert set(_object_url_names()) - NOT_ORGANIZATION_OWNED == set(ALL_URLS)


# Every row of these models is compared before and after (the newer apps' objects of B, the
# funder's calls and reviews, the round table's records).
WATCHED_MODELS = (
    "surveys.Questionnaire",
    "surveys.Question",
    "surveys.Choice",
    "surveys.Survey",
    "surveys.SurveyResponse",
    "surveys.Answer",
    "surveys.SurveyAction",
    "surveys.TableMember",
    "surveys.Meeting",
    "surveys.Recommendation",
    "surveys.RecommendationEvent",
    "grants.GrantCall",
    "grants.CallYear",
    "grants.CallObjective",
    "grants.Criterion",
    "grants.Application",
    "grants.CoApplicant",
    "grants.ProjectPartner",
    "grants.LogicModelRow",
    "grants.BudgetLine",
    "grants.ApplicationDocument",
    "grants.ReviewAssignment",
    "grants.Score",
    "grants.AllocationRun",
    "grants.Award",
    "grants.ProgressReport",
    "grants.Instalment",
    "grants.ProjectActivity",
    "insights.OverlapSuggestion",
)


def _rows(label: str) -> list:
    from django.apps import apps

    rows = apps.get_model(label).objects.order_by("pk").values_list()
    return [tuple(bytes(x) if isinstance(x, memoryview) else x for x in row) for row in rows]


def _snapshot(v: Victim):
    from ancrage.directory.models import Program, ReviewRequirement, Service, ServiceRevision

    v.organization.refresh_from_db()
    v.site.refresh_from_db()
    service = Service.objects.get(pk=v.service_pk)
    return (
        v.organization.name,
        v.organization.mission,
        v.site.name,
        v.organization.memberships.count(),
        v.organization.sites.count(),
        v.organization.partnerships.count(),
        service.names,
        service.assured_date,
        list(ServiceRevision.objects.values_list("pk", "state", "content")),
        Service.objects.count(),
        list(Program.objects.values_list("names", flat=True)),
        ReviewRequirement.objects.count(),
        [_rows(label) for label in WATCHED_MODELS],
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_member_of_a_gets_nothing_of_b(role, url_name, victim, org_a, client_of):
    user = factories.member(org_a, role)
    client = client_of(user)
    url = reverse(url_name, kwargs=ALL_URLS[url_name](victim))
    before = _snapshot(victim)

    for method in ("get", "post"):
        response = getattr(client, method)(url, HOSTILE_POST if method == "post" else None)
        assert response.status_code in _refusals(url_name, method), (url, response.status_code)
        assert SECRET not in response.content.decode()
    assert _snapshot(victim) == before


@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_non_member_and_anonymous_get_nothing(url_name, victim, client, client_of):
    url = reverse(url_name, kwargs=ALL_URLS[url_name](victim))
    outsider = client_of(factories.UserFactory())
    before = _snapshot(victim)
    for method in ("get", "post"):
        response = getattr(outsider, method)(url, HOSTILE_POST if method == "post" else None)
        assert response.status_code in _refusals(url_name, method), (url, response.status_code)
        assert SECRET not in response.content.decode()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert client.post(url, HOSTILE_POST).status_code == 302
    assert _snapshot(victim) == before


def _reaches(client, url_name: str, kwargs: dict) -> None:
    """The designated user gets the page (a 405 for a POST-only URL: the object was found)."""
    status = client.get(reverse(url_name, kwargs=kwargs)).status_code
    assert status == (405 if url_name in POST_ONLY else 200), (url_name, status)


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_the_matrix_is_not_vacuous_b_director_reaches_every_url(url_name, victim, client_of):
    director_b = factories.member(victim.organization, Role.DIRECTOR)
    _reaches(client_of(director_b), url_name, OBJECT_URLS[url_name](victim))


@pytest.mark.parametrize("url_name", sorted(COORDINATOR_URLS))
def test_the_matrix_is_not_vacuous_a_city_coordinator_reaches_them(url_name, victim, client_of):
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    coordinator = factories.member(city, Role.COORDINATOR)
    url = reverse(url_name, kwargs=COORDINATOR_URLS[url_name](victim))
    assert client_of(coordinator).get(url).status_code == 200


@pytest.mark.parametrize("url_name", sorted(ADVISOR_URLS))
def test_the_matrix_is_not_vacuous_b_funders_advisor_reaches_them(url_name, victim, client_of):
    url = reverse(url_name, kwargs=ADVISOR_URLS[url_name](victim))
    assert client_of(victim.advisor).get(url).status_code == 200


@pytest.mark.parametrize("url_name", sorted(TABLE_URLS))
def test_the_matrix_is_not_vacuous_the_tables_director_reaches_them(url_name, victim, client_of):
    kwargs = TABLE_URLS[url_name](victim)
    _reaches(client_of(_table_of(victim).director), url_name, kwargs)


@pytest.mark.parametrize("url_name", sorted(FUNDER_URLS))
def test_the_matrix_is_not_vacuous_the_funders_coordinator_reaches_them(
    url_name, victim, client_of
):
    kwargs = FUNDER_URLS[url_name](victim)
    _reaches(client_of(_grants_of(victim).manager), url_name, kwargs)


@pytest.mark.parametrize("url_name", sorted(REVIEWER_URLS))
def test_the_matrix_is_not_vacuous_the_assigned_reviewer_reaches_them(url_name, victim, client_of):
    kwargs = REVIEWER_URLS[url_name](victim)
    _reaches(client_of(_grants_of(victim).reviewer), url_name, kwargs)


@pytest.mark.parametrize("url_name", sorted(CO_APPLICANT_URLS))
def test_the_matrix_is_not_vacuous_the_co_applicants_director_reaches_them(
    url_name, victim, client_of
):
    kwargs = CO_APPLICANT_URLS[url_name](victim)
    _reaches(client_of(_grants_of(victim).co_director), url_name, kwargs)


def _forged_kwargs(url_name: str):
    """Ids nobody has, for each parameter of the URL: huge or unknown ints, random UUIDs."""
    namespace, _sep, name = url_name.rpartition(":")
    resolver = get_resolver()
    for part in filter(None, namespace.split(":")):
        resolver = next(
            r for r in resolver.url_patterns if isinstance(r, URLResolver) and r.namespace == part
        )
    pattern = next(p for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name == name)
    converters = pattern.pattern.converters
    if all(isinstance(c, UUIDConverter) for c in converters.values()):
        return [{key: uuid.uuid4() for key in converters}]
    return [dict.fromkeys(converters, forged) for forged in (999_999_999, 2**63 + 5)]


def _someone_who_uses(url_name: str, org_a: Organization):
    """A user who may use the URL's page, on objects of their own: forged ids must be 404 for
    them too (not a 403 of a page they may not open at all, nor a 500)."""
    kinds_and_roles = (
        (COORDINATOR_URLS, OrganizationKind.CITY_SERVICE, Role.COORDINATOR),
        (ADVISOR_URLS, OrganizationKind.FUNDER, Role.FUNDER_ADVISOR),
        (TABLE_URLS, OrganizationKind.ROUND_TABLE, Role.DIRECTOR),
        (FUNDER_URLS, OrganizationKind.FUNDER, Role.COORDINATOR),
        (REVIEWER_URLS, OrganizationKind.FUNDER, Role.GRANT_REVIEWER),
    )
    for group, kind, role in kinds_and_roles:
        if url_name in group:
            return factories.member(factories.OrganizationFactory(kind=kind), role)
    return factories.member(org_a, Role.DIRECTOR)


@pytest.mark.parametrize("url_name", sorted(ALL_URLS))
def test_forged_ids_are_404(url_name, org_a, client_of):
    client = client_of(_someone_who_uses(url_name, org_a))
    for kwargs in _forged_kwargs(url_name):
        assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 404


def test_own_first_id_with_bs_second_id_is_404(victim, org_a, client_of):
    """URLs with two ids: A's own application or organization first, B's record second."""
    from ancrage.grants.models import ApplicationState
    from tests.grants.conftest import make_application

    grants = _grants_of(victim)
    suggestion = _overlap_of(victim).suggestion
    client = client_of(factories.member(org_a, Role.DIRECTOR))
    own = make_application(grants.open_call, org_a, state=ApplicationState.DRAFT)
    before = _snapshot(victim)
    for url_name, kwargs in (
        ("grants:co_applicant_remove", {"pk": own.pk, "co_pk": grants.co_applicant.pk}),
        ("grants:application_document", {"pk": own.pk, "doc_pk": grants.document.pk}),
        ("grants:application_document_remove", {"pk": own.pk, "doc_pk": grants.document.pk}),
        ("insights:organization_suggestion", {"organization_pk": org_a.pk, "pk": suggestion.pk}),
    ):
        url = reverse(url_name, kwargs=kwargs)
        posted = {**HOSTILE_POST, "version": own.version}
        for method in ("get", "post"):
            response = getattr(client, method)(url, posted if method == "post" else None)
            assert response.status_code == 404, url
            assert SECRET not in response.content.decode()
    assert _snapshot(victim) == before


def test_a_cannot_apply_or_copy_in_bs_name(victim, org_a, client_of):
    """Pages open to every organization (applying to an open call, copying a ready
    questionnaire) refuse B as the organization posted by A's director."""
    from ancrage.grants.models import Application
    from ancrage.surveys.models import Questionnaire
    from tests.surveys.conftest import ready

    call = _grants_of(victim).open_call
    client = client_of(factories.member(org_a, Role.DIRECTOR))
    applications = Application.objects.filter(organization=victim.organization).count()
    response = client.post(
        reverse("grants:application_create", kwargs={"call_pk": call.pk}),
        {
            "organization": victim.organization.pk,
            "title": "Projet au nom de B",
            "summary": "Un projet déposé par A au nom de B.",
            "objectives": [call.objectives.first().pk],
            "target_groups": ["newcomers"],
            "boroughs": [factories.borough().pk],
        },
    )
    assert response.status_code in (200, 400) and SECRET not in response.content.decode()
    assert Application.objects.filter(organization=victim.organization).count() == applications
    copies = Questionnaire.objects.filter(organization=victim.organization).count()
    response = client.post(
        reverse("surveys:library_questionnaire", kwargs={"pk": ready().pk}),
        {"organization": victim.organization.pk, "code": "copie-de-a"},
    )
    assert response.status_code in (200, 400) and SECRET not in response.content.decode()
    assert Questionnaire.objects.filter(organization=victim.organization).count() == copies


def test_bs_questionnaire_is_not_a_library_questionnaire(victim, org_a, client_of):
    url = reverse(
        "surveys:library_questionnaire", kwargs={"pk": _surveys_of(victim).questionnaire.pk}
    )
    client = client_of(factories.member(org_a, Role.DIRECTOR))
    for response in (client.get(url), client.post(url, {"organization": org_a.pk})):
        assert response.status_code == 404
        assert SECRET not in response.content.decode()


def test_the_funders_other_staff_reach_only_what_their_role_allows(victim, client_of):
    """Inside B's funder: a reviewer not assigned to B's application, and C's staff who cannot
    apply, get nothing of it."""
    grants = _grants_of(victim)
    funder = grants.decided_call.funder
    other_reviewer = client_of(factories.member(funder, Role.GRANT_REVIEWER))
    for url_name in sorted(REVIEWER_URLS) + ["grants:funder_application", "grants:call_detail"]:
        url = reverse(url_name, kwargs=ALL_URLS[url_name](victim))
        response = other_reviewer.get(url)
        assert response.status_code in (403, 404), (url_name, response.status_code)
        assert SECRET not in response.content.decode()
    worker_of_c = client_of(factories.member(victim.partnership.partner, Role.INTAKE_WORKER))
    for url_name in sorted(CO_APPLICANT_URLS):
        url = reverse(url_name, kwargs=ALL_URLS[url_name](victim))
        response = worker_of_c.get(url)
        assert response.status_code in (403, 404), (url_name, response.status_code)
        assert SECRET not in response.content.decode()


def test_lists_never_show_other_organizations(victim, org_a, client_of):
    client = client_of(factories.member(org_a, Role.DIRECTOR))
    for url in (
        reverse("home"),
        reverse("network:organization_list"),
        reverse("network:organization_list") + "?q=confidentiel",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()


def test_partner_sees_the_partnership_but_not_the_partner_internals(victim, client_of):
    """C is named in B's partnership: C sees it on its own page, and still cannot open B."""
    third = Partnership.objects.get(pk=victim.partnership.pk).partner
    client = client_of(factories.member(third, Role.DIRECTOR))
    own_page = client.get(reverse("network:organization_detail", kwargs={"pk": third.pk}))
    assert SECRET in own_page.content.decode()  # the partner's name, recorded by B, is shown to C
    assert (
        client.get(
            reverse("network:organization_detail", kwargs={"pk": victim.organization.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("network:partnership_edit", kwargs={"pk": victim.partnership.pk})
        ).status_code
        == 403
    )


def test_public_pages_show_nothing_of_the_records_behind_them(victim, org_a, client, client_of):
    """The tracker of B's table (a draft recommendation, internal minutes), the public pages of
    the calls B applied to, and the open call's application page for A: none shows B's records."""
    table = _table_of(victim).table
    grants = _grants_of(victim)
    pages = [
        (client, reverse("surveys:tracker", kwargs={"table_pk": table.pk})),
        (client, reverse("grants:public_call", kwargs={"code": grants.open_call.code})),
        (client, reverse("grants:public_call", kwargs={"code": grants.decided_call.code})),
        (
            client_of(factories.member(org_a, Role.DIRECTOR)),
            reverse("grants:application_create", kwargs={"call_pk": grants.open_call.pk}),
        ),
    ]
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
