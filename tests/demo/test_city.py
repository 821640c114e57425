"""The city-scale generator at a tiny factor, and `ancrage bench --out-dir`."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from ancrage.activities.models import Activity, Attendance, Session
from ancrage.clients import vault
from ancrage.clients.models import Client, Identity, IdentityToken, ServiceRecord
from ancrage.core.management.commands import bench
from ancrage.demo import city
from ancrage.directory.models import Service
from ancrage.funding.models import Agreement
from tests import factories

FACTOR = 0.0002  # 200 clients, 2,000 service records, 2 activities, 4 services


@pytest.mark.django_db
def test_the_counts_scale_as_promised_and_identities_decrypt():
    expected = city.sizes(FACTOR)
    assert (expected.clients, expected.service_records, expected.services) == (200, 2_000, 4)

    generated = city.generate(factor=FACTOR)

    intake = generated.organizations
    assert len(intake) == expected.organizations
    assert Client.objects.count() == expected.clients
    assert Identity.objects.count() == expected.clients
    assert ServiceRecord.objects.count() == expected.service_records
    assert Activity.objects.count() == expected.activities
    assert Session.objects.count() == expected.sessions
    assert Attendance.objects.count() == expected.attendances
    assert Service.objects.count() == expected.services
    assert Agreement.objects.count() == expected.organizations
    # Every client of every intake organization; each a given name, a family name, a birth date.
    assert Client.objects.filter(organization__in=intake).count() == expected.clients
    assert IdentityToken.objects.count() >= 3 * expected.clients

    client = Client.objects.order_by("pk")[len(intake) + 7]
    identity = Identity.objects.get(client=client)
    given, family = city.identity_of(client.pk)
    assert (identity.given_names, identity.family_names) == (given, family)
    # The blind index finds the person by the first letters of the family name.
    digests = vault.query_digests(client.organization_id, family[:4])
    assert IdentityToken.objects.filter(client=client, digest__in=digests).exists()


def test_the_full_city_counts_meet_the_issue():
    full = city.sizes(1)
    assert full.clients >= 1_000_000
    assert full.service_records >= 10_000_000
    assert full.attendances >= 2_000_000
    assert full.services == 20_000
    # Scaling keeps the proportions.
    tenth = city.sizes(0.1)
    assert tenth.clients * 10 == full.clients
    assert tenth.service_records * 10 == full.service_records


@pytest.mark.django_db
def test_seed_demo_city_refuses_an_occupied_database(capsys):
    factories.OrganizationFactory(name="Déjà là")
    with translation.override("en"), pytest.raises(CommandError, match="empty database"):
        call_command("seed-demo", "--scale", "city", "--factor", str(FACTOR))
    assert Client.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_city_generates_at_a_small_factor(capsys):
    call_command("seed-demo", "--scale", "city", "--factor", str(FACTOR))
    assert Client.objects.count() == city.sizes(FACTOR).clients
    assert Attendance.objects.count() == city.sizes(FACTOR).attendances


@pytest.mark.django_db
def test_sqlite_refuses_the_full_city():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit")
    with translation.override("en"), pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed-demo", "--scale", "city")
    with pytest.raises(city.CityScaleRefused):
        city.generate(factor=1)
    assert not Client.objects.exists()


def test_bench_out_dir_writes_one_json_file_per_benchmark(tmp_path, monkeypatch):
    monkeypatch.setattr(
        bench, "available", lambda: {"tiny": tmp_path / "tiny.py", "small": tmp_path / "small.py"}
    )
    monkeypatch.setattr(
        bench, "run_one", lambda name, path, *, scale: {"name": name, "answer": 42 * scale}
    )
    out = tmp_path / "var" / "bench"

    call_command("bench", "--all", "--out-dir", str(out), "--scale", "2")

    assert sorted(p.name for p in out.iterdir()) == ["small.json", "tiny.json"]
    assert json.loads((out / "tiny.json").read_text()) == {"name": "tiny", "answer": 84}
