"""Writes of the insights app: storing overlap suggestions, and a coordinator's decisions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core import tenancy
from ancrage.core.audit import audit_record
from ancrage.core.models import AuditEvent

from . import overlap
from .models import OverlapSuggestion, SuggestionState

logger = logging.getLogger(__name__)

DECISIONS = (SuggestionState.DUPLICATE, SuggestionState.COMPLEMENTARY, SuggestionState.DISMISSED)


@dataclass
class SyncReport:
    found: int
    created: int
    updated: int
    reopened: int
    removed: int


def _store(pairs: list[overlap.Pair], existing: dict) -> SyncReport:
    """Write `pairs` over the `existing` suggestions {(kind_a, id_a, kind_b, id_b): row}.

    A decided pair keeps its decision while both items' content is unchanged; when one changed,
    it comes back to the queue. Undecided suggestions no longer found are removed.
    """
    now = timezone.now()
    reopened = 0
    found_keys = set()
    to_create, to_update = [], []
    for pair in pairs:
        key = (pair.a.kind, pair.a.id, pair.b.kind, pair.b.id)
        found_keys.add(key)
        row = existing.get(key)
        if row is None:
            to_create.append(
                OverlapSuggestion(
                    kind_a=pair.a.kind,
                    id_a=pair.a.id,
                    organization_a_id=pair.a.organization_id,
                    kind_b=pair.b.kind,
                    id_b=pair.b.id,
                    organization_b_id=pair.b.organization_id,
                    score=pair.score,
                    evidence=pair.evidence,
                    fingerprint=pair.fingerprint,
                )
            )
            continue
        if row.fingerprint == pair.fingerprint:
            continue
        row.score, row.evidence, row.fingerprint = pair.score, pair.evidence, pair.fingerprint
        row.updated_at = now
        if row.state != SuggestionState.NEW:
            row.state, row.decided_by, row.decided_at = SuggestionState.NEW, None, None
            reopened += 1
        to_update.append(row)
    OverlapSuggestion.objects.bulk_create(to_create, batch_size=500)
    # One statement per batch rather than one per row (bulk_update skips auto_now: set above).
    OverlapSuggestion.objects.bulk_update(
        to_update,
        ["score", "evidence", "fingerprint", "state", "decided_by", "decided_at", "updated_at"],
        batch_size=200,
    )
    gone = [
        row.pk
        for key, row in existing.items()
        if key not in found_keys and row.state == SuggestionState.NEW
    ]
    OverlapSuggestion.objects.filter(pk__in=gone).delete()
    return SyncReport(len(pairs), len(to_create), len(to_update), reopened, len(gone))


@transaction.atomic
def overlap_refresh_all() -> SyncReport:
    """Recompute every pair of the city (a system job: `ancrage insights-refresh --all`)."""
    items = overlap.all_items()
    pairs = overlap.find_pairs(items, overlap.vectors_for(items))
    existing = {
        (r.kind_a, r.id_a, r.kind_b, r.id_b): r for r in OverlapSuggestion.objects.defer("evidence")
    }
    return _store(pairs, existing)


def _pairs_of(kind: str, item_id: str) -> Q:
    return Q(kind_a=kind, id_a=item_id) | Q(kind_b=kind, id_b=item_id)


@transaction.atomic
def overlap_refresh_for(obj: Any) -> SyncReport:
    """Recompute only the pairs of one service, activity or funded project, after it changed.

    Reads the items that could pair with it (same needs, same or neighbouring boroughs), encodes
    what has no stored vector, and rewrites only its suggestions.
    """
    from .models import ItemKind

    kind = {
        "Service": ItemKind.SERVICE,
        "Activity": ItemKind.ACTIVITY,
        "Application": ItemKind.PROJECT,
    }.get(type(obj).__name__)
    if kind is None:
        raise TypeError(f"Not an overlap item: {obj!r}")
    # Without their evidence: only the changed rows get a new one (set before it is written).
    existing = {
        (r.kind_a, r.id_a, r.kind_b, r.id_b): r
        for r in OverlapSuggestion.objects.filter(_pairs_of(kind, str(obj.pk))).defer("evidence")
    }
    item = overlap.item_of(obj)
    if item is None:  # unpublished, discontinued, not funded: its open suggestions go
        return _store([], existing)
    items, vectors = overlap.neighbourhood(item, overlap.vectors_for([item])[0])
    pairs = overlap.find_pairs(items, vectors, only=[0])
    return _store(pairs, existing)


# More items than this changed in one transaction (an import, the demo): one city-wide refresh
# costs less than that many single ones.
CITY_REFRESH_FROM = 50


class _PendingRefresh:
    """The items changed in one transaction, refreshed once each after it commits."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, Any], Any] = {}
        self.done = False

    def run(self) -> None:
        self.done = True
        try:
            if len(self.items) > CITY_REFRESH_FROM:
                overlap_refresh_all()
                return
            for obj in self.items.values():
                overlap_refresh_for(obj)
        except Exception:
            # The publication stands; the nightly `insights-refresh --all` catches up.
            logger.exception("Overlap suggestions could not be refreshed after a change")


def overlap_refresh_on_commit(*, item: Any) -> None:
    """Refresh the overlap suggestions of a service or activity once the change commits.

    What the directory and activities call when they publish, edit or discontinue an item, so the
    review queue follows without any command. After the commit, not inside the caller's
    transaction: the refresh reads what was committed, and a failing refresh (the encoder's
    weights missing, a database hiccup) is logged and never undoes or blocks the publication.
    """
    connection = transaction.get_connection()
    pending = getattr(connection, "ancrage_overlap_pending", None)
    registered = pending is not None and any(
        callback == pending.run for _sids, callback, _robust in connection.run_on_commit
    )
    if pending is None or pending.done or not registered:
        pending = _PendingRefresh()
        connection.ancrage_overlap_pending = pending
        pending.items[(type(item).__name__, item.pk)] = item
        transaction.on_commit(pending.run)  # at once when no transaction is open
        return
    pending.items[(type(item).__name__, item.pk)] = item


@transaction.atomic
def suggestion_decide(
    *, actor: Any, suggestion: OverlapSuggestion, state: str, request: Any = None
) -> OverlapSuggestion:
    """A coordinator's decision: duplicate, complementary (suggest a partnership) or dismissed."""
    if not tenancy.has_capability(actor, tenancy.REVIEW_OVERLAP, suggestion.organization_a_id):
        raise PermissionDenied
    if state not in DECISIONS:
        raise ValidationError(_("Choose duplicate, complementary or dismiss."))
    locked = OverlapSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    before = locked.state
    locked.state, locked.decided_by, locked.decided_at = state, actor, timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGE,
        target=locked,
        organization_id=locked.organization_a_id,
        details={"state": [before, state], "other_organization": locked.organization_b_id},
        request=request,
    )
    return locked


# Synthetic demand for the demo: plausible orders of magnitude (recent immigrants per borough and
# the languages they speak), NOT census figures. The city's coordinators replace them in the admin.
SYNTHETIC_SOURCE = "Synthetic (demo) — not census data"
SYNTHETIC_DEMAND: dict[str, tuple[int, dict[str, float]]] = {
    "ahuntsic-cartierville": (14_500, {"fr": 0.55, "ar": 0.22, "es": 0.12, "en": 0.30}),
    "anjou": (4_200, {"fr": 0.62, "ar": 0.18, "es": 0.10, "ht": 0.12}),
    "cote-des-neiges-notre-dame-de-grace": (
        31_000,
        {"en": 0.48, "fr": 0.40, "tl": 0.12, "zh": 0.10, "es": 0.11, "ar": 0.09},
    ),
    "lachine": (3_600, {"fr": 0.55, "en": 0.35, "es": 0.10}),
    "lasalle": (9_800, {"fr": 0.45, "en": 0.40, "zh": 0.10, "es": 0.10, "pa": 0.08}),
    "ile-bizard-sainte-genevieve": (600, {"fr": 0.60, "en": 0.40}),
    "mercier-hochelaga-maisonneuve": (7_200, {"fr": 0.65, "es": 0.14, "ar": 0.10}),
    "montreal-nord": (11_300, {"fr": 0.70, "ht": 0.28, "ar": 0.16, "es": 0.08}),
    "outremont": (1_900, {"fr": 0.65, "en": 0.35, "yi": 0.08}),
    "pierrefonds-roxboro": (8_100, {"en": 0.50, "fr": 0.35, "ar": 0.12, "pa": 0.09}),
    "plateau-mont-royal": (8_700, {"fr": 0.70, "en": 0.35, "es": 0.12, "pt": 0.06}),
    "riviere-des-prairies-pointe-aux-trembles": (5_400, {"fr": 0.70, "ht": 0.15, "ar": 0.10}),
    "rosemont-la-petite-patrie": (10_200, {"fr": 0.65, "es": 0.15, "ar": 0.12, "vi": 0.05}),
    "saint-laurent": (24_500, {"fr": 0.45, "ar": 0.30, "en": 0.35, "zh": 0.08, "fa": 0.07}),
    "saint-leonard": (12_600, {"fr": 0.55, "ar": 0.25, "es": 0.10, "ht": 0.10, "it": 0.04}),
    "sud-ouest": (5_900, {"fr": 0.60, "en": 0.30, "es": 0.10}),
    "verdun": (5_300, {"fr": 0.60, "en": 0.30, "es": 0.08}),
    "ville-marie": (13_900, {"fr": 0.45, "en": 0.45, "zh": 0.12, "ar": 0.08}),
    "villeray-saint-michel-parc-extension": (
        26_800,
        {"fr": 0.50, "ar": 0.18, "es": 0.15, "pa": 0.10, "bn": 0.08, "ur": 0.07, "ht": 0.08},
    ),
}


@transaction.atomic
def seed_insights() -> int:
    """The demo's synthetic newcomer populations (called by the demo; existing rows are kept,
    so a coordinator's edits survive a new seed). Returns how many boroughs were added."""
    from ancrage.core.models import Borough

    from .models import CoverageDemand

    added = 0
    for borough in Borough.objects.filter(code__in=SYNTHETIC_DEMAND):
        population, shares = SYNTHETIC_DEMAND[borough.code]
        _row, created = CoverageDemand.objects.get_or_create(
            borough=borough,
            defaults={
                "newcomer_population": population,
                "language_shares": shares,
                "source": SYNTHETIC_SOURCE,
            },
        )
        added += created
    return added
