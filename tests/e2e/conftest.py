"""Browser tests: a real Chromium (Debian's), driven by Playwright's sync API, against `live_server`.

- Chromium is /usr/bin/chromium; never `playwright install`. Missing: skip, or fail when CI=true.
- Every test here is marked `e2e` and runs with
  `django_db(transaction=True, serialized_rollback=True)`: the live server runs in another thread,
  so the data must be committed; the reference lists (boroughs…) come from a data migration and
  are restored before each test from the copy serialized when the test database was created.
- After the last browser test, the reference lists are restored once more, so that any
  transactional test running later still finds them (Django flushes the tables after a
  transactional test).
- Each page visited is saved under test-artifacts/screenshots/<test name>-<step>.png.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from django.utils import translation

# Playwright's sync API runs an event loop in this thread; Django's ORM must not refuse to run.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

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

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_BLOCKING_IMPACTS = {"serious", "critical"}

E2E_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test on committed data."""
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(E2E_DB)


def _is_e2e(item: pytest.Item | None) -> bool:
    return item is not None and E2E_DIR in Path(str(item.path)).parents


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After the last browser test in a row, put the reference lists back (see module doc).

    Runs once the test's fixtures are torn down, that is after Django has flushed the tables.
    With no next test the test database is being destroyed: nothing to restore.
    """
    result = yield
    if _is_e2e(item) and nextitem is not None and not _is_e2e(nextitem):
        _restore_serialized_contents(item.config)
    return result


def _restore_serialized_contents(config: pytest.Config) -> None:
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


# ---------------------------------------------------------------------------------------------
# Browser


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser, request: pytest.FixtureRequest, viewport: dict) -> Iterator:
    context = browser.new_context(viewport=viewport, locale="fr-CA")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.e2e_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
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


@pytest.fixture
def screenshot(request) -> Callable:
    """`screenshot(page, "step")` saves test-artifacts/screenshots/<test name>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

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
    """Sign in through the real login form, as a person would."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state()


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


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; the violations of impact serious or critical.

    The site sends `Content-Security-Policy: script-src 'self'`, which blocks an inline
    <script> tag; code evaluated through the DevTools protocol is not subject to it, so axe is
    evaluated with `page.evaluate` and the page keeps its real security policy.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {_axe_source()}\n; return true; }}")
    result = page.evaluate(
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in AXE_BLOCKING_IMPACTS]


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
