"""The navigation shows each person the pages their roles open, and no others."""

import pytest

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.context_processors import navigation_for
from tests import factories

pytestmark = pytest.mark.django_db


def names(user):
    return {item["url_name"] for item in navigation_for(user)}


def test_a_community_director_sees_reports_applications_but_no_calls_or_tables(org_a):
    seen = names(factories.member(org_a, Role.DIRECTOR))
    assert {"reporting:report_list", "funding:portfolio", "grants:my_applications"} <= seen
    assert "grants:call_list" not in seen and "surveys:table_list" not in seen


def test_a_funders_coordinator_sees_calls_and_a_round_tables_director_sees_tables():
    funder = factories.OrganizationFactory(kind=OrganizationKind.FUNDER)
    table = factories.OrganizationFactory(kind=OrganizationKind.ROUND_TABLE)
    assert "grants:call_list" in names(factories.member(funder, Role.COORDINATOR))
    assert "surveys:table_list" in names(factories.member(table, Role.DIRECTOR))


def test_an_advisor_sees_followed_organizations_and_reports_received():
    funder = factories.OrganizationFactory(kind=OrganizationKind.FUNDER)
    seen = names(factories.member(funder, Role.FUNDER_ADVISOR))
    assert {"funding:advisor_home", "reporting:received"} <= seen
    assert "clients:client_list" not in seen


def test_the_citys_coordinator_reviews_overlap_and_a_reviewer_sees_reviews():
    city = factories.OrganizationFactory(kind=OrganizationKind.CITY_SERVICE)
    assert "insights:queue" in names(factories.member(city, Role.COORDINATOR))
    reviewer = factories.member(factories.OrganizationFactory(), Role.GRANT_REVIEWER)
    assert "grants:review_list" in names(reviewer)
    assert "insights:queue" not in names(reviewer)
