"""Deterministic HSDS ids, and the taxonomies Ancrage derives from its reference lists.

HSDS has objects Ancrage keeps as plain fields (a service's phone, its funder, its address…). Their
HSDS ids are uuid5 of the parent's id, so the same data always gets the same ids: other systems see
stable records, and export → import → export gives the same bytes.

Structured eligibility is published as HSDS attributes: audiences and immigration statuses as terms
of taxonomies derived from the core reference lists, the years since arrival as an attribute value.
The needs taxonomy is a real `directory.Taxonomy` (migration `directory.0002`).
"""

import uuid
from dataclasses import dataclass

from ancrage.core.models import Audience, ImmigrationStatus

# Namespace of every derived id.
ANCRAGE_HSDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://ancrage.montreal/hsds/3.0")


def derived_id(parent: uuid.UUID | str, kind: str) -> str:
    """The id of the `kind` record that belongs to `parent` (e.g. a service's phone)."""
    return str(uuid.uuid5(uuid.UUID(str(parent)), kind))


@dataclass(frozen=True)
class DerivedTaxonomy:
    """A taxonomy published from a reference list (or a fixed set of terms)."""

    name: str
    description: str
    key: str  # how the service keeps it: "audiences", "immigration_statuses", "eligibility"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(ANCRAGE_HSDS, f"taxonomy:{self.name}"))

    def term_id(self, code: str) -> str:
        return str(uuid.uuid5(uuid.UUID(self.id), code))


AUDIENCES = DerivedTaxonomy(
    "ancrage-audiences", "People a service is meant for (Ancrage reference list)", "audiences"
)
IMMIGRATION_STATUSES = DerivedTaxonomy(
    "ancrage-immigration-statuses",
    "Immigration statuses a service accepts; none listed means any status (Ancrage reference list)",
    "immigration_statuses",
)
ELIGIBILITY = DerivedTaxonomy(
    "ancrage-eligibility",
    "Eligibility conditions carried as attribute values (Ancrage)",
    "eligibility",
)
DERIVED_TAXONOMIES = (AUDIENCES, IMMIGRATION_STATUSES, ELIGIBILITY)

# The attribute whose value is `Service.max_years_since_arrival`.
YEARS_SINCE_ARRIVAL = "max-years-since-arrival"
ELIGIBILITY_TERMS: dict[str, dict[str, dict[str, str]]] = {
    YEARS_SINCE_ARRIVAL: {
        "names": {
            "fr": "Arrivée au Canada depuis au plus N années",
            "en": "Arrived in Canada at most N years ago",
        },
        "descriptions": {
            "fr": "La valeur de l'attribut est le nombre d'années (N).",
            "en": "The attribute's value is the number of years (N).",
        },
    }
}


@dataclass(frozen=True)
class DerivedTerm:
    taxonomy: DerivedTaxonomy
    code: str
    names: dict[str, str]
    descriptions: dict[str, str]
    sort_order: int

    @property
    def id(self) -> str:
        return self.taxonomy.term_id(self.code)


def derived_terms() -> list[DerivedTerm]:
    """Every term of the derived taxonomies, in taxonomy then list order (two small queries).

    Items no longer in use stay listed: older services and exports still name them.
    """
    terms = [
        DerivedTerm(AUDIENCES, a.code, dict(a.names), {}, a.sort_order)
        for a in Audience.objects.all()
    ]
    terms += [
        DerivedTerm(IMMIGRATION_STATUSES, s.code, dict(s.names), {}, s.sort_order)
        for s in ImmigrationStatus.objects.all()
    ]
    terms += [
        DerivedTerm(ELIGIBILITY, code, texts["names"], texts["descriptions"], order)
        for order, (code, texts) in enumerate(ELIGIBILITY_TERMS.items())
    ]
    return terms


def derived_term_index() -> dict[str, DerivedTerm]:
    """term id → term."""
    return {term.id: term for term in derived_terms()}
