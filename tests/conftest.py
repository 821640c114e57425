import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _french_default(settings):
    """Tests start in the project's default language, whatever the machine's locale."""
    settings.LANGUAGE_CODE = "fr-ca"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests/core/test_auth.py checks the real setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org_a(db):
    return factories.OrganizationFactory(name="Organisme A")


@pytest.fixture
def org_b(db):
    return factories.OrganizationFactory(name="Organisme B")


@pytest.fixture
def director_a(org_a):
    return factories.member(org_a, "director")


@pytest.fixture
def client_of():
    """A Django test client signed in as the given user."""
    from django.test import Client

    def make(user):
        client = Client()
        factories.sign_in(client, user)
        return client

    return make
