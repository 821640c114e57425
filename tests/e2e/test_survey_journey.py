"""A survey from the phone to the results (issue 7, "Done when"): people answer in Arabic (right to
left) and in Spanish on a phone-sized screen; staff open the results and see the right counts,
the small one hidden ("x"); then they answer with "you said, we did", shown on the public page.
"""

import re

from playwright.sync_api import expect

from ancrage.core.choices import Role
from ancrage.surveys.models import Question
from tests import factories
from tests.e2e.conftest import axe_check, french, sign_in
from tests.surveys.conftest import open_survey

# Arabic: 5 people; Spanish: 5 + 1. With the survey's threshold of 5, every count of 5 or more is
# shown, the one person who used the third service is hidden (and one more count, so that the
# total does not give it back).
ARABIC = {"service": 0, "welcome": "5", "needs_met": "5", "recommend": "10"}
SPANISH = {"service": 1, "welcome": "4", "needs_met": "4", "recommend": "9"}
SPANISH_ALONE = {"service": 2, "welcome": "4", "needs_met": "4", "recommend": "9"}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def answer(page, live_server, survey, language: str, choices: dict, services: list[str]) -> None:
    """One person: the link, the language, every page of questions, the thank-you page."""
    page.goto(f"{live_server.url}/surveys/answer/{survey.token}/")
    page.click(f"a.language-button[lang='{language}']")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{language}"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    assert no_horizontal_scroll(page)
    for _step in range(10):
        if "/thanks/" in page.url:
            return
        fields = {
            "q-service_used": services[choices["service"]],
            "q-welcome": choices["welcome"],
            "q-needs_met": choices["needs_met"],
            "q-recommend": choices["recommend"],
        }
        for name, value in fields.items():
            option = page.locator(f"input[name='{name}'][value='{value}']")
            if option.count():
                option.check()
        with page.expect_navigation():
            page.click("button.respond-next")
    raise AssertionError(f"No thank-you page after ten steps: {page.url}")


def cell(page, table: str, row: str, column: int = 0) -> str:
    return (
        page.locator(f"table[data-table='{table}'] tr[data-row='{row}'] td")
        .nth(column)
        .inner_text()
        .strip()
    )


def test_answers_in_arabic_and_spanish_on_a_phone_show_in_the_results(
    phone_page, live_server, screenshot, settings
):
    settings.SURVEY_SUBMISSIONS_PER_MINUTE = 100  # one address answers a dozen times
    organization = factories.OrganizationFactory(name="Carrefour d'accueil Saint-Michel")
    director = factories.member(organization, Role.DIRECTOR)
    survey = open_survey(organization, actor=director)
    assert survey.small_cell_threshold == 5
    question = Question.objects.get(questionnaire=survey.questionnaire, name="service_used")
    services = list(question.choices.order_by("position").values_list("value", flat=True))
    page = phone_page

    answer(page, live_server, survey, "ar", ARABIC, services)
    screenshot(page, "arabic-thanks")
    for _ in range(4):
        answer(page, live_server, survey, "ar", ARABIC, services)
    for _ in range(5):
        answer(page, live_server, survey, "es", SPANISH, services)
    screenshot(page, "spanish-thanks")
    answer(page, live_server, survey, "es", SPANISH_ALONE, services)
    assert survey.responses.count() == 11

    # Staff read the results (in French, the staff pages' default).
    sign_in(page, live_server, director.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/surveys/{survey.pk}/results/")
    screenshot(page, "results")
    expect(page.locator("h1")).to_contain_text(french("Results: %(name)s").split("%")[0].strip())
    expect(page.locator("[data-figure='responses']")).to_have_text("11")
    assert cell(page, "responses", "ar") == "5"
    assert cell(page, "responses", "es") == "6"
    choice_ids = dict(question.choices.values_list("value", "pk"))
    table = f"q{question.pk}"
    shown = [cell(page, table, str(choice_ids[services[i]])) for i in range(3)]
    assert shown[2] == "x"  # one person: hidden
    assert sorted(shown[:2]) == ["5", "x"]  # one more hidden, or the total would give it back
    assert page.locator(f"table[data-table='{table}'] tfoot td").inner_text() == "11"
    welcome = Question.objects.get(questionnaire=survey.questionnaire, name="welcome")
    assert cell(page, f"q{welcome.pk}", "5") == "5"
    assert cell(page, f"q{welcome.pk}", "4") == "6"
    expect(page.locator("#hidden-note")).to_be_visible()
    expect(
        page.locator("section[data-question='service_used'] .chart-bars svg").first
    ).to_be_visible()
    page.locator("section[data-question='service_used']").screenshot(
        path=str(screenshot(page, "results").with_name("survey-journey-service-used.png"))
    )
    axe_check(page)

    # Only the Arabic answers.
    page.select_option("#id_language", "ar")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("[data-figure='responses']")).to_have_text("5")
    assert cell(page, f"q{welcome.pk}", "5") == "5"
    screenshot(page, "results-arabic")

    # You said, we did: written by staff, read by the public in Arabic (French as fallback).
    page.goto(f"{live_server.url}/surveys/organizations/{organization.pk}/actions/")
    page.fill("#id_said_fr", "Les heures d'ouverture ne conviennent pas.")
    page.fill("#id_said_en", "The opening hours do not suit you.")
    page.fill("#id_did_fr", "Nous ouvrons le samedi matin.")
    page.fill("#id_did_en", "We open on Saturday mornings.")
    page.click("form[method=post] details summary")
    page.fill("#id_did_ar", "نفتح صباح يوم السبت.")
    with page.expect_navigation():
        page.click("form[method=post] button.button")
    screenshot(page, "actions")
    expect(page.locator("tr[data-action]")).to_have_count(1)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/surveys/organizations/{organization.pk}/you-said-we-did/")
    page.click("details.more-languages summary")
    with page.expect_navigation():
        page.click("button[name=language][value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("dd", has_text="نفتح صباح يوم السبت.")).to_be_visible()
    expect(page.locator("dd[lang='fr']", has_text="Les heures")).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "public-actions-arabic")
    axe_check(page)
    assert not page.e2e_errors, page.e2e_errors
