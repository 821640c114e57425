"""Browser tests: a real Chromium (Debian's), driven by Playwright's sync API, against `live_server`.

- Chromium is /usr/bin/chromium; never `playwright install`. Missing: skip, or fail when CI=true.
- Every test here is marked `e2e` and runs with
  `django_db(transaction=True, serialized_rollback=True)`: the live server runs in another thread,
  so the data must be committed; the reference lists (boroughs…) come from a data migration and
  are restored before each test from the copy serialized when the test database was created.
- One Chromium serves every browser test of the session; each test gets a fresh context and page.
- Each page visited is saved under test-artifacts/screenshots/<test name>-<step>.png.

Playwright's sync API keeps an asyncio loop marked as running in this thread while it is started.
Two consequences, both handled here:
- Django refuses ORM calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is
  set; it is set for the browser tests only (and removed after them: `ancrage check --deploy`
  rightly refuses it, and subprocesses of later tests would inherit it).
- Django's connection handler then keeps connections per context instead of per thread, so the
  test thread gets new connection objects that lack the serialized copy of the database (used by
  `serialized_rollback`); the copy is handed to them before each browser test.
After the last browser test, Chromium is stopped (the connections opened meanwhile closed) and the
reference lists are restored once more, so that later transactional tests still find them
(Django empties the tables after a transactional test).
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
E2E_DIR = Path(__file__).resolve().parent
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_BLOCKING_IMPACTS = {"serious", "critical"}

E2E_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _is_e2e(item: pytest.Item | None) -> bool:
    return item is not None and E2E_DIR in Path(str(item.path)).parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test on committed data."""
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(E2E_DB)


# ---------------------------------------------------------------------------------------------
# Life cycle: environment, serialized database copy, Chromium


class _Session:
    """What the browser tests change in the process, and how to undo it."""

    saved_env: str | None = None
    env_set = False
    serialized: dict[str, str] = {}
    playwright = None
    browser = None

    @classmethod
    def enter(cls) -> None:
        if not cls.env_set:
            cls.saved_env = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            cls.env_set = True
        cls.share_serialized_contents()

    @classmethod
    def leave(cls) -> None:
        if not cls.env_set:
            return
        if cls.saved_env is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = cls.saved_env
        cls.env_set = False

    @classmethod
    def remember_serialized_contents(cls) -> None:
        from django.db import connections

        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents is not None:
                cls.serialized[alias] = contents

    @classmethod
    def share_serialized_contents(cls) -> None:
        from django.db import connections

        for alias, contents in cls.serialized.items():
            connection = connections[alias]
            if getattr(connection, "_test_serialized_contents", None) is None:
                connection._test_serialized_contents = contents

    @classmethod
    def launch(cls):
        if cls.browser is None:
            # Before the loop starts: these are still the connections holding the copy.
            cls.remember_serialized_contents()
            from playwright.sync_api import sync_playwright

            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            cls.share_serialized_contents()
        return cls.browser

    @classmethod
    def stop(cls) -> None:
        if cls.playwright is None:
            return
        from django.db import connections

        try:
            connections.close_all()  # those opened while the loop ran, else they outlive it
            cls.browser.close()
        finally:
            cls.playwright.stop()
            cls.playwright = cls.browser = None


def _restore_serialized_contents(config: pytest.Config) -> None:
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for alias, contents in _Session.serialized.items():
            connections[alias].creation.deserialize_db_from_string(contents)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if _is_e2e(item):
        _Session.enter()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After the last browser test in a row: stop Chromium, restore the lists, unset the variable.

    Runs once the test's fixtures are torn down, that is after Django has emptied the tables.
    With no next test, the session's fixtures are gone too (Chromium stopped by `_chromium`,
    test database destroyed): nothing to restore.
    """
    try:
        return (yield)
    finally:
        if _is_e2e(item) and not _is_e2e(nextitem):
            try:
                _Session.stop()
                if nextitem is not None and _Session.serialized:
                    _restore_serialized_contents(item.config)
            finally:
                _Session.leave()


@pytest.fixture(scope="session")
def _chromium(django_db_setup) -> Iterator[type[_Session]]:
    """The session's Chromium, stopped before the test database is destroyed."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield _Session
    finally:
        _Session.stop()


@pytest.fixture
def browser(_chromium):
    """The Chromium shared by the session's browser tests (launched on first use)."""
    return _chromium.launch()


def _new_page(browser, request: pytest.FixtureRequest, viewport: dict) -> Iterator:
    context = browser.new_context(viewport=viewport, locale="fr-CA")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Uncaught exceptions and console errors (CSP refusals included), but not failed loads:
    # a 404 page is an expected answer in some tests, and so is the browser's favicon request.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.e2e_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
        report = request.node.stash.get(_CALL_REPORT, None)
        if report is not None and report.failed and not page.is_closed():
            _save_screenshot(page, request.node.name, "failure")
    finally:
        context.close()


@pytest.fixture
def page(browser, request, live_server):
    """A fresh desktop browser context and page (1280×800), on a running live server."""
    yield from _new_page(browser, request, DESKTOP)


@pytest.fixture
def phone_page(browser, request, live_server):
    """A fresh phone-sized context and page (390×844)."""
    yield from _new_page(browser, request, PHONE)


_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep the outcome of the test body, for the screenshot of a failure."""
    report = yield
    if report.when == "call" and _is_e2e(item):
        item.stash[_CALL_REPORT] = report
    return report


def _save_screenshot(page, test_name: str, step: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = "-".join(re.sub(r"[^A-Za-z0-9_.-]+", "_", part) for part in (test_name, step))
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request) -> Callable:
    """`screenshot(page, "step")` saves test-artifacts/screenshots/<test name>-<step>.png."""

    def take(page, step: str) -> Path:
        return _save_screenshot(page, request.node.name, step)

    return take


@pytest.fixture
def visit(live_server, screenshot) -> Callable:
    """`visit(page, "/path/", "step")`: open a page of the live server, screenshot it, return the response."""

    def go(page, path: str, step: str):
        response = page.goto(live_server.url + path)
        screenshot(page, step)
        return response

    return go


def sign_in(page, live_server, username: str, password: str) -> None:
    """Sign in through the real login form, as a person would, and the second step if asked."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():  # wait for the sign-in POST, not the page already loaded
        page.click("form[action$='/accounts/login/'] button[type=submit]")
    if on_second_step(page):
        page.fill("#id_code", authenticator_code(page, username))
        with page.expect_navigation():
            page.click("form[action$='/accounts/second-factor/'] button[type=submit]")


def on_second_step(page) -> bool:
    return urlsplit(page.url).path == "/accounts/second-factor/"


def authenticator_code(page, username: str) -> str:
    """What the person's phone shows: from the key on the page when linking an app (as the app
    would read it from the QR code), else from the app linked to the account."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ancrage.core.second_factor import current_code

    shown = page.locator("code.secret")
    if shown.count():
        secret = shown.inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        return f"{TOTP(key).token():06d}"
    return current_code(TOTPDevice.objects.get(user__username=username, confirmed=True))


def french(text: str) -> str:
    """The French (fr-CA) translation of a source string, as the site would show it."""
    with translation.override("fr-ca"):
        return translation.gettext(text)


# ---------------------------------------------------------------------------------------------
# Accessibility (axe-core)


@cache
def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_start(page) -> None:
    """Start axe-core on the page and return at once (`axe_collect` waits for the answer): while
    it runs in the browser, the test may already load another page in another tab.

    The site sends `Content-Security-Policy: script-src 'self'`, which blocks an inline
    <script> tag; code evaluated through the DevTools protocol is not subject to it, so axe is
    evaluated with `page.evaluate` and the page keeps its real security policy.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {_axe_source()}\n; return true; }}")
    # Only the violations, and only what is reported of them: axe skips the details of the rules
    # that pass, and far less crosses the DevTools protocol.
    page.evaluate(
        """([tags, impacts]) => {
            window.__ancrageAxe = window.axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
            }).then(result => result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target}))})));
        }""",
        [AXE_TAGS, sorted(AXE_BLOCKING_IMPACTS)],
    )


def axe_collect(page) -> list[dict]:
    """The violations of impact serious or critical found by the run `axe_start` began."""
    return page.evaluate("() => window.__ancrageAxe")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; the violations of impact serious or critical."""
    axe_start(page)
    return axe_collect(page)


def format_violations(violations: list[dict], where: str = "") -> str:
    lines = []
    for violation in violations:
        targets = [json.dumps(node["target"]) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"{where}[{violation['impact']}] {violation['id']}: {violation['help']}"
            f" — {', '.join(targets)}{f' (+{more} more)' if more > 0 else ''}"
        )
    return "\n".join(lines)


def axe_check(page) -> None:
    """Fail, listing them, if axe-core finds serious or critical violations on the page."""
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} serious/critical violation(s) on {page.url}\n"
        + format_violations(violations)
    )
