"""One application from draft to allocated, through the real pages, in a real Chromium (issue 8,
"Done when"): the applicant writes and submits it; the deadline passes; the funder closes the
call and assigns a reviewer; the reviewer scores it (the total computed by the server as they
type); the committee runs the allocation and adopts it; the project is funded, its letter ready.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from ancrage.core.choices import OrganizationKind, Role
from ancrage.grants.models import Application, ApplicationState, Award, CallState
from tests import factories
from tests.e2e.conftest import axe_check, french, sign_in
from tests.grants.conftest import make_call

YEARS = (2025, 2026, 2027)


def open_page(browser, request, live_server, person):
    """A fresh browser context signed in as `person` (each person on their own machine)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-CA")
    context.set_default_timeout(15_000)
    request.addfinalizer(context.close)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.e2e_errors = errors  # type: ignore[attr-defined]
    sign_in(page, live_server, person.username, factories.PASSWORD)
    return page


def go(page, live_server, screenshot, path: str, step: str):
    response = page.goto(live_server.url + path)
    assert response.status == 200, (path, response.status)
    screenshot(page, step)
    return response


def test_an_application_from_draft_to_allocated(browser, request, live_server, screenshot):
    funder = factories.OrganizationFactory(
        name="Service de la diversité sociale (e2e)", kind=OrganizationKind.CITY_SERVICE
    )
    manager = factories.member(funder, Role.COORDINATOR, first_name="Mireille", last_name="Comité")
    reviewer = factories.member(
        funder, Role.GRANT_REVIEWER, first_name="Rachid", last_name="Évalue"
    )
    applicant_org = factories.OrganizationFactory(name="Carrefour d'accueil de LaSalle (e2e)")
    director = factories.member(applicant_org, Role.DIRECTOR, first_name="Diane", last_name="Dubé")
    call = make_call(
        funder,
        code="montreal-inclusive-e2e",
        closes_at=timezone.now() + timedelta(days=1),
        created_by=manager,
    )
    objective = call.objectives.order_by("position").first()

    # --- The applicant: draft, budget, logic model, submission ------------------------------------
    page = open_page(browser, request, live_server, director)
    go(page, live_server, screenshot, f"/grants/calls/{call.pk}/apply/", "1-apply")
    page.select_option("#id_organization", str(applicant_org.pk))
    page.fill("#id_title", "Cuisines du monde : briser l'isolement")
    page.fill("#id_summary", "Ateliers de cuisine collective pour les femmes immigrantes isolées.")
    page.check(f"input[name='objectives'][value='{objective.pk}']")
    page.check("input[name='target_groups'][value='women']")
    page.check(f"input[name='boroughs'][value='{factories.borough('lasalle').pk}']")
    with page.expect_navigation():
        page.click("form button.button[type=submit]")
    application = Application.objects.get(title="Cuisines du monde : briser l'isolement")
    assert application.state == ApplicationState.DRAFT
    assert f"/grants/applications/{application.pk}/budget/" in page.url

    for i, year in enumerate(YEARS, start=1):
        page.fill(f"#id_requested_{year}", "60000")
        page.select_option(f"#id_year_{i}", str(year))
        page.fill(f"#id_label_{i}", "Animatrice et denrées")
        page.fill(f"#id_amount_{i}", "60000")
    screenshot(page, "2-budget")
    with page.expect_navigation():
        page.click("form[data-live-totals] button.button:not([name])")
    application.refresh_from_db()
    assert application.budget.count() == 3

    go(
        page,
        live_server,
        screenshot,
        f"/grants/applications/{application.pk}/logic-model/",
        "3-logic",
    )
    page.fill("#id_activity_1", "Ateliers de cuisine hebdomadaires")
    page.fill("#id_output_1", "40 ateliers")
    page.fill("#id_outcome_1", "Les participantes élargissent leur réseau")
    page.fill("#id_indicator_1", "Participantes qui connaissent plus de gens")
    page.fill("#id_target_1", "60")
    with page.expect_navigation():
        page.click("form button.button[type=submit]")

    go(page, live_server, screenshot, f"/grants/applications/{application.pk}/", "4-overview")
    with page.expect_navigation():
        page.click(f"form[action$='/applications/{application.pk}/submit/'] button")
    screenshot(page, "5-submitted")
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED

    # --- The deadline passes; the funder closes the call and assigns a reviewer --------------------
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save(update_fields=["closes_at"])
    committee = open_page(browser, request, live_server, manager)
    go(committee, live_server, screenshot, f"/grants/calls/{call.pk}/", "6-call")
    with committee.expect_navigation():
        committee.click(f"form[action$='/calls/{call.pk}/close/'] button")
    call.refresh_from_db()
    assert call.state == CallState.CLOSED

    go(committee, live_server, screenshot, f"/grants/calls/{call.pk}/reviewers/", "7-reviewers")
    committee.select_option("#id_application", str(application.pk))
    committee.select_option("#id_reviewer", str(reviewer.pk))
    with committee.expect_navigation():
        committee.click("form.panel button[type=submit]")
    assignment = application.reviews.get()
    assert assignment.reviewer == reviewer
    axe_check(committee)

    # --- The reviewer scores it: the total is the server's, as they type ---------------------------
    reviews = open_page(browser, request, live_server, reviewer)
    go(reviews, live_server, screenshot, "/grants/reviews/", "8-to-review")
    with reviews.expect_navigation():
        reviews.click(f"a[href$='/grants/reviews/{assignment.pk}/']")
    criteria = list(call.criteria.order_by("position"))
    for criterion, score in zip(criteria, (5, 4, 3, 2), strict=True):
        reviews.fill(f"#id_score_{criterion.pk}", str(score))
    # 30 × 5/5 + 25 × 4/5 + 20 × 3/5 + 25 × 2/5 = 72
    expect(reviews.locator("#review-total")).to_contain_text("72")
    reviews.fill(f"#id_comment_{criteria[0].pk}", "Besoin bien documenté dans le quartier.")
    screenshot(reviews, "9-scored")
    axe_check(reviews)
    with reviews.expect_navigation():
        reviews.click("button[name=action][value=complete]")
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert not reviews.e2e_errors, reviews.e2e_errors

    # --- The committee runs the allocation and adopts it -------------------------------------------
    go(committee, live_server, screenshot, f"/grants/calls/{call.pk}/ranking/", "10-ranking")
    expect(committee.locator("table").first).to_contain_text("72")
    go(committee, live_server, screenshot, f"/grants/calls/{call.pk}/allocation/", "11-allocation")
    with committee.expect_navigation():
        committee.click(f"form[action$='/calls/{call.pk}/allocation/'] button[type=submit]")
    screenshot(committee, "12-run")
    assert "/grants/allocation-runs/" in committee.url
    expect(committee.locator("#years-caption")).to_be_visible()
    axe_check(committee)
    committee.check("#id_confirm")
    with committee.expect_navigation():
        committee.click("form[action$='/adopt/'] button[type=submit]")
    screenshot(committee, "13-decided")

    application.refresh_from_db()
    call.refresh_from_db()
    assert application.state == ApplicationState.FUNDED
    assert call.state == CallState.DECIDED
    assert sorted(Award.objects.filter(application=application).values_list("year", "amount")) == [
        (2025, 60000), (2026, 60000), (2027, 60000)
    ]  # fmt: skip
    letter = committee.locator(f"a[href$='/applications/{application.pk}/letter/fr-ca/']")
    expect(letter).to_be_visible()
    response = committee.request.get(live_server.url + letter.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # --- The applicant sees the decision --------------------------------------------------------------
    go(page, live_server, screenshot, f"/grants/applications/{application.pk}/", "14-funded")
    expect(page.locator("main")).to_contain_text(french("Funded"))
    assert not committee.e2e_errors and not page.e2e_errors
