"""Allocation: optimizer runs with pins and exclusions, requested vs recommended vs allocated, decisions and letters.

The committee's pages need `grants.manage` in the call's funder (a foreign or forged id is a
404). A decision letter is also downloadable by the applicant organization (`grants.apply`).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.tenancy import BIGINT_MAX, object_for
from ancrage.grants import decisions, letters
from ancrage.grants.forms_review import AdoptForm, AllocationForm
from ancrage.grants.models import AllocationRun, Application, ApplicationState, CallState, GrantCall

MANAGE = tenancy.MANAGE_CALLS
RUNS_SHOWN = 20


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """After the scoping: a foreign id is a 404 whatever the method."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _initial(call: GrantCall, run: AllocationRun | None) -> dict[str, Any]:
    """The options of the run shown (to re-run with a change), else the call's own cap."""
    if run is None:
        return {"cap": call.max_per_organization, "floor_percent": 50}
    options = run.options or {}
    return {
        "partial": options.get("partial", False),
        "floor_percent": options.get("floor_percent") or 0,
        "one_per_objective": options.get("one_per_objective", False),
        "cap": options.get("cap"),
        "pinned": run.pinned,
        "excluded": run.excluded,
    }


def _page(
    request: HttpRequest,
    call: GrantCall,
    run: AllocationRun | None,
    form: AllocationForm | None = None,
    adopt_form: AdoptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    found = decisions.candidates_of(call)
    submitted = [found.applications[pk] for pk in sorted(found.applications)]
    if form is None:
        form = AllocationForm(initial=_initial(call, run), applications=submitted)
    years, lines = decisions.comparison(call, run)
    decision = decisions.decision_of(call)
    stale = decisions.stale_reason(run) if run is not None and not run.is_decision else ""
    greedy = (run.result or {}).get("greedy") if run is not None else None
    pinned = {str(v) for v in (form["pinned"].value() or [])}
    excluded = {str(v) for v in (form["excluded"].value() or [])}
    return render(
        request,
        "grants/allocation/allocation.html",
        {
            "call": call,
            "run": run,
            "form": form,
            "adopt_form": adopt_form or AdoptForm(),
            "years": years,
            "lines": lines,
            "candidates": {c.id for c in found.candidates},
            "unreviewed": found.unreviewed,
            "pinned": pinned,
            "excluded": excluded,
            "decision": decision,
            "stale": stale,
            "explanation": decisions.reasons_of(run) if run is not None else "",
            "greedy": greedy,
            "can_adopt": run is not None
            and run.feasible
            and not run.is_decision
            and decision is None
            and not stale
            and call.state == CallState.CLOSED
            and not found.unreviewed,
            "runs": list(decisions.runs_of(call)[:RUNS_SHOWN]),
            "letter_languages": [
                (code, letters.describe_language(code)) for code in letters.LANGUAGES
            ],
            "decided_states": (ApplicationState.FUNDED, ApplicationState.DECLINED),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
def call_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """The options, pins and exclusions; the latest run (or the decision) side by side with
    what was requested and what remains; a POST runs the optimizer again."""
    call = object_for(GrantCall, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    latest = decisions.decision_of(call) or decisions.runs_of(call).first()
    if request.method != "POST":
        return _page(request, call, latest)
    found = decisions.candidates_of(call)
    submitted = [found.applications[k] for k in sorted(found.applications)]
    form = AllocationForm(request.POST, applications=submitted)
    if form.is_valid():
        try:
            run = decisions.allocation_run(
                actor=request.user, call=call, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if run.feasible:
                messages.success(request, _("Allocation computed: check it, then adopt it."))
            else:
                messages.error(
                    request, _("No allocation fits these options: see why below. Nothing changed.")
                )
            return redirect("grants:allocation_run", pk=run.pk)
    return _page(request, call, latest, form=form, status=400)


def _run_for(user: Any, pk: int) -> AllocationRun:
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    run = object_for(AllocationRun, user, MANAGE, pk=pk)
    return run


@login_required
def allocation_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    return _page(request, run.call, run)


@login_required
def allocation_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request.user, pk)
    if refused := _not_allowed(request, "POST"):
        return refused
    form = AdoptForm(request.POST)
    if form.is_valid():
        try:
            decisions.run_adopt(actor=request.user, run=run)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Decision adopted: the projects are funded or declined; the letters are ready."),
            )
            return redirect("grants:allocation_run", pk=run.pk)
    run.refresh_from_db()
    return _page(request, run.call, run, adopt_form=form, status=400)


def _decided_application(user: Any, pk: int) -> Application:
    """A decided application, for the funder's call managers or the applicant organization."""
    if not 0 < pk <= BIGINT_MAX:
        raise Http404
    calls = tenancy.scoped(GrantCall, user, MANAGE)
    own = tenancy.scoped(Application, user, tenancy.APPLY_GRANTS)
    found = (
        Application.objects.filter(Q(call__in=calls) | Q(pk__in=own.values("pk")))
        .filter(pk=pk, state__in=letters.DECIDED)
        .select_related("call", "call__funder", "organization")
        .first()
    )
    if found is None:
        raise Http404
    return found


@login_required
def decision_letter(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The decision letter of an application, as PDF, in French or English."""
    application = _decided_application(request.user, pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    if language not in letters.LANGUAGES:
        raise Http404
    try:
        content = letters.letter_pdf(application, language=language)
    except letters.NotDecided:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{letters.filename(application, language)}"'
    )
    response["Content-Language"] = language
    return response


urlpatterns = [
    path("calls/<int:pk>/allocation/", call_allocation, name="call_allocation"),
    path("allocation-runs/<int:pk>/", allocation_run, name="allocation_run"),
    path("allocation-runs/<int:pk>/adopt/", allocation_adopt, name="allocation_adopt"),
    path("applications/<int:pk>/letter/<str:language>/", decision_letter, name="decision_letter"),
]
