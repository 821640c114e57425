"""The respondent's pages: no login, language first, a few questions per page, works on a phone
without JavaScript; the kiosk, which goes back to the language choice after each person.

Where the answers wait between pages: in the server-side session, under one key per survey,
never in the page. A signed form field would carry them to the browser in readable base64 —
on a shared tablet or phone the next person could read them in the page source or with the back
button. In the session, they are deleted the moment the answers are stored (and when the kiosk
starts over), pages are sent `no-store`, and a re-sent form finds nothing to resume. Nothing is
written for a survey that is closed or not open yet. The session cookie is the only one set,
strictly necessary, and ends with the browser.

The rate limit counts, in the cache, per survey and per address (hashed, never stored): stored
responses (`SURVEY_SUBMISSIONS_PER_MINUTE`, default 30) and, more loosely, every page sent
(`SURVEY_STEPS_PER_MINUTE`, default five times that). Beyond either, a 429 page and nothing
stored. In production the cache must be shared by the workers (see docs/OPERATIONS.md).
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ancrage.core.translated import pick
from ancrage.core.views import public_page
from ancrage.surveys import logic, selectors, services
from ancrage.surveys.models import Channel, QuestionKind, Survey

RATE_WINDOW = 60
KIOSK_RESET_SECONDS = 8
# A kiosk left in the middle of a questionnaire starts over for the next person.
KIOSK_IDLE_SECONDS = 15 * 60

LIKERT = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)


def submissions_per_minute() -> int:
    return int(getattr(settings, "SURVEY_SUBMISSIONS_PER_MINUTE", 30))


def steps_per_minute() -> int:
    return int(getattr(settings, "SURVEY_STEPS_PER_MINUTE", 5 * submissions_per_minute()))


def _over_limit(request: HttpRequest, survey: Survey, what: str, limit: int) -> bool:
    """Count one more `what` for this address and survey; True beyond `limit` in the window
    that began with the first one."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    who = salted_hmac("surveys.rate", address).hexdigest()[:32]
    key = f"surveys:rate:{what}:{survey.token}:{who}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return count > limit


def _survey(token: str) -> Survey:
    survey = selectors.survey_by_token(token)
    if survey is None:
        raise Http404
    return survey


def _urls(survey: Survey, kiosk: bool, language: str | None = None) -> dict[str, str]:
    prefix = "surveys:kiosk" if kiosk else "surveys:answer"
    urls = {"choose": reverse(prefix, args=[survey.token])}
    if language:
        urls["questions"] = reverse(f"{prefix}_questions", args=[survey.token, language])
        urls["thanks"] = reverse(f"{prefix}_thanks", args=[survey.token, language])
    return urls


def _state_key(survey: Survey) -> str:
    return f"surveys:answers:{survey.pk}"


def _forget(request: HttpRequest, survey: Survey) -> None:
    if _state_key(survey) in request.session:
        del request.session[_state_key(survey)]


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return render(request, f"surveys/respond/{template}", context, status=status)


def _unavailable(request: HttpRequest, survey: Survey, state: str) -> HttpResponse:
    """Not open yet (403) or closed (410): say so, store nothing."""
    return _page(
        request,
        "unavailable.html",
        {"survey": survey, "state": state, "organization": survey.organization},
        status=403 if state == selectors.SurveyState.SCHEDULED else 410,
    )


def _too_many(request: HttpRequest, survey: Survey) -> HttpResponse:
    response = _page(
        request, "too_many.html", {"survey": survey, "organization": survey.organization}, 429
    )
    response["Retry-After"] = str(RATE_WINDOW)
    return response


def _choose(request: HttpRequest, token: str, *, kiosk: bool) -> HttpResponse:
    survey = _survey(token)
    state = selectors.survey_state(survey)
    if state != selectors.SurveyState.OPEN:
        return _unavailable(request, survey, state)
    if kiosk:
        # The next person starts from nothing.
        _forget(request, survey)
    questionnaire = survey.questionnaire
    languages = [
        {
            "code": code,
            "name": selectors.language_name(code),
            "rtl": code in selectors.RIGHT_TO_LEFT,
            "title": pick(questionnaire.titles, code),
            "url": _urls(survey, kiosk, code)["questions"],
        }
        for code in selectors.complete_languages(questionnaire)
    ]
    return _page(
        request,
        "choose.html",
        {
            "survey": survey,
            "organization": survey.organization,
            "languages": languages,
            "kiosk": kiosk,
        },
    )


def _question_view(question: Any, answers: dict[str, Any], error: str | None) -> dict[str, Any]:
    """What the template needs to draw one question."""
    value = answers.get(question.name)
    view: dict[str, Any] = {
        "name": question.name,
        "kind": question.kind,
        "text": pick(question.texts),
        "hint": pick(question.hints),
        "required": question.required,
        "error": error,
        "value": value,
        "field": f"q-{question.name}",
    }
    if question.kind in logic.CHOICE_KINDS:
        chosen = value if isinstance(value, list) else [value]
        view["options"] = [
            {"value": c.value, "label": pick(c.labels), "checked": c.value in chosen}
            for c in question.choices.all()
        ]
    elif question.kind == QuestionKind.LIKERT:
        view["options"] = [
            {"value": str(n), "label": label, "checked": value == n} for n, label in LIKERT
        ]
    elif question.kind == QuestionKind.RECOMMEND:
        view["options"] = [
            {"value": str(n), "label": str(n), "checked": value == n} for n in range(11)
        ]
    elif question.kind == QuestionKind.NUMBER:
        low, high = logic.bounds(logic.spec_of(question))
        view["min"], view["max"] = low, high
    elif question.kind == QuestionKind.TEXT:
        view["max_length"] = logic.TEXT_MAX
    return view


def _visible_steps(steps: list[list[Any]], answers: dict[str, Any]) -> list[int]:
    """Indexes of the steps with at least one question asked, given the answers so far."""
    shown = {q.name for q in logic.visible([q for step in steps for q in step], answers)}
    return [i for i, step in enumerate(steps) if any(q.name in shown for q in step)]


def _render_step(
    request: HttpRequest,
    survey: Survey,
    language: str,
    kiosk: bool,
    steps: list[list[Any]],
    index: int,
    answers: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    shown = {q.name for q in logic.visible([q for step in steps for q in step], answers)}
    visible_steps = _visible_steps(steps, answers)
    questions = [
        _question_view(q, answers, errors.get(q.name)) for q in steps[index] if q.name in shown
    ]
    position = visible_steps.index(index) + 1 if index in visible_steps else 1
    questionnaire = survey.questionnaire
    return _page(
        request,
        "questions.html",
        {
            "survey": survey,
            "organization": survey.organization,
            "title": pick(questionnaire.titles),
            "introduction": pick(questionnaire.introductions) if position == 1 else "",
            "questions": questions,
            "errors": [q for q in questions if q["error"]],
            "step": index,
            "position": position,
            "total": max(len(visible_steps), position),
            "is_last": not any(i > index for i in visible_steps),
            "is_first": position == 1,
            "urls": _urls(survey, kiosk, language),
            "kiosk": kiosk,
            "idle_seconds": KIOSK_IDLE_SECONDS,
        },
        status=status,
    )


def _questions(request: HttpRequest, token: str, language: str, *, kiosk: bool) -> HttpResponse:
    survey = _survey(token)
    if language not in selectors.content_languages():
        return redirect(_urls(survey, kiosk)["choose"])
    # Everything from here speaks the person's language, refusals included.
    with translation.override(selectors.interface_language(language)):
        request.LANGUAGE_CODE = translation.get_language()
        state = selectors.survey_state(survey)
        if state != selectors.SurveyState.OPEN:
            return _unavailable(request, survey, state)
        # Before any other query: a flood costs a cache increment per request.
        if request.method == "POST" and _over_limit(request, survey, "step", steps_per_minute()):
            return _too_many(request, survey)
        questions = selectors.with_questions(survey.questionnaire)
        if language not in selectors.complete_languages(survey.questionnaire, questions):
            return redirect(_urls(survey, kiosk)["choose"])
        return _answer_step(request, survey, language, kiosk, questions)


def _answer_step(
    request: HttpRequest, survey: Survey, language: str, kiosk: bool, questions: list[Any]
) -> HttpResponse:
    key = _state_key(survey)
    steps = logic.pages(questions)
    saved = request.session.get(key) or {}
    answers: dict[str, Any] = (
        dict(saved.get("answers") or {}) if saved.get("language") == language else {}
    )

    if request.method != "POST":
        if kiosk:
            _forget(request, survey)
            answers = {}
        visible_steps = _visible_steps(steps, answers)
        return _render_step(request, survey, language, kiosk, steps, visible_steps[0], answers, {})

    try:
        index = int(request.POST.get("step", ""))
    except ValueError:
        index = -1
    if not 0 <= index < len(steps):
        return redirect(_urls(survey, kiosk, language)["questions"])
    going_back = request.POST.get("action") == "back"

    # Read this step's questions, in order, so a rule on a question of the same step (never
    # made by `pages`, but a questionnaire may change between two pages) sees fresh answers.
    errors: dict[str, str] = {}
    for question in steps[index]:
        if not logic.condition_met(question.show_if, answers):
            answers.pop(question.name, None)
            continue
        raw = request.POST.getlist(f"q-{question.name}")
        try:
            value = logic.parse_answer(question, raw)
        except ValidationError as error:
            errors[question.name] = error.messages[0]
            if isinstance(raw, list) and raw and question.kind == QuestionKind.TEXT:
                # Keep what was written (cut to the limit) so the person can shorten it.
                answers[question.name] = "\n".join(raw)[: logic.TEXT_MAX]
            continue
        if value is None:
            answers.pop(question.name, None)
            if question.required and not going_back:
                errors[question.name] = logic.required_message()
        else:
            answers[question.name] = value

    request.session[key] = {"language": language, "answers": answers}
    visible_steps = _visible_steps(steps, answers)
    if going_back:
        earlier = [i for i in visible_steps if i < index]
        return _render_step(
            request,
            survey,
            language,
            kiosk,
            steps,
            earlier[-1] if earlier else visible_steps[0],
            answers,
            {},
        )
    if errors:
        return _render_step(request, survey, language, kiosk, steps, index, answers, errors, 400)
    later = [i for i in visible_steps if i > index]
    if later:
        return _render_step(request, survey, language, kiosk, steps, later[0], answers, {})

    if _over_limit(request, survey, "submission", submissions_per_minute()):
        return _too_many(request, survey)
    try:
        services.response_submit(
            survey=survey,
            language=language,
            answers=answers,
            channel=Channel.KIOSK if kiosk else Channel.LINK,
        )
    except services.SurveyUnavailable:
        _forget(request, survey)
        return _unavailable(request, survey, selectors.survey_state(survey))
    except ValidationError as error:
        # The questionnaire changed while the person answered, or a forged value: show the
        # first step with something to correct.
        problems = error.message_dict if hasattr(error, "error_dict") else {}
        problems = {name: messages[0] for name, messages in problems.items()}
        first = next(
            (i for i in visible_steps if any(q.name in problems for q in steps[i])),
            visible_steps[0],
        )
        return _render_step(request, survey, language, kiosk, steps, first, answers, problems, 400)
    _forget(request, survey)
    return redirect(_urls(survey, kiosk, language)["thanks"])


def _thanks(request: HttpRequest, token: str, language: str, *, kiosk: bool) -> HttpResponse:
    survey = _survey(token)
    if language not in selectors.content_languages():
        raise Http404
    with translation.override(selectors.interface_language(language)):
        request.LANGUAGE_CODE = translation.get_language()
        return _page(
            request,
            "thanks.html",
            {
                "survey": survey,
                "organization": survey.organization,
                "thanks": pick(survey.questionnaire.thanks),
                "kiosk": kiosk,
                "urls": _urls(survey, kiosk, language),
                "reset_seconds": KIOSK_RESET_SECONDS,
            },
        )


@public_page
@never_cache
@require_safe
def answer(request: HttpRequest, token: str) -> HttpResponse:
    return _choose(request, token, kiosk=False)


@public_page
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer_questions(request: HttpRequest, token: str, language: str) -> HttpResponse:
    return _questions(request, token, language, kiosk=False)


@public_page
@never_cache
@require_safe
def answer_thanks(request: HttpRequest, token: str, language: str) -> HttpResponse:
    return _thanks(request, token, language, kiosk=False)


@public_page
@never_cache
@require_safe
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    return _choose(request, token, kiosk=True)


@public_page
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_questions(request: HttpRequest, token: str, language: str) -> HttpResponse:
    return _questions(request, token, language, kiosk=True)


@public_page
@never_cache
@require_safe
def kiosk_thanks(request: HttpRequest, token: str, language: str) -> HttpResponse:
    return _thanks(request, token, language, kiosk=True)


urlpatterns = [
    path("answer/<str:token>/", answer, name="answer"),
    path("answer/<str:token>/<slug:language>/", answer_questions, name="answer_questions"),
    path("answer/<str:token>/<slug:language>/thanks/", answer_thanks, name="answer_thanks"),
    path("kiosk/<str:token>/", kiosk, name="kiosk"),
    path("kiosk/<str:token>/<slug:language>/", kiosk_questions, name="kiosk_questions"),
    path("kiosk/<str:token>/<slug:language>/thanks/", kiosk_thanks, name="kiosk_thanks"),
]
