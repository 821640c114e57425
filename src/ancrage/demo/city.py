"""The city-scale generator: `ancrage seed-demo --scale city` and the benchmarks' data.

At factor 1 (PostgreSQL): 100 intake organizations (one site each) and 600 directory
organizations (1 to 3 places each); a funder with two programs (PASI, PILI) and a three-year PASI
agreement per intake organization with its targets; 1,000,000 clients (10,000 per organization:
immigration status, age band, gender, borough, arrival date, one or two languages) with their
encrypted identities and blind-index tokens (about 11,000,000); 10,000,000 service records over
three years (2023-04-01 to 2026-03-31, charged to PASI, PILI or nothing); 4,000 activities
(40 per organization) with a session every other day from 2023-04-03 to 2027-03-31
(2,920,000 sessions, 1 in 23 cancelled) and the head count of every held session to
2026-04-02 (2,096,695 attendance rows; the later ones await theirs); 20,000 directory services. `factor` scales every count
(`sizes()` says what a factor gives); on SQLite the factor is at most `SQLITE_MAX_FACTOR`.

Deterministic: the same factor and seed give the same rows (the clients' ciphertexts differ,
Fernet draws a fresh nonce, but they decrypt to the same names).

How it is fast: rows are written by `INSERT … SELECT` over a series (PostgreSQL `generate_series`,
SQLite a recursive CTE), never one by one. Identities are not encrypted one by one: the real vault
functions encrypt and digest a pool of 60 given names, 80 family names, 1,000 dates of birth and
100 phone numbers (digests per organization, as the vault keys them), and each client gets a
combination of them picked from its id (4,800,000 possible people), its ciphertexts and tokens
copied by SQL joins; each identity decrypts to the names its tokens index. On PostgreSQL
foreign-key triggers are off during the bulk inserts when the role may do it
(`session_replication_role = replica`: the rows are generated consistent), and the big tables'
secondary indexes are dropped before and built after (those behind a constraint are maintained
as in production); `ANALYZE` follows.
"""

# The SQL below is assembled from this module's constants and integers, never from input.
# ruff: noqa: S608

import contextlib
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TextIO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ancrage.activities.models import Activity, ActivityType, Attendance, Session
from ancrage.clients import vault
from ancrage.clients.models import (
    CODE_ALPHABET,
    AgeBand,
    Client,
    Gender,
    IdentityToken,
    ServiceRecord,
    ServiceType,
)
from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Audience, Borough, ImmigrationStatus, Language
from ancrage.demo.directory import (
    COMMUNITY_OFFERS,
    ENGLISH_ONLY,
    FRENCH_ONLY,
    LIBRARY_OFFERS,
    NAMED_OFFERS,
)
from ancrage.demo.montreal import NEIGHBOURHOODS
from ancrage.directory.models import (
    NEEDS_TAXONOMY_NAME,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from ancrage.funding.models import Agreement, AgreementTarget, FundingProgram, TargetMetric
from ancrage.network.models import Organization, Site

DEFAULT_SEED = 2026
SQLITE_MAX_FACTOR = 0.05  # 50,000 clients, 500,000 service records: minutes, not hours

ORGANIZATIONS = 100
CLIENTS = 1_000_000
RECORDS_PER_CLIENT = 10
ACTIVITIES = 4_000
SERVICES = 20_000
DIRECTORY_ORGANIZATIONS = 600

DATA_START = "2023-04-01"
DAYS = 1_096  # 2023-04-01 … 2026-03-31: service records
AGREEMENT = (date(2023, 4, 1), date(2026, 3, 31))
SESSIONS_START = "2023-04-03 22:00:00"  # a Monday, 18:00 in Montréal (UTC stored)
SESSIONS_END = "2023-04-04 00:00:00"  # two hours
SESSION_SLOTS = 730  # a session every other day for four years, to 2027-03-31
HELD_SLOTS = 548  # the slots to 2026-04-02 have their head count
CANCELLED_EVERY = 23
CHARGED_ACTIVITIES_IN_TEN = 4  # charged to PASI
UNFUNDED_IN_TEN = 2  # in ten clients of each organization: asylum seekers, no program covers
RECORD_CHUNK = 1_000_000
TOKEN_CHUNK_ORGANIZATIONS = 10
COMMON_LANGUAGES = ("es", "ar", "zh-hans", "ht", "fa", "pt", "ru", "vi", "tl", "uk", "en", "ur")

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
# Which pool entry client id c has: (c * multiplier) % len(pool), the same in SQL and Python.
PICK_MULTIPLIERS = {"given": 2_654_435_761, "family": 40_503, "birth": 97_787, "phone": 31_337}
CODE_SPACE = len(CODE_ALPHABET) ** 6  # 31^6: codes of six characters
CODE_STEP = 7_654_321  # coprime with 31: n -> code is one-to-one


class CityScaleRefused(Exception):
    """The factor does not fit this database (SQLite beyond `SQLITE_MAX_FACTOR`, or ≤ 0)."""


class CityDataExists(Exception):
    """Organizations already exist: the city is generated into an empty database only."""


# --- Bulk SQL helpers (shared with the benchmarks) ----------------------------------------------


def pg() -> bool:
    return connection.vendor == "postgresql"


def series(n: int) -> str:
    """A CTE `s(n)` of 0 … n-1, put before INSERT (both databases accept `WITH … INSERT`)."""
    if pg():
        return f"WITH s(n) AS (SELECT generate_series(0::bigint, {n - 1}))"
    return f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {n - 1})"


def day(base: str, days_sql: str) -> str:
    if pg():
        return f"(DATE '{base}' + ({days_sql})::int)"
    return f"date('{base}', '+' || ({days_sql}) || ' days')"


def moment(base_utc: str, days_sql: str) -> str:
    """A timestamp `days_sql` days after `base_utc` (Django's storage on each database)."""
    if pg():
        return f"(TIMESTAMPTZ '{base_utc}+00' + make_interval(days => ({days_sql})::int))"
    return f"strftime('%Y-%m-%d %H:%M:%S', '{base_utc}', '+' || ({days_sql}) || ' days')"


def moment_before(base_utc: str, minutes_sql: str) -> str:
    """A timestamp `minutes_sql` minutes before `base_utc`."""
    if pg():
        return f"(TIMESTAMPTZ '{base_utc}+00' - make_interval(mins => ({minutes_sql})::int))"
    return f"strftime('%Y-%m-%d %H:%M:%S', '{base_utc}', '-' || ({minutes_sql}) || ' minutes')"


def mix(column: str, multiplier: int, modulo: int) -> str:
    """A pseudo-random pick in 0 … modulo-1 from an integer column (no overflow: < 2^63)."""
    return f"(({column} * {multiplier}) % {modulo})"


def case(index_sql: str, values: list) -> str:
    """values[index_sql] as SQL (values are ids or this module's constant strings)."""
    whens = " ".join(
        f"WHEN {i} THEN {v if isinstance(v, int) else repr(v)}" for i, v in enumerate(values)
    )
    return f"(CASE {index_sql} {whens} END)"


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # None: no placeholders, "%" is the modulo


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def triggers(on: bool) -> None:
    """Foreign-key triggers off while generated (consistent) rows are bulk-written."""
    if not pg():
        return
    # Not a superuser: the triggers stay, generation is only slower (the savepoint keeps a
    # surrounding transaction usable after the refusal).
    with contextlib.suppress(DatabaseError), transaction.atomic():
        execute(f"SET session_replication_role = {'origin' if on else 'replica'}")


# The tables the generator fills by the million.
BULK_TABLES = (
    "clients_client",
    "clients_client_languages",
    "clients_identity",
    "clients_identitytoken",
    "clients_servicerecord",
    "activities_session",
    "activities_attendance",
)


@contextlib.contextmanager
def indexes_deferred(tables: tuple[str, ...] = BULK_TABLES):
    """PostgreSQL: the tables' secondary indexes dropped during a bulk load and built after it,
    one sort each instead of millions of insertions (those behind a constraint stay). On an
    error the indexes are not rebuilt: in a transaction the drop is rolled back with the rest."""
    if not pg():
        yield
        return
    definitions = rows(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid =
            (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)""",
        [list(tables)],
    )
    for name, _definition in definitions:
        execute(f'DROP INDEX "{name}"')
    yield
    execute("SET maintenance_work_mem = '256MB'")
    for _name, definition in definitions:
        execute(definition)


# --- Sizes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    organizations: int
    clients: int
    service_records: int
    activities: int
    sessions: int
    attendances: int
    services: int
    directory_organizations: int


def sizes(factor: float) -> Sizes:
    """What `generate(factor=…)` writes (exact counts)."""
    clients = max(1, round(CLIENTS * factor))
    organizations = min(ORGANIZATIONS, max(1, clients // 100))
    activities = max(organizations, round(ACTIVITIES * factor))
    held = activities * HELD_SLOTS
    return Sizes(
        organizations=organizations,
        clients=clients,
        service_records=clients * RECORDS_PER_CLIENT,
        activities=activities,
        sessions=activities * SESSION_SLOTS,
        attendances=held - (held + CANCELLED_EVERY - 1) // CANCELLED_EVERY,
        services=max(1, round(SERVICES * factor)),
        directory_organizations=max(1, round(DIRECTORY_ORGANIZATIONS * factor)),
    )


def identity_of(client_id: int) -> tuple[str, str]:
    """The given and family names the generator gave client `client_id`."""
    return (
        GIVEN[(client_id * PICK_MULTIPLIERS["given"]) % len(GIVEN)],
        FAMILY[(client_id * PICK_MULTIPLIERS["family"]) % len(FAMILY)],
    )


@dataclass
class City:
    factor: float
    seed: int
    sizes: Sizes
    organizations: list[Organization]
    first_client_id: int
    service_types: list[int]
    pasi: FundingProgram
    pili: FundingProgram
    agreements: list[Agreement]
    services: list = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "organizations": Organization.objects.count(),
            "sites": Site.objects.count(),
            "clients": Client.objects.count(),
            "identity_tokens": IdentityToken.objects.count(),
            "service_records": ServiceRecord.objects.count(),
            "activities": Activity.objects.count(),
            "sessions": Session.objects.count(),
            "attendance_rows": Attendance.objects.count(),
            "agreements": Agreement.objects.count(),
            "agreement_targets": AgreementTarget.objects.count(),
            "directory_services": len(self.services),
        }


# --- Generation ---------------------------------------------------------------------------------


def check_factor(factor: float) -> None:
    if factor <= 0:
        raise CityScaleRefused("The factor must be above 0.")
    if not pg() and factor > SQLITE_MAX_FACTOR:
        raise CityScaleRefused(
            f"SQLite holds at most factor {SQLITE_MAX_FACTOR} of the city "
            f"({round(CLIENTS * SQLITE_MAX_FACTOR):,} clients); use PostgreSQL for the full city."
        )


def generate(
    *, factor: float = 1.0, seed: int = DEFAULT_SEED, stdout: TextIO | None = None
) -> City:
    """Write the city into an empty database (see the module's docstring); commit is the caller's."""
    check_factor(factor)
    if Organization.objects.exists():
        raise CityDataExists
    size = sizes(factor)
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started_all = time.perf_counter()

    def step(name: str, started: float) -> float:
        timings[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
        if stdout is not None:
            stdout.write(f"  {name}: {timings[f'{name}_seconds']} s\n")
        return time.perf_counter()

    started = time.perf_counter()
    ref = _reference()
    organizations = _organizations(ref, size)
    started = step("organizations", started)
    triggers(on=False)
    try:
        with indexes_deferred():
            first_id = _clients(ref, size)
            started = step("clients", started)
            _identities(organizations, size, rng)
            started = step("identities", started)
            _tokens(organizations)
            started = step("tokens", started)
            _records(ref, first_id, size)
            started = step("service_records", started)
            _activities(ref, organizations, size)
            started = step("sessions", started)
        started = step("indexes", started)
    finally:
        triggers(on=True)
        for table in ("city_org", "city_ct", "city_token"):
            execute(f"DROP TABLE IF EXISTS {table}")
    agreements = _agreements(ref, organizations, size)
    services = directory_services(
        rng, services=size.services, organizations=size.directory_organizations
    )["services"]
    started = step("agreements_and_directory", started)
    execute("ANALYZE")
    step("analyze", started)
    return City(
        factor=factor,
        seed=seed,
        sizes=size,
        organizations=organizations,
        first_client_id=first_id,
        service_types=ref["types"],
        pasi=ref["pasi"],
        pili=ref["pili"],
        agreements=agreements,
        services=services,
        timings=timings,
        seconds=round(time.perf_counter() - started_all, 1),
    )


def _reference() -> dict:
    boroughs = list(Borough.objects.order_by("pk").values_list("pk", flat=True))
    mifi = Organization.objects.create(
        name="Ministère de l'Immigration, de la Francisation et de l'Intégration",
        kind=OrganizationKind.FUNDER,
        borough_id=boroughs[0],
    )
    pasi = FundingProgram.objects.create(
        funder=mifi,
        code="pasi-stream-1",
        names={
            "fr": "PASI — Volet 1 : accompagnement des personnes immigrantes",
            "en": "PASI — Stream 1: support for immigrants",
        },
    )
    pili = FundingProgram.objects.create(
        funder=mifi,
        code="pili",
        names={"fr": "PILI — Francisation", "en": "PILI — French courses"},
    )
    return {
        "boroughs": boroughs,
        "statuses": dict(ImmigrationStatus.objects.values_list("code", "pk")),
        "languages": dict(Language.objects.values_list("code", "pk")),
        "pasi": pasi,
        "pili": pili,
        "types": list(
            ServiceType.objects.filter(organization__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "activity_types": list(ActivityType.objects.order_by("pk").values_list("pk", flat=True)),
    }


def _organizations(ref: dict, size: Sizes) -> list[Organization]:
    boroughs = ref["boroughs"]
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Organisme d'accueil {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough_id=boroughs[i % len(boroughs)],
        )
        for i in range(size.organizations)
    )
    Site.objects.bulk_create(
        Site(
            organization=o,
            name=f"Bureau d'accueil {i}",
            borough_id=o.borough_id,
            street_address=f"{100 + i} rue Principale",
        )
        for i, o in enumerate(organizations)
    )
    execute("CREATE TEMP TABLE city_org (idx int PRIMARY KEY, org int, borough int)")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO city_org VALUES (%s, %s, %s)",
            [(i, o.pk, o.borough_id) for i, o in enumerate(organizations)],
        )
    return organizations


def _code_sql() -> str:
    """Six characters of the codes' alphabet from n, one-to-one: no two clients share a code."""
    x = f"((n * {CODE_STEP} + 12345) % {CODE_SPACE})"
    return " || ".join(
        f"substr('{CODE_ALPHABET}', CAST((({x} / {31**k}) % 31) + 1 AS integer), 1)"
        for k in range(6)
    )


def _clients(ref: dict, size: Sizes) -> int:
    """Client n belongs to organization n % organizations; a fifth are asylum seekers (by id).

    The newest is n = 0 (created n minutes before 2026-03-31 12:00 UTC)."""
    orgs = size.organizations
    statuses = ref["statuses"]
    others = [statuses[c] for c in statuses if c != "asylum-seeker"]
    # More permanent residents and refugees than the rest, as in an intake office.
    weighted = [others[0]] * 4 + [others[1]] * 2 + others
    q = f"(n / {orgs})"  # n % orgs is the organization: attributes are drawn from n / orgs
    status = case(mix(q, 7_919, len(weighted)), weighted)
    ages = [value for value, _label in AgeBand.choices][3:] + [""]  # adults, and some unknown
    genders = [str(g) for g in (Gender.WOMAN, Gender.WOMAN, Gender.MAN, Gender.MAN)]
    genders += [str(Gender.ANOTHER), ""]
    boroughs = ref["boroughs"]
    arrival = day("2014-01-01", mix(q, 7_919, 4_300))
    created = moment_before("2026-03-31 12:00:00", "n")
    execute(
        f"""{series(size.clients)}
        INSERT INTO clients_client (organization_id, code, immigration_status_id, status_since,
            arrived_canada_on, arrived_quebec_on, age_band, gender, french_level, borough_id,
            household, household_size, library_user, document_language, version, created_at,
            updated_at)
        SELECT o.org, {_code_sql()}, {status}, NULL, {arrival}, {arrival},
            {case(mix(q, 104_729, len(ages)), ages)},
            {case(mix(q, 1_299_709, len(genders)), genders)}, '',
            CASE WHEN {q} % 3 = 0 THEN o.borough
                ELSE {case(mix(q, 15_485_863, len(boroughs)), boroughs)} END,
            '', NULL, NULL, '', 1, {created}, {created}
        FROM s CROSS JOIN city_org o WHERE o.idx = s.n % {orgs}"""
    )
    first_id, last_id, count = rows("SELECT MIN(id), MAX(id), COUNT(*) FROM clients_client")[0]
    assert last_id - first_id + 1 == count == size.clients, (first_id, last_id, count)
    # By id, not by n (the insert need not keep the series' order): the records below pick
    # their client's id and know from it whether a program covers the person.
    execute(
        f"""UPDATE clients_client SET immigration_status_id = {statuses["asylum-seeker"]}
        WHERE ((id - {first_id}) / {orgs}) % 10 < {UNFUNDED_IN_TEN}"""
    )
    # One language each (a common one), French too for every other person.
    languages = ref["languages"]
    common = [languages[c] for c in COMMON_LANGUAGES if c in languages]
    execute(
        f"""INSERT INTO clients_client_languages (client_id, language_id)
        SELECT id, {case(mix(f"(id / {orgs})", 7_919, len(common)), common)}
        FROM clients_client"""
    )
    execute(
        f"""INSERT INTO clients_client_languages (client_id, language_id)
        SELECT id, {languages["fr"]} FROM clients_client WHERE (id / {orgs}) % 2 = 0"""
    )
    return first_id


def _pool(organizations: list[Organization], rng: random.Random) -> list[date]:
    """Ciphertexts and per-organization digests of the pool, in temporary tables."""
    execute("CREATE TEMP TABLE city_ct (kind varchar(8), idx int, ct text)")
    execute("CREATE TEMP TABLE city_token (kind varchar(8), idx int, org int, digest varchar(32))")
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
    cts = [
        (kind, i, vault.encrypt(text))
        for kind, texts in pools.items()
        for i, text in enumerate(texts)
    ]
    tokens = []
    for organization in organizations:
        org = organization.pk
        for kind in ("given", "family"):
            for i, name in enumerate(pools[kind]):
                tokens += [(kind, i, org, d) for d in vault.name_digests(org, [name])]
        tokens += [("birth", i, org, vault.birth_digest(org, d)) for i, d in enumerate(births)]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO city_ct VALUES (%s, %s, %s)", cts)
        cursor.executemany("INSERT INTO city_token VALUES (%s, %s, %s, %s)", tokens)
        cursor.execute("CREATE INDEX city_ct_idx ON city_ct (kind, idx)")
        cursor.execute("CREATE INDEX city_token_idx ON city_token (kind, org, idx)")
    return births


def _picks() -> dict[str, str]:
    """Which pool entry client `c` has, from its id (see `identity_of`).

    The statements join with CROSS JOIN … WHERE: PostgreSQL plans it as any join, SQLite keeps
    the big table outside (it would otherwise loop over the pools' product)."""
    lengths = {"given": len(GIVEN), "family": len(FAMILY), "birth": BIRTH_DATES, "phone": PHONES}
    return {kind: mix("c.id", PICK_MULTIPLIERS[kind], lengths[kind]) for kind in lengths}


def _identities(organizations: list[Organization], size: Sizes, rng: random.Random) -> None:
    _pool(organizations, rng)
    picks = _picks()
    ((empty,),) = rows("SELECT ct FROM city_ct WHERE kind = 'empty'")
    e = f"'{empty}'"  # a Fernet token: url-safe base64, nothing to quote
    execute(
        f"""INSERT INTO clients_identity (client_id, given_names, family_names, preferred_name,
            date_of_birth, phone, email, address, uci_number, health_insurance_number,
            other_file_number, note, version, updated_at)
        SELECT c.id, g.ct, f.ct, {e}, b.ct, p.ct, {e}, {e}, {e}, {e}, {e}, {e}, 1, c.created_at
        FROM clients_client c
        CROSS JOIN city_ct g CROSS JOIN city_ct f CROSS JOIN city_ct b CROSS JOIN city_ct p
        WHERE g.kind = 'given' AND g.idx = {picks["given"]}
        AND f.kind = 'family' AND f.idx = {picks["family"]}
        AND b.kind = 'birth' AND b.idx = {picks["birth"]}
        AND p.kind = 'phone' AND p.idx = {picks["phone"]}"""
    )


def _tokens(organizations: list[Organization]) -> None:
    picks = _picks()
    ids = [o.pk for o in organizations]
    for start in range(0, len(ids), TOKEN_CHUNK_ORGANIZATIONS):
        chunk = ", ".join(str(o) for o in ids[start : start + TOKEN_CHUNK_ORGANIZATIONS])
        selects = [
            f"""SELECT c.id, c.organization_id, t.digest FROM clients_client c
            CROSS JOIN city_token t
            WHERE c.organization_id IN ({chunk}) AND t.kind = '{kind}'
                AND t.org = c.organization_id AND t.idx = {picks[kind]}"""
            for kind in ("given", "family", "birth")
        ]
        # UNION: a given and a family name may share a prefix; each digest once per client.
        execute(
            "INSERT INTO clients_identitytoken (client_id, organization_id, digest) "
            + " UNION ".join(selects)
        )


def _records(ref: dict, first_id: int, size: Sizes) -> None:
    """Record n: client k = n·7919 mod clients, a day of the three years, a service type."""
    pasi, pili = ref["pasi"], ref["pili"]
    covered = {
        "pasi": {"status": "eligible", "covered_by": [pasi.code]},
        "pili": {"status": "eligible", "covered_by": [pili.code]},
        "none": {"status": "unfunded", "covered_by": []},
    }
    cast = "CAST({} AS jsonb)" if pg() else "{}"
    snapshot = {key: "'" + json.dumps(value) + "'" for key, value in covered.items()}
    execute("CREATE TEMP TABLE city_type (idx int PRIMARY KEY, id int)")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO city_type VALUES (%s, %s)", list(enumerate(ref["types"])))
    types, orgs, clients = len(ref["types"]), size.organizations, size.clients
    for start in range(0, size.service_records, RECORD_CHUNK):
        chunk = min(RECORD_CHUNK, size.service_records - start)
        k = mix(f"(n + {start})", 7_919, clients)
        # The client is first_id + k: an asylum seeker when (k / orgs) % 10 < 2 (see
        # `_clients`); k % orgs is the organization, so each has its fifth of asylum seekers.
        unfunded = f"(({k} / {orgs}) % 10 < {UNFUNDED_IN_TEN})"
        # Day, type, program and minutes are drawn from m = n / orgs, which runs over all of
        # an organization's records.
        m = f"((n + {start}) / {orgs})"
        roll = f"(({m} * 7) % 20)"
        program = (
            f"CASE WHEN {unfunded} THEN NULL WHEN {roll} < 15 THEN {pasi.pk} "
            f"WHEN {roll} < 18 THEN {pili.pk} ELSE NULL END"
        )
        eligibility = cast.format(
            f"CASE WHEN {unfunded} THEN {snapshot['none']} WHEN {roll} < 15 THEN "
            f"{snapshot['pasi']} WHEN {roll} < 18 THEN {snapshot['pili']} "
            f"ELSE {snapshot['pasi']} END"
        )
        days = mix(m, 37, DAYS)
        execute(
            f"""{series(chunk)}
            INSERT INTO clients_servicerecord (client_id, service_type_id, served_on, minutes,
                worker_id, program_id, eligibility, session_id, note, created_at)
            SELECT {first_id} + {k}, t.id, {day(DATA_START, days)}, 15 * (1 + {m} % 8), NULL,
                {program}, {eligibility}, NULL, '', {moment("2023-04-01 12:00:00", days)}
            FROM s CROSS JOIN city_type t WHERE t.idx = ({m} * 3) % {types}"""
        )
    execute("DROP TABLE city_type")


def _activities(ref: dict, organizations: list[Organization], size: Sizes) -> None:
    """Session n: activity a = n % activities, on day 2·(n / activities) + a % 2 of the series."""
    kinds = ref["activity_types"]
    activities = Activity.objects.bulk_create(
        Activity(
            organization=organizations[a % len(organizations)],
            title={"fr": f"Atelier {a}", "en": f"Workshop {a}"},
            activity_type_id=kinds[a % len(kinds)],
            category=Activity.Category.MIXED,
            venue_kind=Activity.VenueKind.COMMUNITY_ORGANIZATION,
            borough_id=organizations[a % len(organizations)].borough_id,
            format=Activity.Format.OPEN,
            program=ref["pasi"] if a % 10 < CHARGED_ACTIVITIES_IN_TEN else None,
        )
        for a in range(size.activities)
    )
    execute("CREATE TEMP TABLE city_activity (idx int PRIMARY KEY, id int)")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO city_activity VALUES (%s, %s)",
            [(i, a.pk) for i, a in enumerate(activities)],
        )
    count = size.activities
    days = f"2 * (n / {count}) + a.idx % 2"
    execute(
        f"""{series(size.sessions)}
        INSERT INTO activities_session (activity_id, starts_at, ends_at, original_start, status)
        SELECT a.id, {moment(SESSIONS_START, days)}, {moment(SESSIONS_END, days)}, NULL,
            CASE WHEN n % {CANCELLED_EVERY} = 0 THEN 'cancelled' ELSE 'scheduled' END
        FROM s CROSS JOIN city_activity a WHERE a.idx = n % {count}"""
    )
    # The held sessions: every slot before HELD_SLOTS; the 22:00 UTC start never crosses it.
    held_until = moment(SESSIONS_START, str(2 * HELD_SLOTS - 1))
    execute(
        f"""INSERT INTO activities_attendance (session_id, newcomers, immigrants, others, women,
            children, families, library_non_users, total, waiting_list, recorded_by_id,
            recorded_at)
        SELECT id, 6 + id % 9, 3 + id % 5, id % 3, 4 + id % 5, id % 4, id % 3, 0,
            (6 + id % 9) + (3 + id % 5) + (id % 3), 0, NULL, ends_at
        FROM activities_session WHERE status <> 'cancelled' AND starts_at <= {held_until}"""
    )
    execute("DROP TABLE city_activity")


def _agreements(ref: dict, organizations: list[Organization], size: Sizes) -> list[Agreement]:
    """A three-year PASI agreement each, targets near what the data gives (some met, some not)."""
    starts_on, ends_on = AGREEMENT
    agreements = Agreement.objects.bulk_create(
        Agreement(
            organization=organization,
            program=ref["pasi"],
            reference=f"PASI-2023-{i:04d}",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        for i, organization in enumerate(organizations)
    )
    per_org = size.clients // size.organizations
    quarterly = {
        TargetMetric.ELIGIBLE_CLIENTS: per_org * 45 // 100,
        TargetMetric.SERVICES: per_org * 55 // 100,
        TargetMetric.SESSIONS: 50,
        TargetMetric.PARTICIPANTS: 600,
    }
    targets = []
    for i, agreement in enumerate(agreements):
        for year in range(3):
            year_start = date(starts_on.year + year, 4, 1)
            targets.append(
                AgreementTarget(
                    agreement=agreement,
                    metric=TargetMetric.ELIGIBLE_CLIENTS,
                    period_start=year_start,
                    period_end=date(year_start.year + 1, 3, 31),
                    value=per_org * 75 // 100 + i,
                )
            )
            for quarter in range(4):
                month = 4 + 3 * quarter
                first = date(year_start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
                after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
                last = date.fromordinal(after.toordinal() - 1)
                targets += [
                    AgreementTarget(
                        agreement=agreement,
                        metric=metric,
                        period_start=first,
                        period_end=last,
                        value=value + (i % 7),
                    )
                    for metric, value in quarterly.items()
                ]
    AgreementTarget.objects.bulk_create(targets, batch_size=2_000)
    return agreements


# --- The public directory -----------------------------------------------------------------------

EXTRA_SENTENCES = [
    ("Interprètes disponibles sur demande.", "Interpreters available on request."),
    ("Accessible en fauteuil roulant.", "Wheelchair accessible."),
    ("Halte-garderie sur place.", "Childcare on site."),
    ("Aussi offert le soir en période d'examens.", "Also offered in the evening during exams."),
    ("Billets d'autobus remboursés.", "Bus tickets refunded."),
    ("En collaboration avec le CLSC du quartier.", "With the neighbourhood's CLSC."),
    ("Une collation est offerte.", "A snack is provided."),
    ("Places limitées : arrivez tôt.", "Limited places: come early."),
    ("Groupes de huit personnes au plus.", "Groups of eight people at most."),
    ("Fermé pendant les vacances de la construction.", "Closed during the construction holiday."),
    ("Les enfants sont les bienvenus.", "Children are welcome."),
    ("Ouvert aux résidents des quartiers voisins.", "Open to residents of nearby areas."),
]
DIRECTORY_BATCH = 2_000


def directory_services(
    rng: random.Random, *, services: int = SERVICES, organizations: int = DIRECTORY_ORGANIZATIONS
) -> dict:
    """Directory organizations with 1 to 3 places each, and services written from the demo
    directory's offers, varied by neighbourhood, extra sentences and languages; French and
    English, a third also in Spanish or Arabic, some only in French or only in English; 2 %
    discontinued and 3 % unpublished. Bulk-inserted."""
    boroughs = list(Borough.objects.order_by("pk"))
    hoods = [hood for code in NEIGHBOURHOODS for hood, _de in NEIGHBOURHOODS[code]]
    owners = Organization.objects.bulk_create(
        Organization(
            name=f"Organisme {rng.choice(hoods)} {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough=rng.choice(boroughs),
            phone="514 555-0100",
        )
        for i in range(organizations)
    )
    sites = Site.objects.bulk_create(
        Site(
            organization=organization,
            name=f"Point de service {j}",
            borough=rng.choice(boroughs),
            street_address=f"{rng.randrange(100, 9000)} rue {rng.choice(hoods)}",
        )
        for organization in owners
        for j in range(rng.randint(1, 3))
    )
    sites_of: dict[int, list[Site]] = {}
    for site in sites:
        sites_of.setdefault(site.organization_id, []).append(site)

    offers = [o for group in COMMUNITY_OFFERS.values() for o in group]
    offers += LIBRARY_OFFERS + [o for group in NAMED_OFFERS.values() for o in group]
    singles = [item.offer for item in FRENCH_ONLY + ENGLISH_ONLY]
    needs = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY_NAME)}
    audiences = {a.code: a for a in Audience.objects.all()}
    languages = list(Language.objects.filter(is_active=True).order_by("sort_order")[:16])
    today = timezone.localdate()

    written, need_links, audience_links, language_links = [], [], [], []
    locations, schedules = [], []
    for i in range(services):
        offer = rng.choice(singles) if rng.random() < 0.05 else rng.choice(offers)
        organization = rng.choice(owners)
        hood = rng.choice(hoods)
        extras = rng.sample(EXTRA_SENTENCES, rng.choice([0, 1, 1, 2]))
        names, descriptions = {}, {}
        for code, name in offer.names.items():
            names[code] = f"{name} — {hood}" if code in ("fr", "en") else name
        for code, text in offer.descriptions.items():
            extra = " ".join(pair[0 if code == "fr" else 1] for pair in extras)
            descriptions[code] = f"{text} {extra}".strip() if code in ("fr", "en") else text
        roll = rng.random()
        service = Service(
            id=uuid.UUID(int=rng.getrandbits(128)),
            organization=organization,
            names=names,
            descriptions=descriptions,
            eligibility_descriptions=dict(offer.eligibility),
            alternate_name=offer.alternate_name or (f"SVC-{i}" if rng.random() < 0.1 else ""),
            is_free=not offer.fees and rng.random() < 0.9,
            status="defunct" if roll < 0.02 else "inactive" if roll < 0.04 else "active",
            is_published=rng.random() >= 0.03,
            assured_date=today - timedelta(days=rng.randint(1, 800)),
        )
        written.append(service)
        need_links += [(service.id, needs[c].id) for c in offer.needs if c in needs]
        audience_links += [(service.id, audiences[c].id) for c in offer.audiences]
        spoken = {lang.id for lang in rng.sample(languages, rng.randint(1, 4))}
        language_links += [(service.id, lang_id) for lang_id in spoken]
        places = rng.sample(
            sites_of[organization.id], rng.randint(1, len(sites_of[organization.id]))
        )
        for site in places:
            # uuid4, not drawn from rng: the draws stay those the directory benchmarks were
            # measured with.
            link = ServiceAtLocation(id=uuid.uuid4(), service_id=service.id, location=site)
            locations.append(link)
            for freq, byday, opens, closes in offer.hours:
                schedules.append(
                    Schedule(
                        service_id=service.id,
                        service_at_location_id=link.id,
                        freq=freq,
                        byday=byday,
                        opens_at=opens,
                        closes_at=closes,
                        valid_from=date(2025, 1, 1) if rng.random() < 0.1 else None,
                    )
                )
    Service.objects.bulk_create(written, batch_size=DIRECTORY_BATCH)
    for model, pairs, left, right in (
        (Service.needs.through, need_links, "service_id", "taxonomyterm_id"),
        (Service.audiences.through, audience_links, "service_id", "audience_id"),
        (Service.languages.through, language_links, "service_id", "language_id"),
    ):
        model.objects.bulk_create(
            (model(**{left: a, right: b}) for a, b in pairs), batch_size=DIRECTORY_BATCH
        )
    ServiceAtLocation.objects.bulk_create(locations, batch_size=DIRECTORY_BATCH)
    Schedule.objects.bulk_create(schedules, batch_size=DIRECTORY_BATCH)
    return {
        "boroughs": [b.code for b in boroughs],
        "needs": list(needs),
        "audiences": list(audiences),
        "languages": [lang.code for lang in languages],
        "services": written,
    }
