"""Decision letters: one per decided application, in French or English, as PDF (WeasyPrint).

A funded project's letter gives the amount of every year and the total (and the share of the
request when it is funded in part); a declined project's letter says so and gives its score. The
letter is dated on the day the decision was adopted and made only from what is stored: the same
decision gives the same bytes.
"""

import re
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from ancrage.core.translated import pick
from ancrage.grants import allocation, review
from ancrage.grants.models import AllocationRun, Application, ApplicationState

LANGUAGES = ("fr-ca", "en")
LANGUAGE_NAMES = {"fr-ca": "Français", "en": "English"}
DECIDED = (ApplicationState.FUNDED, ApplicationState.DECLINED)


class NotDecided(ValueError):
    """The application has no decision yet: no letter."""


def _check(application: Application, language: str) -> AllocationRun:
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}: one of {', '.join(LANGUAGES)}.")
    decision = application.call.allocation_runs.filter(is_decision=True).first()
    if application.state not in DECIDED or decision is None:
        raise NotDecided(f"Application {application.pk} is not decided.")
    return decision


def _texts(language: str, texts: dict[str, str] | None) -> str:
    texts = texts or {}
    base = "fr" if language.startswith("fr") else "en"
    return texts.get(base) or pick(texts) or ""


def context(application: Application, *, language: str) -> dict[str, Any]:
    """What the letter says, in `language` (call this within `translation.override`)."""
    decision = _check(application, language)
    call = application.call
    funded = application.state == ApplicationState.FUNDED
    awards = list(application.awards.order_by("year"))
    requested = review.requested_of(application)
    share = (decision.result or {}).get("shares", {}).get(str(application.pk))
    share = Decimal(share) if share is not None else None
    score = (decision.result or {}).get("scores", {}).get(str(application.pk))
    adopted = (decision.result or {}).get("adopted_at")
    decided_at = timezone.localtime(
        datetime.fromisoformat(adopted) if adopted else application.updated_at
    )
    return {
        "language": language,
        "funded": funded,
        "funder": call.funder.name,
        "call": _texts(language, call.titles) or call.code,
        "organization": application.organization.name,
        "title": application.title,
        "reference": f"{call.code}-{application.pk}",
        "date": date_format(decided_at.date(), "DATE_FORMAT"),
        "date_iso": decided_at.isoformat(timespec="seconds"),
        "awards": [
            {
                "year": award.year,
                "amount": allocation.money(award.amount),
                "requested": allocation.money(requested.get(award.year, Decimal(0))),
            }
            for award in awards
        ],
        "total": allocation.money(sum((a.amount for a in awards), Decimal(0))),
        "requested_total": allocation.money(sum(requested.values(), Decimal(0))),
        "partial_percent": (
            f"{(share * 100).quantize(Decimal('0.1')).normalize():f}"
            if funded and share is not None and share < 1
            else ""
        ),
        "score": f"{Decimal(score).quantize(Decimal('0.1'))}" if score is not None else "",
    }


def letter_html(application: Application, *, language: str) -> str:
    """The HTML the PDF is made from (autoescaped: names are text, never markup)."""
    with translation.override(language):
        return render_to_string(
            "grants/allocation/letter.html", context(application, language=language)
        )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    # The letter is self-contained: WeasyPrint never fetches anything.
    raise ValueError(f"External resource refused: {url[:80]}")


def letter_pdf(application: Application, *, language: str) -> bytes:
    from weasyprint import HTML  # imported on use: it takes half a second to load

    html = letter_html(application, language=language)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(pdf_identifier=True)


def _ascii_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def filename(application: Application, language: str) -> str:
    """e.g. lettre-decision-montreal-inclusive-42-fr.pdf (ASCII, no spaces)."""
    french = language.startswith("fr")
    stem = "lettre-decision" if french else "decision-letter"
    call = _ascii_slug(application.call.code) or "appel"
    return f"{stem}-{call}-{application.pk}-{'fr' if french else 'en'}.pdf"


def describe_language(language: str) -> str:
    return LANGUAGE_NAMES.get(language, language)
