"""Form pieces every app uses: service errors next to their fields, and safe choices by id."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ancrage.core.tenancy import BIGINT_MAX


class ServiceErrorsMixin:
    """Put a service's ValidationError next to the fields it names."""

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


def valid_id(value: Any) -> int | None:
    """The id as an int if it can be a database id at all (1 … 2⁶³−1), else None."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 19:
            return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= BIGINT_MAX else None


def _attributes(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html: `True` as a bare attribute, `False` left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ListSelect(forms.Select):
    """The same `<select>` as Django's, written in Python rather than one template per option.

    A list of a hundred organizations costs a few hundred template renders in Django's widget; the
    public calendar's filters and the staff forms' long lists are rendered on every request.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', context["name"]), _attributes(context["attrs"])]
        parts.append(">")
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html('\n  <option value="{}"', str(option["value"]))
                    + _attributes(option["attrs"])
                    + format_html(">{}</option>", option["label"])
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


class IdChoiceField(forms.ModelChoiceField):
    """A choice by id that refuses non-numeric or out-of-range ids before asking the database.

    Options are labelled with the object's `name` (translated for reference lists).
    """

    widget = ListSelect

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if valid_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(str(value).strip())

    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", obj))


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several choices by id; non-numeric or out-of-range ids are a form error, not a 500."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if valid_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(pk)[:20]},
                )
        return super()._check_values(value)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
        help_text=_("The code your authenticator app shows now for Ancrage."),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(_("Type the six digits the app shows, without letters."))
        return code
