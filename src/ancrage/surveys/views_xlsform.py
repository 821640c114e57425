"""XLSForm interchange: import a questionnaire from an XLSForm file, export ours.

Staff who manage the organization's surveys (`MANAGE_SURVEYS`) only; the conversion itself is
in `xlsform.py`."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ancrage.core import tenancy
from ancrage.core.forms import ServiceErrorsMixin
from ancrage.core.tenancy import object_for
from ancrage.core.views import form_page
from ancrage.network.models import Organization
from ancrage.surveys import xlsform
from ancrage.surveys.models import Questionnaire

MANAGE = tenancy.MANAGE_SURVEYS
# Room for the multipart envelope around a 2 MB file: anything larger is refused unread.
REQUEST_MAX = xlsform.MAX_BYTES + 64 * 1024


def _too_large() -> ValidationError:
    return ValidationError(
        gettext_lazy("The file is larger than %(size)d MB."),
        params={"size": xlsform.MAX_BYTES // (1024 * 1024)},
    )


class XLSFormUploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSForm file (.xlsx)"),
        help_text=gettext_lazy("An Excel workbook of 2 MB at most, as KoboToolbox or ODK make."),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{xlsform.MIME_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(gettext_lazy("Only .xlsx files are accepted."))
        if upload.size > xlsform.MAX_BYTES:
            raise _too_large()
        return upload


def _not_allowed(request: HttpRequest, *methods: str) -> HttpResponse | None:
    """Checked after the scoping, so that a foreign id is a 404 whatever the method."""
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    return HttpResponseNotAllowed(methods)


def _after_import(questionnaire: Questionnaire, organization: Organization) -> HttpResponse:
    """The questionnaire's page when the questionnaires' pages offer one, else this page."""
    try:
        return redirect(reverse("surveys:questionnaire", kwargs={"pk": questionnaire.pk}))
    except NoReverseMatch:
        return redirect("surveys:xlsform_import", organization_pk=organization.pk)


def _imported(questionnaire: Questionnaire) -> str:
    count = questionnaire.questions.count()
    return ngettext(
        "“%(title)s” imported: %(count)d question in %(languages)s.",
        "“%(title)s” imported: %(count)d questions in %(languages)s.",
        count,
    ) % {
        "title": questionnaire.title,
        "count": count,
        "languages": ", ".join(questionnaire.languages),
    }


@login_required
def xlsform_import(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = object_for(Organization, request.user, MANAGE, pk=organization_pk)
    if refused := _not_allowed(request, "GET", "POST"):
        return refused
    context = {"organization": organization, "max_mb": xlsform.MAX_BYTES // (1024 * 1024)}
    title = _("Import a questionnaire (XLSForm)")
    template = "surveys/xlsform/import.html"
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > REQUEST_MAX:
            form = XLSFormUploadForm()  # unbound: the body is never read
            form.errors["file"] = form.error_class(_too_large().messages)
            return render(request, template, {"form": form, "title": title, **context})
    return form_page(
        request,
        XLSFormUploadForm(request.POST or None, request.FILES or None),
        save=lambda form: xlsform.questionnaire_import(
            actor=request.user, organization=organization, file=form.cleaned_data["file"]
        ),
        success=_imported,
        done=lambda questionnaire: _after_import(questionnaire, organization),
        title=title,
        template=template,
        context=context,
    )


@login_required
def xlsform_export(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = object_for(Questionnaire, request.user, MANAGE, pk=pk)
    if refused := _not_allowed(request, "GET"):
        return refused
    try:
        content = xlsform.questionnaire_to_xlsform(questionnaire)
    except ValidationError as error:
        return render(
            request,
            "surveys/xlsform/export_refused.html",
            {"questionnaire": questionnaire, "problems": error.messages},
            status=409,
        )
    response = HttpResponse(content, content_type=xlsform.MIME_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{xlsform.export_filename(questionnaire)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list = [
    path(
        "organizations/<int:organization_pk>/xlsform/",
        xlsform_import,
        name="xlsform_import",
    ),
    path("questionnaires/<int:pk>/xlsform.xlsx", xlsform_export, name="xlsform_export"),
]
