"""Form pieces every app uses: service errors next to their fields, and safe choices by id."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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


class IdChoiceField(forms.ModelChoiceField):
    """A choice by id that refuses non-numeric or out-of-range ids before asking the database.

    Options are labelled with the object's `name` (translated for reference lists).
    """

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
