"""Staff pages of funding: the programs and their rule versions, trying the rules on a person,
and — for administrators — new programs and new rule versions, without code.

No URL carries an id: the program a new version belongs to is a choice in the form, limited to
the programs the user may manage (a forged id is a form error).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ancrage.core import tenancy
from ancrage.core.forms import valid_id
from ancrage.core.views import form_page
from ancrage.funding import selectors, services
from ancrage.funding.conditions import describe
from ancrage.funding.forms import ProgramForm, RuleVersionForm, TryPersonForm


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_capability(request.user, tenancy.VIEW_FUNDING):
        raise PermissionDenied
    programs = list(selectors.program_catalogue())
    manageable = set(selectors.manageable_programs(request.user).values_list("pk", flat=True))
    catalogue = [
        {
            "program": program,
            "may_manage": program.pk in manageable,
            "versions": [
                {"rule": rule, "lines": describe(rule.conditions)} for rule in program.rules.all()
            ],
        }
        for program in programs
    ]
    # The person being tried comes in the query string (GET): nothing is saved, the page can be
    # bookmarked, and a malformed value is a form error.
    form = TryPersonForm(request.GET if "on" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        try:
            results = selectors.eligibility_for(form.facts(), form.cleaned_data["on"])
        except ValidationError as error:
            form.add_service_errors(error)
    return render(
        request,
        "funding/program_list.html",
        {
            "catalogue": catalogue,
            "form": form,
            "results": results,
            "may_create": tenancy.has_capability(request.user, tenancy.MANAGE_FUNDING),
        },
    )


def _require_manager(request: HttpRequest) -> None:
    if not tenancy.has_capability(request.user, tenancy.MANAGE_FUNDING):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return form_page(
        request,
        ProgramForm(request.POST or None, funders=selectors.possible_funders(request.user)),
        save=lambda form: services.program_create(actor=request.user, **form.service_arguments()),
        success=lambda program: (
            _("Program %(name)s created. Add its eligibility rule.") % {"name": program.name}
        ),
        done=lambda program: redirect(f"{reverse('funding:rule_create')}?program={program.pk}"),
        title=_("New funding program"),
        template="funding/form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    programs = selectors.manageable_programs(request.user)
    initial = None
    chosen = valid_id(request.GET.get("program"))
    if request.method == "GET" and chosen is not None:
        program = programs.filter(pk=chosen).first()
        initial = RuleVersionForm.initial_for(program) if program is not None else None
    return form_page(
        request,
        RuleVersionForm(request.POST or None, programs=programs, initial=initial),
        save=lambda form: services.rule_version_create(
            actor=request.user, **form.service_arguments()
        ),
        success=lambda rule: (
            _("New version of the rule of %(name)s saved (%(period)s).")
            % {"name": rule.program.name, "period": rule.period}
        ),
        done=lambda rule: redirect("funding:program_list"),
        title=_("New version of an eligibility rule"),
        template="funding/form.html",
    )


urlpatterns = [
    path("", program_list, name="program_list"),
    path("programs/new/", program_create, name="program_create"),
    path("rules/new/", rule_create, name="rule_create"),
]
