"""The identity vault at rest: ciphertext in the database, key rotation, the blind index."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from ancrage.clients import selectors, vault
from ancrage.clients.models import Identity, IdentityToken
from tests import factories
from tests.clients.conftest import BORN, FAMILY, GIVEN, identity, register

pytestmark = pytest.mark.django_db

KEY_1 = Fernet.generate_key().decode()
KEY_2 = Fernet.generate_key().decode()


def raw_identity_row(client_pk):
    columns = ", ".join(Identity.FIELDS)
    with connection.cursor() as cursor:
        # Column names come from the model, not from input.
        query = f"SELECT {columns} FROM clients_identity WHERE client_id = %s"  # noqa: S608
        cursor.execute(query, [client_pk])
        return dict(zip(Identity.FIELDS, cursor.fetchone(), strict=True))


def test_every_identity_field_is_ciphertext_in_the_database(person):
    plain = identity()
    plain["date_of_birth"] = BORN.isoformat()
    row = raw_identity_row(person.pk)
    for field in Identity.FIELDS:
        stored = row[field]
        assert stored.startswith("gAAAAA"), field  # a Fernet token
        assert plain[field] not in stored, field
        assert vault.decrypt(stored) == plain[field], field


def test_empty_fields_are_encrypted_too(org_a):
    client = register(org_a, phone="", email="", note="", uci_number="")
    row = raw_identity_row(client.pk)
    assert all(row[f].startswith("gAAAAA") for f in ("phone", "email", "note", "uci_number"))


def test_no_table_holds_the_name_or_birth_date_in_clear(person):
    """Not the vault, not the blind index, not the audit log, not the profile: nowhere."""
    needles = [GIVEN, FAMILY, "Kowalczyk", "zephyrine", "OYEZ", BORN.isoformat(), "514 555"]
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).casefold()
                for needle in needles:
                    assert needle.casefold() not in text, (table, needle)


def test_encrypted_fields_cannot_be_filtered_on(person):
    with pytest.raises(FieldError):
        list(Identity.objects.filter(given_names=GIVEN))
    assert Identity.objects.filter(note__isnull=False).count() == 1


def test_rotation_re_encrypts_and_the_retired_key_is_no_longer_needed(org_a, settings):
    settings.ANCRAGE_VAULT_KEYS = (KEY_1,)
    client = register(org_a)
    before = raw_identity_row(client.pk)
    assert Fernet(KEY_1.encode()).decrypt(before["given_names"].encode()).decode() == GIVEN

    settings.ANCRAGE_VAULT_KEYS = (KEY_2, KEY_1)  # new key first, old one kept to read
    call_command("vault-rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115

    settings.ANCRAGE_VAULT_KEYS = (KEY_2,)  # old key retired
    after = raw_identity_row(client.pk)
    for field in Identity.FIELDS:
        assert after[field] != before[field]
        with pytest.raises(InvalidToken):
            Fernet(KEY_1.encode()).decrypt(after[field].encode())
    stored = Identity.objects.get(client=client)
    assert (stored.given_names, stored.family_names, stored.born_on) == (GIVEN, FAMILY, BORN)
    assert stored.version == 1  # rotation changes no content: edits in progress stay valid


def test_a_key_retired_before_rotation_is_a_clear_configuration_error(org_a, settings):
    settings.ANCRAGE_VAULT_KEYS = (KEY_1,)
    client = register(org_a)
    settings.ANCRAGE_VAULT_KEYS = (KEY_2,)
    with pytest.raises(ImproperlyConfigured, match="vault-rotate"):
        Identity.objects.get(client=client)


def test_rotation_rebuilds_the_blind_index_with_a_new_index_key(org_a, settings):
    worker = factories.member(org_a, "intake_worker")
    client = register(org_a, worker)
    settings.ANCRAGE_VAULT_INDEX_KEY = "another-index-key-of-at-least-thirty-two-characters"
    assert selectors.client_lookup(user=worker, query="oyel") == []
    call_command("vault-rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert selectors.client_lookup(user=worker, query="oyel") == [client]


def test_rotation_is_audited(person):
    from ancrage.core.models import AuditEvent

    call_command("vault-rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = AuditEvent.objects.get(reason="vault key rotation")
    assert event.details["identities"] == 1


def test_without_keys_the_vault_refuses_to_work(org_a, settings):
    settings.ANCRAGE_VAULT_KEYS = ()
    with pytest.raises(ImproperlyConfigured, match="ANCRAGE_VAULT_KEYS"):
        register(org_a)
    settings.ANCRAGE_VAULT_KEYS = ("not-a-fernet-key",)
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        register(org_a)


def test_without_an_index_key_the_vault_refuses_to_work(org_a, settings):
    settings.ANCRAGE_VAULT_INDEX_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="ANCRAGE_VAULT_INDEX_KEY"):
        register(org_a)


def test_production_refuses_the_published_development_keys(tmp_path):
    from django.conf import settings as live

    env = {
        **os.environ,
        "ANCRAGE_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "ancrage.example.org",
        "ANCRAGE_VAR_DIR": str(tmp_path),
        "ANCRAGE_VAULT_KEYS": live.ANCRAGE_VAULT_DEVELOPMENT_KEYS[0],
        "ANCRAGE_VAULT_INDEX_KEY": "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-m", "ancrage.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "development vault keys" in result.stderr


# --- Blind index -----------------------------------------------------------------------------


def test_names_are_normalized_without_accents_case_or_punctuation():
    assert vault.normalize("  Marie-Ève  O'Néil ") == "marie eve o neil"
    assert vault.name_tokens("Marie-Ève O'Neil") == [
        "marie",
        "eve",
        "marieeve",
        "o",
        "neil",
        "oneil",
    ]


def test_the_index_holds_digests_only_and_differs_between_organizations(org_a, org_b):
    one = register(org_a)
    two = register(org_b)
    digests_a = set(IdentityToken.objects.filter(client=one).values_list("digest", flat=True))
    digests_b = set(IdentityToken.objects.filter(client=two).values_list("digest", flat=True))
    assert digests_a and digests_b
    assert not digests_a & digests_b  # the same person is not linkable across organizations
    assert all(len(d) == vault.DIGEST_CHARS and int(d, 16) >= 0 for d in digests_a)


def test_a_query_of_one_or_two_letters_matches_whole_short_names_only(org_a):
    key_prefix = vault.query_digests(org_a.pk, "li")
    short_name = vault.name_digests(org_a.pk, ["Li"])
    longer = vault.name_digests(org_a.pk, ["Lina"])
    assert set(key_prefix) <= short_name
    assert not set(key_prefix) & longer
