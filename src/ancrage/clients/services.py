"""Every write to clients: registration (profile + vault, duplicate check), edits with a version
check (a second save from the same version is refused), consents and overrides, key rotation.

Callers pass objects fetched through `core.tenancy`; these functions check what scoping cannot:
dates that agree with each other, the identity capability for the vault, the organization a
consent names. Each runs in one transaction and is audited.
"""

import re
import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.clients import selectors, vault
from ancrage.clients.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PURPOSES_WITH_COUNTERPART,
    AgeBand,
    Client,
    ConsentOverride,
    ConsentRecord,
    FrenchLevel,
    Gender,
    Household,
    Identity,
    IdentityToken,
    Purpose,
)
from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.network.models import Organization

EARLIEST_DATE = date(1900, 1, 1)
HOUSEHOLD_MAX = 30
OVERRIDE_MAX_DAYS = 30
REASON_MIN = 10

PROFILE_FIELDS = (
    "immigration_status",
    "status_since",
    "arrived_canada_on",
    "arrived_quebec_on",
    "age_band",
    "gender",
    "french_level",
    "borough",
    "household",
    "household_size",
    "library_user",
    "document_language",
)
PROFILE_DATES = ("status_since", "arrived_canada_on", "arrived_quebec_on")

# Identity fields as services take them: text, except the date of birth (`born_on`, a date).
IDENTITY_TEXT_LIMITS = {
    "given_names": 150,
    "family_names": 150,
    "preferred_name": 150,
    "phone": 30,
    "email": 254,
    "address": 300,
    "uci_number": 40,
    "health_insurance_number": 40,
    "other_file_number": 60,
    "note": 4000,
}
FILE_NUMBERS = ("uci_number", "health_insurance_number", "other_file_number")
PHONE = re.compile(r"^[0-9+().\-\s#xX]{7,30}$")


class StaleEdit(ValidationError):
    """Someone saved the record since this edit started: this save is refused."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else saved this client after you opened the page; your changes were "
                "not saved, so that theirs are not lost. Open the page again to see the current "
                "version, then make your changes again."
            ),
            code="stale",
        )


class PossibleDuplicate(ValidationError):
    """The person may already be registered: registration waits for a confirmation."""

    def __init__(self, candidates: list[Client]) -> None:
        super().__init__(
            _(
                "This person may already be registered (%(codes)s). Open the file to check; if "
                "this is another person, tick “This is another person” and save again."
            )
            % {"codes": ", ".join(c.code for c in candidates)},
            code="possible_duplicate",
        )
        self.candidates = candidates


# --- Checks -------------------------------------------------------------------------------------


def _document_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _profile_errors(values: dict[str, Any], *, born_on: date | None, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in PROFILE_DATES:
        day = values.get(field)
        if day is None:
            continue
        if day > today:
            errors[field] = _("This date is in the future.")
        elif day < EARLIEST_DATE:
            errors[field] = _("Check this date: it is too far in the past.")
        elif born_on is not None and day < born_on:
            errors[field] = _("This date is before the date of birth.")
    canada, quebec = values.get("arrived_canada_on"), values.get("arrived_quebec_on")
    if canada and quebec and quebec < canada and "arrived_quebec_on" not in errors:
        errors["arrived_quebec_on"] = _("Arrival in Québec cannot come before arrival in Canada.")
    status = values.get("immigration_status")
    if status is not None and (not isinstance(status, ImmigrationStatus) or not status.is_active):
        errors["immigration_status"] = _("Choose a status from the list.")
    if values.get("borough") is not None and not isinstance(values["borough"], Borough):
        errors["borough"] = _("Choose a borough from the list.")
    for field, allowed in (
        ("age_band", AgeBand.values),
        ("gender", Gender.values),
        ("french_level", FrenchLevel.values),
        ("household", Household.values),
    ):
        if values.get(field) and values[field] not in allowed:
            errors[field] = _("Choose a value from the list.")
    size = values.get("household_size")
    if size is not None and not 1 <= size <= HOUSEHOLD_MAX:
        errors["household_size"] = _("Give a number of people between 1 and %(max)d.") % {
            "max": HOUSEHOLD_MAX
        }
    if values.get("document_language") and values["document_language"] not in (
        _document_languages()
    ):
        errors["document_language"] = _("Choose a language from the list.")
    return errors


def _clean_identity(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field in IDENTITY_TEXT_LIMITS:
        text = values.get(field) or ""
        if not isinstance(text, str):
            raise TypeError(f"{field} must be text")
        cleaned[field] = text.strip() if field == "note" else " ".join(text.split())
    cleaned["born_on"] = values.get("born_on")
    return cleaned


def _identity_errors(
    values: dict[str, Any], *, profile: dict[str, Any] | None, today: date
) -> dict[str, str]:
    """Errors of identity values; `profile`: the profile's dates to check the birth date against
    (None at registration, where the profile's own check compares them)."""
    errors: dict[str, str] = {}
    for field, limit in IDENTITY_TEXT_LIMITS.items():
        if len(values[field]) > limit:
            errors[field] = _("This text is too long (%(limit)d characters at most).") % {
                "limit": limit
            }
        elif "\x00" in values[field]:
            errors[field] = _("This text contains a character that is not allowed.")
    if not values["given_names"] and not values["family_names"] and "family_names" not in errors:
        errors["family_names"] = _("Give at least one name.")
    born_on = values["born_on"]
    if born_on is not None:
        if born_on > today:
            errors["born_on"] = _("This date is in the future.")
        elif born_on < EARLIEST_DATE:
            errors["born_on"] = _("Check this date: it is too far in the past.")
        else:
            for field in PROFILE_DATES if profile else ():
                day = profile.get(field)
                if day is not None and day < born_on:
                    errors["born_on"] = _("The date of birth is after a date of the profile.")
    if values["email"] and "email" not in errors:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    if values["phone"] and "phone" not in errors and not PHONE.match(values["phone"]):
        errors["phone"] = _("Enter a phone number: digits, spaces, + ( ) - only.")
    return errors


def _raise(*errors: dict[str, str]) -> None:
    merged = {field: message for found in errors for field, message in found.items()}
    if merged:
        raise ValidationError(merged)


def _require_identity_access(actor: Any, organization_id: int) -> None:
    if organization_id not in selectors.identity_organization_ids(actor):
        raise PermissionDenied


def _stored(values: dict[str, Any]) -> dict[str, str]:
    """Identity values as the vault stores them (all text; the date of birth in ISO form)."""
    stored = {field: values[field] for field in IDENTITY_TEXT_LIMITS}
    stored["date_of_birth"] = values["born_on"].isoformat() if values["born_on"] else ""
    return stored


def _keys(organization_id: int, values: dict[str, Any]) -> selectors.IdentityKeys:
    return selectors.identity_keys(
        organization_id,
        given_names=f"{values['given_names']} {values['preferred_name']}",
        family_names=values["family_names"],
        born_on=values["born_on"],
        file_numbers={field: values[field] for field in FILE_NUMBERS},
    )


def _index(client: Client, values: dict[str, Any]) -> None:
    """(Re)build the client's blind index from its identity values."""
    organization_id = client.organization_id
    digests = vault.name_digests(
        organization_id, [values["given_names"], values["family_names"], values["preferred_name"]]
    )
    keys = _keys(organization_id, values)
    digests |= keys.file_numbers
    if keys.birth:
        digests.add(keys.birth)
    IdentityToken.objects.filter(client=client).delete()
    IdentityToken.objects.bulk_create(
        IdentityToken(client=client, organization_id=organization_id, digest=digest)
        for digest in sorted(digests)
    )


def _filled(values: dict[str, Any]) -> list[str]:
    return [field for field in Identity.FIELDS if values.get(field)]


def _age_band(born_on: date, today: date) -> str:
    age = today.year - born_on.year - ((today.month, today.day) < (born_on.month, born_on.day))
    for band in AgeBand.values:
        low, _dash, high = band.replace("+", "-").partition("-")
        if int(low) <= age and (not high or age <= int(high)):
            return band
    return ""


def _new_code(organization: Organization) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Client.objects.filter(organization=organization, code=code).exists():
            return code


# --- Registration and edits ---------------------------------------------------------------------


@transaction.atomic
def client_register(
    *,
    actor: Any,
    organization: Organization,
    profile: dict[str, Any],
    identity: dict[str, Any],
    languages: list[Language] | None = None,
    confirm_distinct: bool = False,
    today: date | None = None,
) -> Client:
    """Register a person: a profile under a new code and their identity in the vault.

    When the organization may already know them (blind index: same date of birth and a name in
    common, or the same file number), nothing is saved until the person registering confirms it
    is someone else (`confirm_distinct`).
    """
    _require_identity_access(actor, organization.pk)
    today = today or timezone.localdate()
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {sorted(unknown)}")
    values = _clean_identity(identity)
    identity_errors = _identity_errors(values, profile=None, today=today)
    born_on = None if "born_on" in identity_errors else values["born_on"]
    _raise(identity_errors, _profile_errors(profile, born_on=born_on, today=today))

    candidates = list(
        selectors.possible_duplicates(
            organization=organization, keys=_keys(organization.pk, values)
        )
    )
    if candidates and not confirm_distinct:
        raise PossibleDuplicate(candidates)

    profile = dict(profile)
    if values["born_on"] and not profile.get("age_band"):
        profile["age_band"] = _age_band(values["born_on"], today)
    for _attempt in range(5):
        client = Client(
            organization=organization, code=_new_code(organization), created_by=actor, **profile
        )
        try:
            with transaction.atomic():
                client.save()
        except IntegrityError:  # the same code drawn at the same moment: draw again
            continue
        break
    else:
        raise RuntimeError("No free client code after 5 attempts")
    client.languages.set(languages or [])
    stored = Identity.objects.create(client=client, **_stored(values))
    _index(client, values)
    audit_record(
        actor=actor,
        action="create",
        target=client,
        organization_id=organization.pk,
        details={"possible_duplicates": [c.code for c in candidates]} if candidates else None,
    )
    audit_record(
        actor=actor,
        action="create",
        target=stored,
        organization_id=organization.pk,
        details={"fields": _filled(_stored(values))},
    )
    return client


def client_update(
    *,
    actor: Any,
    client: Client,
    version: int,
    languages: list[Language] | None = None,
    today: date | None = None,
    **profile: Any,
) -> Client:
    """Save the profile as edited from `version`; refused (StaleEdit) if it changed since."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {sorted(unknown)}")
    today = today or timezone.localdate()
    changed = [f for f in profile if profile[f] != getattr(client, f)]
    born_on = None
    if any(f in PROFILE_DATES and profile[f] is not None for f in changed):
        # Read (and audited) before the transaction: the audit of the read stays if the edit fails.
        born_on = selectors.date_of_birth_for_checks(actor=actor, client=client)
    _raise(_profile_errors(profile, born_on=born_on, today=today))
    with transaction.atomic():
        updated = Client.objects.filter(pk=client.pk, version=version).update(
            **profile, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise StaleEdit()
        if languages is not None:
            before = set(client.languages.values_list("pk", flat=True))
            if before != {language.pk for language in languages}:
                changed.append("languages")
            client.languages.set(languages)
        client.refresh_from_db()
        audit_record(
            actor=actor,
            action="change",
            target=client,
            organization_id=client.organization_id,
            details={"fields": changed},
        )
    return client


@transaction.atomic
def identity_update(
    *, actor: Any, client: Client, version: int, today: date | None = None, **identity: Any
) -> Identity:
    """Save the identity as edited from `version`; refused (StaleEdit) if it changed since."""
    _require_identity_access(actor, client.organization_id)
    unknown = set(identity) - {*IDENTITY_TEXT_LIMITS, "born_on"}
    if unknown:
        raise TypeError(f"Not identity fields: {sorted(unknown)}")
    today = today or timezone.localdate()
    values = _clean_identity(identity)
    profile = {field: getattr(client, field) for field in PROFILE_DATES}
    _raise(_identity_errors(values, profile=profile, today=today))
    current = Identity.objects.get(client=client)
    stored = _stored(values)
    changed = [f for f in Identity.FIELDS if getattr(current, f) != stored[f]]
    updated = Identity.objects.filter(pk=client.pk, version=version).update(
        **stored, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEdit()
    _index(client, values)
    current.refresh_from_db()
    audit_record(
        actor=actor,
        action="change",
        target=current,
        organization_id=client.organization_id,
        details={"fields": changed},
    )
    return current


def identity_values(identity: Identity) -> dict[str, Any]:
    """An identity as services take it (to re-save or re-index it)."""
    values: dict[str, Any] = {field: getattr(identity, field) for field in IDENTITY_TEXT_LIMITS}
    values["born_on"] = identity.born_on
    return values


def vault_rotate(*, batch: int = 200) -> int:
    """Re-encrypt every identity with the newest key and rebuild the blind index with the current
    index key. Afterwards older keys may be removed from ANCRAGE_VAULT_KEYS. Returns the count."""
    pks = list(Identity.objects.order_by("pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(pks), batch):
        with transaction.atomic():
            chunk = (
                Identity.objects.select_for_update()
                .filter(pk__in=pks[start : start + batch])
                .select_related("client")
            )
            for identity in chunk:
                # Saving the decrypted values encrypts them again, with the newest key.
                Identity.objects.filter(pk=identity.pk).update(
                    **{field: getattr(identity, field) for field in Identity.FIELDS}
                )
                _index(identity.client, identity_values(identity))
                count += 1
    audit_record(
        actor=None,
        action="change",
        reason="vault key rotation",
        details={"identities": count, "keys": len(settings.ANCRAGE_VAULT_KEYS)},
    )
    return count


# --- Consent ------------------------------------------------------------------------------------


def _check_counterpart(client: Client, purpose: str, counterpart: Organization | None) -> None:
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choose a purpose from the list.")})
    if purpose in PURPOSES_WITH_COUNTERPART:
        if counterpart is None:
            raise ValidationError(
                {"counterpart": _("Name the organization this consent is about.")}
            )
        if not Organization.objects.filter(pk=counterpart.pk).exists():
            raise ValidationError({"counterpart": _("This organization does not exist.")})
        if counterpart.pk == client.organization_id:
            raise ValidationError(
                {"counterpart": _("Choose another organization than the client's own.")}
            )
    elif counterpart is not None:
        raise ValidationError(
            {"counterpart": _("This purpose does not name an organization: leave it empty.")}
        )


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    client: Client,
    purpose: str,
    state: str,
    decided_on: date,
    method: str,
    counterpart: Organization | None = None,
    expires_on: date | None = None,
    given_by: str = ConsentRecord.GivenBy.PERSON,
    language: str = "",
    today: date | None = None,
) -> ConsentRecord:
    """Record a decision (given, refused, withdrawn) about one purpose: a new record each time,
    so the history stays."""
    today = today or timezone.localdate()
    _check_counterpart(client, purpose, counterpart)
    errors: dict[str, str] = {}
    if state not in ConsentRecord.State.values:
        errors["state"] = _("Choose a decision from the list.")
    if method not in ConsentRecord.Method.values:
        errors["method"] = _("Choose from the list.")
    if given_by not in ConsentRecord.GivenBy.values:
        errors["given_by"] = _("Choose from the list.")
    if language and language not in _document_languages():
        errors["language"] = _("Choose a language from the list.")
    if decided_on > today:
        errors["decided_on"] = _("This date is in the future.")
    elif decided_on < EARLIEST_DATE:
        errors["decided_on"] = _("Check this date: it is too far in the past.")
    if expires_on is not None:
        if state != ConsentRecord.State.GIVEN:
            errors["expires_on"] = _("Only a consent given has an expiry date.")
        elif expires_on <= decided_on:
            errors["expires_on"] = _("The expiry date must come after the date of the decision.")
    if errors:
        raise ValidationError(errors)
    if state == ConsentRecord.State.WITHDRAWN:
        current = selectors.consent_current(client, purpose, counterpart, decided_on)
        if current is None or current.state != ConsentRecord.State.GIVEN:
            raise ValidationError({"state": _("Only a consent that was given can be withdrawn.")})
    record = ConsentRecord.objects.create(
        client=client,
        purpose=purpose,
        counterpart=counterpart,
        state=state,
        decided_on=decided_on,
        expires_on=expires_on,
        given_by=given_by,
        method=method,
        language=language,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        target=record,
        organization_id=client.organization_id,
        details={
            "client": client.pk,
            "purpose": purpose,
            "state": state,
            "counterpart": counterpart.pk if counterpart else None,
        },
    )
    return record


@transaction.atomic
def consent_override(
    *,
    actor: Any,
    client: Client,
    purpose: str,
    counterpart: Organization | None,
    reason: str,
    expires_on: date,
    today: date | None = None,
) -> ConsentOverride:
    """A director's decision to refer or share without a valid consent, for a few days at most,
    with the reason (kept in the record and in the audit log)."""
    if not tenancy.has_capability(actor, tenancy.OVERRIDE_CONSENT, client.organization_id):
        raise PermissionDenied
    today = today or timezone.localdate()
    if purpose not in PURPOSES_WITH_COUNTERPART:
        raise ValidationError(
            {"purpose": _("Only a referral or a sharing of information can be authorized.")}
        )
    _check_counterpart(client, purpose, counterpart)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if len(reason) < REASON_MIN:
        errors["reason"] = _("Explain the reason in a sentence or more.")
    elif len(reason) > 1000:
        errors["reason"] = _("This text is too long (%(limit)d characters at most).") % {
            "limit": 1000
        }
    if expires_on < today:
        errors["expires_on"] = _("This date is in the past.")
    elif expires_on > today + timedelta(days=OVERRIDE_MAX_DAYS):
        errors["expires_on"] = _("An authorization lasts %(days)d days at most.") % {
            "days": OVERRIDE_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    override = ConsentOverride.objects.create(
        client=client,
        purpose=purpose,
        counterpart=counterpart,
        reason=reason,
        starts_on=today,
        expires_on=expires_on,
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        target=override,
        organization_id=client.organization_id,
        reason=reason,
        details={
            "client": client.pk,
            "purpose": purpose,
            "counterpart": counterpart.pk if counterpart else None,
        },
    )
    return override


def consent_require(
    client: Client, purpose: str, organization: Organization | None = None, on: date | None = None
) -> str:
    """For referral and sharing: "consent" or "override", else a ValidationError that says why."""
    permitted = selectors.consent_permits(client, purpose, organization, on)
    if permitted is None:
        raise ValidationError(
            _(
                "No valid consent of the person for this: record their consent, or ask a "
                "director to authorize it with a reason."
            ),
            code="no_consent",
        )
    return permitted
