"""Surveys of the people served, and round tables' recommendations followed to an answer.

Questionnaires hold translated texts as JSON per language (`{"fr": …, "en": …, "ar": …}`, read
with `core.translated.pick`). A questionnaire of no organization is one of the library's ready
questionnaires, copied by an organization before use. A `Survey` is one collection of answers to
a questionnaire (an anonymous link, a QR code, a kiosk); a `SurveyResponse` is anonymous unless the
person consented to be linked (`client`, only with a survey-contact consent).

Round tables are organizations of kind "round table"; their member organizations, meetings and
recommendations (whose states are declared in `recommendations.py`) live here too.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ancrage.core.translated import pick
from ancrage.network.models import Organization

TEXT_MAX = 4000


class QuestionnaireKind(models.TextChoices):
    SERVICE_SATISFACTION = "service_satisfaction", _("Satisfaction with a service")
    ACTIVITY_FEEDBACK = "activity_feedback", _("Feedback on an activity")
    NEEDS = "needs", _("Needs survey")
    OTHER = "other", _("Other")


class Questionnaire(models.Model):
    """The questions, in every language offered. No organization: a ready questionnaire of the
    library, which organizations copy."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: a ready questionnaire of the library."),
    )
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=30, choices=QuestionnaireKind.choices, default=QuestionnaireKind.OTHER
    )
    titles = models.JSONField(_("title"), default=dict)
    introductions = models.JSONField(_("introduction"), default=dict, blank=True)
    thanks = models.JSONField(_("thank-you message"), default=dict, blank=True)
    languages = models.JSONField(
        _("languages offered"), default=list, help_text=_("Language codes, French first.")
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic locking, as elsewhere: a stale edit is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="questionnaire_code_per_organization"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(organization__isnull=True),
                name="questionnaire_library_code",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.titles) or self.code


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale (1 to 5)")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")
    RECOMMEND = "recommend", _("Would recommend (0 to 10)")


class Question(models.Model):
    """One question. `show_if` is its skip logic as data: {"question": name, "operator":
    "equals" | "not_equals" | "in" | "at_least" | "at_most" | "answered", "value": …}; empty:
    always asked."""

    TENANT_OWNER: ClassVar[str] = "questionnaire__organization"

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.SlugField(
        _("name"), max_length=60, help_text=_("Short stable identifier (XLSForm name).")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    texts = models.JSONField(_("question"), default=dict)
    hints = models.JSONField(_("hint"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=False)
    plain_language = models.BooleanField(
        _("plain language"),
        default=False,
        help_text=_("Checked: the wording was reviewed for plain language."),
    )
    min_value = models.IntegerField(_("smallest number"), null=True, blank=True)
    max_value = models.IntegerField(_("largest number"), null=True, blank=True)
    show_if = models.JSONField(_("asked only if"), default=dict, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "name"], name="question_name_once"),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="question_position_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def text(self) -> str:
        return pick(self.texts) or self.name


class Choice(models.Model):
    """One answer offered by a single- or multiple-choice question."""

    TENANT_OWNER: ClassVar[str] = "question__questionnaire__organization"

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    value = models.SlugField(_("value"), max_length=60)
    labels = models.JSONField(_("label"), default=dict)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="choice_value_once"),
        ]

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return pick(self.labels) or self.value


class Survey(models.Model):
    """One collection of answers: an organization asks a questionnaire, between two dates,
    through an anonymous link (`token`), its QR code, or a kiosk at a desk. Optionally about one
    activity session or one kind of service."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    names = models.JSONField(_("name"), default=dict)
    token = models.CharField(_("link code"), max_length=40, unique=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    session = models.ForeignKey(
        "activities.Session",
        verbose_name=_("activity session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    service_type = models.ForeignKey(
        "clients.ServiceType",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    small_cell_threshold = models.PositiveSmallIntegerField(
        _("smallest count shown"),
        default=5,
        help_text=_("Results below this number of answers are hidden."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(small_cell_threshold__gte=1), name="survey_threshold_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return pick(self.names) or str(self.questionnaire)


class Channel(models.TextChoices):
    LINK = "link", _("Link or QR code")
    KIOSK = "kiosk", _("Kiosk")
    STAFF = "staff", _("Entered by staff (paper)")


class SurveyResponse(models.Model):
    """One person's answers. Anonymous: no address, no account; `client` only when the person
    consented to be linked to their file."""

    TENANT_OWNER: ClassVar[str] = "survey__organization"

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    language = models.CharField(_("language"), max_length=10)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.LINK
    )
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["survey", "submitted_at"], name="survey_response_day")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.pk}"


class Answer(models.Model):
    """One answer to one question: a choice (one row per choice ticked), a number (scales,
    0–10, numbers) or a text."""

    TENANT_OWNER: ClassVar[str] = "response__survey__organization"

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("choice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.IntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "choice"], name="answer_question_choice")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class SurveyAction(models.Model):
    """ "You said, we did": what the organization changed in answer to what people said."""

    TENANT_OWNER: ClassVar[str] = "organization"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    said = models.JSONField(_("you said"), default=dict)
    did = models.JSONField(_("we did"), default=dict)
    done_on = models.DateField(_("done on"))
    is_public = models.BooleanField(_("shown on the public page"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("action taken")
        verbose_name_plural = _("you said, we did")
        ordering = ["-done_on", "-pk"]

    def __str__(self) -> str:
        return pick(self.did)[:60]


# --- Round tables and their recommendations -------------------------------------------------


class TableRole(models.TextChoices):
    MEMBER = "member", _("Member")
    CHAIR = "chair", _("Co-chair")
    SECRETARIAT = "secretariat", _("Secretariat")
    OBSERVER = "observer", _("Observer")


class TableMember(models.Model):
    """An organization sitting at a round table (an organization of kind "round table")."""

    TENANT_OWNER: ClassVar[str] = "table"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("member",)

    table = models.ForeignKey(
        Organization,
        verbose_name=_("round table"),
        on_delete=models.CASCADE,
        related_name="table_members",
    )
    member = models.ForeignKey(
        Organization,
        verbose_name=_("member organization"),
        on_delete=models.CASCADE,
        related_name="tables_joined",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=TableRole.choices, default=TableRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("round table member")
        verbose_name_plural = _("round table members")
        ordering = ["table", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["table", "member"], name="table_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.table}"


class Meeting(models.Model):
    """A meeting of a round table, with its minutes."""

    TENANT_OWNER: ClassVar[str] = "table"

    table = models.ForeignKey(
        Organization, verbose_name=_("round table"), on_delete=models.CASCADE, related_name="+"
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), max_length=50_000, blank=True)
    minutes_public = models.BooleanField(_("minutes are public"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on.isoformat()})"


class RecommendationState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    ADOPTED = "adopted", _("Adopted by the table")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")
    NO_ANSWER = "no_answer", _("No answer")


class Recommendation(models.Model):
    """What a round table asks of an institution, followed until it answers (or does not)."""

    TENANT_OWNER: ClassVar[str] = "table"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("addressed_to",)

    table = models.ForeignKey(
        Organization,
        verbose_name=_("round table"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("recommendation"), max_length=TEXT_MAX)
    addressed_to = models.ForeignKey(
        Organization,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="recommendations_received",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=RecommendationState.choices,
        default=RecommendationState.DRAFTED,
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("the institution's answer"), max_length=TEXT_MAX, blank=True)
    remind_after_days = models.PositiveSmallIntegerField(
        _("remind after (days without an answer)"), default=60
    )
    last_reminded_on = models.DateField(_("last reminder"), null=True, blank=True)
    is_public = models.BooleanField(_("shown on the public tracker"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(addressed_to=models.F("table")), name="recommendation_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecommendationEvent(models.Model):
    """One step of a recommendation: who took it, when, with what note."""

    TENANT_OWNER: ClassVar[str] = "recommendation__table"
    TENANT_READERS: ClassVar[tuple[str, ...]] = ("recommendation__addressed_to",)

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=RecommendationState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=RecommendationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation step")
        verbose_name_plural = _("recommendation steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.from_state} → {self.to_state}"
