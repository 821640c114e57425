"""Overlap detection: precision and recall of "duplicate" on labelled pairs, and its speed at 20,000.

Quality: `benchmarks/data/overlap_pairs.json` holds labelled pairs written from the demo directory's
offers (`ancrage.demo.directory`): duplicates (an offer's French text against its English text —
fr–en —, and against a paraphrase written by hand — fr–fr, en–en), complementary (two different
offers sharing a need) and unrelated (no need in common). Both sides of a pair belong to different
organizations in the same borough. Regenerate with `python benchmarks/overlap.py --write-pairs`
(deterministic). Offers that are the same service under two names (French conversation workshops
and club, homework help for teens and for children, the two digital skills offers, job search and
Job Café) are left out of the complementary pairs: a person could not label them either way.
Measured: precision and recall of "duplicate" at `overlap.DUPLICATE_THRESHOLD` (Ancrage's rules and
score), beside a keyword-only baseline in the same run: word Jaccard of the two texts at its best
threshold on the same pairs (best F1), with the same need/place rules.

Speed: 20,000 generated services (600 organizations, offers' vectors with noise, 1–2 boroughs,
weekly hours), all-pairs detection with `find_pairs` (vectors already stored, as after
`directory-index`), target ≤ 30 s; one service's refresh against the same 20,000 (`only=`),
target ≤ 200 ms; and the same through the database (`overlap_refresh_for`, what runs after a
publication) among 20,000 services bulk-inserted as in the directory benchmark, vectors stored:
its candidates, their vectors, scoring, writing its suggestions; p50 and p95 over 20 services, the
first refresh of the process apart (it reads its candidates' vectors, kept afterwards).
Floors: for all pairs, the same scoring over every pair of one need without blocking, one pair at a
time in Python (`score_pair`, the rule as written; `find_pairs` applies it to arrays, per need
group, and builds a pair's evidence only when it is read); for one service through the database,
the query fetching its candidates alone (`overlap.candidate_vectors`).
"""

import json
import random
import re
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

PAIRS_FILE = Path(__file__).parent / "data" / "overlap_pairs.json"
AMBIGUOUS = {
    frozenset({"french-conversation", "conversation-club"}),
    frozenset({"teen-homework", "homework-help"}),
    frozenset({"digital-literacy", "digital-workshops"}),
    frozenset({"job-search", "job-cafe"}),
    frozenset({"teen-homework", "school-perseverance"}),
    frozenset({"homework-help", "school-perseverance"}),
}

# Hand-written paraphrases: the same service told differently by another organization.
PARAPHRASES_FR = {
    "housing-search": "Trouver un appartement. Notre équipe accompagne les familles immigrantes "
    "dans leur recherche de logement : visites, bail, références.",
    "food-bank": "Aide alimentaire d'urgence. Chaque semaine, nous remettons des paniers de "
    "nourriture aux ménages dans le besoin.",
    "job-search": "Soutien à l'emploi. Une conseillère vous aide à chercher du travail, à "
    "préparer votre CV et vos entrevues.",
    "french-part-time": "Francisation le soir et les fins de semaine. Apprenez le français à "
    "temps partiel en petits groupes.",
    "tenant-rights": "Connaître vos droits de locataire. Bail, hausse de loyer, réparations : "
    "nous vous expliquons vos droits et recours.",
    "citizenship": "Se préparer à l'examen de citoyenneté canadienne. Révision des questions "
    "et du guide officiel en groupe.",
    "parent-child": "Jeux et activités pour parents et tout-petits. Des ateliers où les parents "
    "et les enfants de moins de 5 ans jouent et apprennent ensemble.",
    "immigration-law": "Avis juridique en immigration. Un avocat répond à vos questions sur "
    "votre statut, la résidence permanente et le parrainage.",
    "digital-workshops": "Ateliers d'informatique. Apprendre à utiliser le courriel et les "
    "services gouvernementaux en ligne.",
    "credentials": "Faire reconnaître vos diplômes étrangers. Nous vous guidons dans les "
    "démarches d'équivalence et de reconnaissance des acquis.",
    "storytime": "Contes pour enfants en plusieurs langues. Une animatrice lit des histoires "
    "aux enfants et à leurs parents.",
    "mediation": "Médiation entre cultures. Un médiateur aide à résoudre les malentendus "
    "entre familles, écoles et voisins.",
}
PARAPHRASES_EN = {
    "housing-search": "Apartment hunting support. We help immigrant families look for a place "
    "to live: listings, visits, leases.",
    "food-bank": "Emergency food aid. Every week we hand out food baskets to households in need.",
    "job-search": "Employment help. A counsellor helps you look for work and prepare your "
    "résumé and interviews.",
    "french-part-time": "Evening and weekend French classes. Learn French part time in small "
    "groups.",
    "tenant-rights": "Know your rights as a tenant. Leases, rent increases, repairs: we explain "
    "your rights and remedies.",
    "citizenship": "Getting ready for the Canadian citizenship test. Group review of the "
    "official study guide and questions.",
    "parent-child": "Play time for parents and toddlers. Workshops where parents and children "
    "under 5 play and learn together.",
    "immigration-law": "Immigration legal advice. A lawyer answers your questions about status, "
    "permanent residence and sponsorship.",
    "digital-workshops": "Computer workshops. Learn to use e-mail and online government services.",
    "credentials": "Getting your foreign degrees recognized. We guide you through equivalency "
    "and recognition of prior learning.",
    "storytime": "Stories for children in several languages. A facilitator reads stories to "
    "children and their parents.",
    "mediation": "Mediation between cultures. A mediator helps settle misunderstandings "
    "between families, schools and neighbours.",
}


def _text(offer, language: str) -> str:
    return f"{offer.names[language]}. {offer.descriptions[language]}"


def _side(offer, language: str, text: str | None = None) -> dict:
    return {
        "offer": offer.key,
        "language": language,
        "text": text or _text(offer, language),
        "needs": list(offer.needs),
        "audiences": list(offer.audiences),
        "languages": list(offer.languages),
    }


def write_pairs() -> int:
    """Write the labelled pairs from the demo's offers (deterministic)."""
    from ancrage.demo import directory

    offers = [v for v in vars(directory).values() if isinstance(v, directory.Offer)]
    offers = [o for o in offers if "fr" in o.descriptions and "en" in o.descriptions]
    by_key = {o.key: o for o in offers}
    rng = random.Random(9)
    pairs = []
    for offer in offers:
        pairs.append(("duplicate", "fr-en", _side(offer, "fr"), _side(offer, "en")))
    for key, text in PARAPHRASES_FR.items():
        pairs.append(
            ("duplicate", "fr-fr", _side(by_key[key], "fr"), _side(by_key[key], "fr", text))
        )
    for key, text in PARAPHRASES_EN.items():
        pairs.append(
            ("duplicate", "en-en", _side(by_key[key], "en"), _side(by_key[key], "en", text))
        )
    complementary, unrelated = [], []
    for a, b in combinations(offers, 2):
        if frozenset({a.key, b.key}) in AMBIGUOUS:
            continue
        (complementary if set(a.needs) & set(b.needs) else unrelated).append((a, b))
    rng.shuffle(complementary)
    rng.shuffle(unrelated)
    languages = ["fr-fr", "en-en", "fr-en"]
    for label, chosen in (("complementary", complementary[:60]), ("unrelated", unrelated[:45])):
        for i, (a, b) in enumerate(chosen):
            pair_languages = languages[i % 3]
            la, lb = pair_languages.split("-")
            pairs.append((label, pair_languages, _side(a, la), _side(b, lb)))
    records = [{"label": label, "languages": langs, "a": a, "b": b} for label, langs, a, b in pairs]
    PAIRS_FILE.parent.mkdir(parents=True, exist_ok=True)
    PAIRS_FILE.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    return len(records)


_WORD = re.compile(r"\w+")


def _keywords(text: str) -> set[str]:
    from ancrage.directory.search import STOPWORDS, words

    return {w for w in words(text) if w not in STOPWORDS and len(w) > 2}


def _item(side: dict, organization: int):
    from ancrage.insights.overlap import Item

    return Item(
        kind="service",
        id=f"{organization}-{side['offer']}-{side['language']}",
        organization_id=organization,
        name=side["text"].split(".")[0],
        text=side["text"],
        language=side["language"],
        needs=frozenset(side["needs"]),
        audiences=frozenset(side["audiences"]),
        languages=frozenset(side["languages"]),
        boroughs=frozenset({"lasalle"}),
    )


def _precision_recall(predicted: list[bool], truth: list[bool]) -> tuple[float, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = float(round(tp / (tp + fp), 3)) if tp + fp else 0.0
    return precision, float(round(tp / (tp + fn), 3)) if tp + fn else 0.0


def quality() -> dict:
    from ancrage.directory.search import encode
    from ancrage.insights import overlap

    records = json.loads(PAIRS_FILE.read_text())
    texts = [r["a"]["text"] for r in records] + [r["b"]["text"] for r in records]
    vectors = encode(texts)
    n = len(records)
    truth = [r["label"] == "duplicate" for r in records]
    ours, keyword_scores = [], []
    agree = 0
    for i, record in enumerate(records):
        a, b = _item(record["a"], 1), _item(record["b"], 2)
        # The production path (`find_pairs`, vectorised), checked against the plain rule.
        found = overlap.find_pairs([a, b], vectors[[i, n + i]], minimum=0.0)
        ours.append(bool(found) and found[0].likely_duplicate)
        plain = overlap.score_pair(a, b, float(vectors[i] @ vectors[n + i]))
        agree += (plain is not None and plain.likely_duplicate) == ours[-1]
        ka, kb = _keywords(record["a"]["text"]), _keywords(record["b"]["text"])
        jaccard = len(ka & kb) / len(ka | kb) if ka | kb else 0.0
        keyword_scores.append(jaccard if overlap.score_pair(a, b, 1.0) is not None else 0.0)
    precision, recall = _precision_recall(ours, truth)
    best = (0.0, 0.0, 0.0, 0.0)
    for threshold in np.arange(0.05, 0.95, 0.01):
        p, r = _precision_recall([s >= threshold for s in keyword_scores], truth)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[0]:
            best = (f1, round(float(threshold), 2), p, r)
    counts = {}
    for record in records:
        key = f"{record['label']}/{record['languages']}"
        counts[key] = counts.get(key, 0) + 1
    return {
        "labelled_pairs": n,
        "pairs_by_label_and_languages": counts,
        "threshold": overlap.DUPLICATE_THRESHOLD,
        "ancrage_precision": precision,
        "ancrage_recall": recall,
        "vectorised_agrees_with_plain_rule": f"{agree}/{n}",
        "baseline_keyword_threshold": best[1],
        "baseline_keyword_precision": best[2],
        "baseline_keyword_recall": best[3],
        "target": "precision >= 0.9 at recall >= 0.8, better than the baseline",
    }


def speed(services: int) -> dict:
    from ancrage.demo import directory
    from ancrage.directory.search import encode
    from ancrage.insights import overlap

    rng = random.Random(2026)
    offers = [v for v in vars(directory).values() if isinstance(v, directory.Offer)]
    offers = [o for o in offers if "fr" in o.descriptions]
    base = encode([_text(o, "fr") for o in offers])
    noise = np.random.default_rng(2026).normal(0, 0.02, size=(services, base.shape[1]))
    codes = list(overlap.BOROUGH_CODES)
    items, rows = [], []
    for i in range(services):
        k = rng.randrange(len(offers))
        offer = offers[k]
        day = rng.randrange(5)
        start = rng.choice([9, 13, 18])
        slots = frozenset((d, h) for d in (day, (day + 2) % 5) for h in range(start, start + 3))
        items.append(
            overlap.Item(
                kind="service",
                id=f"{i:06d}",
                organization_id=rng.randrange(600),
                name=offer.names["fr"],
                text="",
                language="fr",
                needs=frozenset(offer.needs),
                audiences=frozenset(offer.audiences),
                languages=frozenset(offer.languages),
                boroughs=frozenset(rng.sample(codes, rng.choice([1, 1, 2]))),
                slots=slots,
            )
        )
        rows.append(k)
    vectors = base[rows] + noise.astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    started = time.perf_counter()
    cpu = time.process_time()
    pairs = overlap.find_pairs(items, vectors)
    all_seconds = round(time.perf_counter() - started, 2)
    all_cpu = round(time.process_time() - cpu, 2)

    one = rng.randrange(services)
    started = time.perf_counter()
    mine = overlap.find_pairs(items, vectors, only=[one])
    one_ms = round((time.perf_counter() - started) * 1000, 1)

    # Floor: one need's items, every pair scored in Python without the matrix blocking.
    need = "food-security"
    group = [i for i, item in enumerate(items) if need in item.needs][:1500]
    started = time.perf_counter()
    for x, y in combinations(group, 2):
        overlap.score_pair(items[x], items[y], float(vectors[x] @ vectors[y]))
    naive_seconds = round(time.perf_counter() - started, 2)
    return {
        "services": services,
        "all_pairs_seconds": all_seconds,
        "all_pairs_cpu_seconds": all_cpu,
        "pairs_found": len(pairs),
        "all_pairs_target_seconds": 30,
        "one_service_refresh_ms": one_ms,
        "one_service_pairs": len(mine),
        "one_service_target_ms": 200,
        "floor_python_loop_pairs": len(group) * (len(group) - 1) // 2,
        "floor_python_loop_seconds": naive_seconds,
    }


def populate_database() -> dict:
    """The directory benchmark's 20,000 services, bulk-inserted, with their search vectors stored
    as after `directory-index` (each offer's text encoded once, plus a little noise per service)."""
    import importlib.util

    from ancrage.directory import search
    from ancrage.directory.models import ServiceEmbedding

    spec = importlib.util.spec_from_file_location(
        "overlap_directory_data", Path(__file__).parent / "directory-search.py"
    )
    data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(data)
    rng = random.Random(2027)
    started = time.perf_counter()
    created = data._populate(rng)["services"]
    # Each service's vector: its offer's text encoded once, plus a little noise per service.
    texts, bases = {}, []
    for service in created:
        language, text = search.index_text(service.names, service.descriptions)
        base = (service.names.get(language) or "").split(" — ")[0]
        key = f"{base}. {(service.descriptions.get(language) or '')[:120]}"
        bases.append((service, language, text, texts.setdefault(key, len(texts))))
    encoded = search.encode(list(texts))
    noise = np.random.default_rng(2027).normal(0, 0.02, size=(len(bases), encoded.shape[1]))
    vectors = encoded[[k for *_rest, k in bases]] + noise.astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ServiceEmbedding.objects.bulk_create(
        (
            ServiceEmbedding(
                service_id=service.id,
                language=language,
                text_hash=search.text_hash(language, text),
                vector=vectors[i].astype(np.float32).tobytes(),
            )
            for i, (service, language, text, _k) in enumerate(bases)
        ),
        batch_size=2_000,
    )
    return {
        "db_services": len(created),
        "db_setup_seconds": round(time.perf_counter() - started, 1),
    }


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(float(np.median(ordered)), 1), round(p95, 1)


def refresh_in_database(samples: int = 20) -> dict:
    """One service's refresh through the database, among the directory benchmark's 20,000 services
    (bulk-inserted, search vectors stored as after `directory-index`): its candidates and their
    vectors in one query, scoring, and writing its suggestions — what runs after a publication.

    Floor: the candidate query alone (`overlap.candidate_vectors`: published services of other
    organizations sharing a need and an audience in the same or neighbouring boroughs, with their
    stored vectors), for the same services, in the same run.
    """
    from django.db import connection

    from ancrage.directory import search
    from ancrage.directory.models import Service
    from ancrage.insights import overlap
    from ancrage.insights import services as insights

    setup = populate_database()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk insert: the planner needs the tables' sizes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(2028)
    published = list(search.public_services().order_by("id").values_list("id", flat=True))
    chosen = rng.sample(published, samples)
    # The first refresh in a process reads its candidates' stored vectors (kept afterwards).
    started = time.perf_counter()
    insights.overlap_refresh_for(Service.objects.get(pk=chosen[-1]))
    first_ms = round((time.perf_counter() - started) * 1000, 1)
    timings, cpu_timings, found, floor, candidates = [], [], [], [], []
    for service_id in chosen:
        service = Service.objects.get(pk=service_id)
        started, cpu = time.perf_counter(), time.thread_time()
        report = insights.overlap_refresh_for(service)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.thread_time() - cpu) * 1000)
        found.append(report.found)
        item = overlap.item_of(service)
        started = time.perf_counter()
        candidates.append(len(overlap.candidate_vectors(item)))
        floor.append((time.perf_counter() - started) * 1000)
    # Again, now that its suggestions are stored (an edit's refresh: compare and rewrite).
    again = []
    for service_id in chosen:
        service = Service.objects.get(pk=service_id)
        started = time.perf_counter()
        insights.overlap_refresh_for(service)
        again.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(timings)
    again_p50, again_p95 = _percentiles(again)
    floor_p50, floor_p95 = _percentiles(floor)
    return {
        **setup,
        "db_refresh_samples": samples,
        "db_first_refresh_in_process_ms": first_ms,
        "db_one_service_refresh_ms_p50": p50,
        "db_one_service_refresh_ms_p95": p95,
        "db_one_service_refresh_cpu_ms_p50": _percentiles(cpu_timings)[0],
        "db_one_service_refresh_again_ms_p50": again_p50,
        "db_one_service_refresh_again_ms_p95": again_p95,
        "db_floor_candidate_query_ms_p50": floor_p50,
        "db_floor_candidate_query_ms_p95": floor_p95,
        "db_candidates_median": statistics.median(candidates),
        "db_one_service_pairs_median": statistics.median(found),
        "db_one_service_target_ms": 200,
    }


def run(*, scale: int = 1) -> dict:
    return {**quality(), **speed(20_000 * scale), **refresh_in_database()}


if __name__ == "__main__" and "--write-pairs" in sys.argv:
    import os

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ancrage.settings")
    django.setup()
    print(write_pairs(), "pairs written to", PAIRS_FILE)
