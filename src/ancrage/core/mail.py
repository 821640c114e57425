"""E-mail to staff, each in their own language."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation


def staff_language(person: Any) -> str:
    """The person's preferred staff language, French when they chose none or another one."""
    language = getattr(person, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in settings.STAFF_LANGUAGES else settings.STAFF_LANGUAGES[0]


def mail_in_their_languages(people: Iterable[Any], compose: Callable[[], tuple[str, str]]) -> None:
    """One e-mail per language spoken among `people`; `compose()` gives the subject and text in
    the active language. A failure raises, so the caller's transaction rolls back its record."""
    by_language: dict[str, list[str]] = {}
    for person in people:
        by_language.setdefault(staff_language(person), []).append(person.email)
    for language, emails in sorted(by_language.items()):
        with translation.override(language):
            subject, text = compose()
        send_mail(
            subject=subject,
            message=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=emails,
        )
