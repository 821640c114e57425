"""Results per question, language and period (through core.privacy.suppress), exports, and "you said, we did".

Staff pages need `surveys.manage` in the survey's organization (a forged or foreign id is a 404,
a member without the capability a 403); free text and the anonymous answers need
`surveys.free_text` too. The public page of an organization's "you said, we did" needs no login
and speaks every public language. Bad filters are said in words (400), never an error page.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from ancrage.core import tenancy
from ancrage.core.forms import IdChoiceField, ServiceErrorsMixin, valid_id
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page, public_page
from ancrage.network.models import Organization
from ancrage.surveys import actions as action_services
from ancrage.surveys import exports, results
from ancrage.surveys.models import QuestionKind, Survey, SurveyAction

MANAGE = tenancy.MANAGE_SURVEYS
FREE_TEXT = tenancy.READ_FREE_TEXT


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """The method check comes after the scoping, so that a foreign id is a 404 whatever the
    method (a 405 would tell the id exists)."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


# --- Forms (they only parse) -----------------------------------------------------------------------


class ResultFilterForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    columns = forms.ChoiceField(
        label=gettext_lazy("Columns"), required=False, choices=results.BREAKDOWNS
    )

    def __init__(self, data: Any, *, choices: results.FilterChoices) -> None:
        super().__init__(data)
        self.fields["language"].choices = [("", _("All languages")), *choices.languages]
        self.fields["period"].choices = [("", _("All periods")), *choices.periods]

    def filters(self) -> results.ResultFilters:
        if not self.is_bound:
            return results.ResultFilters()
        data = self.cleaned_data
        return results.ResultFilters(
            language=data.get("language") or "",
            period=data.get("period") or "",
            columns=data.get("columns") or "",
        )

    def query(self) -> str:
        filters = self.filters()
        pairs = [(k, getattr(filters, k)) for k in ("language", "period", "columns")]
        return urlencode([(k, v) for k, v in pairs if v])


class ExportForm(forms.Form):
    file = forms.ChoiceField(
        label=gettext_lazy("File"), choices=[("csv", "CSV"), ("xlsx", "XLSX")], initial="csv"
    )
    content = forms.ChoiceField(
        label=gettext_lazy("Content"),
        required=False,
        choices=[
            ("results", gettext_lazy("Results")),
            ("answers", gettext_lazy("Anonymous answers")),
        ],
    )


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAIN_LANGUAGES = ("fr", "en")


class ActionForm(ServiceErrorsMixin, forms.Form):
    """What people said and what was done, French and English required, other languages optional."""

    error_aliases = {"said": "said_fr", "did": "did_fr"}

    done_on = forms.DateField(label=gettext_lazy("Date of the action"), widget=DATE)
    survey = IdChoiceField(
        label=gettext_lazy("In answer to the survey"),
        required=False,
        queryset=Survey.objects.none(),
        empty_label=gettext_lazy("No survey (heard elsewhere)"),
    )
    is_public = forms.BooleanField(
        label=gettext_lazy("Show on the public page and in the annual report"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, surveys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys
        self.fields["survey"].label_from_instance = str
        names = results.language_names(action_services.LANGUAGES)
        for code in action_services.LANGUAGES:
            required = code in MAIN_LANGUAGES
            for part, label in (
                ("said", _("You said (%(language)s)")),
                ("did", _("We did (%(language)s)")),
            ):
                field = forms.CharField(
                    label=label % {"language": names[code]},
                    required=required,
                    max_length=action_services.TEXT_LIMIT,
                    widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
                )
                self.fields[f"{part}_{code}"] = field

    def main_fields(self) -> list:
        names = [f"{part}_{code}" for code in MAIN_LANGUAGES for part in ("said", "did")]
        return [self[name] for name in names] + [self["done_on"], self["survey"], self["is_public"]]

    def other_language_fields(self) -> list:
        return [
            self[f"{part}_{code}"]
            for code in action_services.LANGUAGES
            if code not in MAIN_LANGUAGES
            for part in ("said", "did")
        ]

    @classmethod
    def initial_for(cls, action: SurveyAction) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "done_on": action.done_on,
            "survey": action.survey_id,
            "is_public": action.is_public,
        }
        for part in ("said", "did"):
            for code, text in (getattr(action, part) or {}).items():
                initial[f"{part}_{code}"] = text
        return initial

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "said": {c: data.get(f"said_{c}") or "" for c in action_services.LANGUAGES},
            "did": {c: data.get(f"did_{c}") or "" for c in action_services.LANGUAGES},
            "done_on": data["done_on"],
            "survey": data.get("survey"),
            "is_public": bool(data.get("is_public")),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            renamed: dict[str, list[str]] = {}
            for name, found in error.message_dict.items():
                renamed.setdefault(self.error_aliases.get(name, name), []).extend(found)
            error = ValidationError(renamed)
        super().add_service_errors(error)


# --- Results ---------------------------------------------------------------------------------------


def _filter_form(request: HttpRequest, survey: Survey) -> ResultFilterForm:
    data = {k: request.GET[k] for k in ("language", "period", "columns") if k in request.GET}
    return ResultFilterForm(
        data or None, choices=results.filter_choices(user=request.user, survey=survey)
    )


@login_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    form = _filter_form(request, survey)
    context: dict[str, Any] = {"survey": survey, "form": form, "data": None}
    if form.is_bound and not form.is_valid():
        return render(request, "surveys/results/results.html", context, status=400)
    data = results.survey_results(user=request.user, survey=survey, filters=form.filters())
    written: dict[int, list[results.WrittenAnswer]] = {}
    if data.may_read_text and any(q.kind == QuestionKind.TEXT for q in data.questions):
        written = results.free_text_answers(
            user=request.user, survey=survey, filters=form.filters()
        )
    for item in data.questions:
        item.written = written.get(item.question.pk, [])  # type: ignore[attr-defined]
    context.update(
        data=data,
        query=form.query(),
        may_export_answers=data.may_read_text,
        shown_limit=results.FREE_TEXT_SHOWN,
        score_label=exports.score_label(),
    )
    return render(request, "surveys/results/results.html", context)


def _bad_request(form: forms.Form) -> HttpResponse:
    lines = [
        f"{form.fields[name].label if name in form.fields else ''}: {error}"
        for name, errors in form.errors.items()
        for error in errors
    ]
    return HttpResponse(
        "\n".join([_("The request is not valid."), *lines]) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@login_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = object_for(Survey, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    what = ExportForm({"file": request.GET.get("file", "csv"), **_content(request)})
    filters_form = _filter_form(request, survey)
    if not what.is_valid():
        return _bad_request(what)
    if filters_form.is_bound and not filters_form.is_valid():
        return _bad_request(filters_form)
    file_format, content = what.cleaned_data["file"], what.cleaned_data["content"] or "results"
    filters = filters_form.filters()
    if content == "answers":
        if not tenancy.has_capability(request.user, FREE_TEXT, survey.organization_id):
            raise PermissionDenied
        body = exports.answers_file(
            results.raw_answers(user=request.user, survey=survey, filters=filters), file_format
        )
    else:
        data = results.survey_results(user=request.user, survey=survey, filters=filters)
        body = exports.results_file(data, file_format)
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[file_format])
    name = exports.filename(content, survey.pk, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _content(request: HttpRequest) -> dict[str, str]:
    return {"content": request.GET["content"]} if "content" in request.GET else {}


# --- "You said, we did": staff pages ---------------------------------------------------------------


@login_required
def action_list(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, MANAGE, pk=organization_pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    surveys = results.surveys_of(user=request.user, organization=organization)
    form = ActionForm(
        request.POST or None, surveys=surveys, initial={"done_on": timezone.localdate()}
    )
    return form_page(
        request,
        form,
        save=lambda form: action_services.action_create(
            actor=request.user, organization=organization, **form.service_arguments()
        ),
        success=_("Action saved."),
        done=lambda action: redirect("surveys:actions", organization_pk=organization.pk),
        title=_("You said, we did"),
        template="surveys/results/actions.html",
        context={
            "organization": organization,
            "actions": [
                (action, results.shown_text(action.said), results.shown_text(action.did))
                for action in results.staff_actions(user=request.user, organization=organization)
            ],
        },
    )


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = object_for(SurveyAction, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    organization = action.organization
    form = ActionForm(
        request.POST or None,
        surveys=results.surveys_of(user=request.user, organization=organization),
        initial=ActionForm.initial_for(action),
    )
    return form_page(
        request,
        form,
        save=lambda form: action_services.action_update(
            actor=request.user, action=action, **form.service_arguments()
        ),
        success=_("Action saved."),
        done=lambda saved: redirect("surveys:actions", organization_pk=organization.pk),
        title=_("Correct an action"),
        template="surveys/results/action_form.html",
        context={"organization": organization, "action": action},
    )


@login_required
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = object_for(SurveyAction, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    organization = action.organization
    if request.method == "POST":
        action_services.action_delete(actor=request.user, action=action)
        messages.success(request, _("Action removed."))
        return redirect("surveys:actions", organization_pk=organization.pk)
    return render(
        request,
        "surveys/results/action_delete.html",
        {"organization": organization, "action": action, "shown": results.shown_text(action.did)},
    )


# --- "You said, we did": the public page -----------------------------------------------------------


@public_page
@require_safe
def public_actions(request: HttpRequest, organization_pk: int) -> HttpResponse:
    pk = valid_id(organization_pk)
    organization = Organization.objects.filter(pk=pk).first() if pk else None
    if organization is None:
        raise Http404
    return render(
        request,
        "surveys/results/public_actions.html",
        {
            "organization": organization,
            "actions": results.public_actions(organization=organization),
        },
    )


urlpatterns = [
    path("<int:pk>/results/", survey_results, name="results"),
    path("<int:pk>/results/export/", results_export, name="results_export"),
    path("organizations/<int:organization_pk>/actions/", action_list, name="actions"),
    path("actions/<int:pk>/edit/", action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", action_delete, name="action_delete"),
    path(
        "organizations/<int:organization_pk>/you-said-we-did/",
        public_actions,
        name="public_actions",
    ),
]
