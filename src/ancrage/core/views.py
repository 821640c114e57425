from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import ancrage


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
