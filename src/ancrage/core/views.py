from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

import ancrage
from ancrage.core import second_factor
from ancrage.core.forms import SecondFactorForm


def public_page(view: Callable | None = None, *, when: Callable[[HttpRequest], bool] | None = None):
    """Mark a view as a public page: it is offered in every language of the public interface.

    `when` narrows it to some requests (the home page is public for visitors, not for staff).
    """

    def mark(func: Callable) -> Callable:
        func.ancrage_public = when or True  # type: ignore[attr-defined]
        return func

    return mark(view) if view is not None else mark


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": connection.vendor, "version": ancrage.__version__}
    )


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    save: Callable[[Any], Any],
    success: str | Callable[[Any], str],
    done: Callable[[Any], HttpResponse],
    title: str,
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The one flow of every form page: parse, call the service, show its errors or move on.

    `save(form)` calls a service with the cleaned data; a ValidationError it raises is shown next
    to the fields it names and nothing is saved (services run in one transaction).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return done(result)
    return render(request, template, {"form": form, "title": title, **(context or {})})


def _next_page(request: HttpRequest) -> str:
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe and wanted else resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code of the person's app, or linking one first."""
    next_page = _next_page(request)
    if second_factor.is_verified(request) or not second_factor.needs_second_factor(request.user):
        return redirect(next_page)
    device = second_factor.confirmed_device(request.user)
    linking = device is None
    if linking:
        device = second_factor.device_to_link(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = second_factor.second_factor_verify(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if attempt.accepted:
            if linking:
                messages.success(request, _("Your authenticator app is linked to your account."))
            return redirect(next_page)
        if attempt.retry_at is not None:
            form.add_error(
                "code",
                _("Too many wrong codes: wait until %(time)s, then type the new code.")
                % {"time": formats.time_format(timezone.localtime(attempt.retry_at), "H:i:s")},
            )
        else:
            form.add_error("code", _("This code is not the one expected. Type the code shown now."))
    context = {"form": form, "linking": linking, "next": next_page}
    if linking:
        context["qr_code"] = mark_safe(second_factor.qr_code_svg(device))  # noqa: S308 (segno's SVG)
        context["secret"] = second_factor.secret_in_groups(device)
    if settings.ANCRAGE_DEMO_BANNER and not settings.PRODUCTION:
        # The demonstration's accounts have no phone: the code is shown, never in production.
        context["demo_code"] = second_factor.current_code(device)
    return render(request, "registration/second_factor.html", context)
