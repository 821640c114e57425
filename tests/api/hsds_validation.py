"""Validating answers against the official HSDS 3.0 schemas (jsonschema, draft 2020-12)."""

import datetime
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

FORMATS = FormatChecker(["uuid", "email", "date"])


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.datetime.fromisoformat(value)
    return True


def errors_of(instance: object, schema: dict, registry=None) -> list[str]:
    kwargs = {"registry": registry} if registry is not None else {}
    validator = Draft202012Validator(schema, format_checker=FORMATS, **kwargs)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:200]}"
        for error in validator.iter_errors(instance)
    ]


def assert_valid(instance: object, schema: dict, registry=None) -> None:
    errors = errors_of(instance, schema, registry)
    assert not errors, "\n".join(errors[:20])
