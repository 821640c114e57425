"""Staff pages of questionnaires: the library, copying, editing, translations, surveys and their
links, QR codes and posters. `MANAGE_SURVEYS` in the questionnaire's organization for all of
them; the library's ready questionnaires are read by anyone who holds it somewhere."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ancrage.core import tenancy
from ancrage.core.tenancy import object_for
from ancrage.core.translated import pick
from ancrage.core.views import form_page
from ancrage.network.models import Organization
from ancrage.surveys import logic, selectors, services
from ancrage.surveys.forms import (
    ChoiceForm,
    CopyForm,
    QuestionForm,
    QuestionnaireForm,
    SurveyForm,
    TranslationForm,
)
from ancrage.surveys.models import Choice, Question, Questionnaire, Survey

MANAGE = tenancy.MANAGE_SURVEYS


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """The method check comes after the scoping, so that a foreign id is a 404 whatever the
    method (a 405 would tell the id exists)."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _organizations(request: HttpRequest):
    return tenancy.scoped(Organization, request.user, MANAGE).order_by("name")


def _library_questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    if not tenancy.has_capability(request.user, MANAGE):
        raise PermissionDenied
    if not 0 < pk <= tenancy.BIGINT_MAX:
        raise Http404
    found = selectors.library().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _describe_rule(rule: dict, by_name: dict[str, Question]) -> str:
    if not rule:
        return ""
    target = by_name.get(rule.get("question", ""))
    operator = {k: str(v) for k, v in _operator_labels()}
    value = rule.get("value")
    if target is not None and target.kind in logic.CHOICE_KINDS:
        labels = {c.value: pick(c.labels) for c in target.choices.all()}
        shown = (
            ", ".join(labels.get(v, v) for v in value)
            if isinstance(value, list)
            else labels.get(value, value)
        )
    else:
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
    return _("Asked only if %(question)s %(operator)s %(value)s") % {
        "question": rule.get("question"),
        "operator": operator.get(rule.get("operator"), rule.get("operator")),
        "value": "" if shown is None else f"“{shown}”",
    }


def _operator_labels():
    from ancrage.surveys.forms import OPERATORS

    return OPERATORS


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The organization's questionnaires and surveys, and the library to start from."""
    if not tenancy.has_capability(request.user, MANAGE):
        raise PermissionDenied
    now = timezone.now()
    surveys = list(selectors.surveys_of(request.user)[:200])
    for survey in surveys:
        survey.state = selectors.survey_state(survey, now)
    return render(
        request,
        "surveys/home.html",
        {
            "questionnaires": selectors.questionnaires_of(request.user)[:200],
            "surveys": surveys,
            "library": selectors.library(),
        },
    )


@login_required
def library_questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    """A ready questionnaire: read it, copy it into one's organization."""
    source = _library_questionnaire(request, pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    organizations = _organizations(request)
    form = CopyForm(request.POST or None, organizations=organizations)
    return form_page(
        request,
        form,
        save=lambda form: services.questionnaire_copy(
            actor=request.user,
            source=source,
            organization=form.cleaned_data["organization"],
            code=form.cleaned_data["code"] or None,
        ),
        success=_("Questionnaire copied. You can now change it and start a survey."),
        done=lambda copy: redirect("surveys:questionnaire", pk=copy.pk),
        title=source.title,
        template="surveys/library_questionnaire.html",
        context={"questionnaire": source, "questions": _question_rows(source)},
    )


def _question_rows(questionnaire: Questionnaire) -> list[dict]:
    questions = selectors.with_questions(questionnaire)
    by_name = {q.name: q for q in questions}
    return [
        {
            "question": q,
            "rule": _describe_rule(q.show_if, by_name),
            "hint": pick(q.hints),
            "choices": list(q.choices.all()) if q.kind in logic.CHOICE_KINDS else [],
        }
        for q in questions
    ]


@login_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    questions = selectors.with_questions(questionnaire)
    missing = selectors.missing_translations(
        questionnaire, selectors.content_languages(), questions
    )
    offered = set(questionnaire.languages)
    translations = [
        {
            "code": code,
            "name": selectors.language_name(code),
            "offered": code in offered,
            "missing": sum(1 for m in missing if m.language == code),
        }
        for code in selectors.content_languages()
        if code != "fr"
    ]
    gaps = [m for m in missing if m.language in offered]
    now = timezone.now()
    surveys = list(selectors.surveys_of(request.user, questionnaire))
    for survey in surveys:
        survey.state = selectors.survey_state(survey, now)
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "questions": _question_rows(questionnaire),
            "translations": translations,
            "gaps": gaps[:20],
            "gap_count": len(gaps),
            "answered": selectors.has_responses(questionnaire),
            "surveys": surveys,
        },
    )


@login_required
def questionnaire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    form = QuestionnaireForm(
        request.POST or None, initial=QuestionnaireForm.initial_for(questionnaire)
    )
    return form_page(
        request,
        form,
        save=lambda form: services.questionnaire_update(
            actor=request.user, questionnaire=questionnaire, **form.service_arguments()
        ),
        success=_("Questionnaire saved."),
        done=lambda q: redirect("surveys:questionnaire", pk=q.pk),
        title=_("Edit the questionnaire %(title)s") % {"title": questionnaire.title},
        template="surveys/form.html",
        context={"questionnaire": questionnaire},
    )


@login_required
def questionnaire_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A copy of the organization's own questionnaire (to change one that has answers)."""
    source = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if request.method != "POST":
        return render(request, "surveys/copy_confirm.html", {"questionnaire": source})
    copy = services.questionnaire_copy(
        actor=request.user, source=source, organization=source.organization
    )
    messages.success(request, _("Questionnaire copied. Change the copy freely."))
    return redirect("surveys:questionnaire", pk=copy.pk)


@login_required
def questionnaire_translate(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """Every text in one language, each beside its French."""
    questionnaire = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if language not in selectors.content_languages() or language == "fr":
        raise Http404
    questions = selectors.with_questions(questionnaire)
    form = TranslationForm(
        request.POST or None,
        initial={"version": questionnaire.version},
        questionnaire=questionnaire,
        questions=questions,
        language=language,
    )
    return form_page(
        request,
        form,
        save=lambda form: services.translations_set(
            actor=request.user,
            questionnaire=questionnaire,
            version=form.cleaned_data.get("version"),
            language=language,
            texts=form.texts(),
        ),
        success=_("Translation saved."),
        done=lambda q: redirect("surveys:questionnaire", pk=q.pk),
        title=_("%(title)s in %(language)s")
        % {"title": questionnaire.title, "language": selectors.language_name(language)},
        template="surveys/translate.html",
        context={
            "questionnaire": questionnaire,
            "language": language,
            "rtl": language in selectors.RIGHT_TO_LEFT,
            "rows": form.bound_rows(),
            "language_name": selectors.language_name(language),
        },
    )


# --- Questions and choices --------------------------------------------------------------------


def _values_help(questions: list[Question]) -> list[dict]:
    """What a skip rule may compare each earlier question with."""
    rows = []
    for q in questions:
        if q.kind in logic.CHOICE_KINDS:
            values = ", ".join(c.value for c in q.choices.all())
        elif q.kind == "text":
            values = _("(only “has been answered”)")
        else:
            low, high = logic.bounds(logic.spec_of(q))
            values = f"{low} … {high}"
        rows.append({"question": q, "values": values})
    return rows


@login_required
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    earlier = selectors.with_questions(questionnaire)
    form = QuestionForm(
        request.POST or None, earlier=earlier, initial={"show_if_operator": "equals"}
    )
    return form_page(
        request,
        form,
        save=lambda form: services.question_add(
            actor=request.user, questionnaire=questionnaire, **form.service_arguments()
        ),
        success=_("Question added at the end. Move it if needed, then translate it."),
        done=lambda q: redirect("surveys:questionnaire", pk=questionnaire.pk),
        title=_("New question"),
        template="surveys/question_form.html",
        context={"questionnaire": questionnaire, "values_help": _values_help(earlier)},
    )


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = object_for(Question, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    questionnaire = question.questionnaire
    questions = selectors.with_questions(questionnaire)
    earlier = [q for q in questions if q.position < question.position]
    form = QuestionForm(
        request.POST or None,
        earlier=earlier,
        creating=False,
        initial=QuestionForm.initial_for(question),
    )
    return form_page(
        request,
        form,
        save=lambda form: services.question_update(
            actor=request.user, question=question, **form.service_arguments()
        ),
        success=_("Question saved."),
        done=lambda q: redirect("surveys:question_edit", pk=q.pk),
        title=_("Question %(position)s (%(name)s)")
        % {"position": question.position, "name": question.name},
        template="surveys/question_form.html",
        context={
            "questionnaire": questionnaire,
            "question": question,
            "choices": list(question.choices.order_by("position"))
            if question.kind in logic.CHOICE_KINDS
            else [],
            "values_help": _values_help(earlier),
            "answered": selectors.has_responses(questionnaire),
        },
    )


def _moved(request: HttpRequest, move, title: str, back: str, **context) -> HttpResponse:
    """GET asks which way (the page works without JavaScript), POST moves."""
    if request.method != "POST":
        return render(request, "surveys/move.html", {"title": title, "back": back, **context})
    try:
        move(request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@login_required
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = object_for(Question, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return _moved(
        request,
        lambda direction: services.question_move(
            actor=request.user, question=question, direction=direction
        ),
        _("Move the question %(name)s") % {"name": question.name},
        reverse("surveys:questionnaire", args=[question.questionnaire_id]) + "#questions",
        questionnaire=question.questionnaire,
    )


def _remove_page(request: HttpRequest, questionnaire: Questionnaire, what: str, back: str):
    return render(
        request,
        "surveys/remove_confirm.html",
        {"questionnaire": questionnaire, "what": what, "back": back},
    )


@login_required
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    question = object_for(Question, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    questionnaire = question.questionnaire
    back = reverse("surveys:questionnaire", args=[questionnaire.pk])
    if request.method != "POST":
        return _remove_page(
            request,
            questionnaire,
            _("the question %(position)s (%(name)s)")
            % {"position": question.position, "name": question.name},
            back,
        )
    try:
        services.question_remove(actor=request.user, question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Question removed."))
    return redirect(back)


@login_required
def choice_add(request: HttpRequest, pk: int) -> HttpResponse:
    question = object_for(Question, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if question.kind not in logic.CHOICE_KINDS:
        raise Http404
    return form_page(
        request,
        ChoiceForm(request.POST or None),
        save=lambda form: services.choice_add(
            actor=request.user,
            question=question,
            value=form.cleaned_data["value"],
            labels=form.labels(),
        ),
        success=_("Choice added."),
        done=lambda choice: redirect("surveys:question_edit", pk=question.pk),
        title=_("New choice for question %(name)s") % {"name": question.name},
        template="surveys/form.html",
        context={"questionnaire": question.questionnaire, "question": question},
    )


@login_required
def choice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    choice = object_for(Choice, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    question = choice.question
    form = ChoiceForm(
        request.POST or None,
        creating=False,
        initial={"label_fr": choice.labels.get("fr", ""), "label_en": choice.labels.get("en", "")},
    )
    return form_page(
        request,
        form,
        save=lambda form: services.choice_update(
            actor=request.user, choice=choice, labels=form.labels()
        ),
        success=_("Choice saved."),
        done=lambda _choice: redirect("surveys:question_edit", pk=question.pk),
        title=_("Choice %(value)s of question %(name)s")
        % {"value": choice.value, "name": question.name},
        template="surveys/form.html",
        context={"questionnaire": question.questionnaire, "question": question},
    )


@login_required
def choice_move(request: HttpRequest, pk: int) -> HttpResponse:
    choice = object_for(Choice, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return _moved(
        request,
        lambda direction: services.choice_move(
            actor=request.user, choice=choice, direction=direction
        ),
        _("Move the choice %(value)s") % {"value": choice.value},
        reverse("surveys:question_edit", args=[choice.question_id]),
        questionnaire=choice.question.questionnaire,
        question=choice.question,
    )


@login_required
def choice_remove(request: HttpRequest, pk: int) -> HttpResponse:
    choice = object_for(Choice, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    question = choice.question
    back = reverse("surveys:question_edit", args=[question.pk])
    if request.method != "POST":
        return _remove_page(
            request,
            question.questionnaire,
            _("the choice “%(label)s”") % {"label": choice.label},
            back,
        )
    try:
        services.choice_remove(actor=request.user, choice=choice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Choice removed."))
    return redirect(back)


# --- Surveys ----------------------------------------------------------------------------------


def _survey_form(request: HttpRequest, organization_id: int, survey: Survey | None = None):
    return SurveyForm(
        request.POST or None,
        sessions=selectors.sessions_for_surveys(
            request.user, organization_id, include=survey.session_id if survey else None
        ),
        service_types=selectors.service_types_for_surveys(organization_id),
        initial=SurveyForm.initial_for(survey)
        if survey
        else {"opens_at": timezone.localtime().replace(second=0, microsecond=0)},
    )


@login_required
def survey_create(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        _survey_form(request, questionnaire.organization_id),
        save=lambda form: services.survey_create(
            actor=request.user, questionnaire=questionnaire, **form.service_arguments()
        ),
        success=_("Survey created. Share its link or QR code, or open it on a kiosk."),
        done=lambda survey: redirect("surveys:survey", pk=survey.pk),
        title=_("New survey of %(title)s") % {"title": questionnaire.title},
        template="surveys/form.html",
        context={"questionnaire": questionnaire},
    )


@login_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    return form_page(
        request,
        _survey_form(request, survey.organization_id, survey),
        save=lambda form: services.survey_update(
            actor=request.user, survey=survey, **form.service_arguments()
        ),
        success=_("Survey saved."),
        done=lambda s: redirect("surveys:survey", pk=s.pk),
        title=_("Edit the survey %(name)s") % {"name": str(survey)},
        template="surveys/form.html",
        context={"questionnaire": survey.questionnaire, "survey": survey},
    )


def _links(request: HttpRequest, survey: Survey) -> dict[str, str]:
    return {
        "answer": request.build_absolute_uri(reverse("surveys:answer", args=[survey.token])),
        "kiosk": request.build_absolute_uri(reverse("surveys:kiosk", args=[survey.token])),
    }


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    questionnaire = survey.questionnaire
    offered = selectors.ordered_languages(questionnaire.languages)
    complete = selectors.complete_languages(questionnaire)
    counts = selectors.response_counts(survey)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "questionnaire": questionnaire,
            "state": selectors.survey_state(survey),
            "links": _links(request, survey),
            "incomplete": [selectors.language_name(c) for c in offered if c not in complete],
            "counts": counts,
            "by_language": [
                (selectors.language_name(code), counts.get(f"language:{code}", 0))
                for code in offered
            ],
        },
    )


@login_required
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    if request.method != "POST":
        return render(request, "surveys/close_confirm.html", {"survey": survey})
    services.survey_close(actor=request.user, survey=survey)
    messages.success(request, _("Survey closed: the link no longer takes answers."))
    return redirect("surveys:survey", pk=survey.pk)


QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@login_required
def survey_qr(request: HttpRequest, pk: int, format: str) -> HttpResponse:
    """The QR code of the survey's anonymous link, to download (PNG or SVG)."""
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    if format not in QR_TYPES:
        raise Http404
    code = segno.make(_links(request, survey)["answer"], error="m")
    buffer = io.BytesIO()
    if format == "png":
        code.save(buffer, kind="png", scale=12, border=4)
    else:
        code.save(buffer, kind="svg", scale=10, border=4, title=_("QR code of the survey"))
    response = HttpResponse(buffer.getvalue(), content_type=QR_TYPES[format])
    inline = request.GET.get("inline") == "1"
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="survey-{survey.pk}-qr.{format}"'
    )
    return response


@login_required
def survey_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable poster: the questionnaire's title in each language offered, the QR code and
    the link written out."""
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    questionnaire = survey.questionnaire
    languages = [
        {
            "code": code,
            "interface": selectors.interface_language(code),
            "rtl": code in selectors.RIGHT_TO_LEFT,
            "title": pick(questionnaire.titles, code),
        }
        for code in selectors.complete_languages(questionnaire)
    ]
    return render(
        request,
        "surveys/poster.html",
        {
            "survey": survey,
            "questionnaire": questionnaire,
            "languages": languages,
            "links": _links(request, survey),
            "qr_url": reverse("surveys:survey_qr", args=[survey.pk, "svg"]) + "?inline=1",
        },
    )


urlpatterns = [
    path("", home, name="home"),
    path("library/<int:pk>/", library_questionnaire, name="library_questionnaire"),
    path("questionnaires/<int:pk>/", questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/edit/", questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/copy/", questionnaire_copy, name="questionnaire_copy"),
    path(
        "questionnaires/<int:pk>/translate/<slug:language>/",
        questionnaire_translate,
        name="questionnaire_translate",
    ),
    path("questionnaires/<int:pk>/questions/new/", question_add, name="question_add"),
    path("questionnaires/<int:pk>/surveys/new/", survey_create, name="survey_create"),
    path("questions/<int:pk>/edit/", question_edit, name="question_edit"),
    path("questions/<int:pk>/move/", question_move, name="question_move"),
    path("questions/<int:pk>/remove/", question_remove, name="question_remove"),
    path("questions/<int:pk>/choices/new/", choice_add, name="choice_add"),
    path("choices/<int:pk>/edit/", choice_edit, name="choice_edit"),
    path("choices/<int:pk>/move/", choice_move, name="choice_move"),
    path("choices/<int:pk>/remove/", choice_remove, name="choice_remove"),
    path("surveys/<int:pk>/", survey_detail, name="survey"),
    path("surveys/<int:pk>/edit/", survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/close/", survey_close, name="survey_close"),
    path("surveys/<int:pk>/qr.<str:format>", survey_qr, name="survey_qr"),
    path("surveys/<int:pk>/poster/", survey_poster, name="survey_poster"),
]
