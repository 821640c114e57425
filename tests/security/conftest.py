"""Every URL of the project with someone who may use it, on records of their own.

The isolation matrix (tests/network/test_isolation_matrix.py) already builds, for organization B,
one record behind every URL that takes an id, and names who reaches it; the security checks reuse
that world from B's side: B's director, the city's coordinator, B's funder's advisor and staff,
the round table's director, C's director (co-applicant).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ancrage.core.choices import OrganizationKind, Role
from tests import factories
from tests.network.test_isolation_matrix import (  # victim is a fixture
    ADVISOR_URLS,
    CO_APPLICANT_URLS,
    COORDINATOR_URLS,
    FUNDER_URLS,
    OBJECT_URLS,
    REVIEWER_URLS,
    TABLE_URLS,
    Victim,
    _forged_kwargs,
    _grants_of,
    _surveys_of,
    _table_of,
    victim,  # noqa: F401
)

User = get_user_model()


@dataclass(frozen=True)
class Reachable:
    name: str
    url: str
    user: object  # None: a public page


def url_patterns(resolver=None, namespace: str = "", prefix: str = ""):
    """(name, pattern, callback) of every named URL of the project but Django's admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            child = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, child, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _public_kwargs(v: Victim) -> dict:
    """Kwargs of the URLs with parameters that the matrix leaves out (not organization-owned)."""
    from ancrage.surveys.models import Questionnaire

    survey = _surveys_of(v).survey
    grants = _grants_of(v)
    ready = Questionnaire.objects.filter(organization__isnull=True).first()
    return {
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "activities:organization_feed": {"organization_pk": v.organization.pk},
        "activities:site_feed": {"site_pk": v.site.pk},
        "directory:service": {"pk": v.service_pk},
        "hsds:service": {"id": str(v.service_pk)},
        "hsds:organization": {"id": str(v.organization.hsds_id)},
        "hsds:service_at_location": {"id": "0"},
        "hsds:taxonomy": {"id": "0"},
        "hsds:taxonomy_term": {"id": "0"},
        "surveys:library_questionnaire": {"pk": ready.pk if ready else 1},
        "surveys:answer": {"token": survey.token},
        "surveys:answer_questions": {"token": survey.token, "language": "fr-ca"},
        "surveys:answer_thanks": {"token": survey.token, "language": "fr-ca"},
        "surveys:kiosk": {"token": survey.token},
        "surveys:kiosk_questions": {"token": survey.token, "language": "fr-ca"},
        "surveys:kiosk_thanks": {"token": survey.token, "language": "fr-ca"},
        "surveys:public_actions": {"organization_pk": v.organization.pk},
        "surveys:tracker": {"table_pk": _table_of(v).table.pk},
        "grants:public_call": {"code": grants.open_call.code},
        "grants:application_create": {"call_pk": grants.open_call.pk},
    }


# Pages of a funder's or the city's staff without an id: opened by the people they are for.
FUNDER_PAGES = {
    "funding:program_list",
    "funding:program_create",
    "funding:rule_create",
    "funding:portfolio",
    "reporting:received",
    "grants:call_list",
    "grants:call_create",
}
ADVISOR_PAGES = {"funding:advisor_home", "funding:advisor_follow"}
REVIEWER_PAGES = {"grants:review_list"}
CITY_PAGES = {"insights:queue", "insights:coverage", "insights:coverage_csv"}
TABLE_PAGES = {"surveys:table_list", "surveys:recommendation_received"}


@pytest.fixture
def world(victim):  # noqa: F811
    """Every named URL, reversed on B's side, with the user who may use it."""
    director = factories.member(victim.organization, Role.DIRECTOR)
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE, name="Ville")
    coordinator = factories.member(city, Role.COORDINATOR)
    grants = _grants_of(victim)
    groups = [
        (OBJECT_URLS, director),
        (COORDINATOR_URLS, coordinator),
        (ADVISOR_URLS, victim.advisor),
        (TABLE_URLS, _table_of(victim).director),
        (FUNDER_URLS, grants.manager),
        (REVIEWER_URLS, grants.reviewer),
        (CO_APPLICANT_URLS, grants.co_director),
    ]
    plain_users = [
        (FUNDER_PAGES, grants.manager),
        (ADVISOR_PAGES, victim.advisor),
        (REVIEWER_PAGES, grants.reviewer),
        (CITY_PAGES, coordinator),
        (TABLE_PAGES, _table_of(victim).director),
    ]
    public = _public_kwargs(victim)
    reachable = []
    for name, pattern in url_patterns():
        user = director
        if pattern.pattern.converters:
            kwargs = None
            for group, owner in groups:
                if name in group:
                    kwargs, user = group[name](victim), owner
            if kwargs is None:
                # A URL the matrix does not list yet (its own test flags it): unknown ids.
                kwargs = public.get(name) or _forged_kwargs(name)[0]
        else:
            kwargs = {}
            user = next((u for names, u in plain_users if name in names), director)
        reachable.append(Reachable(name, reverse(name, kwargs=kwargs), user))
    return {
        "victim": victim,
        "director": director,
        "coordinator": coordinator,
        "urls": reachable,
    }


def all_row_counts() -> dict[str, int]:
    """Rows of every model of the project (sessions and login records excepted)."""
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in {"sessions", "axes", "admin"}:
            continue
        counts[label] = model._base_manager.count()
    return counts
