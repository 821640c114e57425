"""Reads of clients: profiles through the tenancy scope, identities through the audited vault,
lookups and duplicate detection through the blind index, consent states."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from ancrage.clients import vault
from ancrage.clients.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PURPOSES_WITH_COUNTERPART,
    Client,
    ConsentOverride,
    ConsentRecord,
    Identity,
    IdentityToken,
    Purpose,
    newcomer_since,
)
from ancrage.core import tenancy
from ancrage.core.audit import audit_record, audit_records
from ancrage.network.models import Membership, Organization

LOOKUP_LIMIT = 20
QUERY_MAX = 100
CODE_MIN = 3

# --- Who may read identities --------------------------------------------------------------------


def identity_organization_ids(user: Any) -> frozenset[int]:
    """Organizations whose clients' identities `user` may read: only through a current
    membership in a role that needs them (never network-wide, never as a platform superuser)."""
    grant = tenancy.grant_for(user, tenancy.READ_IDENTITY)
    if not grant.everywhere:
        return grant.organization_ids
    # Only superusers hold it everywhere: administering the platform is no reason to read names.
    roles = tenancy.ROLE_CAPABILITIES[tenancy.READ_IDENTITY]
    return frozenset(
        Membership.objects.current()
        .filter(user_id=user.pk, role__in=roles)
        .values_list("organization_id", flat=True)
    )


def can_read_identity(user: Any, client: Client) -> bool:
    return client.organization_id in identity_organization_ids(user)


def clients_for(user: Any, capability: str = tenancy.VIEW_CLIENTS) -> QuerySet[Client]:
    return tenancy.scoped(Client, user, capability)


def registration_organizations(user: Any) -> QuerySet[Organization]:
    """Where the user may register clients (registering means writing an identity)."""
    return Organization.objects.filter(pk__in=identity_organization_ids(user)).order_by("name")


# --- The vault: every read is audited -----------------------------------------------------------


def identity_read(
    *, actor: Any, client: Client, reason: str, request: HttpRequest | None = None
) -> Identity:
    """The client's identity, decrypted, for someone allowed to read it; the read is audited."""
    if not can_read_identity(actor, client):
        raise PermissionDenied
    identity = Identity.objects.get(client=client)
    audit_record(
        actor=actor,
        action="view",
        target=identity,
        organization_id=client.organization_id,
        reason=reason,
        request=request,
    )
    return identity


def identities_read(
    *, actor: Any, clients: list[Client], reason: str, request: HttpRequest | None = None
) -> dict[int, Identity]:
    """Identities of the clients `actor` may read among `clients` (others are left out), each
    read audited. For lists: the caller shows a code where no identity is returned."""
    allowed = identity_organization_ids(actor)
    ids = [c.pk for c in clients if c.organization_id in allowed]
    if not ids:
        return {}
    identities = {i.client_id: i for i in Identity.objects.filter(client_id__in=ids)}
    by_pk = {c.pk: c for c in clients}
    audit_records(
        actor=actor,
        action="view",
        targets=[(i, by_pk[client_id].organization_id) for client_id, i in identities.items()],
        reason=reason,
        request=request,
    )
    return identities


def date_of_birth_for_checks(*, actor: Any, client: Client) -> date | None:
    """The date of birth, read by the system to check other dates against it (never shown).
    Audited like any read of the vault."""
    identity = Identity.objects.filter(client=client).first()
    if identity is None or not identity.date_of_birth:
        return None
    audit_record(
        actor=actor,
        action="view",
        target=identity,
        organization_id=client.organization_id,
        reason="date check",
        details={"fields": ["date_of_birth"], "shown": False},
    )
    return identity.born_on


# --- Lookup and duplicates through the blind index ----------------------------------------------


def normalize_code(text: str) -> str:
    return vault.normalize_file_number(text)[:12]


def could_be_code(code: str) -> bool:
    """Whether a normalized text is a code or a code's start ("Li" or "Olena" are not: codes
    have no I, L or O), so a name lookup does not also pay for a code search."""
    return 0 < len(code) <= CODE_LENGTH and set(code) <= _CODE_CHARACTERS


_CODE_CHARACTERS = frozenset(CODE_ALPHABET)


def _matching_all(organization_digests: dict[int, list[str]]) -> QuerySet[IdentityToken] | None:
    """Ids of clients having every digest of their organization's list (one list per org)."""
    condition = Q()
    needed = 0
    for organization_id, digests in organization_digests.items():
        if digests:
            condition |= Q(organization_id=organization_id, digest__in=digests)
            needed = len(digests)  # the same number of tokens for every organization
    if not needed:
        return None
    return (
        IdentityToken.objects.filter(condition)
        .values("client_id")
        .annotate(found=Count("digest", distinct=True))
        .filter(found=needed)
        .values("client_id")
    )


def client_lookup(*, user: Any, query: str, limit: int = LOOKUP_LIMIT) -> list[Client]:
    """Clients of the user's organizations found by code (whole or its first 3+ characters) or,
    for those who may read identities, by a few letters of the name. Codes match first."""
    query = (query or "").strip()[:QUERY_MAX]
    visible = clients_for(user).select_related("organization")
    code = normalize_code(query)
    found: list[Client] = []
    if could_be_code(code):
        if len(code) == CODE_LENGTH:
            found.extend(visible.filter(code=code))
        elif len(code) >= CODE_MIN:
            found.extend(visible.filter(code__startswith=code).order_by("code")[:limit])
    # A name never leads to a code for someone who may not read names: that would reveal them.
    organization_ids = identity_organization_ids(user)
    if organization_ids:
        matching = _matching_all(
            {o: vault.query_digests(o, query) for o in sorted(organization_ids)}
        )
        if matching is not None:
            found.extend(
                visible.filter(pk__in=matching, organization_id__in=organization_ids).order_by(
                    "-created_at", "-pk"
                )[:limit]
            )
    return list({c.pk: c for c in found}.values())[:limit]


@dataclass(frozen=True)
class IdentityKeys:
    """What duplicate detection compares, already as digests of one organization."""

    names: set[str]
    birth: str | None
    file_numbers: set[str]


def identity_keys(
    organization_id: int,
    *,
    given_names: str,
    family_names: str,
    born_on: date | None,
    file_numbers: dict[str, str],
) -> IdentityKeys:
    return IdentityKeys(
        names=vault.whole_word_digests(organization_id, [given_names, family_names]),
        birth=vault.birth_digest(organization_id, born_on) if born_on else None,
        file_numbers={
            vault.file_number_digest(organization_id, kind, number)
            for kind, number in file_numbers.items()
            if vault.normalize_file_number(number)
        },
    )


def possible_duplicates(*, organization: Organization, keys: IdentityKeys) -> QuerySet[Client]:
    """Clients of the organization who may be the same person: same date of birth and a name in
    common, or the same file number, or (no date of birth given) every name word in common."""
    tokens = IdentityToken.objects.filter(organization=organization)
    condition = Q(pk__in=[])
    if keys.names and keys.birth:
        condition |= Q(pk__in=tokens.filter(digest=keys.birth).values("client_id")) & Q(
            pk__in=tokens.filter(digest__in=keys.names).values("client_id")
        )
    elif keys.names:
        every_word = (
            tokens.filter(digest__in=keys.names)
            .values("client_id")
            .annotate(found=Count("digest", distinct=True))
            .filter(found=len(keys.names))
            .values("client_id")
        )
        condition |= Q(pk__in=every_word)
    if keys.file_numbers:
        condition |= Q(pk__in=tokens.filter(digest__in=keys.file_numbers).values("client_id"))
    return Client.objects.filter(condition, organization=organization).order_by("code")


# --- Newcomers -------------------------------------------------------------------------------


def newcomers(queryset: QuerySet[Client], *, on: date) -> QuerySet[Client]:
    """Clients who are newcomers on `on` (arrived in Québec, else in Canada, ≤ 5 years before)."""
    return queryset.annotate(arrival=Coalesce("arrived_quebec_on", "arrived_canada_on")).filter(
        arrival__gte=newcomer_since(on), arrival__lte=on
    )


# --- Consent ------------------------------------------------------------------------------------


def _counterpart_id(organization: Organization | int | None) -> int | None:
    if organization is None or isinstance(organization, int):
        return organization
    return organization.pk


def consent_current(
    client: Client, purpose: str, organization: Organization | None = None, on: date | None = None
) -> ConsentRecord | None:
    """The latest decision about the purpose (and organization) taken on or before `on`."""
    on = on or timezone.localdate()
    return (
        ConsentRecord.objects.filter(
            client=client,
            purpose=purpose,
            counterpart_id=_counterpart_id(organization),
            decided_on__lte=on,
        )
        .order_by("-decided_on", "-recorded_at", "-pk")
        .first()
    )


def consent_valid(
    client: Client, purpose: str, organization: Organization | None = None, on: date | None = None
) -> bool:
    """True if a consent for the purpose (and, for referral and sharing, that organization) is
    given on `on` and not expired, withdrawn or refused since."""
    if purpose in PURPOSES_WITH_COUNTERPART and organization is None:
        return False
    on = on or timezone.localdate()
    record = consent_current(client, purpose, organization, on)
    return record is not None and record.is_valid_on(on)


def consent_override_for(
    client: Client, purpose: str, organization: Organization | None, on: date | None = None
) -> ConsentOverride | None:
    on = on or timezone.localdate()
    return (
        ConsentOverride.objects.filter(
            client=client,
            purpose=purpose,
            counterpart_id=_counterpart_id(organization),
            starts_on__lte=on,
            expires_on__gte=on,
        )
        .order_by("-recorded_at", "-pk")
        .first()
    )


def consent_permits(
    client: Client, purpose: str, organization: Organization | None = None, on: date | None = None
) -> str | None:
    """Why the purpose may go ahead: "consent", "override" (a director's, with a reason), or
    None. Referral and sharing call this before anything leaves the organization."""
    if consent_valid(client, purpose, organization, on):
        return "consent"
    if purpose in PURPOSES_WITH_COUNTERPART and consent_override_for(
        client, purpose, organization, on
    ):
        return "override"
    return None


@dataclass(frozen=True)
class ConsentLine:
    purpose: str
    purpose_label: str
    counterpart: Organization | None
    current: ConsentRecord
    valid: bool


def consent_overview(client: Client, *, on: date | None = None) -> list[ConsentLine]:
    """One line per purpose and organization: the decision in force on `on`."""
    on = on or timezone.localdate()
    lines: dict[tuple[str, int | None], ConsentLine] = {}
    records = (
        client.consents.filter(decided_on__lte=on)
        .select_related("counterpart")
        .order_by("-decided_on", "-recorded_at", "-pk")
    )
    for record in records:
        key = (record.purpose, record.counterpart_id)
        if key not in lines:
            lines[key] = ConsentLine(
                purpose=record.purpose,
                purpose_label=Purpose(record.purpose).label,
                counterpart=record.counterpart,
                current=record,
                valid=record.is_valid_on(on),
            )
    order = {p: i for i, p in enumerate(Purpose.values)}
    return sorted(
        lines.values(),
        key=lambda line: (order[line.purpose], line.counterpart.name if line.counterpart else ""),
    )


def consent_history(client: Client) -> QuerySet[ConsentRecord]:
    return client.consents.select_related("counterpart", "recorded_by").order_by(
        "-decided_on", "-recorded_at", "-pk"
    )


# --- Export -------------------------------------------------------------------------------------

PROFILE_COLUMNS = (
    "organization",
    "code",
    "immigration_status",
    "status_since",
    "arrived_canada_on",
    "arrived_quebec_on",
    "newcomer",
    "age_band",
    "gender",
    "languages",
    "french_level",
    "borough",
    "household",
    "household_size",
    "library_user",
    "registered_on",
)


def profile_rows(queryset: QuerySet[Client], *, on: date) -> list[dict[str, Any]]:
    """The pseudonymous profile of each client, for an export: never a field of the vault."""
    rows = []
    for client in queryset.select_related(
        "immigration_status", "borough", "organization"
    ).prefetch_related("languages"):
        rows.append(
            {
                "organization": client.organization.name,
                "code": client.code,
                "immigration_status": client.immigration_status.code
                if client.immigration_status
                else "",
                "status_since": client.status_since or "",
                "arrived_canada_on": client.arrived_canada_on or "",
                "arrived_quebec_on": client.arrived_quebec_on or "",
                "newcomer": "yes" if client.is_newcomer(on) else "no",
                "age_band": client.age_band,
                "gender": client.gender,
                "languages": " ".join(sorted(lang.code for lang in client.languages.all())),
                "french_level": client.french_level,
                "borough": client.borough.code if client.borough else "",
                "household": client.household,
                "household_size": client.household_size or "",
                "library_user": {True: "yes", False: "no"}.get(client.library_user, ""),
                "registered_on": timezone.localdate(client.created_at),
            }
        )
    return rows
