"""Response headers on every page, and pages that the content security policy would not break."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from ancrage.core.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_the_policy_allows_no_inline_script_nor_style():
    policy = _directives(CONTENT_SECURITY_POLICY)
    for directive in ("default-src", "script-src", "style-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


class InlineCode(HTMLParser):
    """What `script-src 'self'` and `style-src 'self'` would block in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self._in_script = True
        if tag == "style":
            self.blocked.append("<style>")
        for name, value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=>")
            if name == "style":
                self.blocked.append(f"<{tag} style=>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.blocked.append("<script>inline</script>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.blocked


def assert_security_headers(response) -> None:
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


# Every page of the project is checked for these headers and for inline code by
# test_hostile_input.py, after the corpus went through every form (one pass over the pages serves
# both checks, and a stored value that became markup would show there).


def test_error_pages_and_the_api_carry_the_headers(client):
    for url in ("/no-such-page/", "/hsds/services", "/hsds/nowhere", "/accounts/login/"):
        assert_security_headers(client.get(url))


def test_session_and_csrf_cookies_are_not_readable_by_scripts(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
secure = Client().get("/hsds/", secure=True)
plain = Client().get("/hsds/")
print(json.dumps({
    "hsts": secure.get("Strict-Transport-Security"),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_cookie_name": settings.SESSION_COOKIE_NAME,
    "debug": settings.DEBUG,
    "api_rate_limit": settings.ANCRAGE_API_RATE_LIMIT,
    "login_rate_limit": settings.ANCRAGE_LOGIN_RATE_LIMIT,
}))
"""


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANCRAGE_", "DJANGO_")) or key == "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ancrage.settings",
            "ANCRAGE_ENV": "production",
            "DJANGO_SECRET_KEY": "s" * 64,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "ANCRAGE_VAR_DIR": str(tmp_path),
        }
    )
    probe = subprocess.run(  # noqa: S603  (our own interpreter and a constant script)
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"max-age=31536000; includeSubDomains; preload", seen["hsts"])
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://")
    assert seen["session_cookie_secure"] and seen["csrf_cookie_secure"]
    assert seen["session_cookie_name"].startswith("__Host-")
    assert seen["debug"] is False
    assert seen["api_rate_limit"] > 0 and seen["login_rate_limit"] > 0


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/hsds/", secure=True)
