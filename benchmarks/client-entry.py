"""Intake at city scale: finding a client and recording a service, against the raw indexed SQL.

Data (in the throwaway database of `ancrage bench`), PostgreSQL: 100 organizations, 1,000,000
clients (10,000 each), their encrypted identities and blind-index tokens, 10,000,000 service
records (10 per client over three years). On SQLite the sizes are divided by 20 (50,000 clients,
500,000 records; `--scale` multiplies both): the figures say which.

How the data is made fast: rows are written by `INSERT … SELECT` over a series (PostgreSQL
`generate_series`, SQLite a recursive CTE). Identities are not encrypted one by one: the real
vault functions (`vault.encrypt`, `vault.name_digests`, `vault.birth_digest`) encrypt and digest a
pool of 60 given names, 80 family names, 1,000 dates of birth and 100 phone numbers (digests per
organization, as the vault keys them), and each client gets a pseudo-random combination of them
(4,800,000 possible people), its ciphertexts and tokens copied by SQL joins. Each client's
identity decrypts to the names its tokens index, so a lookup finds what it shows. On PostgreSQL
foreign-key triggers are off during the bulk inserts (`session_replication_role = replica`: the
rows are generated consistent) and indexes are maintained as in production; `ANALYZE` follows.

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

import contextlib
import json
import os
import random
import statistics
import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.test import Client as Browser
from django.utils import timezone

from ancrage.clients import selectors, vault
from ancrage.clients.models import (
    CODE_ALPHABET,
    Client,
    Identity,
    IdentityToken,
    ServiceRecord,
    ServiceType,
)
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.network.models import Membership, Organization

ORGANIZATIONS = 100
CLIENTS = 1_000_000
RECORDS_PER_CLIENT = 10
SQLITE_DIVISOR = 20
REQUESTS = 300
WARM_UP = 20
CHUNK_ORGANIZATIONS = 10  # tokens are written ten organizations at a time
RECORD_CHUNK = 1_000_000

GIVEN = [
    "Marie", "Mariam", "Mohamed", "Jean", "Jeanne", "Fatima", "Ahmed", "Amina", "Luis", "Lucia",
    "Carlos", "Camila", "Sofia", "Olena", "Oleksandr", "Nguyen", "Minh", "Thi", "Wei", "Mei",
    "Priya", "Rahul", "Aisha", "Ibrahim", "Yasmine", "Youssef", "Daniel", "Daniela", "Gabriel",
    "Gabriela", "Pierre", "Paul", "Paula", "Samuel", "Sara", "Kofi", "Ama", "Chinedu", "Ngozi",
    "Rosa", "Roberto", "Ana", "Andrés", "Marie-Ève", "Jean-François", "Zéphyrine", "Hassan",
    "Leila", "Omar", "Nadia", "Dmitri", "Irina", "Mateo", "Valentina", "Joseph", "Josephine",
    "Kwame", "Farah", "Tariq", "Li",
]  # fmt: skip
FAMILY = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Nguyen", "Tran", "Le", "Pham", "Diallo", "Traoré", "Koné", "Touré", "Benali",
    "Haddad", "Khoury", "Saleh", "Mansour", "Rahman", "Hossain", "Singh", "Patel", "Sharma",
    "García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Kowalczyk", "Kowalski", "Shevchenko",
    "Kovalenko", "Bondarenko", "Ivanova", "Petrov", "Wang", "Zhang", "Chen", "Liu", "Yang", "Huang",
    "Zhao", "Wu", "Zhou", "Okafor", "Adeyemi", "Mensah", "Osei", "Joseph", "Jean-Baptiste",
    "Pierre-Louis", "Saint-Fleur", "Charles", "Dorvil", "Belizaire", "Alexandre", "O'Neil",
    "Oyelaran", "Santos", "Silva", "Oliveira", "Ferreira", "Costa", "Rossi", "Russo", "Esposito",
]  # fmt: skip
BIRTH_DATES = 1_000
PHONES = 100
CODE_SPACE = len(CODE_ALPHABET) ** 6  # 31^6: codes of six characters
CODE_STEP = 7_654_321  # coprime with 31: n -> code is one-to-one
ELIGIBILITY = {
    "status": "unfunded",
    "summary": "Unfunded (the organization's own funds).",
    "reasons": [],
    "rule_version": None,
    "covered_by": [],
}


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _series(n: int) -> str:
    """A CTE `s(n)` of 0 … n-1, put before INSERT (both databases accept `WITH … INSERT`)."""
    if _pg():
        return f"WITH s(n) AS (SELECT generate_series(0::bigint, {n - 1}))"
    return f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {n - 1})"


def _day(base: str, days_sql: str) -> str:
    if _pg():
        return f"(DATE '{base}' + ({days_sql})::int)"
    return f"date('{base}', '+' || ({days_sql}) || ' days')"


def _ago(seconds_sql: str) -> str:
    if _pg():
        return f"(now() - make_interval(secs => ({seconds_sql})))"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({seconds_sql}) || ' seconds')"


def _mix(column: str, multiplier: int, modulo: int) -> str:
    """A pseudo-random pick in 0 … modulo-1 from an integer column (no overflow: < 2^63)."""
    return f"(({column} * {multiplier}) % {modulo})"


def _code_sql() -> str:
    """Six characters of the codes' alphabet from n, one-to-one: no two clients share a code."""
    x = f"((n * {CODE_STEP} + 12345) % {CODE_SPACE})"
    return " || ".join(
        f"substr('{CODE_ALPHABET}', CAST((({x} / {31**k}) % 31) + 1 AS integer), 1)"
        for k in range(6)
    )


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # None: no placeholders, "%" is the modulo


def _triggers(on: bool) -> None:
    """Foreign-key triggers off while generated (consistent) rows are bulk-written."""
    if not _pg():
        return
    # Not a superuser: the triggers stay, generation is only slower.
    with contextlib.suppress(DatabaseError):
        _execute(f"SET session_replication_role = {'origin' if on else 'replica'}")


def _pool(organization_ids: list[int], rng: random.Random) -> None:
    """Ciphertexts and per-organization digests of the pool, in temporary tables."""
    _execute("CREATE TEMP TABLE bench_ct (kind varchar(8), idx int, ct text)")
    _execute(
        "CREATE TEMP TABLE bench_token (kind varchar(8), idx int, org int, digest varchar(32))"
    )
    births = sorted(
        {date(1945, 1, 1) + timedelta(days=rng.randrange(60 * 365)) for _ in range(BIRTH_DATES)}
    )
    while len(births) < BIRTH_DATES:
        births.append(births[-1] + timedelta(days=1))
    pools = {
        "given": GIVEN,
        "family": FAMILY,
        "birth": [d.isoformat() for d in births],
        "phone": [f"514 555-{1000 + i:04d}" for i in range(PHONES)],
        "empty": [""],
    }
    cts = [(kind, i, vault.encrypt(text)) for kind, texts in pools.items() for i, text in
           enumerate(texts)]  # fmt: skip
    tokens = []
    for org in organization_ids:
        for kind in ("given", "family"):
            for i, name in enumerate(pools[kind]):
                tokens += [(kind, i, org, d) for d in vault.name_digests(org, [name])]
        tokens += [("birth", i, org, vault.birth_digest(org, d)) for i, d in enumerate(births)]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_ct VALUES (%s, %s, %s)", cts)
        cursor.executemany("INSERT INTO bench_token VALUES (%s, %s, %s, %s)", tokens)
        cursor.execute("CREATE INDEX bench_ct_idx ON bench_ct (kind, idx)")
        cursor.execute("CREATE INDEX bench_token_idx ON bench_token (kind, org, idx)")


def _picks() -> dict[str, str]:
    """Which pool entry client `c` has, from its id (the same expressions everywhere).

    The statements join with CROSS JOIN … WHERE: PostgreSQL plans it as any join, SQLite keeps
    the big table outside (it would otherwise loop over the pools' product)."""
    return {
        "given": _mix("c.id", 2_654_435_761, len(GIVEN)),
        "family": _mix("c.id", 40_503, len(FAMILY)),
        "birth": _mix("c.id", 97_787, BIRTH_DATES),
        "phone": _mix("c.id", 31_337, PHONES),
    }


def _populate(clients: int, records: int, rng: random.Random) -> dict:
    boroughs = list(Borough.objects.order_by("pk").values_list("pk", flat=True))
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Organisme d'accueil {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough_id=boroughs[i % len(boroughs)],
        )
        for i in range(ORGANIZATIONS)
    )
    org_ids = [o.pk for o in organizations]
    _execute("CREATE TEMP TABLE bench_org (idx int PRIMARY KEY, org int, borough int)")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_org VALUES (%s, %s, %s)",
            [(i, o.pk, o.borough_id) for i, o in enumerate(organizations)],
        )
    timings = {}
    started = time.perf_counter()
    _pool(org_ids, rng)
    timings["pool_seconds"] = round(time.perf_counter() - started, 1)

    _triggers(on=False)
    started = time.perf_counter()
    # Client n belongs to organization n % 100; the newest is n = 0 (created_at n minutes ago).
    arrival = _day("2017-01-01", _mix("n", 7_919, 3_000))
    _execute(
        f"""{_series(clients)}
        INSERT INTO clients_client (organization_id, code, status_since, arrived_canada_on,
            arrived_quebec_on, age_band, gender, french_level, borough_id, household,
            household_size, library_user, document_language, version, created_at, updated_at)
        SELECT o.org, {_code_sql()}, NULL, {arrival}, {arrival}, '', '', '', o.borough, '',
            NULL, NULL, '', 1, {_ago("n * 60")}, {_ago("n * 60")}
        FROM s CROSS JOIN bench_org o WHERE o.idx = s.n % {ORGANIZATIONS}"""
    )
    timings["clients_seconds"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    picks = _picks()
    (empty,) = _one("SELECT ct FROM bench_ct WHERE kind = 'empty'")
    e = f"'{empty}'"  # a Fernet token: url-safe base64, nothing to quote
    _execute(
        f"""INSERT INTO clients_identity (client_id, given_names, family_names, preferred_name,
            date_of_birth, phone, email, address, uci_number, health_insurance_number,
            other_file_number, note, version, updated_at)
        SELECT c.id, g.ct, f.ct, {e}, b.ct, p.ct, {e}, {e}, {e}, {e}, {e}, {e}, 1, c.created_at
        FROM clients_client c
        CROSS JOIN bench_ct g CROSS JOIN bench_ct f CROSS JOIN bench_ct b CROSS JOIN bench_ct p
        WHERE g.kind = 'given' AND g.idx = {picks["given"]}
        AND f.kind = 'family' AND f.idx = {picks["family"]}
        AND b.kind = 'birth' AND b.idx = {picks["birth"]}
        AND p.kind = 'phone' AND p.idx = {picks["phone"]}"""
    )
    timings["identities_seconds"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    for start in range(0, len(org_ids), CHUNK_ORGANIZATIONS):
        chunk = ", ".join(str(o) for o in org_ids[start : start + CHUNK_ORGANIZATIONS])
        selects = [
            f"""SELECT c.id, c.organization_id, t.digest FROM clients_client c
            CROSS JOIN bench_token t
            WHERE c.organization_id IN ({chunk}) AND t.kind = '{kind}'
                AND t.org = c.organization_id AND t.idx = {picks[kind]}"""
            for kind in ("given", "family", "birth")
        ]
        # UNION: a given and a family name may share a prefix; each digest once per client.
        _execute(
            "INSERT INTO clients_identitytoken (client_id, organization_id, digest) "
            + " UNION ".join(selects)
        )
    timings["tokens_seconds"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    first_id, last_id, count = _one("SELECT MIN(id), MAX(id), COUNT(*) FROM clients_client")
    assert last_id - first_id + 1 == count == clients, (first_id, last_id, count)
    types = list(ServiceType.objects.filter(organization__isnull=True).values_list("pk", flat=True))
    _execute("CREATE TEMP TABLE bench_type (idx int PRIMARY KEY, id int)")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_type VALUES (%s, %s)", list(enumerate(types)))
    eligibility = json.dumps(ELIGIBILITY).replace("'", "''")
    for start in range(0, records, RECORD_CHUNK):
        size = min(RECORD_CHUNK, records - start)
        _execute(
            f"""{_series(size)}
            INSERT INTO clients_servicerecord (client_id, service_type_id, served_on, minutes,
                eligibility, note, created_at)
            SELECT {first_id} + {_mix(f"(n + {start})", 7_919, clients)}, t.id,
                {_day("2023-01-01", _mix(f"(n + {start})", 37, 1_095))},
                15 * (1 + (n % 8)), '{eligibility}', '', {_ago(f"(n + {start}) * 3")}
            FROM s CROSS JOIN bench_type t WHERE t.idx = (n + {start}) % {len(types)}"""
        )
    timings["records_seconds"] = round(time.perf_counter() - started, 1)
    _triggers(on=True)
    for table in ("bench_ct", "bench_token", "bench_org", "bench_type"):
        _execute(f"DROP TABLE {table}")

    organization = organizations[len(organizations) // 2]
    worker = get_user_model().objects.create(username="accueil@bench.invalid")
    Membership.objects.create(user=worker, organization=organization, role=Role.INTAKE_WORKER)
    return {
        "worker": worker,
        "organization": organization,
        "org_index": len(organizations) // 2,
        "first_id": first_id,
        "types": types,
        "timings": timings,
    }


def _one(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # None: no placeholders, "%" is the modulo
        return cursor.fetchone()


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
    picks = {
        "given": (2_654_435_761, GIVEN),
        "family": (40_503, FAMILY),
    }

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
            names = [names[(pk * multiplier) % len(names)] for multiplier, names in picks.values()]
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
    divisor = 1 if _pg() else SQLITE_DIVISOR
    clients = CLIENTS * scale // divisor
    records = clients * RECORDS_PER_CLIENT
    rng = random.Random(2026)
    started = time.perf_counter()
    data = _populate(clients, records, rng)
    populate_seconds = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    _execute("ANALYZE")
    analyze_seconds = round(time.perf_counter() - started, 1)
    worker = data["worker"]

    browser = Browser()
    browser.force_login(worker)
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
        "scale_note": "full city scale"
        if divisor == 1
        else f"SQLite: sizes divided by {divisor} (city scale is measured on PostgreSQL)",
        "organizations": ORGANIZATIONS,
        "clients": Client.objects.count(),
        "identities": Identity.objects.count(),
        "identity_tokens": IdentityToken.objects.count(),
        "service_records": ServiceRecord.objects.count(),
        **data["timings"],
        "populate_seconds": populate_seconds,
        "analyze_seconds": analyze_seconds,
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

    cast = "CAST(%s AS jsonb)" if _pg() else "%s"
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
