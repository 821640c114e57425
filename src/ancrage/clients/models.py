"""Clients: a pseudonymous profile per person served, an encrypted identity vault apart from it,
and consents per purpose with their history.

The profile (`Client`) carries what statistics and eligibility need and nothing that names the
person; the vault (`Identity`) carries who they are, every field encrypted at rest
(`fields.EncryptedTextField`), read only through `selectors.identity_read` (which audits it).
"""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.clients.fields import EncryptedTextField
from ancrage.core.models import Borough, ImmigrationStatus, Language
from ancrage.core.translated import pick
from ancrage.network.models import Organization

NEWCOMER_YEARS = 5
# Client codes are read aloud and typed: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def newcomer_since(on: date) -> date:
    """The earliest arrival date that still makes someone a newcomer on `on`: five years before,
    to the day (on 29 February, 1 March five years before, which has no 29 February)."""
    try:
        return on.replace(year=on.year - NEWCOMER_YEARS)
    except ValueError:
        return on.replace(year=on.year - NEWCOMER_YEARS, month=3, day=1)


class AgeBand(models.TextChoices):
    CHILD_0_5 = "0-5", _("0 to 5 years")
    CHILD_6_12 = "6-12", _("6 to 12 years")
    YOUTH_13_17 = "13-17", _("13 to 17 years")
    ADULT_18_24 = "18-24", _("18 to 24 years")
    ADULT_25_34 = "25-34", _("25 to 34 years")
    ADULT_35_44 = "35-44", _("35 to 44 years")
    ADULT_45_54 = "45-54", _("45 to 54 years")
    ADULT_55_64 = "55-64", _("55 to 64 years")
    SENIOR_65 = "65+", _("65 years and over")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    ANOTHER = "another", _("Non-binary or another identity")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class FrenchLevel(models.TextChoices):
    NONE = "none", _("No French")
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    FLUENT = "fluent", _("Fluent or first language")


class Household(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    COUPLE = "couple", _("Couple without children")
    COUPLE_CHILDREN = "couple_children", _("Couple with children")
    SINGLE_PARENT = "single_parent", _("Single parent")
    EXTENDED = "extended", _("Extended family")
    SHARED = "shared", _("Shared housing")
    OTHER = "other", _("Other")


class Client(models.Model):
    """A person an organization serves, known by a code: no name, no contact, no file number."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=12)
    immigration_status = models.ForeignKey(
        ImmigrationStatus,
        verbose_name=_("immigration status"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_since = models.DateField(_("status obtained on"), null=True, blank=True)
    arrived_canada_on = models.DateField(_("arrival in Canada"), null=True, blank=True)
    arrived_quebec_on = models.DateField(_("arrival in Québec"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages spoken"), blank=True, related_name="+"
    )
    french_level = models.CharField(
        _("French level"), max_length=16, choices=FrenchLevel.choices, blank=True
    )
    borough = models.ForeignKey(
        Borough,
        verbose_name=_("borough"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    household = models.CharField(
        _("household"), max_length=20, choices=Household.choices, blank=True
    )
    household_size = models.PositiveSmallIntegerField(
        _("people in the household"), null=True, blank=True
    )
    library_user = models.BooleanField(_("library user"), null=True)
    document_language = models.CharField(
        _("language for documents"),
        max_length=10,
        blank=True,
        help_text=_("The language consent forms are printed in."),
    )
    # Optimistic locking: every save checks and increments it (services.client_update).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="client_unique_code"),
        ]
        indexes = [
            # Lookup by the first characters of a code (LIKE 'K7M%'): under a non-C collation
            # only a pattern operator class serves a prefix; other databases ignore opclasses.
            models.Index(
                fields=["organization", "code"],
                name="clients_code_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # The intake list: an organization's newest clients first.
            models.Index(fields=["organization", "-created_at"], name="clients_newest"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def arrival_date(self) -> date | None:
        """Arrival in Québec; arrival in Canada when the first is unknown (it cannot be later)."""
        return self.arrived_quebec_on or self.arrived_canada_on

    def is_newcomer(self, on: date) -> bool:
        """Arrived in Québec no more than five years before `on`."""
        arrived = self.arrival_date
        return arrived is not None and newcomer_since(on) <= arrived <= on


class Identity(models.Model):
    """The vault: who the client is. Every field is encrypted at rest.

    Never queried outside `clients.selectors` / `clients.services`: reading it is audited.
    """

    TENANT_OWNER: ClassVar[str] = "client__organization"

    client = models.OneToOneField(
        Client,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="identity",
    )
    given_names = EncryptedTextField(_("given names"))
    family_names = EncryptedTextField(_("family names"))
    preferred_name = EncryptedTextField(_("name used"), blank=True, default="")
    date_of_birth = EncryptedTextField(_("date of birth"), blank=True, default="")  # ISO date
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    email = EncryptedTextField(_("email"), blank=True, default="")
    address = EncryptedTextField(_("address"), blank=True, default="")
    uci_number = EncryptedTextField(_("IRCC client ID (UCI)"), blank=True, default="")
    health_insurance_number = EncryptedTextField(
        _("health insurance number (RAMQ)"), blank=True, default=""
    )
    other_file_number = EncryptedTextField(_("other file number"), blank=True, default="")
    note = EncryptedTextField(_("note"), blank=True, default="")
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The encrypted fields, in the order pages show them.
    FIELDS: ClassVar[tuple[str, ...]] = (
        "given_names",
        "family_names",
        "preferred_name",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "uci_number",
        "health_insurance_number",
        "other_file_number",
        "note",
    )

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.client_id}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()

    @property
    def born_on(self) -> date | None:
        return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None


class IdentityToken(models.Model):
    """One keyed digest of an identity (a name token or prefix, the date of birth, a file
    number): the blind index that finds a client without decrypting every identity."""

    TENANT_OWNER: ClassVar[str] = "organization"

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(_("digest"), max_length=32)

    class Meta:
        verbose_name = _("identity index entry")
        verbose_name_plural = _("identity index")
        # The client column makes the lookup an index-only scan: no table row is read.
        indexes = [
            models.Index(fields=["organization", "digest", "client"], name="clients_token_lookup")
        ]
        constraints = [
            models.UniqueConstraint(fields=["client", "digest"], name="clients_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.digest[:8]}"


class Purpose(models.TextChoices):
    SERVICES = "services", _("Receiving services")
    REFERRAL = "referral", _("Referral to an organization")
    SURVEY_CONTACT = "survey_contact", _("Being contacted for surveys")
    SHARING = "sharing", _("Sharing information with a partner")


# Purposes that name the organization the consent is about.
PURPOSES_WITH_COUNTERPART = frozenset({Purpose.REFERRAL, Purpose.SHARING})


class ConsentRecord(models.Model):
    """One decision about one purpose: the history is the list of records, the latest one (by
    decision date) is the state. Never edited: a change is a new record."""

    TENANT_OWNER: ClassVar[str] = "client__organization"

    class State(models.TextChoices):
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class GivenBy(models.TextChoices):
        PERSON = "person", _("The person")
        GUARDIAN = "guardian", _("Parent or legal guardian")
        REPRESENTATIVE = "representative", _("Authorized representative")

    class Method(models.TextChoices):
        SIGNED = "signed", _("Signed form")
        ORAL = "oral", _("Orally, noted by staff")
        ELECTRONIC = "electronic", _("Electronically")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    counterpart = models.ForeignKey(
        Organization,
        verbose_name=_("organization concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("decision"), max_length=12, choices=State.choices)
    decided_on = models.DateField(_("date of the decision"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    given_by = models.CharField(
        _("decision by"), max_length=20, choices=GivenBy.choices, default=GivenBy.PERSON
    )
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    language = models.CharField(_("language of the form"), max_length=10, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-decided_on", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["client", "purpose"], name="clients_consent_purpose")]
        constraints = [
            models.CheckConstraint(
                condition=Q(counterpart__isnull=True)
                | Q(purpose__in=sorted(PURPOSES_WITH_COUNTERPART)),
                name="clients_consent_counterpart_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.purpose} {self.state} {self.decided_on}"

    def is_valid_on(self, day: date) -> bool:
        return (
            self.state == self.State.GIVEN
            and self.decided_on <= day
            and (self.expires_on is None or day <= self.expires_on)
        )


class ConsentOverride(models.Model):
    """A director's decision to refer or share without a valid consent, with the reason."""

    TENANT_OWNER: ClassVar[str] = "client__organization"

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="overrides"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    counterpart = models.ForeignKey(
        Organization,
        verbose_name=_("organization concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), max_length=1000)
    starts_on = models.DateField(_("from"))
    expires_on = models.DateField(_("until"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent override")
        verbose_name_plural = _("consent overrides")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.client} {self.purpose} {self.starts_on}–{self.expires_on}"

    def is_valid_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.expires_on


# --- Needs, services, referrals ------------------------------------------------------------------

NOTE_MAX = 2000
REFERRAL_REASON_MAX = 1000


class ServiceType(models.Model):
    """A kind of service given to a person: the department's service offer (shared by every
    organization, `organization` empty) or one an organization adds for itself."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: a type every organization uses (the department's service offer)."),
    )
    code = models.SlugField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="clients_service_type_code"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="clients_service_type_shared_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names) or self.code


class NeedsAssessment(models.Model):
    """What a person came for, as assessed by a worker on a day (the directory's needs)."""

    TENANT_OWNER: ClassVar[str] = "client__organization"

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_on = models.DateField(_("date"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    needs = models.ManyToManyField(
        "directory.TaxonomyTerm", verbose_name=_("needs"), related_name="+"
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.client} {self.assessed_on}"


class ServiceRecord(models.Model):
    """One service given to one person: what, when, how long, by whom, charged to which program,
    and the eligibility verdict as it stood that day (kept even if the rules change later)."""

    TENANT_OWNER: ClassVar[str] = "client__organization"

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="services"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    served_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    program = models.ForeignKey(
        "funding.FundingProgram",
        verbose_name=_("charged to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: unfunded, or paid by the organization's own funds."),
    )
    eligibility = models.JSONField(_("eligibility on the day"), default=dict)
    session = models.ForeignKey(
        "activities.Session",
        verbose_name=_("group session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["client", "served_on"], name="clients_service_day")]

    def __str__(self) -> str:
        return f"{self.client} {self.service_type_id} {self.served_on}"


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Referral(models.Model):
    """A person referred by one organization to another, with their consent.

    The receiving organization reads it (`TENANT_READERS`): the client's code, the reason, the
    needs, and the identity only when the person consented to sharing it with that organization.
    """

    TENANT_OWNER: ClassVar[str] = "from_organization"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("to_organization",)

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="referrals"
    )
    from_organization = models.ForeignKey(
        Organization, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_organization = models.ForeignKey(
        Organization, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=REFERRAL_REASON_MAX)
    needs = models.ManyToManyField(
        "directory.TaxonomyTerm", verbose_name=_("needs"), blank=True, related_name="+"
    )
    # Decided when sent, from the consents in force: identity fields go along only with a
    # consent to share information with the receiving organization.
    shares_identity = models.BooleanField(_("identity shared"), default=False)
    basis = models.CharField(_("sent on the basis of"), max_length=12)  # "consent" / "override"
    state = models.CharField(
        _("state"), max_length=12, choices=ReferralState.choices, default=ReferralState.SENT
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["to_organization", "state"], name="clients_ref_inbox")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=models.F("to_organization")),
                name="clients_referral_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.to_organization_id} ({self.state})"


class ReferralEvent(models.Model):
    """One step of a referral: who took it, when, and what they said."""

    TENANT_OWNER: ClassVar[str] = "referral__from_organization"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("referral__to_organization",)

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("step"), max_length=12)
    from_state = models.CharField(_("from state"), max_length=12, blank=True)
    to_state = models.CharField(_("to state"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("on behalf of"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), max_length=REFERRAL_REASON_MAX, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.action}"
