import math
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

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


def client_address(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the header the proxy in front sets
    (`ANCRAGE_CLIENT_IP_HEADER`, e.g. HTTP_X_REAL_IP), which only a trusted proxy may write."""
    header = getattr(settings, "ANCRAGE_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


class RateLimitMiddleware:
    """Requests per address and per minute on the public API and on the login form.

    A fixed one-minute window counted in Django's cache (`ANCRAGE_API_RATE_LIMIT` requests to
    /hsds/, `ANCRAGE_LOGIN_RATE_LIMIT` sign-in attempts; 0 turns a limit off). Over the limit:
    429 with Retry-After. django-axes still locks an account after repeated failures; this limit
    also stops one address from trying many accounts. With several worker processes and the
    local-memory cache, each process counts on its own: the limit is per process.
    """

    WINDOW = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bucket, limit = self._bucket(request)
        if limit > 0:
            now = time.time()
            window = int(now // self.WINDOW)
            key = f"ancrage-rate:{bucket}:{client_address(request)}:{window}"
            cache.add(key, 0, timeout=self.WINDOW + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=self.WINDOW + 1)
                count = 1
            if count > limit:
                retry_after = max(1, math.ceil((window + 1) * self.WINDOW - now))
                return self._too_many(bucket, retry_after)
        return self.get_response(request)

    @staticmethod
    def _bucket(request: HttpRequest) -> tuple[str, int]:
        if request.path.startswith("/hsds/"):
            return "api", int(getattr(settings, "ANCRAGE_API_RATE_LIMIT", 0))
        if request.method == "POST" and request.path == reverse("login"):
            return "login", int(getattr(settings, "ANCRAGE_LOGIN_RATE_LIMIT", 0))
        return "", 0

    @staticmethod
    def _too_many(bucket: str, retry_after: int) -> HttpResponse:
        message = _("Too many requests from your address; try again in %(seconds)d seconds.") % {
            "seconds": retry_after
        }
        if bucket == "api":
            response = JsonResponse(
                {"detail": message}, status=429, json_dumps_params={"ensure_ascii": False}
            )
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(retry_after)
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


class SecondFactorMiddleware:
    """Staff who can read identities reach no page before the second step of signing in.

    After django-otp's OTPMiddleware. Public pages, the API, signing out, the language switch and
    the second step's own pages stay open; every other page sends the person to the code (or to
    linking an app, the first time), then back where they were going.
    """

    OPEN = frozenset(
        {
            "login",
            "logout",
            "second_factor",
            "set_language",
            "healthz",
            "openapi",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, args, kwargs
    ) -> HttpResponse | None:
        from ancrage.core import second_factor

        match = request.resolver_match
        if (
            getattr(request, "is_public_page", False)
            or (match is not None and (match.url_name in self.OPEN or match.namespace == "hsds"))
            or not request.user.is_authenticated
            or second_factor.is_verified(request)
            or not second_factor.needs_second_factor(request.user)
        ):
            return None
        return redirect_to_login(
            request.get_full_path(), reverse("second_factor"), REDIRECT_FIELD_NAME
        )
