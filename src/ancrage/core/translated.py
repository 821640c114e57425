"""The one mechanism for content written in several languages.

Content fields (reference names today; service descriptions and surveys later) are stored as a
JSON object keyed by language code: {"fr": "Arrondissement", "en": "Borough", "es": "..."}.
`pick()` chooses the text for the reader's language with a predictable fallback, French first.
"""

from collections.abc import Mapping

from django.utils.translation import get_language

FALLBACK_ORDER = ("fr", "en")


def base_language(code: str | None) -> str:
    """'fr-ca' -> 'fr', 'zh-hans' -> 'zh-hans' (scripts are kept, regions dropped)."""
    if not code:
        return FALLBACK_ORDER[0]
    code = code.lower().replace("_", "-")
    head, _sep, tail = code.partition("-")
    if tail in {"hans", "hant", "latn", "cyrl"}:
        return code
    return head


def pick(texts: Mapping[str, str] | None, language: str | None = None) -> str:
    """Text in `language` (default: the active one), else French, else English, else any."""
    if not texts:
        return ""
    wanted = base_language(language or get_language())
    for code in (wanted, *FALLBACK_ORDER):
        value = texts.get(code)
        if value:
            return value
    return next((v for v in texts.values() if v), "")


def missing_languages(
    texts: Mapping[str, str] | None, required: tuple[str, ...] = FALLBACK_ORDER
) -> list[str]:
    """Required languages with no text: used by forms to refuse half-translated content."""
    texts = texts or {}
    return [code for code in required if not (texts.get(code) or "").strip()]
