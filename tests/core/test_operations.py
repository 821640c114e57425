import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "ANCRAGE_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 20 + "production-secret-for-the-deploy-check-" + "z" * 20,
        "DJANGO_ALLOWED_HOSTS": "ancrage.example.org",
        "ANCRAGE_VAR_DIR": str(tmp_path),
    }
    env.pop(
        "DJANGO_ALLOW_ASYNC_UNSAFE", None
    )  # set by the browser tests for their own process only
    result = subprocess.run(
        [sys.executable, "-m", "ancrage.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_missing_secret_key(tmp_path):
    env = {**os.environ, "ANCRAGE_ENV": "production", "ANCRAGE_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "ancrage.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_stylesheet_is_served(client):
    from django.templatetags.static import static

    response = client.get(static("css/ancrage.css"))
    assert response.status_code == 200
    assert b"--brand" in b"".join(response.streaming_content)
