"""Staff pages of questionnaires and surveys: the library, copying, editing, translating, the
survey's links, QR codes and poster; other organizations' ids are 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ancrage.core.choices import Role
from ancrage.surveys.models import Choice, Question, Questionnaire, Survey
from tests import factories
from tests.surveys.conftest import answered, ready

pytestmark = pytest.mark.django_db


def test_every_page_opens_for_a_manager(survey, survey_manager, client_of):
    browser = client_of(survey_manager)
    questionnaire = survey.questionnaire
    question = questionnaire.questions.get(name="language_ok")
    choice = question.choices.get(value="partly")
    urls = [
        reverse("surveys:home"),
        reverse("surveys:library_questionnaire", args=[ready().pk]),
        reverse("surveys:questionnaire", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_edit", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_copy", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_translate", args=[questionnaire.pk, "ar"]),
        reverse("surveys:question_add", args=[questionnaire.pk]),
        reverse("surveys:question_edit", args=[question.pk]),
        reverse("surveys:question_move", args=[question.pk]),
        reverse("surveys:question_remove", args=[question.pk]),
        reverse("surveys:choice_add", args=[question.pk]),
        reverse("surveys:choice_edit", args=[choice.pk]),
        reverse("surveys:choice_move", args=[choice.pk]),
        reverse("surveys:choice_remove", args=[choice.pk]),
        reverse("surveys:survey_create", args=[questionnaire.pk]),
        reverse("surveys:survey", args=[survey.pk]),
        reverse("surveys:survey_edit", args=[survey.pk]),
        reverse("surveys:survey_close", args=[survey.pk]),
        reverse("surveys:survey_poster", args=[survey.pk]),
    ]
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url


def object_urls(survey):
    questionnaire = survey.questionnaire
    question = questionnaire.questions.get(name="language_ok")
    choice = question.choices.get(value="partly")
    return [
        reverse("surveys:questionnaire", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_edit", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_copy", args=[questionnaire.pk]),
        reverse("surveys:questionnaire_translate", args=[questionnaire.pk, "es"]),
        reverse("surveys:question_add", args=[questionnaire.pk]),
        reverse("surveys:survey_create", args=[questionnaire.pk]),
        reverse("surveys:question_edit", args=[question.pk]),
        reverse("surveys:question_move", args=[question.pk]),
        reverse("surveys:question_remove", args=[question.pk]),
        reverse("surveys:choice_add", args=[question.pk]),
        reverse("surveys:choice_edit", args=[choice.pk]),
        reverse("surveys:choice_move", args=[choice.pk]),
        reverse("surveys:choice_remove", args=[choice.pk]),
        reverse("surveys:survey", args=[survey.pk]),
        reverse("surveys:survey_edit", args=[survey.pk]),
        reverse("surveys:survey_close", args=[survey.pk]),
        reverse("surveys:survey_qr", args=[survey.pk, "png"]),
        reverse("surveys:survey_qr", args=[survey.pk, "svg"]),
        reverse("surveys:survey_poster", args=[survey.pk]),
    ]


HOSTILE = {
    "title_fr": "Piraté",
    "languages": ["fr"],
    "kind": "text",
    "text_fr": "Piraté",
    "name": "hacked",
    "value": "hacked",
    "label_fr": "Piraté",
    "direction": "up",
    "opens_at": "2025-01-01T10:00",
    "small_cell_threshold": "1",
    "title": "Piraté",
}


def state_of(survey):
    questionnaire = Questionnaire.objects.get(pk=survey.questionnaire_id)
    return (
        Questionnaire.objects.count(),
        questionnaire.version,
        questionnaire.titles,
        list(questionnaire.questions.values_list("name", "position", "texts")),
        list(Choice.objects.values_list("pk", "position", "labels")),
        list(Survey.objects.values_list("pk", "opens_at", "closes_at")),
    )


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COORDINATOR, Role.INTAKE_WORKER])
def test_another_organizations_questionnaire_and_survey_are_404(survey, role, client_of):
    intruder = factories.member(factories.OrganizationFactory(), role)
    browser = client_of(intruder)
    before = state_of(survey)
    for url in object_urls(survey):
        assert browser.get(url).status_code == 404, url
        assert browser.post(url, HOSTILE).status_code == 404, url
    assert state_of(survey) == before


def test_forged_ids_are_404(survey_manager, client_of):
    browser = client_of(survey_manager)
    for name in (
        "surveys:questionnaire",
        "surveys:question_edit",
        "surveys:choice_edit",
        "surveys:survey",
    ):
        for forged in (999_999_999, 2**63 + 5):
            assert browser.get(reverse(name, args=[forged])).status_code == 404
    assert (
        browser.get(reverse("surveys:library_questionnaire", args=[2**63 + 5])).status_code == 404
    )


def test_own_questionnaire_is_not_a_library_one(survey, survey_manager, client_of):
    url = reverse("surveys:library_questionnaire", args=[survey.questionnaire.pk])
    assert client_of(survey_manager).get(url).status_code == 404


def test_staff_without_the_capability_get_403_and_visitors_the_login(
    survey, survey_org, client, client_of
):
    worker = client_of(factories.member(survey_org, Role.INTAKE_WORKER))
    assert worker.get(reverse("surveys:home")).status_code == 403
    assert worker.get(reverse("surveys:survey", args=[survey.pk])).status_code == 403
    page = client.get(reverse("surveys:survey", args=[survey.pk]))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


def test_copy_from_the_library_then_edit(survey_org, survey_manager, client_of):
    browser = client_of(survey_manager)
    source = ready("activity-feedback")
    page = browser.post(
        reverse("surveys:library_questionnaire", args=[source.pk]),
        {"organization": survey_org.pk, "code": ""},
    )
    copy = Questionnaire.objects.get(organization=survey_org)
    assert page.status_code == 302 and page["Location"] == reverse(
        "surveys:questionnaire", args=[copy.pk]
    )
    detail = browser.get(page["Location"]).content.decode()
    assert "J&#x27;ai aimé cette activité." in detail
    edit = browser.post(
        reverse("surveys:questionnaire_edit", args=[copy.pk]),
        {
            "version": copy.version,
            "kind": "activity_feedback",
            "title_fr": "Avis <i>café</i>",
            "title_en": "Feedback",
            "languages": ["fr", "en", "ar"],
        },
    )
    assert edit.status_code == 302
    copy.refresh_from_db()
    assert copy.languages == ["fr", "en", "ar"] and copy.titles["es"]  # other translations kept
    assert "Avis &lt;i&gt;café&lt;/i&gt;" in browser.get(edit["Location"]).content.decode()
    stale = browser.post(
        reverse("surveys:questionnaire_edit", args=[copy.pk]),
        {"version": copy.version - 1, "kind": "other", "title_fr": "Vieux", "languages": ["fr"]},
    )
    assert stale.status_code == 200 and "form-errors" in stale.content.decode()
    copy.refresh_from_db()
    assert copy.titles["fr"] == "Avis <i>café</i>"


def test_library_copy_into_another_organization_is_refused(survey_manager, client_of):
    other = factories.OrganizationFactory()
    page = client_of(survey_manager).post(
        reverse("surveys:library_questionnaire", args=[ready().pk]), {"organization": other.pk}
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not Questionnaire.objects.filter(organization=other).exists()


def test_question_added_with_a_skip_rule_from_earlier_questions(
    own_questionnaire, survey_manager, client_of
):
    browser = client_of(survey_manager)
    url = reverse("surveys:question_add", args=[own_questionnaire.pk])
    form = browser.get(url).content.decode()
    assert 'value="language_ok"' in form and 'value="improve"' in form
    bad = browser.post(
        url,
        {
            "name": "why_low",
            "kind": "text",
            "text_fr": "Pourquoi?",
            "show_if_question": "welcome",
            "show_if_operator": "equals",
            "show_if_value": "9",
        },
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert not own_questionnaire.questions.filter(name="why_low").exists()
    good = browser.post(
        url,
        {
            "name": "contact_by",
            "kind": "single",
            "text_fr": "Comment vous joindre?",
            "show_if_question": "language_ok",
            "show_if_operator": "in",
            "show_if_value": "partly, no",
            "choices": "Par téléphone\nPar courriel\nPar téléphone",
        },
    )
    assert good.status_code == 302
    question = own_questionnaire.questions.get(name="contact_by")
    assert question.show_if == {
        "question": "language_ok",
        "operator": "in",
        "value": ["partly", "no"],
    }
    assert list(question.choices.values_list("value", flat=True)) == [
        "par_telephone",
        "par_courriel",
        "par_telephone_3",
    ]


def test_answered_questionnaire_says_so_and_offers_a_copy(survey, survey_manager, client_of):
    answered(survey)
    browser = client_of(survey_manager)
    detail = browser.get(
        reverse("surveys:questionnaire", args=[survey.questionnaire.pk])
    ).content.decode()
    assert reverse("surveys:questionnaire_copy", args=[survey.questionnaire.pk]) in detail
    assert (
        reverse("surveys:question_remove", args=[survey.questionnaire.questions.first().pk])
        not in detail
    )
    improve = survey.questionnaire.questions.get(name="improve")
    page = browser.post(reverse("surveys:question_remove", args=[improve.pk]))
    assert page.status_code == 302
    assert Question.objects.filter(pk=improve.pk).exists()
    copied = browser.post(reverse("surveys:questionnaire_copy", args=[survey.questionnaire.pk]))
    assert copied.status_code == 302
    assert Questionnaire.objects.filter(copied_from=survey.questionnaire).count() == 1


def test_translation_page_shows_the_french_beside_each_field(
    own_questionnaire, survey_manager, client_of
):
    browser = client_of(survey_manager)
    url = reverse("surveys:questionnaire_translate", args=[own_questionnaire.pk, "fa"])
    page = browser.get(url).content.decode()
    welcome = own_questionnaire.questions.get(name="welcome")
    assert welcome.texts["fr"] in page and welcome.texts["fa"] in page
    assert 'lang="fa" dir="rtl"' in page
    assert (
        browser.get(
            reverse("surveys:questionnaire_translate", args=[own_questionnaire.pk, "fr"])
        ).status_code
        == 404
    )
    assert (
        browser.get(
            reverse("surveys:questionnaire_translate", args=[own_questionnaire.pk, "xx"])
        ).status_code
        == 404
    )
    data = {"version": own_questionnaire.version, "title": "عنوان", "q-welcome": "خوش آمدید"}
    saved = browser.post(url, data)
    assert saved.status_code == 302
    welcome.refresh_from_db()
    own_questionnaire.refresh_from_db()
    assert welcome.texts["fa"] == "خوش آمدید" and own_questionnaire.titles["fa"] == "عنوان"
    # Fields left empty removed their translation: no survey can open with Persian offered.
    create = browser.post(
        reverse("surveys:survey_create", args=[own_questionnaire.pk]),
        {"opens_at": "2030-01-01T09:00", "small_cell_threshold": "5"},
    )
    assert create.status_code == 200 and "fa:" in create.content.decode()
    assert not Survey.objects.exists()
    stale = browser.post(url, data)
    assert stale.status_code == 200 and "form-errors" in stale.content.decode()


def test_survey_created_with_a_session_of_the_organization_only(
    own_questionnaire, survey_manager, client_of
):
    browser = client_of(survey_manager)
    own = factories.SessionFactory(
        activity=factories.ActivityFactory(organization=own_questionnaire.organization)
    )
    foreign = factories.SessionFactory()
    url = reverse("surveys:survey_create", args=[own_questionnaire.pk])
    form = {
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-02-01T17:00",
        "small_cell_threshold": "5",
    }
    for bad in (
        {"session": foreign.pk},
        {"session": "2" * 30},
        {"opens_at": "2030-13-45T99:00"},
        {"closes_at": "2029-01-01T09:00"},
        {"small_cell_threshold": "-3"},
    ):
        page = browser.post(url, {**form, **bad})
        assert page.status_code == 200 and "errorlist" in page.content.decode(), bad
    assert not Survey.objects.exists()
    page = browser.post(url, {**form, "session": own.pk, "name_fr": "Hiver"})
    survey = Survey.objects.get()
    assert page["Location"] == reverse("surveys:survey", args=[survey.pk])
    assert survey.session == own and timezone.localtime(survey.opens_at).hour == 9
    detail = browser.get(page["Location"]).content.decode()
    assert reverse("surveys:answer", args=[survey.token]) in detail
    assert reverse("surveys:kiosk", args=[survey.token]) in detail


def test_qr_codes_are_valid_png_and_svg_of_the_link(survey, survey_manager, client_of):
    import io
    from xml.etree import ElementTree

    import segno
    from PIL import Image

    browser = client_of(survey_manager)
    png = browser.get(reverse("surveys:survey_qr", args=[survey.pk, "png"]))
    assert png["Content-Type"] == "image/png" and "attachment" in png["Content-Disposition"]
    image = Image.open(io.BytesIO(png.content))
    image.verify()
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 200
    link = "http://testserver" + reverse("surveys:answer", args=[survey.token])
    expected = io.BytesIO()
    segno.make(link, error="m").save(expected, kind="png", scale=12, border=4)
    assert png.content == expected.getvalue()
    svg = browser.get(reverse("surveys:survey_qr", args=[survey.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(svg.content)  # noqa: S314 (our own output)
    assert root.tag.endswith("svg") and root.find("{http://www.w3.org/2000/svg}path") is not None
    assert browser.get(reverse("surveys:survey_qr", args=[survey.pk, "gif"])).status_code == 404


def test_poster_has_the_title_in_each_language_the_code_and_the_link(
    survey, survey_manager, client_of
):
    page = (
        client_of(survey_manager)
        .get(reverse("surveys:survey_poster", args=[survey.pk]))
        .content.decode()
    )
    titles = survey.questionnaire.titles
    for code in ("fr", "ar", "zh-hans", "uk"):
        assert f'lang="{code}"' in page and titles[code] in page
    assert 'lang="ar" dir="rtl"' in page
    assert "http://testserver" + reverse("surveys:answer", args=[survey.token]) in page
    assert reverse("surveys:survey_qr", args=[survey.pk, "svg"]) in page


def test_close_by_hand(survey, survey_manager, client_of):
    browser = client_of(survey_manager)
    assert browser.post(reverse("surveys:survey_close", args=[survey.pk])).status_code == 302
    assert browser.get(reverse("surveys:answer", args=[survey.token])).status_code == 410


def test_moving_a_question_below_the_one_depending_on_it_is_refused_with_a_message(
    own_questionnaire, survey_manager, client_of
):
    browser = client_of(survey_manager)
    dependency = own_questionnaire.questions.get(name="language_ok")
    order = list(own_questionnaire.questions.values_list("name", flat=True))
    page = browser.post(
        reverse("surveys:question_move", args=[dependency.pk]), {"direction": "down"}, follow=True
    )
    assert list(own_questionnaire.questions.values_list("name", flat=True)) == order
    assert "message error" in page.content.decode()
