from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: content security policy and permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class FrenchFirstLocaleMiddleware:
    """French (fr-CA) unless the person chose another language with the switch.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: Ancrage is a
    French-first public service, and the choice is one click away on every page.

    Public pages (views marked with `core.views.public_page`) speak every language of
    `settings.LANGUAGES`; the other pages speak `settings.STAFF_LANGUAGES`, and someone who chose,
    say, Arabic on the directory reads them in English rather than in a half-translated mix.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, args, kwargs) -> None:
        public = getattr(view_func, "ancrage_public", False)
        request.is_public_page = bool(public(request) if callable(public) else public)
        if not request.is_public_page and request.LANGUAGE_CODE not in settings.STAFF_LANGUAGES:
            translation.activate(settings.STAFF_LANGUAGES[-1])
            request.LANGUAGE_CODE = settings.STAFF_LANGUAGES[-1]
