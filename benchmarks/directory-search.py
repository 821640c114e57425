"""The public directory search on 20,000 services, against a plain keyword query on the same data.

Data (in the throwaway database of `ancrage bench`): 600 organizations with 1 to 3 places each,
20,000 services written from the demo directory's offers (`ancrage.demo.directory`), varied by
neighbourhood, extra sentences and languages; French and English, a third also in Spanish or Arabic,
some only in French or only in English; 2 % discontinued and 3 % unpublished. Rows are
bulk-inserted (what is measured is the search, not the writing).

Measured:
- the index build from nothing (`index_build(workers=2)`: every text encoded), target ≤ 60 s,
  and an incremental build after 200 services changed;
- the first request after the build (loads the process's index and the encoder);
- p50 / p95 of 300 public search requests through the Django test client (middleware, form,
  search, the page's rows, template): French, English and Spanish words, codes, organization
  names, filters (borough, need, language, audience, free, open now), pages 1 to 3; target ≤ 50 ms;
- the same searches through `search.search` alone (no page rendering).
On a shared machine the wall clock also counts other processes' turns: each request's processor
time (this thread's) is reported too, and so is the encoders' processor time.
Floor: for each request, the plain keyword query a directory without the index would run on the
same data — `LIKE` (SQLite) or `ILIKE` (PostgreSQL) on names and descriptions, published and
not discontinued, the count and the first 20 ids — measured in the same run.
"""

import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.utils import timezone

from ancrage.core.choices import OrganizationKind
from ancrage.core.models import Audience, Borough, Language
from ancrage.demo.directory import (
    COMMUNITY_OFFERS,
    ENGLISH_ONLY,
    FRENCH_ONLY,
    LIBRARY_OFFERS,
    NAMED_OFFERS,
)
from ancrage.demo.montreal import NEIGHBOURHOODS
from ancrage.directory import search
from ancrage.directory.models import (
    NEEDS_TAXONOMY_NAME,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from ancrage.network.models import Organization, Site

SERVICES = 20_000
ORGANIZATIONS = 600
REQUESTS = 300
CHANGED = 200
BATCH = 2_000

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
QUERIES = [
    "logement",
    "aide pour trouver un appartement",
    "help finding an apartment",
    "cours de français",
    "French classes in the evening",
    "clases de francés",
    "emploi",
    "job search",
    "Café-emploi",
    "banque alimentaire",
    "food bank",
    "aide aux devoirs",
    "homework help for my son",
    "citoyenneté",
    "citizenship test",
    "avocat immigration",
    "immigration lawyer",
    "heure du conte",
    "storytime in Arabic",
    "ordinateur",
    "computer classes for seniors",
    "PASI",
    "Francisation Québec",
    "CE-BIBLIO",
    "Carrefour d'accueil",
    "Maison de la famille",
    "garderie",
    "daycare",
    "droits des locataires",
    "tenant rights",
    "vivienda",
    "السكن",
    "santé mentale",
    "asylum claim",
    "jumelage",
    "impôts",
    "chess",
    "jardin",
    "bike repair",
    "",
]


def _populate(rng: random.Random) -> dict:
    boroughs = list(Borough.objects.order_by("pk"))
    hoods = [hood for code in NEIGHBOURHOODS for hood, _de in NEIGHBOURHOODS[code]]
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Organisme {rng.choice(hoods)} {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough=rng.choice(boroughs),
            phone="514 555-0100",
        )
        for i in range(ORGANIZATIONS)
    )
    sites = Site.objects.bulk_create(
        Site(
            organization=organization,
            name=f"Point de service {j}",
            borough=rng.choice(boroughs),
            street_address=f"{rng.randrange(100, 9000)} rue {rng.choice(hoods)}",
        )
        for organization in organizations
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

    services, need_links, audience_links, language_links = [], [], [], []
    locations, schedules = [], []
    for i in range(SERVICES):
        offer = rng.choice(singles) if rng.random() < 0.05 else rng.choice(offers)
        organization = rng.choice(organizations)
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
        services.append(service)
        need_links += [(service.id, needs[c].id) for c in offer.needs if c in needs]
        audience_links += [(service.id, audiences[c].id) for c in offer.audiences]
        spoken = {lang.id for lang in rng.sample(languages, rng.randint(1, 4))}
        language_links += [(service.id, lang_id) for lang_id in spoken]
        places = rng.sample(
            sites_of[organization.id], rng.randint(1, len(sites_of[organization.id]))
        )
        for site in places:
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
    Service.objects.bulk_create(services, batch_size=BATCH)
    for model, pairs, left, right in (
        (Service.needs.through, need_links, "service_id", "taxonomyterm_id"),
        (Service.audiences.through, audience_links, "service_id", "audience_id"),
        (Service.languages.through, language_links, "service_id", "language_id"),
    ):
        model.objects.bulk_create(
            (model(**{left: a, right: b}) for a, b in pairs), batch_size=BATCH
        )
    ServiceAtLocation.objects.bulk_create(locations, batch_size=BATCH)
    Schedule.objects.bulk_create(schedules, batch_size=BATCH)
    return {
        "boroughs": [b.code for b in boroughs],
        "needs": list(needs),
        "audiences": list(audiences),
        "languages": [lang.code for lang in languages],
        "services": services,
    }


def _requests(rng: random.Random, data: dict) -> list[dict]:
    requests = []
    for _ in range(REQUESTS):
        params = {"q": rng.choice(QUERIES)}
        if rng.random() < 0.25:
            params["borough"] = rng.choice(data["boroughs"])
        if rng.random() < 0.15:
            params["need"] = rng.choice(data["needs"])
        if rng.random() < 0.12:
            params["language"] = rng.choice(data["languages"])
        if rng.random() < 0.08:
            params["audience"] = rng.choice(data["audiences"])
        if rng.random() < 0.1:
            params["free"] = "on"
        if rng.random() < 0.05:
            params["open_now"] = "on"
        params["page"] = rng.choice([1, 1, 1, 2, 3])
        requests.append(params)
    return requests


def _floor_sql() -> str:
    if connection.vendor == "postgresql":
        match = "(names::text ILIKE %s OR descriptions::text ILIKE %s)"
    else:
        match = "(names LIKE %s OR descriptions LIKE %s)"
    return f"FROM directory_service WHERE is_published AND status <> 'defunct' AND {match}"


def _floor(params: dict) -> None:
    """The plain keyword search: the first word as typed, anywhere in names or descriptions."""
    word = (params["q"].split() or [""])[0]
    pattern = f"%{word}%"
    where = _floor_sql()
    offset = (params["page"] - 1) * 20
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {where}", [pattern, pattern])
        cursor.fetchone()
        cursor.execute(
            f"SELECT id {where} ORDER BY id LIMIT 20 OFFSET {offset}", [pattern, pattern]
        )
        cursor.fetchall()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1)


def _timed(fn, items, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds of each call; this thread's processor seconds appended to `cpu`."""
    samples = []
    for item in items:
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn(item)
        samples.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.thread_time() - started_cpu)
    return samples


def run(*, scale: int = 1) -> dict:
    global SERVICES
    SERVICES = 20_000 * scale
    rng = random.Random(2026)
    started = time.perf_counter()
    data = _populate(rng)
    populate_seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    search.forget_index()

    started = time.perf_counter()
    report = search.index_build(workers=2)
    build_seconds = round(time.perf_counter() - started, 2)

    # 200 services change their description: only those are encoded again.
    changed = rng.sample(
        [s for s in data["services"] if s.is_published and s.status != "defunct"], CHANGED
    )
    for service in changed:
        code = "fr" if "fr" in service.names else next(iter(service.names))
        service.names[code] = "Nouveau : " + service.names[code]
    Service.objects.bulk_update(changed, ["names"], batch_size=BATCH)
    started = time.perf_counter()
    incremental = search.index_build(workers=2)
    incremental_seconds = round(time.perf_counter() - started, 2)

    client = Client()
    started = time.perf_counter()
    first = client.get("/services/?q=logement")
    first_request_seconds = round(time.perf_counter() - started, 2)
    assert first.status_code == 200

    requests = _requests(rng, data)
    for params in requests[:20]:  # warm the caches of the database and of the interpreter
        client.get("/services/?" + urlencode(params))

    def page(params):
        response = client.get("/services/?" + urlencode(params))
        assert response.status_code == 200, (params, response.status_code)

    def search_only(params):
        filters = search.Filters(
            **{k: params.get(k, "") for k in ("borough", "need", "language", "audience")},
            free=bool(params.get("free")),
            open_now=bool(params.get("open_now")),
        )
        search.search(query=params["q"], filters=filters, page=params["page"])

    request_cpu: list[float] = []
    request_p50, request_p95 = _percentiles(_timed(page, requests, request_cpu))
    request_cpu_p50, request_cpu_p95 = _percentiles(request_cpu)
    search_p50, search_p95 = _percentiles(_timed(search_only, requests))
    floor_p50, floor_p95 = _percentiles(_timed(_floor, requests))
    return {
        "services": Service.objects.count(),
        "services_searchable": report.services,
        "populate_seconds": populate_seconds,
        "index_build_seconds": build_seconds,
        "index_build_encode_seconds": report.encode_seconds,
        "index_build_encode_cpu_seconds": report.encode_cpu_seconds,
        "index_build_workers": report.workers,
        "index_build_target_seconds": 60,
        "incremental_build_seconds": incremental_seconds,
        "incremental_encoded": incremental.encoded,
        "first_request_seconds": first_request_seconds,
        "requests": len(requests),
        "request_p50_ms": request_p50,
        "request_p95_ms": request_p95,
        "request_target_p95_ms": 50,
        "request_cpu_p50_ms": request_cpu_p50,
        "request_cpu_p95_ms": request_cpu_p95,
        "search_only_p50_ms": search_p50,
        "search_only_p95_ms": search_p95,
        "floor_like_p50_ms": floor_p50,
        "floor_like_p95_ms": floor_p95,
        "ratio_p95": round(request_p95 / floor_p95, 2) if floor_p95 else None,
        # The machine is shared: what else ran during the measures shows in the load average.
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
    }
