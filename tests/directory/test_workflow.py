"""The edit workflow, exhaustively: every (state, transition, actor, review required?, author?)
is allowed or refused as the issue says, both by the table (`workflow.allowed_transitions`) and by
the service that moves revisions (`services.revision_transition`).

The expectation below is written from the issue, not read from the table:
- publish: an editor, from draft or returned (or submitted once the review is lifted), when the
  organization is not under review;
- submit: an editor, from draft or returned, when the organization is under review;
- approve / return: a city reviewer, from submitted, not on an edit they wrote;
- withdraw: an editor, from draft, submitted or returned.
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ancrage.core.choices import OrganizationKind, Role
from ancrage.directory import services
from ancrage.directory.content import service_content
from ancrage.directory.models import ReviewRequirement, RevisionState, ServiceRevision
from ancrage.directory.workflow import (
    EDITOR,
    REVIEWER,
    TRANSITIONS,
    allowed_transitions,
    transition_named,
)
from tests import factories

pytestmark = pytest.mark.django_db

STATES = list(RevisionState.values)
NAMES = ["publish", "submit", "approve", "return", "withdraw"]
ACTORS = {
    "nobody": frozenset(),
    "editor": frozenset({EDITOR}),
    "reviewer": frozenset({REVIEWER}),
    "both": frozenset({EDITOR, REVIEWER}),
}
D, S, P, R, W = (
    RevisionState.DRAFT,
    RevisionState.SUBMITTED,
    RevisionState.PUBLISHED,
    RevisionState.RETURNED,
    RevisionState.WITHDRAWN,
)


def expected(state: str, name: str, actors: frozenset, review: bool, is_author: bool) -> bool:
    editor, reviewer = EDITOR in actors, REVIEWER in actors
    if name == "publish":
        return editor and not review and state in {D, R, S}
    if name == "submit":
        return editor and review and state in {D, R}
    if name in ("approve", "return"):
        return reviewer and not is_author and state == S
    if name == "withdraw":
        return editor and state in {D, S, R}
    raise AssertionError(name)


TARGETS = {"publish": P, "submit": S, "approve": P, "return": R, "withdraw": W}

COMBINATIONS = list(itertools.product(STATES, NAMES, sorted(ACTORS), [False, True], [False, True]))


def test_the_table_names_every_transition_once():
    assert [t.name for t in TRANSITIONS] == NAMES
    assert all(transition_named(name).target == TARGETS[name] for name in NAMES)
    with pytest.raises(KeyError):
        transition_named("delete")


@pytest.mark.parametrize("state, name, actor, review, is_author", COMBINATIONS)
def test_the_table(state, name, actor, review, is_author):
    allowed = {t.name for t in allowed_transitions(state, ACTORS[actor], review, is_author)}
    assert (name in allowed) == expected(state, name, ACTORS[actor], review, is_author)


def _person(actor: str, community, city):
    """A user holding exactly the workflow roles named, for a service of the returned organization."""
    if actor == "nobody":
        return factories.member(community, Role.DATA_STEWARD), community
    if actor == "editor":
        return factories.member(community, Role.COMMUNITY_WORKER), community
    if actor == "reviewer":
        return factories.member(city, Role.COORDINATOR), community
    # A coordinator of the city service edits the city's own services and reviews everyone's.
    return factories.member(city, Role.COORDINATOR), city


@pytest.fixture
def community(db):
    return factories.OrganizationFactory(name="Carrefour d'accueil")


@pytest.fixture
def city(db):
    return factories.OrganizationFactory(
        name="Service de la diversité sociale", kind=OrganizationKind.CITY_SERVICE
    )


@pytest.mark.parametrize("state, name, actor, review, is_author", COMBINATIONS)
def test_the_service(state, name, actor, review, is_author, community, city):
    person, organization = _person(actor, community, city)
    other_author = factories.member(organization, Role.INTAKE_WORKER)
    service = factories.published_service(organization)
    public_before = service_content(service)
    proposed = {**public_before, "names": {"fr": "Nom proposé", "en": "Proposed name"}}
    revision = ServiceRevision.objects.create(
        service=service,
        number=1,
        state=state,
        content=proposed,
        author=person if is_author else other_author,
    )
    if review:
        ReviewRequirement.objects.create(organization=organization)
    actors = ACTORS[actor]

    if expected(state, name, actors, review, is_author):
        services.revision_transition(
            revision=revision, actor=person, name=name, comment="Précisez les heures."
        )
        revision.refresh_from_db()
        service.refresh_from_db()
        assert revision.state == TARGETS[name]
        assert revision.decided_by == person
        if TARGETS[name] == P:
            assert service.names["fr"] == "Nom proposé"
            assert service.assured_date == timezone.localdate()
            assert service.assurer_email == person.email
        else:
            assert service_content(service) == public_before
        return

    lacks_role = not (transition_named(name).actors & actors)
    refused_author = transition_named(name).not_by_author and is_author
    error = PermissionDenied if lacks_role or refused_author else ValidationError
    with pytest.raises(error):
        services.revision_transition(
            revision=revision, actor=person, name=name, comment="Précisez les heures."
        )
    revision.refresh_from_db()
    service.refresh_from_db()
    assert revision.state == state
    assert service_content(service) == public_before


def test_a_return_without_a_comment_is_refused(community, city):
    reviewer = factories.member(city, Role.COORDINATOR)
    service = factories.published_service(community)
    revision = ServiceRevision.objects.create(
        service=service, number=1, state=S, content=service_content(service)
    )
    with pytest.raises(ValidationError):
        services.revision_transition(revision=revision, actor=reviewer, name="return", comment=" ")
    revision.refresh_from_db()
    assert revision.state == S


@pytest.mark.parametrize("name", ["", "delete", "publish ", "x" * 10_000])
def test_unknown_transitions_are_refused(name, community):
    editor = factories.member(community, Role.COMMUNITY_WORKER)
    service = factories.published_service(community)
    revision = ServiceRevision.objects.create(
        service=service, number=1, content=service_content(service)
    )
    with pytest.raises(ValidationError):
        services.revision_transition(revision=revision, actor=editor, name=name)


def test_anonymous_and_other_organizations_take_no_transition(community):
    from django.contrib.auth.models import AnonymousUser

    stranger = factories.member(factories.OrganizationFactory(), Role.DIRECTOR)
    service = factories.published_service(community)
    revision = ServiceRevision.objects.create(
        service=service, number=1, content=service_content(service)
    )
    for person in (AnonymousUser(), stranger, None):
        for name in NAMES:
            with pytest.raises(PermissionDenied):
                services.revision_transition(revision=revision, actor=person, name=name)
