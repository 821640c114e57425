"""Intake at city scale: finding a client and recording a service, against the raw indexed SQL.

Data (in the throwaway database of `ancrage bench`): the city generator (`ancrage.demo.city`, the
same as `ancrage seed-demo --scale city`) at factor 1 on PostgreSQL: 100 intake organizations,
1,000,000 clients (10,000 each) with their encrypted identities and blind-index tokens,
10,000,000 service records over three years, 2,920,000 sessions and 2,096,695 attendance rows,
20,000 directory services. On SQLite the factor is 0.05 (50,000 clients, 500,000 records;
`--scale` multiplies it). The generator's time, step by step, is part of the figures
(`generate_*`). See the generator's docstring for how the data is made fast.

Measured (p50 / p95 of 300 repetitions each, after 20 warm-up requests):
- lookup as an intake worker does it, through the real page (`GET /clients/?q=…` with the Django
  test client: middleware, session, form, `client_lookup`, the audited identity reads, template):
  a full code (straight to the file), the first 4 characters of a code, 3 or 4 letters of a given
  or family name, two name starts; target p95 ≤ 50 ms.
  Floor: the raw indexed SQL that finds the same rows (code: equality or prefix on the
  organization's codes; name: the tokens' index, grouped, newest 20), digests computed beforehand.
- recording a service for a known client through the fast-entry page (`POST
  /clients/<pk>/services/new/`, request to commit: eligibility on the day, checks, insert, audit,
  redirect); target p95 ≤ 100 ms. Floor: a raw `INSERT` of one service record row (autocommit).
"""

# The SQL below is assembled from this module's constants and integers, never from input.
# ruff: noqa: S608

import json
import os
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as Browser
from django.utils import timezone

from ancrage.clients import selectors, vault
from ancrage.clients.models import Client, Identity, ServiceRecord
from ancrage.core import second_factor
from ancrage.core.choices import Role
from ancrage.demo import city
from ancrage.network.models import Membership

SQLITE_FACTOR = city.SQLITE_MAX_FACTOR
REQUESTS = 300
WARM_UP = 20
ELIGIBILITY = {
    "status": "unfunded",
    "summary": "Unfunded (the organization's own funds).",
    "reasons": [],
    "rule_version": None,
    "covered_by": [],
}


def _populate(factor: float) -> dict:
    generated = city.generate(factor=factor)
    organization = generated.organizations[len(generated.organizations) // 2]
    worker = get_user_model().objects.create(username="accueil@bench.invalid")
    Membership.objects.create(user=worker, organization=organization, role=Role.INTAKE_WORKER)
    return {
        "city": generated,
        "worker": worker,
        "organization": organization,
        "types": generated.service_types,
    }


# --- Measures -----------------------------------------------------------------------------------

FLOOR_CODE = "SELECT id FROM clients_client WHERE organization_id = %s AND code = %s"
FLOOR_CODE_PREFIX = (
    "SELECT id FROM clients_client WHERE organization_id = %s AND code LIKE %s "
    "ORDER BY code LIMIT 20"
)


def _floor_name_sql(tokens: int) -> str:
    marks = ", ".join(["%s"] * tokens)
    return f"""SELECT c.id FROM clients_client c WHERE c.organization_id = %s AND c.id IN (
        SELECT client_id FROM clients_identitytoken WHERE organization_id = %s
        AND digest IN ({marks}) GROUP BY client_id HAVING COUNT(DISTINCT digest) = {tokens})
        ORDER BY c.created_at DESC, c.id DESC LIMIT 20"""


def _lookups(data: dict, rng: random.Random) -> list[dict]:
    """What intake workers type: a full code, a code's start, 3–4 letters of a name, two starts."""
    org = data["organization"].pk
    known = list(Client.objects.filter(organization_id=org).values_list("pk", "code"))

    def start(name: str) -> str:
        return vault.normalize(name).split()[0][: rng.choice([3, 4])]

    lookups = []
    for i in range(REQUESTS + WARM_UP):
        pk, code = rng.choice(known)
        roll = i % 10
        if roll < 4:
            lookups.append({"kind": "code", "q": code.lower() if roll == 0 else code})
        elif roll == 4:
            lookups.append({"kind": "code_start", "q": code[:4]})
        else:
            names = city.identity_of(pk)
            two = f"{start(names[0])} {start(names[1])}"
            q = two if roll == 9 else start(names[roll % 2])
            lookups.append({"kind": "name", "q": q})
    for lookup in lookups:
        q = lookup["q"]
        if lookup["kind"] == "code":
            lookup["floor"] = (FLOOR_CODE, [org, selectors.normalize_code(q)])
        elif lookup["kind"] == "code_start":
            lookup["floor"] = (FLOOR_CODE_PREFIX, [org, selectors.normalize_code(q) + "%"])
        else:
            digests = vault.query_digests(org, q)
            lookup["floor"] = (_floor_name_sql(len(digests)), [org, org, *digests])
    return lookups


def _floor_rows(lookup: dict) -> list[int]:
    sql, params = lookup["floor"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _check_lookups(worker, lookups: list[dict]) -> int:
    """The page's selector finds what the raw query finds (and the vault decrypts the names)."""
    checked = set()
    for lookup in lookups:
        if lookup["q"] in checked:
            continue
        checked.add(lookup["q"])
        floor = _floor_rows(lookup)
        assert floor, lookup["q"]
        found = [c.pk for c in selectors.client_lookup(user=worker, query=lookup["q"])]
        if lookup["kind"] == "name":
            code = selectors.normalize_code(lookup["q"])
            by_code = Client.objects.filter(pk__in=found, code__startswith=code).count()
            assert set(floor[: 20 - by_code]) <= set(found), lookup["q"]
            identity = Identity.objects.get(client_id=floor[0])
            typed = vault.normalize(lookup["q"]).split()
            words = vault.normalize(identity.full_name).split()
            assert all(any(w.startswith(t) for w in words) for t in typed), (typed, words)
        else:
            assert floor[0] in found, lookup["q"]
    return len(checked)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return round(statistics.median(ordered) * 1000, 2), round(p95 * 1000, 2)


def _timed(fn, items) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's processor seconds of each call."""
    wall, cpu = [], []
    for item in items:
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn(item)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    return wall, cpu


def run(*, scale: int = 1) -> dict:
    factor = (1.0 if city.pg() else SQLITE_FACTOR) * scale
    rng = random.Random(2026)
    started = time.perf_counter()
    data = _populate(factor)
    populate_seconds = round(time.perf_counter() - started, 1)
    worker = data["worker"]

    browser = Browser()
    second_factor.force_sign_in(browser, worker)  # password and code, without the forms
    lookups = _lookups(data, rng)
    checked = _check_lookups(worker, lookups)

    def page(lookup):
        response = browser.get("/clients/", {"q": lookup["q"]})
        expected = 302 if lookup["kind"] == "code" else 200
        assert response.status_code == expected, (lookup, response.status_code)

    for lookup in lookups[:WARM_UP]:
        page(lookup)
    measured = lookups[WARM_UP:]
    figures: dict = {
        "scale_note": f"city generator at factor {factor}"
        + ("" if city.pg() else " (SQLite; the full city is measured on PostgreSQL)"),
        **data["city"].counts(),
        "identities": Identity.objects.count(),
        **{f"generate_{k}": v for k, v in data["city"].timings.items()},
        "generate_seconds": populate_seconds,
        "lookup_queries_checked_against_floor": checked,
        "lookup_requests": len(measured),
    }
    wall, cpu = _timed(page, measured)
    floor_wall, _cpu = _timed(_floor_rows, measured)
    figures["lookup_p50_ms"], figures["lookup_p95_ms"] = _percentiles(wall)
    figures["lookup_cpu_p50_ms"], figures["lookup_cpu_p95_ms"] = _percentiles(cpu)
    figures["lookup_floor_p50_ms"], figures["lookup_floor_p95_ms"] = _percentiles(floor_wall)
    figures["lookup_ratio_p95"] = round(
        figures["lookup_p95_ms"] / figures["lookup_floor_p95_ms"], 1
    )
    for kind in ("code", "code_start", "name"):
        indexes = [i for i, lookup in enumerate(measured) if lookup["kind"] == kind]
        p50, p95 = _percentiles([wall[i] for i in indexes])
        f50, f95 = _percentiles([floor_wall[i] for i in indexes])
        figures[f"lookup_{kind}_n_p50_p95_ms"] = (len(indexes), p50, p95)
        figures[f"lookup_{kind}_floor_p50_p95_ms"] = (f50, f95)
    figures["lookup_target_p95_ms"] = 50

    # Recording: a different known client of the worker's organization each time.
    org = data["organization"].pk
    known = list(Client.objects.filter(organization_id=org).values_list("pk", flat=True))
    targets = rng.sample(known, REQUESTS + WARM_UP)
    today = timezone.localdate().isoformat()
    types = data["types"]
    before = ServiceRecord.objects.count()

    def record(i: int) -> None:
        response = browser.post(
            f"/clients/{targets[i]}/services/new/",
            {
                "service_type": types[i % len(types)],
                "on": today,
                "minutes": "60",
                "program": "",
                "note": "",
            },
        )
        assert response.status_code == 302, (targets[i], response.status_code)

    cast = "CAST(%s AS jsonb)" if city.pg() else "%s"
    insert_sql = f"""INSERT INTO clients_servicerecord (client_id, service_type_id, served_on,
        minutes, worker_id, eligibility, note, created_at)
        VALUES (%s, %s, %s, %s, %s, {cast}, %s, %s)"""
    eligibility = json.dumps({**ELIGIBILITY, "evaluated_on": today})

    def floor_insert(i: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                insert_sql,
                [
                    targets[i],
                    types[i % len(types)],
                    today,
                    60,
                    worker.pk,
                    eligibility,
                    "",
                    timezone.now(),
                ],
            )

    for i in range(WARM_UP):
        record(i)
    wall, cpu = _timed(record, range(WARM_UP, WARM_UP + REQUESTS))
    floor_wall, _cpu = _timed(floor_insert, range(WARM_UP, WARM_UP + REQUESTS))
    assert ServiceRecord.objects.count() == before + 2 * REQUESTS + WARM_UP
    figures["record_requests"] = REQUESTS
    figures["record_p50_ms"], figures["record_p95_ms"] = _percentiles(wall)
    figures["record_cpu_p50_ms"], figures["record_cpu_p95_ms"] = _percentiles(cpu)
    figures["record_floor_insert_p50_ms"], figures["record_floor_insert_p95_ms"] = _percentiles(
        floor_wall
    )
    figures["record_ratio_p95"] = round(
        figures["record_p95_ms"] / figures["record_floor_insert_p95_ms"], 1
    )
    figures["record_target_p95_ms"] = 100
    figures["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    figures["cpu_count"] = os.cpu_count()
    return figures
