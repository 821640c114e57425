"""The program dashboard in a browser: readable, accessible (axe-core), no script needed."""

from tests import factories
from tests.activities.test_dashboard import world  # noqa: F401 (fixture)
from tests.e2e.conftest import axe_check, sign_in


def test_dashboard_is_accessible(page, live_server, world, screenshot):  # noqa: F811
    sign_in(page, live_server, world["coordinator"].username, factories.PASSWORD)
    response = page.goto(live_server.url + "/activities/program/")
    assert response.status == 200
    screenshot(page, "dashboard")
    axe_check(page)
    page.goto(live_server.url + "/activities/program/?start=2026-12-31&end=2026-01-01")
    screenshot(page, "dashboard-error")
    axe_check(page)
    assert not page.e2e_errors, page.e2e_errors
