"""The allocation page: options, pins and exclusions, runs (feasible or explained), requested vs
recommended vs allocated vs remaining, adoption, letters; bad input and other funders refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.grants.models import AllocationRun, ApplicationState, Award, CallState, Score
from tests import factories
from tests.grants.conftest import make_application, make_call
from tests.grants.review_helpers import completed_review

pytestmark = pytest.mark.django_db

YEAR = (("Projet", Decimal("60000.00")),)


@pytest.fixture
def closed_call(funder_org):
    now = timezone.now()
    return make_call(
        funder_org,
        state=CallState.CLOSED,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        envelopes={2025: Decimal("150000.00"), 2026: Decimal("150000.00")},
    )


@pytest.fixture
def scored(closed_call, funder_org):
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    apps = {}
    for name, score in (("Alpha", 5), ("Bravo", 4), ("Charlie", 2)):
        apps[name] = make_application(
            closed_call,
            factories.OrganizationFactory(name=f"Organisme {name}"),
            title=name,
            budget={2025: YEAR, 2026: YEAR},
        )
        completed_review(apps[name], reviewer, [score] * 4)
    return apps


@pytest.fixture
def manager(client_of, call_manager):
    client = client_of(call_manager)
    client.cookies["ancrage_language"] = "en"
    return client


def options(**values):
    data = {"floor_percent": "50", "cap": ""}
    data.update(values)
    return data


def test_a_run_then_its_adoption_through_the_page(manager, closed_call, scored):
    url = reverse("grants:call_allocation", args=[closed_call.pk])
    page = manager.get(url).content.decode()
    assert "Per year: envelope, requested, recommended, allocated and remaining" in page
    assert "180,000.00" in page  # requested in 2025
    response = manager.post(url, options(excluded=[scored["Bravo"].pk]))
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("grants:allocation_run", args=[run.pk])
    assert run.excluded == [scored["Bravo"].pk]
    assert set(run.result["amounts"]) == {str(scored["Alpha"].pk), str(scored["Charlie"].pk)}
    page = manager.get(response.url).content.decode()
    assert "Adopt this allocation" in page and "Weighted score funded" in page
    assert (
        f'name="excluded" value="{scored["Bravo"].pk}" id="exclude-{scored["Bravo"].pk}" checked'
        in page
    )
    adopt = reverse("grants:allocation_adopt", args=[run.pk])
    response = manager.post(adopt, {})  # not confirmed
    assert response.status_code == 400
    assert not Award.objects.exists()
    response = manager.post(adopt, {"confirm": "on"})
    assert response.status_code == 302
    states = {a.title: a.state for a in closed_call.applications.all()}
    assert states == {"Alpha": "funded", "Bravo": "declined", "Charlie": "funded"}
    page = manager.get(response.url).content.decode()
    assert "Decision adopted" in page
    assert reverse("grants:decision_letter", args=[scored["Alpha"].pk, "fr-ca"]) in page
    assert reverse("grants:decision_letter", args=[scored["Bravo"].pk, "en"]) in page
    # A second adoption changes nothing.
    assert manager.post(adopt, {"confirm": "on"}).status_code == 400
    assert Award.objects.count() == 4


def test_an_infeasible_run_says_why_and_changes_nothing(manager, closed_call, scored):
    url = reverse("grants:call_allocation", args=[closed_call.pk])
    pins = [scored[n].pk for n in ("Alpha", "Bravo", "Charlie")]
    response = manager.post(url, options(pinned=pins), follow=True)
    page = response.content.decode()
    assert "No allocation fits these options. Why:" in page
    assert "The pinned projects need $180,000.00 in 2025 but the envelope is $150,000.00" in page
    assert "Nothing was changed" in page
    assert "Adopt this allocation" not in page
    run = AllocationRun.objects.get()
    assert not run.feasible
    assert (
        manager.post(
            reverse("grants:allocation_adopt", args=[run.pk]), {"confirm": "on"}
        ).status_code
        == 400
    )
    assert {a.state for a in closed_call.applications.all()} == {ApplicationState.SUBMITTED}


@pytest.mark.parametrize(
    "values",
    [
        {"floor_percent": "150"},
        {"floor_percent": "abc"},
        {"cap": "-1"},
        {"cap": "12.345"},
        {"pinned": ["999999"]},
        {"pinned": ["<script>"]},
        {"excluded": ["99999999999999999999999"]},
    ],
)
def test_bad_options_are_shown_and_nothing_runs(manager, closed_call, scored, values):
    response = manager.post(
        reverse("grants:call_allocation", args=[closed_call.pk]), options(**values)
    )
    assert response.status_code == 400
    assert not AllocationRun.objects.exists()


def test_pinned_and_excluded_at_once_is_refused(manager, closed_call, scored):
    pk = scored["Alpha"].pk
    response = manager.post(
        reverse("grants:call_allocation", args=[closed_call.pk]),
        options(pinned=[pk], excluded=[pk]),
    )
    assert response.status_code == 400
    assert "An application cannot be both pinned and excluded." in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_a_stale_run_is_not_adopted(manager, closed_call, scored):
    manager.post(reverse("grants:call_allocation", args=[closed_call.pk]), options())
    run = AllocationRun.objects.get()
    Score.objects.filter(assignment__application=scored["Charlie"]).update(score=5)
    page = manager.get(reverse("grants:allocation_run", args=[run.pk])).content.decode()
    assert "changed since this run" in page and "Adopt this allocation" not in page
    response = manager.post(reverse("grants:allocation_adopt", args=[run.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert "run the allocation again before adopting it" in response.content.decode()
    assert not Award.objects.exists()


def test_the_allocation_pages_are_the_funders_managers_only(
    client_of, closed_call, scored, funder_org
):
    other = factories.OrganizationFactory(kind="funder")
    stranger = factories.member(other, Role.DIRECTOR)
    reviewer = factories.member(funder_org, Role.GRANT_REVIEWER)
    applicant = factories.member(scored["Alpha"].organization, Role.DIRECTOR)
    page = reverse("grants:call_allocation", args=[closed_call.pk])
    for person, status in ((stranger, 404), (applicant, 404), (reviewer, 403)):
        assert client_of(person).get(page).status_code == status
        assert client_of(person).post(page, options()).status_code == status
    assert not AllocationRun.objects.exists()
    run = AllocationRun.objects.create(call=closed_call, feasible=True, result={})
    for name in ("grants:allocation_run", "grants:allocation_adopt"):
        for pk in (run.pk, 2**63, 987654):
            assert (
                client_of(stranger).post(reverse(name, args=[pk]), {"confirm": "on"}).status_code
                == 404
            )
    manager = factories.member(funder_org, Role.ADMINISTRATOR)
    assert (
        client_of(manager).get(reverse("grants:allocation_adopt", args=[run.pk])).status_code == 405
    )
    assert (
        client_of(manager).post(reverse("grants:allocation_run", args=[run.pk])).status_code == 405
    )


def test_before_any_run_the_page_shows_the_scores_and_the_envelope(
    manager, closed_call, scored, funder_org
):
    waiting = make_application(closed_call, factories.OrganizationFactory(), title="Delta")
    page = manager.get(reverse("grants:call_allocation", args=[closed_call.pk])).content.decode()
    assert "1 submitted application has no completed review yet" in page
    assert f'id="pin-{waiting.pk}" disabled' in page
    assert "100.00" in page and "150,000.00" in page
