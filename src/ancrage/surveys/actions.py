"""Writes of "you said, we did": what people said, what the organization did in answer.

Each action says both in French and in English at least, and optionally in the other public
languages; it may answer one of the organization's surveys or none (what was heard at a desk, a
meeting). Public actions show on the organization's public page and in its plain-language annual
report. Staff who manage surveys in the organization write them; every write is audited.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.translated import base_language, missing_languages
from ancrage.network.models import Organization
from ancrage.surveys.models import Survey, SurveyAction

TEXT_LIMIT = 2000
EARLIEST = date(2000, 1, 1)
# Language codes an action may be written in: the public languages, as `pick` reads them.
LANGUAGES = tuple(base_language(code) for code, _name in settings.LANGUAGES)


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _require(actor: Any, organization_id: int) -> None:
    """A person acts only where they manage surveys; `actor=None` is the system (demo, imports)."""
    if actor is not None and not tenancy.has_capability(
        actor, tenancy.MANAGE_SURVEYS, organization_id
    ):
        raise PermissionDenied


def _texts(value: Any, field: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise ValidationError({field: _("Give the text per language.")})
    texts = {k: v.strip() for k, v in value.items() if v and v.strip()}
    unknown = sorted(set(texts) - set(LANGUAGES))
    if unknown:
        raise ValidationError(
            {field: _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    missing = missing_languages(texts)
    if missing:
        raise ValidationError(
            {
                field: _("Write it in French and in English at least (missing: %(codes)s).")
                % {"codes": ", ".join(missing)}
            }
        )
    if any(len(text) > TEXT_LIMIT for text in texts.values()):
        raise ValidationError(
            {field: _("Keep it under %(limit)s characters per language.") % {"limit": TEXT_LIMIT}}
        )
    # In the project's order of languages, so that the stored object reads the same every time.
    return {code: texts[code] for code in LANGUAGES if code in texts}


def _checked(
    organization: Organization,
    *,
    said: Any,
    did: Any,
    done_on: Any,
    survey: Survey | None,
    is_public: Any,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, value in (("said", said), ("did", did)):
        try:
            values[name] = _texts(value, name)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not isinstance(done_on, date):
        errors["done_on"] = [_("Enter a date.")]
    elif not EARLIEST <= done_on <= timezone.localdate():
        errors["done_on"] = [
            _(
                "Give the day it was done: between 2000 and today (an action is published once done)."
            )
        ]
    if survey is not None and (
        not isinstance(survey, Survey) or survey.organization_id != organization.pk
    ):
        errors["survey"] = [_("Choose one of the organization's surveys.")]
    if not isinstance(is_public, bool):
        errors["is_public"] = [_("Say whether it is shown on the public page.")]
    if errors:
        raise ValidationError(errors)
    values.update(done_on=done_on, survey=survey, is_public=is_public)
    return values


def _details(action: SurveyAction) -> dict[str, Any]:
    # The languages written, never the texts (the log is not the place for content).
    return {
        "said": sorted(action.said),
        "did": sorted(action.did),
        "done_on": action.done_on.isoformat(),
        "survey": action.survey_id,
        "is_public": action.is_public,
    }


@transaction.atomic
def action_create(
    *,
    actor: Any,
    organization: Organization,
    said: dict[str, str],
    did: dict[str, str],
    done_on: date,
    survey: Survey | None = None,
    is_public: bool = True,
) -> SurveyAction:
    """Write what people said and what was done about it."""
    _require(actor, organization.pk)
    values = _checked(
        organization, said=said, did=did, done_on=done_on, survey=survey, is_public=is_public
    )
    action = SurveyAction.objects.create(
        organization=organization, created_by=actor if _is_person(actor) else None, **values
    )
    audit_record(
        actor=actor,
        action="create",
        target=action,
        organization_id=organization.pk,
        details=_details(action),
    )
    return action


@transaction.atomic
def action_update(
    *,
    actor: Any,
    action: SurveyAction,
    said: dict[str, str],
    did: dict[str, str],
    done_on: date,
    survey: Survey | None = None,
    is_public: bool = True,
) -> SurveyAction:
    """Correct an action (its texts, day, survey, whether it is public)."""
    _require(actor, action.organization_id)
    values = _checked(
        action.organization,
        said=said,
        did=did,
        done_on=done_on,
        survey=survey,
        is_public=is_public,
    )
    locked = SurveyAction.objects.select_for_update().get(pk=action.pk)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    audit_record(
        actor=actor,
        action="change",
        target=locked,
        organization_id=locked.organization_id,
        details=_details(locked),
    )
    return locked


@transaction.atomic
def action_delete(*, actor: Any, action: SurveyAction) -> None:
    """Remove an action (it leaves the public page at once)."""
    _require(actor, action.organization_id)
    audit_record(
        actor=actor,
        action="delete",
        target=action,
        organization_id=action.organization_id,
        details=_details(action),
    )
    action.delete()
